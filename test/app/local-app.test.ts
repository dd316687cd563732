/**
 * The product app as `npm start` runs it: the local runtime plus the stand-ins, in a child process. Checks the
 * endpoint lines, health of every dependency, the demo tenant through Graph, the test e-mail in the mailbox, token
 * checks on the API, and that the outside world's state survives a SIGKILL and a restart.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ClientSecretCredential } from '@azure/identity';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp } from '../../bench/child-app';
import { readHostKeys } from '../../local/keys';
import { testStorage, uniqueHub } from '../helpers';

const TENANT = '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
let app: ChildApp;
/** The `<name>: <url>` lines the app printed at its last start. */
let endpoints: Record<string, string> = {};
let localDir = '';
// Free ports, picked once: a restart must come back on the same URLs, as `npm start` does.
let PORTS = { api: 0, apiHttps: 0, cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 };

async function userToken(body: Record<string, unknown>): Promise<string> {
  const res = await fetch(endpoints.token as string, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { access_token: string }).access_token;
}

async function mailTo(address: string): Promise<{ subject: string; html: string; text: string }[]> {
  const res = await fetch(`${endpoints.mailbox}/messages?to=${encodeURIComponent(address)}`);
  return (await res.json()) as { subject: string; html: string; text: string }[];
}

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), hub: uniqueHub('App'), name: 'app' });
  ({ ports: PORTS, localDir } = app);
  await app.start();
  endpoints = app.endpoints;
}, 60_000);
afterAll(async () => {
  await app?.dispose();
});

describe('npm start', () => {
  it('prints one line per endpoint', () => {
    expect(endpoints.api).toBe(`http://localhost:${PORTS.api}/api`);
    expect(endpoints.durable).toBe(`http://localhost:${PORTS.api}/runtime/webhooks/durabletask`);
    for (const name of ['storage', 'cosmos', 'mail', 'mailbox', 'token'])
      expect(endpoints[name], name).toMatch(/^https?:\/\//);
    expect(endpoints.graph).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/v1\.0$/);
    expect(endpoints.arm).toBe(`https://127.0.0.1:${PORTS.arm}`);
  });

  it('serves the same API over HTTPS with the local CA (Graph SDKs send tokens only over HTTPS)', async () => {
    expect(endpoints['api-https']).toBe(`https://localhost:${PORTS.apiHttps}/api`);
    // This process trusts the local CA (NODE_EXTRA_CA_CERTS), so plain fetch verifies the certificate.
    const res = await fetch(`${endpoints['api-https']}/health`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { status: string }).status).toBe('healthy');
  });

  it('prints where the keys are, and the Durable API asks for the system key', async () => {
    expect(endpoints.keys).toBe(path.join(localDir, 'secrets', 'host.json'));
    const { durable } = readHostKeys(path.join(localDir, 'secrets'));
    expect((await fetch(`${endpoints.durable}/instances`)).status).toBe(401);
    expect((await fetch(`${endpoints.durable}/instances?code=${durable}`)).status).toBe(200);
  });

  it('answers /api/health with its version and every dependency up', async () => {
    const res = await fetch(`${endpoints.api}/health`);
    const body = (await res.json()) as {
      status: string;
      version: string;
      dependencies: Record<string, { status: string }>;
    };
    expect(res.status, JSON.stringify(body)).toBe(200);
    expect(body.version).toMatch(/^\d+\.\d+\.\d+/);
    expect(Object.keys(body.dependencies).sort()).toEqual([
      'azureResourceManager',
      'cosmosDb',
      'durableTaskHub',
      'email',
      'identityProvider',
      'microsoftGraph',
    ]);
    expect(Object.values(body.dependencies).every((d) => d.status === 'up')).toBe(true);
  });

  it('shows the demo tenant through the Graph stand-in, to the app identity only', async () => {
    const secret = readFileSync(path.join(localDir, 'standins', 'app-client-secret'), 'utf8').trim();
    const credential = new ClientSecretCredential(TENANT, '1f625093-4e01-43fc-800f-ef5a00652820', secret, {
      authorityHost: new URL(endpoints.token as string).origin,
      disableInstanceDiscovery: true,
    });
    const graphOrigin = new URL(endpoints.graph as string).origin;
    const { token } = await credential.getToken(`${graphOrigin}/.default`);
    const res = await fetch(`${endpoints.graph}/groups?$filter=displayName eq 'Helpdesk Admin-Group'`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.status).toBe(200);
    expect(
      ((await res.json()) as { value: { displayName: string }[] }).value.map((g) => g.displayName),
    ).toEqual(['Helpdesk Admin-Group']);
    expect((await fetch(`${endpoints.graph}/users`)).status).toBe(401);
  });

  it('has sent a test e-mail to the demo admin, visible in the mailbox', async () => {
    const mail = await mailTo('admin@pimflow.example');
    expect(mail[0]?.subject).toBe('pimflow is running');
    expect(mail[0]?.text).toContain(`http://localhost:${PORTS.api}/api/health`);
  });
});

describe('API authentication', () => {
  it('answers 401 with a Bearer challenge and problem+json without a valid token', async () => {
    for (const authorization of [undefined, 'Bearer nonsense']) {
      const res = await fetch(`${endpoints.api}/me`, { headers: authorization ? { authorization } : {} });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail.length).toBeGreaterThan(5);
    }
  });

  it('knows the caller from the token: object id, roles, MFA and authentication contexts', async () => {
    const token = await userToken({
      user: 'admin@pimflow.example',
      roles: ['PimFlow.Auditor'],
      amr: ['pwd', 'mfa'],
      acrs: ['c1'],
    });
    const res = await fetch(`${endpoints.api}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(await res.json()).toMatchObject({
      id: 'c1aa92a1-3b8e-47a9-b756-6f6490a3d1ed',
      roles: ['PimFlow.Auditor'],
      authenticationMethods: ['pwd', 'mfa'],
      authenticationContexts: ['c1'],
    });
  });

  it('answers 403 to a valid token without the admin role, and 400 to bad input, sending nothing', async () => {
    const before = (await mailTo('someone@pimflow.example')).length;
    const auditor = await userToken({ user: 'admin@pimflow.example', roles: ['PimFlow.Auditor'] });
    const forbidden = await fetch(`${endpoints.api}/admin/testEmail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${auditor}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: ['someone@pimflow.example'] }),
    });
    expect(forbidden.status).toBe(403);
    const admin = await userToken({ user: 'admin@pimflow.example', roles: ['PimFlow.Admin'] });
    for (const body of ['{"to": ["not-an-address"]}', '{"to": "x@y.z"}', '{"cc": []}', '{broken']) {
      const res = await fetch(`${endpoints.api}/admin/testEmail`, {
        method: 'POST',
        headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
        body,
      });
      expect(res.status, body).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    }
    expect((await mailTo('someone@pimflow.example')).length).toBe(before);
    const sent = await fetch(`${endpoints.api}/admin/testEmail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ to: ['someone@pimflow.example'] }),
    });
    expect(sent.status).toBe(202);
    expect((await mailTo('someone@pimflow.example')).length).toBe(before + 1);
  });
});

describe('durability of the outside world', () => {
  it('keeps mail, the tenant and tokens across a SIGKILL and a restart', async () => {
    const token = await userToken({ user: 'admin@pimflow.example' });
    const mailBefore = (await mailTo('admin@pimflow.example')).length;
    await app.restart();
    endpoints = app.endpoints;
    // Restarting sent another test e-mail; none of the earlier ones were lost.
    expect((await mailTo('admin@pimflow.example')).length).toBe(mailBefore + 1);
    // The signing key persisted: a token from before the crash still works.
    const res = await fetch(`${endpoints.api}/me`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
  }, 60_000);
});
