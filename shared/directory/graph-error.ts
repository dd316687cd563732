/**
 * Microsoft Graph refused a request (or could not be reached): Graph's HTTP status, error code and message,
 * e.g. 404 `Request_ResourceNotFound`, 400 `Request_BadRequest`, 401 `InvalidAuthenticationToken`.
 * `status` is 0 when no answer came (network or credential failure).
 */
import { GraphError as SdkGraphError } from '@microsoft/microsoft-graph-client';
import type { GraphErrorInfo } from './directory';

export class GraphError extends Error {
  override name = 'GraphError';
  readonly status: number;
  readonly code: string;
  readonly requestId?: string;
  /** Retry-After, in milliseconds, when Graph sent one. */
  readonly retryAfterMs?: number;

  constructor(
    info: GraphErrorInfo & { requestId?: string; retryAfterMs?: number },
    options?: { cause?: unknown },
  ) {
    super(`Graph ${info.status} ${info.code}: ${info.message}`, options);
    this.status = info.status;
    this.code = info.code;
    this.requestId = info.requestId;
    this.retryAfterMs = info.retryAfterMs;
  }

  /** Graph's own message, without the status and code prefix. */
  get graphMessage(): string {
    return this.message.replace(/^Graph \d+ [^:]*: /, '');
  }

  /** Adding a reference that is already there ("One or more added object references already exist ..."). */
  get isAlreadyExists(): boolean {
    return this.status === 400 && /already exist/i.test(this.message);
  }

  /** Creating an object that exists already, e.g. a duplicate role assignment ("A conflicting object ..."). */
  get isConflictingObject(): boolean {
    return (this.status === 400 || this.status === 409) && /conflicting object/i.test(this.message);
  }

  toJSON(): GraphErrorInfo {
    return { status: this.status, code: this.code, message: this.graphMessage };
  }
}

/** Our GraphError for whatever the Graph client threw; anything that isn't a Graph answer is rethrown. */
export function fromClientError(err: unknown): GraphError {
  if (err instanceof GraphError) return err;
  if (!(err instanceof SdkGraphError)) throw err;
  if (err.statusCode <= 0) {
    // No HTTP answer: the client wraps the underlying failure (fetch, credential) and names it in `code`.
    const message = err.message || String(err.body);
    return new GraphError({ status: 0, code: err.code ?? 'NoResponse', message }, { cause: err });
  }
  return new GraphError(
    {
      status: err.statusCode,
      code: err.code ?? 'UnknownError',
      message: err.message,
      requestId: err.requestId ?? undefined,
      retryAfterMs: parseRetryAfter(err.headers?.get('Retry-After') ?? undefined),
    },
    { cause: err },
  );
}

/** Our GraphError for a failed `$batch` sub-response. */
export function fromSubResponse(status: number, headers: Record<string, string>, body: unknown): GraphError {
  const error = (body as { error?: { code?: string; message?: string; innerError?: Record<string, string> } })
    ?.error;
  const retryAfter = Object.entries(headers).find(([k]) => k.toLowerCase() === 'retry-after')?.[1];
  return new GraphError({
    status,
    code: error?.code ?? 'UnknownError',
    message: error?.message ?? `HTTP ${status}`,
    requestId: error?.innerError?.['request-id'],
    retryAfterMs: parseRetryAfter(retryAfter),
  });
}

/** Retry-After is seconds or an HTTP date; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Number(value) * 1000;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
