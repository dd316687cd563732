/**
 * App-only tokens for tests, as Entra ID issues them: a client app registered in the identity stand-in with app
 * roles on the pimflow API, and a token from the client-credentials grant (`scope=api://pimflow/.default`).
 */
import { expect } from 'vitest';
import { API_AUDIENCE } from '../../local/dev-environment';
import type { PimApp } from '../pim-harness';

export interface AppCaller {
  /** The service principal's object id (the token's `oid`). */
  objectId: string;
  token: string;
  /** `headers` for PimApp.api(). */
  headers: { authorization: string };
}

export async function appCaller(app: PimApp, roles: string[]): Promise<AppCaller> {
  const client = app.dev.identity.registerClientApp({
    displayName: `automation ${roles.join(' ') || '(no roles)'}`,
    apiRoles: roles,
  });
  const res = await fetch(app.dev.identity.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
      scope: `${API_AUDIENCE}/.default`,
    }).toString(),
  });
  expect(res.status, await res.clone().text()).toBe(200);
  const { access_token } = (await res.json()) as { access_token: string };
  return {
    objectId: client.objectId,
    token: access_token,
    headers: { authorization: `Bearer ${access_token}` },
  };
}

export function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}
