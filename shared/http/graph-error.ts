/**
 * Graph's error shape on Graph-shaped routes. Handlers answer every error with `problem()` (problem.ts); the
 * post-invocation hook in functions/http-edge.ts turns the problem of a Graph-shaped route into Graph's
 * `{ error: { code, message, details?, innerError: { date, request-id, client-request-id } } }` (application/json),
 * which Graph's SDKs read into `GraphError`. Pages and pimflow's own routes keep problem+json.
 *
 * The rule, in one place: a route is Graph-shaped when its path below /api starts with one of
 * GRAPH_ROUTE_PREFIXES (Graph's resource segments); everything else is pimflow's.
 */
import type { HttpResponseInit } from '@azure/functions';

/** Where Graph's resources live below /api; compared without case, as the host matches routes. */
export const GRAPH_ROUTE_PREFIXES = [
  'identityGovernance/',
  'roleManagement/',
  'policies/',
  'auditLogs/directoryAudits',
] as const;

/** The host's route prefix (host.json `extensions.http.routePrefix`). */
const API_PREFIX = '/api/';

/** Whether a request path (`/api/...`, as in the request URL) belongs to a Graph-shaped route. */
export function isGraphShapedPath(pathname: string): boolean {
  if (!pathname.toLowerCase().startsWith(API_PREFIX)) return false;
  const route = pathname.slice(API_PREFIX.length).toLowerCase();
  return GRAPH_ROUTE_PREFIXES.some((prefix) => {
    const p = prefix.toLowerCase();
    // `auditLogs/directoryAudits` is a whole segment: not `auditLogs/directoryAuditsX`.
    return p.endsWith('/') ? route.startsWith(p) : route === p || route.startsWith(`${p}/`);
  });
}

/** Graph's code for a status, when the problem names no more specific one (its `code` extension). */
const CODES: Record<number, string> = {
  400: 'BadRequest',
  401: 'InvalidAuthenticationToken',
  403: 'Forbidden',
  404: 'NotFound',
  405: 'MethodNotAllowed',
  406: 'NotAcceptable',
  409: 'Conflict',
  410: 'Gone',
  412: 'PreconditionFailed',
  413: 'RequestEntityTooLarge',
  415: 'UnsupportedMediaType',
  422: 'UnprocessableEntity',
  429: 'TooManyRequests',
  500: 'UnknownError',
  501: 'NotImplemented',
  503: 'ServiceUnavailable',
  504: 'GatewayTimeout',
};

/** The Graph code for a status: its own (table above), else BadRequest for any 4xx and UnknownError for the rest. */
export function graphErrorCode(status: number): string {
  return CODES[status] ?? (status >= 400 && status < 500 ? 'BadRequest' : 'UnknownError');
}

export interface GraphErrorDetail {
  code: string;
  message: string;
  target: string;
}

export interface GraphErrorBody {
  error: {
    code: string;
    message: string;
    details?: GraphErrorDetail[];
    /** Graph's diagnostics, then the problem's other extensions (`reason`, `limitBytes`, ...) under their names. */
    innerError: { date: string; 'request-id': string; 'client-request-id': string; [more: string]: unknown };
  };
}

export interface GraphErrorContext {
  now: Date;
  /** A new id for this response (sent as `request-id` too). */
  requestId: string;
  /** The request's `client-request-id` header, echoed; the request id when it sent none. */
  clientRequestId?: string | null;
}

/** A client's request id is echoed when it looks like one (Graph's SDKs send a GUID); anything else isn't repeated. */
const echoable = (id: string | null | undefined) =>
  id && /^[A-Za-z0-9._:-]{1,128}$/.test(id) ? id : undefined;

/** Graph writes `date` to the second: `2026-03-02T09:00:00`. */
const graphDate = (d: Date) => d.toISOString().slice(0, 19);

/** Problem members that Graph's error carries elsewhere (or not at all: the status is the response's). */
const PROBLEM_MEMBERS = new Set(['type', 'title', 'status', 'detail', 'code', 'errors']);

/** The problem's `errors: [{ field, message }]` as Graph's `details: [{ code, message, target }]`. */
function detailsOf(errors: unknown, code: string): GraphErrorDetail[] | undefined {
  if (!Array.isArray(errors)) return undefined;
  const details = errors.flatMap((e: unknown) => {
    if (e === null || typeof e !== 'object') return [];
    const { field, message, code: own } = e as { field?: unknown; message?: unknown; code?: unknown };
    return [
      {
        code: typeof own === 'string' ? own : code,
        message: typeof message === 'string' ? message : '',
        target: typeof field === 'string' ? field : '',
      },
    ];
  });
  return details.length > 0 ? details : undefined;
}

/** A problem+json body as Graph's error body. */
export function graphErrorBody(
  problemBody: Record<string, unknown>,
  status: number,
  context: GraphErrorContext,
): GraphErrorBody {
  const code = typeof problemBody.code === 'string' ? problemBody.code : graphErrorCode(status);
  const message =
    typeof problemBody.detail === 'string' ? problemBody.detail : String(problemBody.title ?? '');
  const details = detailsOf(problemBody.errors, code);
  const extensions = Object.fromEntries(Object.entries(problemBody).filter(([k]) => !PROBLEM_MEMBERS.has(k)));
  return {
    error: {
      code,
      message,
      ...(details ? { details } : {}),
      innerError: {
        ...extensions,
        date: graphDate(context.now),
        'request-id': context.requestId,
        'client-request-id': echoable(context.clientRequestId) ?? context.requestId,
      },
    },
  };
}

const isProblemType = (contentType: string | null) =>
  contentType !== null && /^application\/problem\+json\b/i.test(contentType);

/**
 * A handler's answer as Graph would give it: a problem+json response becomes Graph's error with the same status
 * and every other header (WWW-Authenticate, Retry-After, ...), plus `request-id` and `client-request-id`. Anything
 * else (successes, CSV, a body that isn't a readable problem) is undefined: keep it as it is.
 */
export function problemAsGraphError(
  response: HttpResponseInit,
  context: GraphErrorContext,
): HttpResponseInit | undefined {
  const headers = new Headers(response.headers as ConstructorParameters<typeof Headers>[0]);
  if (!isProblemType(headers.get('content-type'))) return undefined;
  let body: unknown;
  try {
    body = typeof response.body === 'string' ? JSON.parse(response.body) : response.jsonBody;
  } catch {
    return undefined;
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return undefined;
  const status = response.status ?? (body as { status?: unknown }).status;
  if (typeof status !== 'number') return undefined;
  const graph = graphErrorBody(body as Record<string, unknown>, status, context);
  headers.set('content-type', 'application/json');
  headers.set('request-id', graph.error.innerError['request-id']);
  headers.set('client-request-id', graph.error.innerError['client-request-id']);
  return { status, headers: Object.fromEntries(headers.entries()), body: JSON.stringify(graph) };
}
