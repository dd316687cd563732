/**
 * The ARM stand-in over HTTPS, as ARM answers: tokens and api-versions checked, role assignments' shapes,
 * inheritance with and without atScope(), filters, paging, ARM's errors and authorization, faults, and state
 * kept across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARM, startArmWorld, type ArmWorld } from './arm-fixture';

const AUTH = 'providers/Microsoft.Authorization';
const V = 'api-version=2022-04-01';
const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-arm-standin-'));
let world: ArmWorld;

beforeAll(async () => {
  world = await startArmWorld({ dir });
});

afterAll(async () => {
  await world?.close();
  rmSync(dir, { recursive: true, force: true });
});

interface Assignment {
  id: string;
  name: string;
  type: string;
  properties: Record<string, unknown> & { scope: string; principalId: string; roleDefinitionId: string };
}

const json = async <T>(res: Response, status = 200): Promise<T> => {
  const text = await res.text();
  expect(res.status, text).toBe(status);
  return JSON.parse(text) as T;
};

const list = async (scope: string, filter?: string, token?: string): Promise<Assignment[]> => {
  const query = filter ? `&$filter=${encodeURIComponent(filter)}` : '';
  const page = await json<{ value: Assignment[] }>(
    await world.http(`${scope}/${AUTH}/roleAssignments?${V}${query}`, token ? { token } : {}),
  );
  return page.value;
};

const put = (scope: string, name: string, properties: Record<string, unknown>, token?: string) =>
  world.http(`${scope}/${AUTH}/roleAssignments/${name}?${V}`, {
    method: 'PUT',
    body: JSON.stringify({ properties }),
    ...(token ? { token } : {}),
  });

const roleId = (scope: string, guid: string) => `${scope}/${AUTH}/roleDefinitions/${guid}`;
const user = (prefix: string) => world.dev.graph.state.user(`${prefix}@pimflow.example`)?.id ?? '';
const errorOf = async (res: Response, status: number) =>
  (await json<{ error: { code: string; message: string } }>(res, status)).error;

describe('authentication and api-version', () => {
  it('answers 401 as ARM does without a token and with a bad one', async () => {
    const none = await world.http(`${ARM.production}?api-version=2022-12-01`, { token: null });
    expect(await errorOf(none, 401)).toMatchObject({ code: 'AuthenticationFailed' });
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer /);
    const bad = await world.http(`${ARM.production}?api-version=2022-12-01`, { token: 'not-a-jwt' });
    expect(await errorOf(bad, 401)).toMatchObject({ code: 'InvalidAuthenticationToken' });
    // A token of ours for another audience (the pimflow API) is no ARM token.
    const apiToken = await world.dev.identity.issueUserToken({ user: 'admin@pimflow.example' });
    expect((await world.http(`${ARM.production}?api-version=2022-12-01`, { token: apiToken })).status).toBe(
      401,
    );
    const armToken = await world.userToken('admin@pimflow.example');
    const ok = await world.http(`${ARM.production}?api-version=2022-12-01`, { token: armToken });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-ms-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect(ok.headers.get('x-ms-correlation-request-id')).toBeTruthy();
  });

  it("issues ARM tokens with ARM's audience, to the app (client credentials) and to a user asking for its scope", async () => {
    const claims = (token: string) =>
      JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as {
        aud: string;
        oid: string;
      };
    const app = await world.appToken();
    expect(claims(app)).toMatchObject({ aud: 'https://management.azure.com/', oid: ARM.app });
    const res = await fetch(world.dev.identity.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ user: 'admin@pimflow.example', scope: 'https://management.azure.com/.default' }),
    });
    const { access_token: token } = (await res.json()) as { access_token: string };
    expect(claims(token)).toMatchObject({ aud: 'https://management.azure.com/', oid: ARM.admin });
    expect((await world.http(`${ARM.production}?api-version=2022-12-01`, { token })).status).toBe(200);
  });

  it('requires an api-version its resource type supports', async () => {
    const missing = await world.http(`${ARM.production}/${AUTH}/roleAssignments`);
    expect(await errorOf(missing, 400)).toMatchObject({ code: 'MissingApiVersionParameter' });
    const wrong = await world.http(`${ARM.production}/${AUTH}/roleAssignments?api-version=2022-12-01`);
    expect(await errorOf(wrong, 400)).toMatchObject({ code: 'InvalidApiVersionParameter' });
    expect((await world.http(`${ARM.production}?api-version=2022-04-01`)).status).toBe(400);
    expect((await world.http(`${ARM.keyVault}?api-version=2023-07-01`)).status).toBe(200);
    expect((await world.http(`${ARM.keyVault}?api-version=2025-04-01`)).status).toBe(400);
  });
});

describe('scope reads', () => {
  it('gets subscriptions, resource groups, resources and management groups', async () => {
    const sub = await json<Record<string, unknown>>(
      await world.http(`${ARM.production}?api-version=2022-12-01`),
    );
    expect(sub).toMatchObject({
      id: ARM.production,
      subscriptionId: ARM.production.split('/')[2],
      displayName: 'Contoso Production',
      state: 'Enabled',
    });
    const subs = await json<{ value: unknown[] }>(await world.http('/subscriptions?api-version=2022-12-01'));
    expect(subs.value).toHaveLength(2);
    const rgs = await json<{ value: { name: string }[] }>(
      await world.http(`${ARM.production}/resourcegroups?api-version=2025-04-01`),
    );
    expect(rgs.value.map((g) => g.name).sort()).toEqual(['finance-rg', 'web-rg']);
    const inRg = await json<{ value: { id: string; type: string }[] }>(
      await world.http(`${ARM.financeRg}/resources?api-version=2025-04-01`),
    );
    expect(inRg.value).toEqual([
      expect.objectContaining({ id: ARM.keyVault, type: 'Microsoft.KeyVault/vaults' }),
    ]);
    const mg = await json<{ properties: { displayName: string; children: { name: string }[] } }>(
      await world.http(`${ARM.platform}?api-version=2021-04-01&$expand=children`),
    );
    expect(mg.properties.displayName).toBe('Platform');
    expect(mg.properties.children.map((c) => c.name)).toEqual([ARM.production.split('/')[2]]);
    const missing = await world.http(`${ARM.production}/resourceGroups/nope?api-version=2025-04-01`);
    expect(await errorOf(missing, 404)).toMatchObject({ code: 'ResourceGroupNotFound' });
    const noSub = await world.http(
      '/subscriptions/9a9a9a9a-1111-4222-8333-444455556666?api-version=2022-12-01',
    );
    expect(await errorOf(noSub, 404)).toMatchObject({ code: 'SubscriptionNotFound' });
    const noVault = await world.http(
      `${ARM.financeRg}/providers/Microsoft.KeyVault/vaults/kv-x?api-version=2023-07-01`,
    );
    expect(await errorOf(noVault, 404)).toMatchObject({ code: 'ResourceNotFound' });
  });
});

describe('role definitions', () => {
  it('shows built-in roles at tenant level and under a subscription', async () => {
    const tenant = await json<{ id: string; properties: Record<string, unknown> }>(
      await world.http(`/${AUTH}/roleDefinitions/${ARM.roles.owner}?${V}`),
    );
    expect(tenant).toMatchObject({
      id: `/${AUTH}/roleDefinitions/${ARM.roles.owner}`,
      properties: { roleName: 'Owner', type: 'BuiltInRole' },
    });
    const underRg = await json<{ id: string }>(
      await world.http(`${ARM.financeRg}/${AUTH}/roleDefinitions/${ARM.roles.owner}?${V}`),
    );
    expect(underRg.id).toBe(roleId(ARM.production, ARM.roles.owner));
    const byName = await json<{ value: { name: string }[] }>(
      await world.http(
        `${ARM.production}/${AUTH}/roleDefinitions?${V}&$filter=${encodeURIComponent("roleName eq 'Reader'")}`,
      ),
    );
    expect(byName.value.map((d) => d.name)).toEqual([ARM.roles.reader]);
    const unknown = await world.http(
      `${ARM.production}/${AUTH}/roleDefinitions/11111111-2222-4333-8444-555555555555?${V}`,
    );
    expect(await errorOf(unknown, 404)).toMatchObject({ code: 'RoleDefinitionDoesNotExist' });
  });
});

describe('role assignments', () => {
  it('lists at, above and below a scope; atScope() at and above only', async () => {
    const all = await list(ARM.financeRg);
    const scopes = new Set(all.map((a) => a.properties.scope));
    expect(scopes).toEqual(new Set([ARM.financeRg, ARM.keyVault, ARM.production, ARM.platform]));
    const atScope = await list(ARM.financeRg, 'atScope()');
    expect(new Set(atScope.map((a) => a.properties.scope))).toEqual(
      new Set([ARM.financeRg, ARM.production, ARM.platform]),
    );
    const owner = all.find((a) => a.properties.principalId === ARM.admin);
    expect(owner).toEqual({
      id: `${ARM.production}/${AUTH}/roleAssignments/${owner?.name ?? ''}`,
      name: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      type: 'Microsoft.Authorization/roleAssignments',
      properties: {
        roleDefinitionId: roleId(ARM.production, ARM.roles.owner),
        principalId: ARM.admin,
        principalType: 'User',
        scope: ARM.production,
        condition: null,
        conditionVersion: null,
        createdOn: expect.any(String) as string,
        updatedOn: expect.any(String) as string,
        createdBy: null,
        updatedBy: null,
        delegatedManagedIdentityResourceId: null,
        description: null,
      },
    });
    const platformAssignment = all.find((a) => a.properties.scope === ARM.platform);
    expect(platformAssignment?.properties.roleDefinitionId).toBe(
      `/${AUTH}/roleDefinitions/${ARM.roles.rbacAdministrator}`,
    );
    // Development is under the root, not Platform: nothing of Platform's reaches it.
    expect((await list(ARM.sandboxRg, 'atScope()')).some((a) => a.properties.scope === ARM.platform)).toBe(
      false,
    );
  });

  it("filters by principalId, by assignedTo() through nested groups, joined with 'and'", async () => {
    const mia = user('mia.chen'); // in SRE On-Call, nested in Cloud Ops (Key Vault Administrator on kv-finance)
    expect(await list(ARM.keyVault, `principalId eq '${mia}'`)).toEqual([]);
    const viaGroups = await list(ARM.keyVault, `assignedTo('${mia}')`);
    expect(viaGroups.map((a) => a.properties.principalId)).toEqual([ARM.cloudOps]);
    const both = await list(ARM.production, `atScope() and principalId eq '${ARM.helpdesk}'`);
    expect(both.map((a) => a.properties.scope)).toEqual([ARM.production]);
    const unsupported = await world.http(
      `${ARM.production}/${AUTH}/roleAssignments?${V}&$filter=${encodeURIComponent("roleName eq 'x'")}`,
    );
    expect(unsupported.status).toBe(400);
  });

  it('creates, reads by name and by id, refuses duplicates under any name, deletes', async () => {
    const liam = user('liam.obrien');
    const name = '1a1a1a1a-1111-4222-8333-444455556666';
    const props = {
      roleDefinitionId: roleId(ARM.production, ARM.roles.contributor),
      principalId: liam,
      principalType: 'User',
    };
    const created = await json<Assignment>(await put(ARM.webRg, name, props), 201);
    expect(created).toMatchObject({
      name,
      properties: { scope: ARM.webRg, principalId: liam, createdBy: ARM.app },
    });
    expect((await world.http(`${created.id}?${V}`)).status).toBe(200);
    expect(await errorOf(await put(ARM.webRg, name, props), 409)).toMatchObject({
      code: 'RoleAssignmentExists',
    });
    expect(
      await errorOf(await put(ARM.webRg, '2b2b2b2b-1111-4222-8333-444455556666', props), 409),
    ).toMatchObject({
      code: 'RoleAssignmentExists',
    });
    const deleted = await world.http(`${created.id}?${V}`, { method: 'DELETE' });
    expect((await json<Assignment>(deleted)).name).toBe(name);
    expect((await world.http(`${created.id}?${V}`, { method: 'DELETE' })).status).toBe(204);
    expect(await errorOf(await world.http(`${created.id}?${V}`), 404)).toMatchObject({
      code: 'RoleAssignmentNotFound',
    });
  });

  it("refuses bad principals, roles and scopes with ARM's codes", async () => {
    const name = '3c3c3c3c-1111-4222-8333-444455556666';
    const reader = roleId(ARM.production, ARM.roles.reader);
    expect(
      await errorOf(await put(ARM.webRg, name, { roleDefinitionId: reader, principalId: 'nope' }), 400),
    ).toMatchObject({
      code: 'InvalidPrincipalId',
    });
    const ghost = '4d4d4d4d-1111-4222-8333-444455556666';
    expect(
      await errorOf(await put(ARM.webRg, name, { roleDefinitionId: reader, principalId: ghost }), 400),
    ).toMatchObject({
      code: 'PrincipalNotFound',
    });
    const noRole = roleId(ARM.production, '11111111-2222-4333-8444-555555555555');
    expect(
      await errorOf(await put(ARM.webRg, name, { roleDefinitionId: noRole, principalId: ARM.admin }), 404),
    ).toMatchObject({
      code: 'RoleDefinitionDoesNotExist',
    });
    expect(
      await errorOf(
        await put(ARM.webRg, name, {
          roleDefinitionId: reader,
          principalId: ARM.admin,
          principalType: 'Group',
        }),
        400,
      ),
    ).toMatchObject({ code: 'UnmatchedPrincipalType' });
    expect(
      await errorOf(
        await put(`${ARM.production}/resourceGroups/nope`, name, {
          roleDefinitionId: reader,
          principalId: ARM.admin,
        }),
        404,
      ),
    ).toMatchObject({
      code: 'ResourceGroupNotFound',
    });
    expect(
      await errorOf(
        await put('/nowhere/at-all', name, { roleDefinitionId: reader, principalId: ARM.admin }),
        400,
      ),
    ).toMatchObject({
      code: 'InvalidScope',
    });
    expect(world.dev.arm.state().roleAssignments.some((a) => a.name === name)).toBe(false);
  });

  it('refuses a new principal for its first seconds (replication), then accepts it', async () => {
    const id = await world.createUser('arm.replica');
    const props = { roleDefinitionId: roleId(ARM.development, ARM.roles.reader), principalId: id };
    const name = '5e5e5e5e-1111-4222-8333-444455556666';
    expect(await errorOf(await put(ARM.sandboxRg, name, props), 400)).toMatchObject({
      code: 'PrincipalNotFound',
    });
    await new Promise((resolve) => setTimeout(resolve, 5100));
    expect((await put(ARM.sandboxRg, name, props)).status).toBe(201);
  });

  it('lets only Owner, User Access Administrator or RBAC Administrator at or above the scope write', async () => {
    const olivia = await world.userToken('olivia.carter@pimflow.example'); // Reader on web-rg only
    const admin = await world.userToken('admin@pimflow.example'); // Owner of both subscriptions
    const props = {
      roleDefinitionId: roleId(ARM.production, ARM.roles.reader),
      principalId: user('noah.williams'),
    };
    const refused = await errorOf(
      await put(ARM.webRg, '6f6f6f6f-1111-4222-8333-444455556666', props, olivia),
      403,
    );
    expect(refused.code).toBe('AuthorizationFailed');
    expect(refused.message).toContain(
      "does not have authorization to perform action 'Microsoft.Authorization/roleAssignments/write'",
    );
    // Any authenticated caller may read.
    expect((await list(ARM.webRg, undefined, olivia)).length).toBeGreaterThan(0);
    // admin is Owner of the subscriptions, not of the Platform management group.
    expect((await put(ARM.platform, '7a7a7a7a-1111-4222-8333-444455556666', props, admin)).status).toBe(403);
    expect((await put(ARM.webRg, '7a7a7a7a-1111-4222-8333-444455556666', props, admin)).status).toBe(201);
    const del = await world.http(
      `${ARM.webRg}/${AUTH}/roleAssignments/7a7a7a7a-1111-4222-8333-444455556666?${V}`,
      {
        method: 'DELETE',
        token: olivia,
      },
    );
    expect(del.status).toBe(403);
  });

  it('pages with nextLink', async () => {
    const first = await json<{ value: Assignment[]; nextLink: string | null }>(
      await world.http(`/${AUTH}/roleAssignments?${V}`),
    );
    expect(first.nextLink).toBeNull(); // the demo tenant fits a page of 100
    expect(first.value.length).toBe(world.dev.arm.state().roleAssignments.length);
  });
});

describe('faults', () => {
  it('answers the next matching calls with the injected status and Retry-After, then normally', async () => {
    world.dev.arm.failNext({
      method: 'GET',
      path: '/roleAssignments',
      status: 429,
      count: 2,
      retryAfterSeconds: 7,
    });
    const url = `${ARM.production}/${AUTH}/roleAssignments?${V}`;
    const throttled = await world.http(url);
    expect(throttled.status).toBe(429);
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await errorOf(throttled, 429)).code).toBe('TooManyRequests');
    expect((await world.http(`${ARM.production}?api-version=2022-12-01`)).status).toBe(200); // other paths pass
    expect((await world.http(url)).status).toBe(429);
    expect((await world.http(url)).status).toBe(200);
    // Over HTTP too, as other processes (npm start) set them.
    const set = await fetch(`${world.dev.arm.url}/_standin/faults`, {
      method: 'PUT',
      body: JSON.stringify({ next: [{ status: 503, count: 1 }] }),
    });
    expect(set.status).toBe(200);
    expect((await world.http(url)).status).toBe(503);
    expect((await world.http(url)).status).toBe(200);
  });
});

describe('persistence', () => {
  it('keeps role assignments across a restart', async () => {
    const props = {
      roleDefinitionId: roleId(ARM.production, ARM.roles.reader),
      principalId: user('sofia.rossi'),
    };
    const name = '8b8b8b8b-1111-4222-8333-444455556666';
    expect((await put(ARM.financeRg, name, props)).status).toBe(201);
    await world.close();
    world = await startArmWorld({ dir });
    const found = (await list(ARM.financeRg)).find((a) => a.name === name);
    expect(found?.properties.principalId).toBe(user('sofia.rossi'));
  });
});
