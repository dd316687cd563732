/**
 * Microsoft's Graph SDK for JavaScript (`@microsoft/microsoft-graph-client`) pointed at pimflow, as a Graph client
 * would be: the API's HTTPS base (the SDK sends its token only over HTTPS, and only to Graph's hosts or the
 * `customHosts` it is given), a token from the identity stand-in for the user asked for.
 */
import { Client, ResponseType } from '@microsoft/microsoft-graph-client';
import type { ApiCall, PimApp } from '../pim-harness';

/** A Graph SDK client calling pimflow as `call.as`. URLs like Graph's: `client.api('/identityGovernance/...')`. */
export function graphClient(app: PimApp, call: ApiCall & { as: string }, base = app.apiHttps): Client {
  const url = new URL(base);
  return Client.init({
    // The SDK builds `{baseUrl}/{defaultVersion}/{path}`: pimflow's `/api` stands where Graph has `/v1.0`.
    baseUrl: url.origin,
    defaultVersion: url.pathname.replace(/^\/+|\/+$/g, ''),
    customHosts: new Set([url.hostname]),
    authProvider: (done) => {
      app.token({ amr: ['pwd', 'mfa'], ...call }).then(
        (token) => done(null, token),
        (err: unknown) => done(err, null),
      );
    },
  });
}

/** Sends one request through the SDK; answers its status, headers and JSON body, whatever the status (no GraphError). */
export async function sdkSend(
  client: Client,
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown; headers: Headers }> {
  const request = client.api(path).responseType(ResponseType.RAW);
  const res = (await (method === 'GET'
    ? request.get()
    : method === 'POST'
      ? request.post(body)
      : method === 'PATCH'
        ? request.patch(body)
        : method === 'PUT'
          ? request.put(body)
          : request.delete())) as Response;
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}
