/**
 * API token validation against the local identity stand-in, over HTTPS: what passes, and every way a token must
 * fail. Also the app's own credential (MSAL's client-credentials flow) against the same issuer.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIdentityStandIn, type IdentityStandIn } from '../../local/standins/identity/identity-stand-in';
import { createAzureCredential } from '../../shared/auth/azure-credential';
import { AuthenticationError, createTokenValidator } from '../../shared/auth/token-validator';
import type { Settings } from '../../shared/config';
import { testTls } from '../helpers';

const TENANT = '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
const AUDIENCE = 'api://pimflow';
const USERS = [
  {
    id: '11111111-1111-4111-8111-111111111111',
    userPrincipalName: 'adele@pimflow.example',
    displayName: 'Adele Vance',
  },
];
let idp: IdentityStandIn;
let keyFile: string;

beforeAll(async () => {
  keyFile = path.join(mkdtempSync(path.join(os.tmpdir(), 'pimflow-idp-')), 'key.json');
  idp = await startIdentityStandIn({
    tls: testTls(),
    tenantId: TENANT,
    apiAudience: AUDIENCE,
    appClientId: 'app-client',
    appClientSecret: 'app-secret',
    appObjectId: '22222222-2222-4222-8222-222222222222',
    keyFile,
    users: () => USERS,
  });
});
afterAll(async () => {
  await idp?.close();
});

const validator = () => createTokenValidator({ issuer: idp.issuer, audience: AUDIENCE, tenantId: TENANT });

async function tokenFromEndpoint(body: unknown): Promise<Response> {
  return fetch(idp.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** Signs a token with the stand-in's own key, with claims a test chooses. */
async function forge(claims: Record<string, unknown>, header: Record<string, unknown> = {}): Promise<string> {
  const jwk = JSON.parse(readFileSync(keyFile, 'utf8')) as JWK;
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    oid: USERS[0]!.id,
    tid: TENANT,
    iss: idp.issuer,
    aud: AUDIENCE,
    iat: now,
    exp: now + 600,
    ...claims,
  })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, ...header })
    .sign(await importJWK(jwk, 'RS256'));
}

async function rejection(header: string | undefined): Promise<AuthenticationError> {
  const err = await validator()
    .validate(header)
    .then(
      () => undefined,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(AuthenticationError);
  return err as AuthenticationError;
}

describe('user tokens for the API', () => {
  it('issues a token as a demo user with roles, MFA and authentication contexts, and the validator accepts it', async () => {
    const res = await tokenFromEndpoint({
      user: 'Adele@pimflow.example',
      roles: ['PimFlow.Admin'],
      amr: ['pwd', 'mfa'],
      acrs: ['c1'],
    });
    expect(res.status).toBe(200);
    const { access_token } = (await res.json()) as { access_token: string };
    const principal = await validator().validate(`Bearer ${access_token}`);
    expect(principal).toMatchObject({
      objectId: USERS[0]!.id,
      tenantId: TENANT,
      roles: ['PimFlow.Admin'],
      authenticationMethods: ['pwd', 'mfa'],
      authenticationContexts: ['c1'],
      userPrincipalName: 'adele@pimflow.example',
    });
  });

  it('refuses an unknown user or a malformed request with 400', async () => {
    expect((await tokenFromEndpoint({ user: 'nobody@pimflow.example' })).status).toBe(400);
    expect((await tokenFromEndpoint({ roles: 'admin' })).status).toBe(400);
  });

  it('rejects a missing header, a non-bearer scheme and garbage, with a Bearer challenge', async () => {
    expect((await rejection(undefined)).wwwAuthenticate).toMatch(/^Bearer/);
    await rejection('Basic dXNlcjpwYXNz');
    expect((await rejection('Bearer not-a-jwt')).wwwAuthenticate).toMatch(/error="invalid_token"/);
    expect((await rejection('Bearer not-a-jwt')).message).toBe('The token is malformed');
  });

  it('allows a minute of clock skew by default', async () => {
    const now = Math.floor(Date.now() / 1000);
    const principal = await validator().validate(`Bearer ${await forge({ iat: now - 600, exp: now - 30 })}`);
    expect(principal.objectId).toBe(USERS[0]!.id);
    expect((await rejection(`Bearer ${await forge({ iat: now - 600, exp: now - 90 })}`)).message).toBe(
      'The token has expired',
    );
  });

  it('rejects an expired token', async () => {
    const now = Math.floor(Date.now() / 1000);
    expect((await rejection(`Bearer ${await forge({ iat: now - 7200, exp: now - 3600 })}`)).message).toMatch(
      /expired/,
    );
  });

  it('rejects a wrong audience, a wrong issuer and another tenant', async () => {
    expect((await rejection(`Bearer ${await forge({ aud: 'api://someone-else' })}`)).message).toMatch(
      /"aud"/,
    );
    expect(
      (await rejection(`Bearer ${await forge({ iss: 'https://login.microsoftonline.com/x/v2.0' })}`)).message,
    ).toMatch(/"iss"/);
    expect(
      (await rejection(`Bearer ${await forge({ tid: '00000000-0000-4000-8000-000000000000' })}`)).message,
    ).toMatch(/tenant/);
  });

  it('rejects a bad signature and a key it does not know', async () => {
    const good = await forge({});
    const [h, p, s] = good.split('.') as [string, string, string];
    const tampered = `${h}.${Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p, 'base64url').toString()), roles: ['PimFlow.Admin'] })).toString('base64url')}.${s}`;
    expect((await rejection(`Bearer ${tampered}`)).message).toMatch(/signature/);
    const { privateKey } = await generateKeyPair('RS256');
    const foreign = await new SignJWT({ oid: 'x', tid: TENANT })
      .setProtectedHeader({ alg: 'RS256', kid: 'someone-elses-key' })
      .setIssuer(idp.issuer)
      .setAudience(AUDIENCE)
      .setExpirationTime('10m')
      .sign(privateKey);
    expect((await rejection(`Bearer ${foreign}`)).message).toMatch(/unknown key/);
  });

  it('rejects alg "none" and HMAC tokens', async () => {
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = { oid: USERS[0]!.id, tid: TENANT, iss: idp.issuer, aud: AUDIENCE, exp: now + 600 };
    expect((await rejection(`Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`)).message).toMatch(
      /algorithm|malformed/,
    );
    const hmac = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(32)));
    expect((await rejection(`Bearer ${hmac}`)).message).toMatch(/algorithm/);
  });
});

describe('app-only tokens and expiry', () => {
  it('rejects a token without exp', async () => {
    const token = await forge({ exp: undefined, scp: 'access_as_user' });
    expect((await rejection(`Bearer ${token}`)).message).toMatch(/no expiry \("exp"/);
  });

  it('tells users from apps: scp makes a user, idtyp app or no scp an app', async () => {
    const kind = async (claims: Record<string, unknown>) =>
      (await validator().validate(`Bearer ${await forge(claims)}`)).kind;
    expect(await kind({ scp: 'access_as_user', idtyp: 'user' })).toBe('user');
    expect(await kind({ scp: 'access_as_user' })).toBe('user');
    expect(await kind({ idtyp: 'app', roles: ['PimFlow.Admin'] })).toBe('app');
    expect(await kind({ roles: ['PimFlow.Admin'] })).toBe('app');
    expect(await kind({ scp: 'access_as_user', idtyp: 'app' })).toBe('app');
    expect(await kind({ scp: '' })).toBe('app');
    const app = await validator().validate(
      `Bearer ${await forge({ idtyp: 'app', azp: 'client-1', name: 'Not a person', roles: ['PimFlow.Auditor'] })}`,
    );
    expect(app).toMatchObject({ kind: 'app', clientAppId: 'client-1', roles: ['PimFlow.Auditor'] });
    expect(app.displayName).toBeUndefined();
  });

  it('issues app-only tokens for the API to registered client apps, with their roles and no scp', async () => {
    const client = idp.registerClientApp({ displayName: 'automation', apiRoles: ['PimFlow.Admin'] });
    const credential = new ClientSecretCredential(TENANT, client.clientId, client.clientSecret, {
      authorityHost: new URL(idp.issuer).origin,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken(`${AUDIENCE}/.default`);
    const principal = await validator().validate(`Bearer ${token.token}`);
    expect(principal).toMatchObject({
      kind: 'app',
      objectId: client.objectId,
      clientAppId: client.clientId,
      roles: ['PimFlow.Admin'],
    });
    const wrong = new ClientSecretCredential(TENANT, client.clientId, 'wrong', {
      authorityHost: new URL(idp.issuer).origin,
      disableInstanceDiscovery: true,
    });
    await expect(wrong.getToken(`${AUDIENCE}/.default`)).rejects.toThrow(/Invalid client secret/);
  });
});

describe('what the validator reads from a token', () => {
  it('takes the header only as "Bearer <token>", any case, nothing before or after', async () => {
    const token = await forge({});
    for (const header of [`Bearer ${token}`, `bearer ${token}`, `BEARER   ${token}`]) {
      expect((await validator().validate(header)).objectId, header.slice(0, 9)).toBe(USERS[0]!.id);
    }
    for (const header of [`xBearer ${token}`, `Bearer ${token} extra`, `Bearer ${token}\nx`, 'Bearer ', '']) {
      const err = await rejection(header);
      expect(err.message, header.slice(0, 9)).toBe('An access token is required');
      expect(err.wwwAuthenticate).toBe('Bearer realm="pimflow"');
    }
    expect((await rejection(undefined)).message).toBe('An access token is required');
  });

  it('keeps only string roles, methods and contexts, and a string name and UPN', async () => {
    const principal = await validator().validate(
      `Bearer ${await forge({
        scp: 'access_as_user',
        roles: ['PimFlow.Admin', 7, null],
        amr: 'mfa',
        acrs: ['c1', { c: 2 }],
        name: 42,
        preferred_username: ['adele@pimflow.example'],
      })}`,
    );
    expect(principal).toEqual({
      kind: 'user',
      clientAppId: undefined,
      objectId: USERS[0]!.id,
      tenantId: TENANT,
      roles: ['PimFlow.Admin'],
      authenticationMethods: [],
      authenticationContexts: ['c1'],
      displayName: undefined,
      userPrincipalName: undefined,
    });
    const named = await validator().validate(
      `Bearer ${await forge({ scp: 'access_as_user', name: 'Adele Vance', preferred_username: 'adele@pimflow.example' })}`,
    );
    expect(named).toMatchObject({ displayName: 'Adele Vance', userPrincipalName: 'adele@pimflow.example' });
  });

  it('refuses a token without an object id, and says why in the challenge', async () => {
    const err = await rejection(`Bearer ${await forge({ oid: undefined })}`);
    expect(err.message).toBe('The token names no object id');
    expect(err.wwwAuthenticate).toBe(
      'Bearer realm="pimflow", error="invalid_token", error_description="The token names no object id"',
    );
    const tenant = await rejection(`Bearer ${await forge({ tid: '00000000-0000-4000-8000-000000000000' })}`);
    expect(tenant.wwwAuthenticate).toBe(
      'Bearer realm="pimflow", error="invalid_token", error_description="The token is from another tenant"',
    );
    // Quotes in a description can't end the header's quoted string.
    const audience = await rejection(`Bearer ${await forge({ aud: 'api://someone-else' })}`);
    expect(audience.wwwAuthenticate).toBe(
      `Bearer realm="pimflow", error="invalid_token", error_description="The token's 'aud' claim is not accepted"`,
    );
  });

  it('finds the keys through the issuer with or without a trailing slash, and says when it cannot', async () => {
    const token = await forge({});
    const slashed = createTokenValidator({ issuer: `${idp.issuer}/`, audience: AUDIENCE, tenantId: TENANT });
    // The issuer claim must still match exactly: the keys are found, the issuer is refused.
    expect(
      await slashed.validate(`Bearer ${token}`).then(
        () => 'accepted',
        (e: AuthenticationError) => e.message,
      ),
    ).toBe('The token\'s "iss" claim is not accepted');
    const nowhere = createTokenValidator({
      issuer: `${idp.issuer}/no-such-tenant`,
      audience: AUDIENCE,
      tenantId: TENANT,
    });
    const unreachable = await nowhere.validate(`Bearer ${token}`).then(
      () => 'accepted',
      (e: AuthenticationError) => e.message,
    );
    expect(unreachable).toBe('The token could not be validated');
  });
});

describe("the app's own credential", () => {
  it('gets an app-only token with @azure/identity (MSAL client credentials) from the stand-in', async () => {
    const credential = new ClientSecretCredential(TENANT, 'app-client', 'app-secret', {
      authorityHost: new URL(idp.issuer).origin,
      disableInstanceDiscovery: true,
    });
    const token = await credential.getToken('https://127.0.0.1:9999/.default');
    const payload = JSON.parse(
      Buffer.from(token.token.split('.')[1] as string, 'base64url').toString(),
    ) as Record<string, unknown>;
    expect(payload).toMatchObject({ aud: 'https://127.0.0.1:9999', idtyp: 'app', tid: TENANT });
  });

  it('is built from settings alone: the client secret, the authority host and no instance discovery', async () => {
    const credential = createAzureCredential({
      AZURE_CLIENT_ID: 'app-client',
      AZURE_TENANT_ID: TENANT,
      AZURE_CLIENT_SECRET: 'app-secret',
      AZURE_AUTHORITY_HOST: new URL(idp.issuer).origin,
      AZURE_DISABLE_INSTANCE_DISCOVERY: true,
    } as Settings);
    const token = await credential.getToken('https://127.0.0.1:9999/.default');
    expect(token?.token.split('.')).toHaveLength(3);
  });

  it('fails with a wrong client secret', async () => {
    const credential = new ClientSecretCredential(TENANT, 'app-client', 'wrong', {
      authorityHost: new URL(idp.issuer).origin,
      disableInstanceDiscovery: true,
    });
    await expect(credential.getToken('https://127.0.0.1:9999/.default')).rejects.toThrow(
      /Invalid client secret/,
    );
  });
});
