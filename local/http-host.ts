/**
 * Serves the app's HTTP triggers under `/<routePrefix>/<route>` the way the Functions host does: route templates,
 * methods, `authLevel` keys, RPC-shaped request data in, RPC-shaped response out. Unknown route → 404, known route
 * with another method → 405, no valid key for a `function` or `admin` trigger → 401, an exception in the handler
 * → 500 with no details (as the host does).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RegisteredFunction, RpcHttpCookie, RpcHttpData, RpcTypedData } from './functions-core';
import type { FunctionInvoker } from './invoker';
import { allows, authLevelOf, presentedKey, type AuthLevel } from './key-auth';
import type { HostKeys } from './keys';
import { compareRoutePrecedence, compileRoute, type CompiledRoute } from './routes';

interface HttpFunction {
  fn: RegisteredFunction;
  triggerName: string;
  route: CompiledRoute;
  methods: string[] | undefined;
  authLevel: AuthLevel;
}

/** The HTTP functions whose authLevel is `function`: each gets keys of its own, as in the host. */
export function functionLevelTriggers(functions: Iterable<RegisteredFunction>): string[] {
  const names: string[] = [];
  for (const fn of functions) {
    for (const binding of Object.values(fn.metadata.bindings)) {
      if (binding.type === 'httpTrigger' && authLevelOf(binding.authLevel, fn.metadata.name) === 'function')
        names.push(fn.metadata.name);
    }
  }
  return names;
}

export class HttpHost {
  private readonly routes: HttpFunction[] = [];

  constructor(
    functions: Iterable<RegisteredFunction>,
    private readonly invoker: FunctionInvoker,
    readonly routePrefix: string,
    private readonly extraInputs: (fn: RegisteredFunction) => { name: string; data: RpcTypedData }[],
    private readonly log: (message: string) => void,
    private readonly keys: HostKeys,
  ) {
    for (const fn of functions) {
      for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
        if (binding.type !== 'httpTrigger') continue;
        const template = String(binding.route ?? fn.metadata.name).replace(/^\/+/, '');
        const methods = Array.isArray(binding.methods)
          ? (binding.methods as string[]).map((m) => m.toUpperCase())
          : undefined;
        const authLevel = authLevelOf(binding.authLevel, fn.metadata.name);
        this.routes.push({ fn, triggerName: name, route: compileRoute(template), methods, authLevel });
      }
    }
    // The host tries routes in order of function name, not by how specific they are
    // (azure-functions-host#9876), so we do the same: an app that relies on specificity would break in Azure.
    this.routes.sort((a, b) =>
      a.fn.metadata.name.toLowerCase().localeCompare(b.fn.metadata.name.toLowerCase()),
    );
    for (const warning of shadowedRoutes(this.routes)) log(warning);
  }

  /** One line per HTTP function, for the start-up banner. */
  describe(baseUrl: string): string[] {
    return this.routes.map(
      (r) =>
        `  ${r.fn.metadata.name}: [${(r.methods ?? ['ANY']).join(',')}] ${baseUrl}/${r.route.template}` +
        (r.authLevel === 'anonymous' ? '' : ` (authLevel ${r.authLevel}: needs a key)`),
    );
  }

  /** Handles a request whose path starts with the route prefix; `path` is what follows it. */
  async handle(
    req: IncomingMessage,
    res: ServerResponse,
    path: string,
    body: Buffer,
    origin: string,
  ): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    let pathMatched = false;
    for (const r of this.routes) {
      const params = r.route.match(path);
      if (!params) continue;
      pathMatched = true;
      if (r.methods && !r.methods.includes(method)) continue;
      if (!this.authorized(r, req)) {
        send(res, 401, {}, '');
        return;
      }
      await this.invoke(r, req, res, params, body, origin, method);
      return;
    }
    if (pathMatched) send(res, 405, { 'content-type': 'text/plain' }, 'Method Not Allowed');
    else send(res, 404, { 'content-type': 'text/plain' }, 'Not Found');
  }

  private authorized(r: HttpFunction, req: IncomingMessage): boolean {
    if (r.authLevel === 'anonymous') return true;
    const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
    const match = this.keys.match(presentedKey(req.headers, query), r.fn.metadata.name);
    return allows(match, r.authLevel);
  }

  private async invoke(
    r: HttpFunction,
    req: IncomingMessage,
    res: ServerResponse,
    params: Record<string, string>,
    body: Buffer,
    origin: string,
    method: string,
  ): Promise<void> {
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers[key] = Array.isArray(value) ? value.join(', ') : value;
    }
    const http: RpcHttpData = {
      method,
      url: `${origin}${req.url ?? '/'}`,
      headers,
      params,
      body: body.length > 0 ? { bytes: body } : null,
      identities: [],
    };
    let response: RpcHttpData | undefined;
    try {
      const result = await this.invoker.invoke(r.fn, {
        inputData: [{ name: r.triggerName, data: { http } }, ...this.extraInputs(r.fn)],
        triggerMetadata: {
          Query: { json: JSON.stringify(Object.fromEntries(new URL(http.url as string).searchParams)) },
        },
      });
      const out =
        result.response.returnValue?.http ??
        result.response.outputData?.find((o) => o.data?.http)?.data?.http ??
        undefined;
      response = out ?? undefined;
    } catch (err) {
      this.log(
        `[${r.fn.metadata.name}] Executed with an error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`,
      );
      send(res, 500, {}, '');
      return;
    }
    if (!response) {
      send(res, 204, {}, '');
      return;
    }
    const status = Number(response.statusCode ?? 200);
    const outHeaders: Record<string, string | string[]> = { ...(response.headers ?? {}) };
    const cookies = (response.cookies ?? []).map(formatCookie);
    if (cookies.length > 0) outHeaders['set-cookie'] = cookies;
    send(res, status, outHeaders, bodyBytes(response.body));
  }
}

/** Warns where a less specific route, tried first, would take requests meant for a more specific one. */
function shadowedRoutes(routes: HttpFunction[]): string[] {
  const warnings: string[] = [];
  routes.forEach((later, i) => {
    const sample = later.route.template.replace(/\{[^}]*\}/g, '1');
    for (const earlier of routes.slice(0, i)) {
      if (compareRoutePrecedence(later.route, earlier.route) < 0 && earlier.route.match(sample)) {
        warnings.push(
          `Warning: route "${earlier.route.template}" (${earlier.fn.metadata.name}) is tried before the more specific ` +
            `"${later.route.template}" (${later.fn.metadata.name}), as the Functions host orders routes by function name.`,
        );
      }
    }
  });
  return warnings;
}

function bodyBytes(body: RpcTypedData | null | undefined): Buffer {
  if (!body) return Buffer.alloc(0);
  if (body.bytes) return Buffer.from(body.bytes);
  if (body.string !== undefined && body.string !== null) return Buffer.from(body.string, 'utf8');
  if (body.json !== undefined && body.json !== null) return Buffer.from(body.json, 'utf8');
  return Buffer.alloc(0);
}

function formatCookie(c: RpcHttpCookie): string {
  const parts = [`${c.name ?? ''}=${c.value ?? ''}`];
  if (c.domain?.value) parts.push(`Domain=${c.domain.value}`);
  if (c.path?.value) parts.push(`Path=${c.path.value}`);
  if (c.expires?.value?.seconds !== undefined)
    parts.push(`Expires=${new Date(c.expires.value.seconds * 1000).toUTCString()}`);
  if (c.maxAge?.value !== undefined) parts.push(`Max-Age=${c.maxAge.value}`);
  if (c.secure?.value) parts.push('Secure');
  if (c.httpOnly?.value) parts.push('HttpOnly');
  if (c.sameSite === 'lax') parts.push('SameSite=Lax');
  else if (c.sameSite === 'strict') parts.push('SameSite=Strict');
  else if (c.sameSite === 'explicitNone') parts.push('SameSite=None');
  return parts.join('; ');
}

export function send(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | string[]>,
  body: string | Buffer,
): void {
  if (res.headersSent) return;
  res.writeHead(status, headers);
  res.end(body);
}
