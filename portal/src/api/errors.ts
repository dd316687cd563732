/**
 * Errors from the API as sentences a person understands. Graph-shaped routes answer `{error:{code,message,details}}`,
 * ARM-shaped ones (Azure roles) the same without details, the others problem+json `{detail, errors}`; either way the message is the server's own (it is written for people),
 * and field errors are kept per field so a form can show each next to its input.
 */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    /** Field path (as the API names it, e.g. `scheduleInfo.expiration.duration`) → what is wrong with it. */
    readonly fields: Record<string, string> = {},
    readonly code?: string,
  ) {
    super(message);
  }

  /** The message for a field whose API name is, or ends with, `name`. */
  field(name: string): string | undefined {
    const key = Object.keys(this.fields).find((k) => k === name || k.endsWith(`.${name}`));
    return key ? this.fields[key] : undefined;
  }
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: { target?: string; message?: string }[] };
  detail?: string;
  title?: string;
  errors?: { field?: string; message?: string }[];
}

const STATUS_SENTENCES: Record<number, string> = {
  401: 'Your sign-in has expired. Sign in again.',
  403: "You don't have permission to do that.",
  404: 'That no longer exists. It may have been removed by someone else.',
  409: 'Someone else changed this at the same time. Reload and try again.',
  429: 'The service is busy. Try again in a moment.',
  500: 'Something went wrong on the server. Try again; if it keeps happening, tell your administrator.',
  503: 'The service is not available right now. Try again in a moment.',
};

export function apiErrorFrom(status: number, body: unknown): ApiError {
  const b = (body && typeof body === 'object' ? body : {}) as ErrorBody;
  const fields: Record<string, string> = {};
  for (const d of b.error?.details ?? []) if (d.target && d.message) fields[d.target] = d.message;
  for (const e of b.errors ?? []) if (e.field && e.message) fields[e.field] = e.message;
  const message =
    b.error?.message ??
    b.detail ??
    STATUS_SENTENCES[status] ??
    `The request failed (HTTP ${status}). Try again.`;
  return new ApiError(sentence(message), status, fields, b.error?.code);
}

/** "something failed" → "Something failed." */
function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  const first = t.charAt(0).toUpperCase() + t.slice(1);
  return /[.!?]$/.test(first) ? first : `${first}.`;
}

export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof TypeError) return "Can't reach pimflow. Check your connection and try again.";
  return err instanceof Error ? err.message : String(err);
}
