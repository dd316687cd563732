/**
 * A client for the app's HTTP API as a demo user of the local stand-ins: one bearer token per call (`as`, with
 * roles and authentication methods), JSON bodies, and the 2xx check. Tests (test/pim-harness.ts, in-process) and
 * scripts and crash tests (bench/child-app.ts, a child process) differ only in where tokens come from. And the
 * one way both look a demo user up.
 */

export interface ApiCall {
  method?: string;
  /** A demo user (UPN or object id) to call as; omit for no token. */
  as?: string;
  roles?: string[];
  amr?: string[];
  acrs?: string[];
  body?: unknown;
  headers?: Record<string, string>;
  /** Give up after this long (default: the client's `timeoutMs`, else as long as the server takes). */
  timeoutMs?: number;
}

export interface ApiClient {
  /** Calls the API (path below /api, or a full URL such as an @odata.nextLink). */
  api(pathAndQuery: string, call?: ApiCall): Promise<Response>;
  /** Like api(), but expects 2xx and returns the JSON body. */
  json<T = unknown>(pathAndQuery: string, call?: ApiCall): Promise<T>;
  /** Every item of a paged collection (following @odata.nextLink). */
  all<T = unknown>(pathAndQuery: string, call?: ApiCall): Promise<T[]>;
  /** An access token for a demo user. */
  token(call: ApiCall & { as: string }): Promise<string>;
}

export function createApiClient(options: {
  /** The API's base URL (`…/api`); read on each call, so it may follow a restart. */
  apiBase: () => string;
  token: (call: ApiCall & { as: string }) => Promise<string>;
  /** A default for `ApiCall.timeoutMs`: a script's call never hangs. */
  timeoutMs?: number;
}): ApiClient {
  const api = async (pathAndQuery: string, call: ApiCall = {}): Promise<Response> => {
    const headers: Record<string, string> = { ...call.headers };
    if (call.as) headers.authorization = `Bearer ${await options.token({ ...call, as: call.as })}`;
    if (call.body !== undefined) headers['content-type'] ??= 'application/json';
    const timeoutMs = call.timeoutMs ?? options.timeoutMs;
    const url = /^https?:/.test(pathAndQuery)
      ? pathAndQuery
      : `${options.apiBase()}/${pathAndQuery.replace(/^\//, '')}`;
    return fetch(url, {
      method: methodOf(call),
      headers,
      body:
        call.body === undefined
          ? undefined
          : typeof call.body === 'string'
            ? call.body
            : JSON.stringify(call.body),
      signal: timeoutMs === undefined ? undefined : AbortSignal.timeout(timeoutMs),
    });
  };
  const json = async <T>(pathAndQuery: string, call: ApiCall = {}): Promise<T> => {
    const res = await api(pathAndQuery, call);
    const text = await res.text();
    if (res.status < 200 || res.status > 299)
      throw new Error(`${methodOf(call)} ${pathAndQuery} → ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
  return {
    api,
    json,
    async all<T>(pathAndQuery: string, call: ApiCall = {}): Promise<T[]> {
      const items: T[] = [];
      let next: string | undefined = pathAndQuery;
      while (next) {
        const page: { value: T[]; '@odata.nextLink'?: string } = await json(next, call);
        items.push(...page.value);
        next = page['@odata.nextLink'];
      }
      return items;
    },
    token: options.token,
  };
}

function methodOf(call: ApiCall): string {
  return call.method ?? (call.body === undefined ? 'GET' : 'POST');
}

export interface DemoUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

/** A demo user by UPN, UPN prefix (`olivia.carter`) or object id. */
export function findDemoUser(users: readonly DemoUser[], upnOrPrefix: string): DemoUser {
  const key = upnOrPrefix.toLowerCase();
  const found = users.find(
    (u) =>
      u.userPrincipalName.toLowerCase() === key ||
      u.userPrincipalName.toLowerCase().startsWith(`${key}@`) ||
      u.id === key,
  );
  if (!found) throw new Error(`No demo user ${upnOrPrefix}`);
  return { id: found.id, userPrincipalName: found.userPrincipalName, displayName: found.displayName };
}
