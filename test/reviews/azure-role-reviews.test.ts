/**
 * Access reviews of Azure resource roles, end to end through the HTTP API on the virtual clock against the ARM
 * stand-in (seed 000, notes 2 and 3): a review of Key Vault Administrator on kv-finance lists the user who holds it
 * directly and the users directly in the Cloud Ops group assigned the role (the group expanded; SRE On-Call, nested
 * in it, is neither an item nor expanded; an assignment inherited from finance-rg is not this scope's). A reviewer
 * denies the direct holder — applying removes the assignment from the ARM stand-in — and a user who holds the role
 * through the group — applying leaves the group's membership and assignment as they are, records the item
 * ApplyNotSupported, lists it with `$filter=applyResult eq 'ApplyNotSupported'` and mails the admins. Only governed
 * scopes are reviewed; Graph's ARM query scope is read.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPimApp, type PimApp } from '../pim-harness';
import { expectProblem } from '../pim-policy/policy-helpers';
import { ADMIN } from '../pim/pim-scenario';
import {
  byPrincipal,
  decisions,
  REVIEWS,
  users,
  type DecisionItem,
  type StartedReview,
} from './instance-helpers';

const PRODUCTION = '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
const FINANCE_RG = `${PRODUCTION}/resourceGroups/finance-rg`;
const KV_FINANCE = `${FINANCE_RG}/providers/Microsoft.KeyVault/vaults/kv-finance`;
const SANDBOX_RG = '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21/resourceGroups/sandbox-rg';
const KEY_VAULT_ADMIN = '00482a5a-887f-4fb3-b363-3b7fe8e74483';
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
const SRE_ON_CALL = 'da21b0b8-a527-4b3f-a29b-9d7ddf61cb44';
const AUTOMATION_SP = 'd2707948-f36a-4e93-94bd-e132e296f7e0';
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);

let app: PimApp;
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });

type AzureItem = DecisionItem & {
  applyResult: string;
  resource: { '@odata.type': string; id: string; type: string; scope: { id: string; displayName: string } };
  resourceLink: string;
  principalResourceMembership: { membershipType: string };
  accessThroughGroup: { id: string; displayName: string } | null;
};

async function createDefinition(body: Record<string, unknown>): Promise<Response> {
  return app.api(REVIEWS, {
    ...ADMIN,
    body: {
      displayName: 'Key Vault admins review',
      reviewers: users(id('daniel.kim')),
      settings: { instanceDurationInDays: 14, mailNotificationsEnabled: true },
      ...body,
    },
  });
}

/** Whether `principalId` holds Key Vault Administrator made at exactly `scope`, in the ARM stand-in. */
function holdsAt(scope: string, principalId: string): boolean {
  return app
    .azureAssignments(scope)
    .some((a) => a.principalId === principalId && a.roleDefinitionId.toLowerCase() === KEY_VAULT_ADMIN);
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  // Contoso Production under management: kv-finance is below it.
  const managed = await app.api('managedAzureScopes', { ...ADMIN, body: { scope: PRODUCTION } });
  expect(managed.status, await managed.clone().text()).toBe(201);
  const s = await app.services();
  // Priya holds the role on the vault herself; Olivia holds it on finance-rg (inherited by the vault).
  await s.azureRbac.createRoleAssignment({
    scope: KV_FINANCE,
    roleDefinitionId: KEY_VAULT_ADMIN,
    principalId: id('priya.nair'),
    principalType: 'User',
  });
  await s.azureRbac.createRoleAssignment({
    scope: FINANCE_RG,
    roleDefinitionId: KEY_VAULT_ADMIN,
    principalId: id('olivia.carter'),
    principalType: 'User',
  });
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

describe('Key Vault Administrator on kv-finance: the group expanded, a direct and a group-based denial', () => {
  let review: StartedReview;
  const items = async (query = '') => (await decisions(app, review, ADMIN, query)) as AzureItem[];

  it('creates one instance named for the role and the vault', async () => {
    const res = await createDefinition({
      scope: {
        '@odata.type': '#pimflow.groupRoleReviewScope',
        roles: [{ roleDefinitionId: KEY_VAULT_ADMIN, azureScope: KV_FINANCE }],
        assignmentTypes: 'both',
        principalTypes: ['user', 'group', 'servicePrincipal'],
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const definitionId = ((await res.json()) as { id: string }).id;
    await app.rt.waitForIdle();
    const list = await app.json<{ value: Record<string, unknown>[] }>(
      `${REVIEWS}/${definitionId}/instances`,
      ADMIN,
    );
    expect(list.value).toHaveLength(1);
    const instance = list.value[0]!;
    expect(instance).toMatchObject({
      status: 'InProgress',
      resourceType: 'azureRole',
      roleDefinitionId: KEY_VAULT_ADMIN,
      azureScope: KV_FINANCE.toLowerCase(),
      roleDisplayName: 'Key Vault Administrator',
      scopeDisplayName: 'kv-finance',
    });
    review = {
      definitionId,
      instanceId: instance.id as string,
      url: `${REVIEWS}/${definitionId}/instances/${instance.id as string}`,
    };
  });

  it('lists the direct holder and the users directly in the group, not the nested group or the inherited holder', async () => {
    const all = await items();
    const rows = all
      .map((i) => [i.principal.id, i.principal.type, i.principalResourceMembership.membershipType])
      .sort();
    expect(rows).toEqual(
      [
        [id('priya.nair'), 'user', 'direct'],
        [id('marcus.johnson'), 'user', 'indirect'],
        [id('ava.martinez'), 'user', 'indirect'],
      ].sort(),
    );
    const principals = all.map((i) => i.principal.id);
    // Not the nested group, its own members, the group itself, the service principal in it, or olivia (finance-rg).
    for (const absent of [
      SRE_ON_CALL,
      id('mia.chen'),
      id('ethan.brown'),
      CLOUD_OPS,
      AUTOMATION_SP,
      id('olivia.carter'),
    ])
      expect(principals).not.toContain(absent);
    const marcus = byPrincipal(all, id('marcus.johnson')) as AzureItem;
    expect(marcus.accessThroughGroup).toMatchObject({ id: CLOUD_OPS, displayName: 'Cloud Ops' });
    expect(marcus.resource).toMatchObject({
      '@odata.type': '#microsoft.graph.accessReviewInstanceDecisionItemAzureRoleResource',
      id: KEY_VAULT_ADMIN,
      displayName: 'Key Vault Administrator',
      type: 'AzureRole',
      scope: { id: KV_FINANCE.toLowerCase(), displayName: 'kv-finance' },
    });
    expect((byPrincipal(all, id('priya.nair')) as AzureItem).accessThroughGroup).toBeNull();
  });

  it('applies: the direct holder loses the assignment; the group-based denial is left to the admins', async () => {
    const mine = (await decisions(app, review, as('daniel.kim'))) as AzureItem[];
    for (const upn of ['priya.nair', 'marcus.johnson']) {
      const res = await app.api(`${review.url}/decisions/${byPrincipal(mine, id(upn)).id}`, {
        ...as('daniel.kim'),
        method: 'PATCH',
        body: { decision: 'Deny', justification: 'No longer administers the vault' },
      });
      expect(res.status, await res.clone().text()).toBe(204);
    }
    expect(holdsAt(KV_FINANCE, id('priya.nair'))).toBe(true);
    const stop = await app.api(`${review.url}/stop`, { ...ADMIN, method: 'POST' });
    expect(stop.status, await stop.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    const apply = await app.api(`${review.url}/applyDecisions`, { ...ADMIN, method: 'POST' });
    expect(apply.status, await apply.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect((await app.json<{ status: string }>(review.url, ADMIN)).status).toBe('Applied');

    const after = await items();
    expect(byPrincipal(after, id('priya.nair'))).toMatchObject({ applyResult: 'AppliedSuccessfully' });
    expect(byPrincipal(after, id('marcus.johnson'))).toMatchObject({ applyResult: 'ApplyNotSupported' });
    expect(byPrincipal(after, id('ava.martinez'))).toMatchObject({
      applyResult: 'New',
      decision: 'NotReviewed',
    });
    // ARM: Priya's assignment gone, the group's kept, Olivia's on finance-rg untouched.
    expect(holdsAt(KV_FINANCE, id('priya.nair'))).toBe(false);
    expect(holdsAt(KV_FINANCE, CLOUD_OPS)).toBe(true);
    expect(holdsAt(FINANCE_RG, id('olivia.carter'))).toBe(true);
    // Graph: Marcus is still in Cloud Ops.
    expect(app.groupMembers(CLOUD_OPS)).toContain(id('marcus.johnson'));
  });

  it('lists the items needing an admin with $filter=applyResult, and mails the admins once, naming them', async () => {
    const left = await items(`&$filter=${encodeURIComponent("applyResult eq 'ApplyNotSupported'")}`);
    expect(left.map((i) => [i.principal.id, i.accessThroughGroup?.id])).toEqual([
      [id('marcus.johnson'), CLOUD_OPS],
    ]);
    const mails = (await app.mailTo('admin@pimflow.example')).filter((m) =>
      m.subject.startsWith('Action needed'),
    );
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toContain('Key Vault admins review');
    expect(mails[0]!.text).toContain('marcus.johnson@pimflow.example');
    expect(mails[0]!.text).toContain('Cloud Ops');
    expect(mails[0]!.text).not.toContain('priya.nair@pimflow.example');
    const filter = encodeURIComponent(`correlationId eq '${review.instanceId}'`);
    const audit = await app.json<{ value: { activityDisplayName: string; resultReason: string | null }[] }>(
      `auditLogs/directoryAudits?$filter=${filter}&$top=200`,
      ADMIN,
    );
    const names = audit.value.map((a) => a.activityDisplayName);
    expect(names.some((n) => n.startsWith('Access review apply needs an admin'))).toBe(true);
    expect(names).toContain('Access review denials left to the admins');
  });
});

describe('Governed scopes only; Graph’s ARM query scope', () => {
  it('refuses a role at a scope pimflow does not govern, naming the field', async () => {
    const res = await createDefinition({
      scope: { roles: [{ roleDefinitionId: KEY_VAULT_ADMIN, azureScope: SANDBOX_RG }] },
    });
    await expectProblem(res, 400, /scope\.roles\[0\]\.azureScope: .*sandbox-rg is not under management/);
  });

  it('reads Graph’s query scope for an Azure resource role into pimflow’s scope, answered as written', async () => {
    const scope = {
      '@odata.type': '#microsoft.graph.accessReviewQueryScope',
      query: `${KV_FINANCE}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_ADMIN}`,
      queryType: 'ARM',
    };
    const res = await createDefinition({ displayName: 'Graph-shaped vault review', scope });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = (await res.json()) as { id: string; scope: unknown };
    expect(body.scope).toEqual(scope);
    await app.rt.waitForIdle();
    const list = await app.json<{ value: { roleDefinitionId: string; azureScope: string }[] }>(
      `${REVIEWS}/${body.id}/instances`,
      ADMIN,
    );
    expect(list.value.map((i) => [i.roleDefinitionId, i.azureScope])).toEqual([
      [KEY_VAULT_ADMIN, KV_FINANCE.toLowerCase()],
    ]);
  });
});
