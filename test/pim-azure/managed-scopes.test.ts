/**
 * Azure scopes under management through the API, against the ARM stand-in's demo tenant: bringing Contoso
 * Production (a subscription under the Platform management group) and sandbox-rg (a resource group in Contoso
 * Development) under management — ARM's spelling and names, the scopes above, the baseline of role assignments made
 * at and below the scope (not those inherited from above) — the refusals (400 not a scope, 404 not in ARM, 409
 * twice, 403 not an admin), list/get/patch/delete with audit rows, which managed scope governs a scope, and the
 * Azure role settings read through the app's RoleSettingsSource.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeAzureScope } from '../../shared/access/resource';
import { findGoverningScope } from '../../shared/managed-azure/managed-azure-scopes';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, AUDITOR, expectProblem, PLAIN_USER } from '../pim-policy/policy-helpers';

const ROOT_MG = `/providers/Microsoft.Management/managementGroups/${DEMO.tenantId}`;
const PLATFORM = '/providers/Microsoft.Management/managementGroups/pimflow-platform';
const PROD = '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
const DEV = '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21';
const FINANCE_RG = `${PROD}/resourceGroups/finance-rg`;
const SANDBOX_RG = `${DEV}/resourceGroups/sandbox-rg`;
const KV_FINANCE = `${FINANCE_RG}/providers/Microsoft.KeyVault/vaults/kv-finance`;
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';

interface ScopeView {
  id: string;
  scope: string;
  normalizedScope: string;
  kind: string;
  displayName: string;
  type: string;
  ancestors: string[];
  managedSince: string;
  managedBy: string;
  removeAssignmentsMadeOutsidePim: boolean;
  baselineTakenAt: string;
  baselineAssignments?: {
    scope: string;
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
  }[];
}

interface AuditRow {
  activityDisplayName: string;
  operationType: string;
  groupId: string | null;
  targetResources: { id: string; type: string; displayName: string | null }[];
  additionalDetails: { key: string; value: string }[];
}

let app: PimApp;
let prod: ScopeView;

const manage = (scope: string, extra: Record<string, unknown> = {}, call = ADMIN) =>
  app.api('managedAzureScopes', { ...call, body: { scope, ...extra } });

async function resourceAudit(): Promise<AuditRow[]> {
  const filter = encodeURIComponent("category eq 'ResourceManagement'");
  return (await app.json<{ value: AuditRow[] }>(`auditLogs?$filter=${filter}`, ADMIN)).value;
}

/** The stand-in's assignments made at `scope` or below it, in the baseline's form. */
function assignmentsAtOrBelow(scope: string, except: string[] = []) {
  const at = normalizeAzureScope(scope);
  return app.dev.arm
    .state()
    .roleAssignments.filter((a) => {
      const s = normalizeAzureScope(a.scope);
      return (s === at || s.startsWith(`${at}/`)) && !except.includes(s);
    })
    .map((a) => ({
      scope: normalizeAzureScope(a.scope),
      roleDefinitionId: a.roleDefinitionId.toLowerCase(),
      principalId: a.principalId,
      principalType: a.principalType,
    }));
}

const byKey = (a: { scope: string; roleDefinitionId: string; principalId: string }) =>
  `${a.scope}|${a.roleDefinitionId}|${a.principalId}`;

beforeAll(async () => {
  app = await startPimApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('bringing a subscription under management', () => {
  it('stores ARM spelling, name, kind and the management groups above, with the baseline at and below it', async () => {
    const res = await manage(`${PROD.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')}/`);
    expect(res.status, await res.clone().text()).toBe(201);
    prod = (await res.json()) as ScopeView;
    expect(res.headers.get('location')).toMatch(new RegExp(`/api/managedAzureScopes/${prod.id}$`));
    expect(prod).toMatchObject({
      scope: PROD,
      normalizedScope: PROD,
      kind: 'subscription',
      displayName: 'Contoso Production',
      ancestors: [normalizeAzureScope(PLATFORM), normalizeAzureScope(ROOT_MG)],
      managedBy: DEMO.admin,
      removeAssignmentsMadeOutsidePim: false,
    });
    // Every assignment in the subscription, its resource groups and resources; none from Platform above it.
    const expected = assignmentsAtOrBelow(PROD);
    expect(expected.length).toBeGreaterThanOrEqual(5);
    expect(prod.baselineAssignments?.map(byKey).sort()).toEqual(expected.map(byKey).sort());
    expect(prod.baselineAssignments).toContainEqual({
      scope: normalizeAzureScope(KV_FINANCE),
      roleDefinitionId: '00482a5a-887f-4fb3-b363-3b7fe8e74483',
      principalId: 'ebaa089b-edbe-45ee-acf0-778162edf39e',
      principalType: 'Group',
    });
    expect(prod.baselineAssignments?.some((a) => a.scope === normalizeAzureScope(PLATFORM))).toBe(false);
  });

  it('is a 409 the second time, in any spelling; ARM and the store are left as they were', async () => {
    await expectProblem(
      await manage(PROD.toUpperCase().replace('/SUBSCRIPTIONS/', '/subscriptions/')),
      409,
      /already under management/,
    );
    const list = await app.json<{ value: ScopeView[] }>('managedAzureScopes', ADMIN);
    expect(list.value.filter((s) => s.normalizedScope === PROD)).toHaveLength(1);
  });

  it('audits it as ResourceManagement, the scope its target', async () => {
    const added = (await resourceAudit()).find(
      (r) => r.operationType === 'Add' && r.targetResources.some((t) => t.id === PROD),
    );
    expect(added).toMatchObject({
      activityDisplayName: 'Bring Azure scope under PIM management',
      groupId: PROD,
      targetResources: [{ id: PROD, type: 'AzureScope', displayName: 'Contoso Production' }],
    });
    expect(added?.additionalDetails).toContainEqual({
      key: 'baselineAssignments',
      value: String(prod.baselineAssignments?.length),
    });
  });
});

describe('bringing a resource group under management', () => {
  it('names it, knows its subscription and management group, and keeps only what is made at or below it', async () => {
    const res = await manage(SANDBOX_RG);
    expect(res.status, await res.clone().text()).toBe(201);
    const rg = (await res.json()) as ScopeView;
    expect(rg).toMatchObject({
      scope: SANDBOX_RG,
      normalizedScope: normalizeAzureScope(SANDBOX_RG),
      kind: 'resourceGroup',
      displayName: 'sandbox-rg',
      ancestors: [DEV, normalizeAzureScope(ROOT_MG)],
    });
    // Contoso Development's Owner (admin) and the app's RBAC Administrator there are inherited: not in it.
    expect(rg.baselineAssignments).toEqual(assignmentsAtOrBelow(SANDBOX_RG));
    expect(rg.baselineAssignments).toHaveLength(1);
    expect(rg.baselineAssignments?.[0]).toMatchObject({
      roleDefinitionId: CONTRIBUTOR,
      principalType: 'User',
    });
  });
});

describe('refusals', () => {
  it('400 for what is not an ARM scope, or a body with more than it takes; nothing stored', async () => {
    await expectProblem(await manage('/subscriptions/not-a-guid'), 400);
    await expectProblem(await manage('finance-rg'), 400);
    await expectProblem(await manage(DEV, { removeAssignmentsMadeOutsidePim: 'yes' }), 400);
    await expectProblem(await manage(DEV, { displayName: 'mine' }), 400);
    const list = await app.json<{ value: ScopeView[] }>('managedAzureScopes', ADMIN);
    expect(list.value.map((s) => s.normalizedScope)).not.toContain(DEV);
  });

  it('404 when ARM has no such scope', async () => {
    await expectProblem(await manage(`${PROD}/resourceGroups/no-such-rg`), 404, /no scope/);
    await expectProblem(await manage('/subscriptions/00000000-0000-4000-8000-000000000000'), 404);
  });

  it('403 for anyone but an admin; auditors read', async () => {
    await expectProblem(await manage(DEV, {}, AUDITOR), 403);
    await expectProblem(await manage(DEV, {}, PLAIN_USER), 403);
    expect((await app.api('managedAzureScopes', PLAIN_USER)).status).toBe(403);
    const list = await app.json<{ value: ScopeView[] }>('managedAzureScopes', AUDITOR);
    expect(list.value.map((s) => s.normalizedScope).sort()).toEqual(
      [PROD, normalizeAzureScope(SANDBOX_RG)].sort(),
    );
    expect(list.value.every((s) => s.baselineAssignments === undefined)).toBe(true);
    const one = await app.json<ScopeView>(`managedAzureScopes/${prod.id}`, AUDITOR);
    expect(one.baselineAssignments).toEqual(prod.baselineAssignments);
    await expectProblem(
      await app.api(`managedAzureScopes/${prod.id}`, {
        ...AUDITOR,
        method: 'PATCH',
        body: { removeAssignmentsMadeOutsidePim: true },
      }),
      403,
    );
    await expectProblem(
      await app.api(`managedAzureScopes/${prod.id}`, { ...AUDITOR, method: 'DELETE' }),
      403,
    );
  });

  it('400 for an id that is not a GUID, 404 for one not managed', async () => {
    await expectProblem(await app.api('managedAzureScopes/finance-rg', ADMIN), 400);
    await expectProblem(await app.api('managedAzureScopes/00000000-0000-4000-8000-000000000000', ADMIN), 404);
  });
});

describe('which managed scope governs a scope', () => {
  it('a resource group and a resource below Contoso Production are governed by it; Contoso Development by nothing', async () => {
    const services = await app.services();
    expect((await findGoverningScope(services, FINANCE_RG))?.scope).toBe(PROD);
    expect((await findGoverningScope(services, KV_FINANCE.toUpperCase()))?.scope).toBe(PROD);
    expect((await findGoverningScope(services, SANDBOX_RG))?.scope).toBe(normalizeAzureScope(SANDBOX_RG));
    expect(await findGoverningScope(services, DEV)).toBeUndefined();
    expect(await findGoverningScope(services, PLATFORM)).toBeUndefined();
  });

  it("gives a governed scope's roles PIM's Azure defaults; a scope nothing governs or a role ARM lacks has none", async () => {
    const services = await app.services();
    const settings = await services.roleSettings.get(FINANCE_RG, CONTRIBUTOR, 'azureRole');
    expect(settings).toMatchObject({
      groupId: normalizeAzureScope(FINANCE_RG),
      accessId: CONTRIBUTOR,
      activation: {
        maximumDuration: 'PT8H',
        requireMfa: true,
        requireJustification: true,
        requireApproval: false,
      },
      eligibleAssignment: { allowPermanent: false, maximumDuration: 'P365D' },
      activeAssignment: { allowPermanent: false, maximumDuration: 'P180D' },
    });
    // One policy per (governing scope, role): finance-rg's Contributor is Contoso Production's.
    const policies = await services.azurePolicies.listForScope(PROD);
    expect(policies.map((p) => p.roleDefinitionId)).toEqual([CONTRIBUTOR]);
    await expect(services.roleSettings.get(DEV, CONTRIBUTOR, 'azureRole')).rejects.toMatchObject({
      name: 'AzureScopeNotManagedError',
    });
    await expect(
      services.roleSettings.get(FINANCE_RG, '00000000-0000-4000-8000-000000000000', 'azureRole'),
    ).rejects.toMatchObject({ name: 'AzureRoleNotFoundError' });
    expect(await services.azurePolicies.listForScope(PROD)).toHaveLength(1);
  });
});

describe("an Azure role's settings", () => {
  it('change through a rule PATCH, read back through the RoleSettingsSource, audited; bad rules change nothing', async () => {
    const services = await app.services();
    const caller = {
      kind: 'user' as const,
      objectId: DEMO.admin,
      tenantId: DEMO.tenantId,
      roles: ['PimFlow.Admin'],
      authenticationMethods: ['pwd', 'mfa'],
      authenticationContexts: [],
    };
    const rule = {
      '@odata.type': '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
      id: 'Expiration_EndUser_Assignment',
      isExpirationRequired: true,
      maximumDuration: 'PT4H',
    };
    const patch = (body: unknown) =>
      services.azurePolicies.patchRule(
        FINANCE_RG,
        CONTRIBUTOR,
        'Expiration_EndUser_Assignment',
        body,
        caller,
      );
    expect(await patch(rule)).toEqual({ outcome: 'updated' });
    expect(await patch(rule)).toEqual({ outcome: 'unchanged' });
    expect(await patch({ ...rule, maximumDuration: 'PT48H' })).toMatchObject({ outcome: 'invalid' });
    expect(
      await services.azurePolicies.patchRule(DEV, CONTRIBUTOR, 'Expiration_EndUser_Assignment', rule, caller),
    ).toMatchObject({ outcome: 'notFound' });
    // The policy is Contoso Production's: its other scopes read the change too.
    const settings = await services.roleSettings.get(KV_FINANCE, CONTRIBUTOR, 'azureRole');
    expect(settings.activation.maximumDuration).toBe('PT4H');
    const filter = encodeURIComponent("category eq 'RoleSettings'");
    const rows = (await app.json<{ value: AuditRow[] }>(`auditLogs?$filter=${filter}`, ADMIN)).value;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.targetResources).toContainEqual(
      expect.objectContaining({ id: PROD, type: 'AzureScope' }),
    );
  });
});

describe('changing and removing a managed scope', () => {
  it('PATCH changes its own setting once, audited with old and new', async () => {
    const patch = () =>
      app.api(`managedAzureScopes/${prod.id}`, {
        ...ADMIN,
        method: 'PATCH',
        body: { removeAssignmentsMadeOutsidePim: true },
      });
    const res = await patch();
    expect(res.status, await res.clone().text()).toBe(200);
    expect(((await res.json()) as ScopeView).removeAssignmentsMadeOutsidePim).toBe(true);
    expect((await patch()).status).toBe(200);
    const updates = (await resourceAudit()).filter((r) => r.operationType === 'Update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.additionalDetails).toEqual(
      expect.arrayContaining([
        { key: 'old.removeAssignmentsMadeOutsidePim', value: 'false' },
        { key: 'new.removeAssignmentsMadeOutsidePim', value: 'true' },
      ]),
    );
    await expectProblem(
      await app.api(`managedAzureScopes/${prod.id}`, { ...ADMIN, method: 'PATCH', body: {} }),
      400,
    );
  });

  it('DELETE removes it and its roles settings, audited; then it is a 404 and governs nothing', async () => {
    const res = await app.api(`managedAzureScopes/${prod.id}`, { ...ADMIN, method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(204);
    await expectProblem(await app.api(`managedAzureScopes/${prod.id}`, ADMIN), 404);
    await expectProblem(await app.api(`managedAzureScopes/${prod.id}`, { ...ADMIN, method: 'DELETE' }), 404);
    const services = await app.services();
    expect(await services.azurePolicies.listForScope(PROD)).toEqual([]);
    expect(await services.policyStore.listAzureRolePolicies(PROD)).toEqual([]);
    await expect(services.roleSettings.get(FINANCE_RG, CONTRIBUTOR, 'azureRole')).rejects.toMatchObject({
      name: 'AzureScopeNotManagedError',
    });
    const removed = (await resourceAudit()).find((r) => r.operationType === 'Delete');
    expect(removed).toMatchObject({
      activityDisplayName: 'Remove Azure scope from PIM management',
      targetResources: [{ id: PROD, type: 'AzureScope' }],
    });
    // ARM itself is untouched: the assignments are all still there.
    expect(assignmentsAtOrBelow(PROD).map(byKey).sort()).toEqual(prod.baselineAssignments?.map(byKey).sort());
  });
});
