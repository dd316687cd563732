/**
 * Azure Resource Manager's error shape on ARM-shaped routes (PIM for Azure resources, docs/api/azure-roles.md).
 * Handlers answer every error with `problem()` (problem.ts), naming ARM's code in its `code` extension; the
 * post-invocation hook in functions/http-edge.ts turns the problem of an ARM-shaped route into ARM's
 * `{ error: { code, message } }` (application/json), which ARM's SDKs read into `RestError` — including the 401s,
 * 413s and edge refusals no handler wrote.
 *
 * The rule, in one place: a route is ARM-shaped when its path below /api starts with one of ARM_ROUTE_PREFIXES.
 */
import type { HttpResponseInit } from '@azure/functions';

/** Where ARM's resources live below /api; compared without case, as the host matches routes. */
export const ARM_ROUTE_PREFIXES = ['subscriptions/', 'providers/'] as const;

const API_PREFIX = '/api/';

/** Whether a request path (`/api/...`, as in the request URL) belongs to an ARM-shaped route. */
export function isArmShapedPath(pathname: string): boolean {
  if (!pathname.toLowerCase().startsWith(API_PREFIX)) return false;
  const route = pathname.slice(API_PREFIX.length).replace(/^\/+/, '').toLowerCase();
  return ARM_ROUTE_PREFIXES.some((prefix) => route.startsWith(prefix));
}

/** ARM's code for a status, when the problem names no more specific one. */
const CODES: Record<number, string> = {
  400: 'InvalidRequest',
  401: 'AuthenticationFailed',
  403: 'AuthorizationFailed',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  409: 'Conflict',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
  503: 'ServiceUnavailable',
};

export function armErrorCode(status: number): string {
  return CODES[status] ?? (status >= 400 && status < 500 ? 'InvalidRequest' : 'InternalServerError');
}

const isProblemType = (contentType: string | null) =>
  contentType !== null && /^application\/problem\+json\b/i.test(contentType);

/**
 * A handler's answer as ARM would give it: a problem+json response becomes `{ error: { code, message } }` with the
 * same status and every other header (WWW-Authenticate, Retry-After, ...). Anything else is undefined: keep it.
 */
export function problemAsArmError(response: HttpResponseInit): HttpResponseInit | undefined {
  const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
  if (!isProblemType(headers.get('content-type'))) return undefined;
  let body: unknown;
  try {
    body = typeof response.body === 'string' ? JSON.parse(response.body) : response.jsonBody;
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const p = body as Record<string, unknown>;
  const status = response.status ?? p.status;
  if (typeof status !== 'number') return undefined;
  const code = typeof p.code === 'string' ? p.code : armErrorCode(status);
  const message = typeof p.detail === 'string' ? p.detail : String(p.title ?? '');
  headers.set('content-type', 'application/json; charset=utf-8');
  headers.set('x-ms-failure-cause', 'gateway');
  return {
    status,
    headers: Object.fromEntries(headers.entries()),
    body: JSON.stringify({ error: { code, message } }),
  };
}
