/**
 * The portal's only way to the API: the user's token on every call, JSON in and out, errors as ApiError. When the API
 * asks for a stronger sign-in (401 with `error="insufficient_claims", claims="<base64>"` — MFA or an authentication
 * context, as Entra ID's claims challenge), the user signs in again with those claims and the call is sent once more.
 */
import { apiErrorFrom } from './errors';

export interface TokenSource {
  /** An access token for the API; with `claims`, one that satisfies that claims request (may ask the user). */
  token(claims?: string): Promise<string>;
}

export interface Api {
  get<T>(path: string): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  put<T>(path: string, body: unknown): Promise<T>;
  delete(path: string): Promise<void>;
  /** The raw response (CSV exports, headers). Errors still throw ApiError. */
  fetch(path: string, init?: RequestInit): Promise<Response>;
}

/** `/api` on this origin: the portal is served at /api/portal/. */
export const API_BASE = new URL(
  '../',
  new URL(import.meta.env.BASE_URL, window.location.origin),
).pathname.replace(/\/$/, '');

export function createApi(tokens: TokenSource): Api {
  const send = async (path: string, init: RequestInit, claims?: string): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${await tokens.token(claims)}`);
    if (init.body !== undefined && !headers.has('content-type'))
      headers.set('content-type', 'application/json');
    const res = await fetch(`${API_BASE}${path}`, { ...init, headers });
    if (res.status === 401 && claims === undefined) {
      const challenge = claimsChallenge(res.headers.get('www-authenticate'));
      if (challenge) return send(path, init, challenge);
    }
    if (!res.ok) {
      const body: unknown = await res.json().catch(() => undefined);
      throw apiErrorFrom(res.status, body);
    }
    return res;
  };
  const json = async <T>(path: string, init: RequestInit): Promise<T> => {
    const res = await send(path, init);
    if (res.status === 204 || res.headers.get('content-length') === '0') return undefined as T;
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as T;
  };
  const withBody = (method: string, body: unknown): RequestInit => ({
    method,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return {
    get: (path) => json(path, { method: 'GET' }),
    post: (path, body) => json(path, withBody('POST', body ?? {})),
    patch: (path, body) => json(path, withBody('PATCH', body)),
    put: (path, body) => json(path, withBody('PUT', body)),
    delete: async (path) => {
      await send(path, { method: 'DELETE' });
    },
    fetch: (path, init = {}) => send(path, init),
  };
}

/** The decoded claims request of an `insufficient_claims` challenge, or undefined. */
export function claimsChallenge(header: string | null): string | undefined {
  if (!header || !/error="insufficient_claims"/.test(header)) return undefined;
  const encoded = /claims="([^"]+)"/.exec(header)?.[1];
  if (!encoded) return undefined;
  try {
    return atob(encoded);
  } catch {
    return undefined;
  }
}
