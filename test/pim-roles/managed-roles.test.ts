/**
 * Microsoft Entra roles under management through the API: bringing Helpdesk Administrator under management (its
 * baseline is the Helpdesk Admin-Group's assignment in the Graph stand-in), a role assigned at an administrative
 * unit too, unknown and disabled roles, twice, list/get/patch/delete with audit rows, who may do what, and the
 * RoleSettingsSource of directory roles.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import type { CallerPrincipal } from '../../shared/auth/principal';
import { bringRoleUnderManagement } from '../../shared/managed-roles/managed-roles';
import { ADMIN, AUDITOR, expectProblem, PLAIN_USER } from '../pim-policy/policy-helpers';

const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const USER_ADMINISTRATOR = 'fe930be7-5e62-47db-91af-98c3a49a38b1';
const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
const PASSWORD_ADMINISTRATOR = '966707d0-3269-4727-9be2-8c3a10f19b9d';
const FINANCE_AU = '/administrativeUnits/70545e8b-b82f-4a7b-b81f-f29b6ea319f8';

interface ManagedRoleView {
  id: string;
  roleDefinitionId: string;
  displayName: string;
  managedSince: string;
  managedBy: string;
  removeAssignmentsMadeOutsidePim: boolean;
  policyId: string;
  baselineTakenAt: string;
  baselineAssignments?: {
    principalId: string;
    type: string;
    displayName: string | null;
    directoryScopeId: string;
  }[];
}

interface AuditRow {
  activityDisplayName: string;
  operationType: string;
  targetResources: { id: string; type: string; displayName: string | null }[];
  additionalDetails: { key: string; value: string }[];
}

const CALLER: CallerPrincipal = {
  kind: 'user',
  objectId: DEMO.admin,
  tenantId: DEMO.tenantId,
  roles: ['PimFlow.Admin'],
  authenticationMethods: ['pwd', 'mfa'],
  authenticationContexts: [],
  userPrincipalName: DEMO.adminUpn,
};
let app: PimApp;

const manageRole = (roleDefinitionId: string, extra: Record<string, unknown> = {}, call = ADMIN) =>
  app.api('managedRoles', { ...call, body: { roleDefinitionId, ...extra } });

async function roleAudit(): Promise<AuditRow[]> {
  const res = await app.json<{ value: AuditRow[] }>(
    `auditLogs?$filter=${encodeURIComponent("category eq 'RoleManagement'")}`,
    ADMIN,
  );
  return res.value;
}

beforeAll(async () => {
  app = await startPimApp();
});
afterAll(async () => {
  await app?.stop();
});

describe('bringing a role under management', () => {
  it('records who holds Helpdesk Administrator (the Helpdesk Admin-Group), creates its policy and audits it', async () => {
    const res = await manageRole(HELPDESK_ADMINISTRATOR.toUpperCase());
    expect(res.status, await res.clone().text()).toBe(201);
    const role = (await res.json()) as ManagedRoleView;
    expect(res.headers.get('location')).toMatch(new RegExp(`/api/managedRoles/${HELPDESK_ADMINISTRATOR}$`));
    expect(role).toMatchObject({
      id: HELPDESK_ADMINISTRATOR,
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      displayName: 'Helpdesk Administrator',
      managedBy: DEMO.admin,
      removeAssignmentsMadeOutsidePim: false,
    });
    const holders = app.dev.graph.state
      .roleAssignments()
      .filter((a) => a.roleDefinitionId === HELPDESK_ADMINISTRATOR);
    expect(holders.length).toBeGreaterThan(0);
    expect(role.baselineAssignments).toHaveLength(holders.length);
    expect(role.baselineAssignments).toContainEqual({
      principalId: DEMO.helpdeskGroup,
      type: 'group',
      displayName: 'Helpdesk Admin-Group',
      directoryScopeId: '/',
    });
    expect(role.policyId).toMatch(new RegExp(`^DirectoryRole_${DEMO.tenantId}_[0-9a-f-]{36}$`));
    const policy = await app.json<{ id: string; scopeId: string; scopeType: string }>(
      `policies/roleManagementPolicies/${role.policyId}`,
      ADMIN,
    );
    expect(policy).toMatchObject({ id: role.policyId, scopeId: '/', scopeType: 'DirectoryRole' });

    const audit = await roleAudit();
    expect(audit).toEqual([
      expect.objectContaining({
        activityDisplayName: 'Bring role under PIM management',
        operationType: 'Add',
        targetResources: [
          { id: HELPDESK_ADMINISTRATOR, displayName: 'Helpdesk Administrator', type: 'Role' },
          expect.objectContaining({ id: role.policyId, type: 'Policy' }),
        ],
      }),
    ]);
    expect(audit[0]?.additionalDetails).toContainEqual({
      key: 'baselineAssignments',
      value: String(holders.length),
    });
  });

  it('takes the baseline at every scope, administrative units included, and the setting asked for', async () => {
    const res = await manageRole(USER_ADMINISTRATOR, { removeAssignmentsMadeOutsidePim: true });
    expect(res.status, await res.clone().text()).toBe(201);
    const role = (await res.json()) as ManagedRoleView;
    expect(role.removeAssignmentsMadeOutsidePim).toBe(true);
    const scopes = role.baselineAssignments?.map((a) => a.directoryScopeId).sort();
    expect(scopes).toEqual(['/', FINANCE_AU]);
    expect(role.baselineAssignments?.find((a) => a.directoryScopeId === FINANCE_AU)).toMatchObject({
      type: 'user',
      displayName: expect.any(String),
    });
  });

  it('refuses an unknown role (404), a role already managed (409), a body that is not a role id (400)', async () => {
    await expectProblem(
      await manageRole('00000000-0000-4000-8000-000000000000'),
      404,
      /No role definition 00000000-0000-4000-8000-000000000000 in the directory/,
    );
    await expectProblem(await manageRole(HELPDESK_ADMINISTRATOR), 409, /Helpdesk Administrator is already/);
    await expectProblem(await manageRole('Helpdesk Administrator'), 400);
    await expectProblem(await manageRole(SECURITY_READER, { removeMembersAddedOutsidePim: true }), 400);
    expect(await app.api(`managedRoles/${SECURITY_READER}`, ADMIN)).toHaveProperty('status', 404);
  });

  it('refuses a role that is disabled in the directory, naming it, and stores nothing', async () => {
    // Built-in roles can't be disabled (nor can the stand-in's): a custom role that is, through the service.
    const services = await app.services();
    const directory = {
      ...services.directory,
      getRoleDefinition: async (id: string) => {
        const role = await services.directory.getRoleDefinition(id);
        return role && { ...role, isEnabled: false };
      },
    };
    const result = await bringRoleUnderManagement({ ...services, directory }, PASSWORD_ADMINISTRATOR, CALLER);
    expect(result).toEqual({
      ok: false,
      reason: 'disabled',
      detail: expect.stringMatching(/^Password Administrator is disabled in the directory/),
    });
    await expectProblem(await app.api(`managedRoles/${PASSWORD_ADMINISTRATOR}`, ADMIN), 404);
  });

  it('lets only admins bring a role under management', async () => {
    await expectProblem(await manageRole(SECURITY_READER, {}, AUDITOR), 403);
    await expectProblem(await manageRole(SECURITY_READER, {}, PLAIN_USER), 403);
    expect(
      (await app.api('managedRoles', { method: 'POST', body: { roleDefinitionId: SECURITY_READER } })).status,
    ).toBe(401);
  });
});

describe('reading, changing and removing', () => {
  it('lists managed roles by name, page by page, for admins and auditors only', async () => {
    const names: string[] = [];
    let url: string | undefined = 'managedRoles?$top=1';
    let pages = 0;
    while (url) {
      const page: { value: ManagedRoleView[]; '@odata.nextLink'?: string } = await app.json(url, AUDITOR);
      expect(page.value.length).toBeLessThanOrEqual(1);
      names.push(...page.value.map((r) => r.displayName));
      expect(page.value[0] ?? {}).not.toHaveProperty('baselineAssignments');
      url = page['@odata.nextLink']?.replace(/^.*\/api\//, '');
      pages++;
    }
    expect(pages).toBeGreaterThanOrEqual(2);
    expect(names).toEqual(['Helpdesk Administrator', 'User Administrator']);
    await expectProblem(await app.api('managedRoles', PLAIN_USER), 403);
    const one = await app.json<ManagedRoleView>(
      `managedRoles/${HELPDESK_ADMINISTRATOR.toUpperCase()}`,
      AUDITOR,
    );
    expect(one.baselineAssignments).toContainEqual(
      expect.objectContaining({ principalId: DEMO.helpdeskGroup }),
    );
    await expectProblem(await app.api(`managedRoles/${HELPDESK_ADMINISTRATOR}`, PLAIN_USER), 403);
    await expectProblem(await app.api('managedRoles/not-a-guid', ADMIN), 400);
  });

  it('changes removeAssignmentsMadeOutsidePim (admins only), audited once per change', async () => {
    const url = `managedRoles/${HELPDESK_ADMINISTRATOR}`;
    const body = { removeAssignmentsMadeOutsidePim: true };
    await expectProblem(await app.api(url, { ...AUDITOR, method: 'PATCH', body }), 403);
    await expectProblem(await app.api(url, { ...ADMIN, method: 'PATCH', body: {} }), 400);
    await expectProblem(await app.api(url, { ...ADMIN, method: 'PATCH', body: { displayName: 'x' } }), 400);
    for (let i = 0; i < 2; i++) {
      const changed = await app.json<ManagedRoleView>(url, { ...ADMIN, method: 'PATCH', body });
      expect(changed.removeAssignmentsMadeOutsidePim).toBe(true);
    }
    expect((await app.json<ManagedRoleView>(url, ADMIN)).removeAssignmentsMadeOutsidePim).toBe(true);
    const updates = (await roleAudit()).filter((r) => r.operationType === 'Update');
    expect(updates).toHaveLength(1);
    expect(updates[0]?.additionalDetails).toEqual(
      expect.arrayContaining([
        { key: 'old.removeAssignmentsMadeOutsidePim', value: 'false' },
        { key: 'new.removeAssignmentsMadeOutsidePim', value: 'true' },
      ]),
    );
    await expectProblem(
      await app.api(`managedRoles/${SECURITY_READER}`, { ...ADMIN, method: 'PATCH', body }),
      404,
      /not under management/,
    );
  });

  it('removes a role from management with its policy (admins only), audited', async () => {
    const url = `managedRoles/${USER_ADMINISTRATOR}`;
    const { policyId } = await app.json<ManagedRoleView>(url, ADMIN);
    await expectProblem(await app.api(url, { ...AUDITOR, method: 'DELETE' }), 403);
    const res = await app.api(`managedRoles/${USER_ADMINISTRATOR.toUpperCase()}`, {
      ...ADMIN,
      method: 'DELETE',
    });
    expect(res.status, await res.clone().text()).toBe(204);
    await expectProblem(await app.api(url, ADMIN), 404);
    await expectProblem(await app.api(`policies/roleManagementPolicies/${policyId}`, ADMIN), 404);
    await expectProblem(await app.api(url, { ...ADMIN, method: 'DELETE' }), 404, /not under management/);
    const removed = (await roleAudit()).filter((r) => r.operationType === 'Delete');
    expect(removed).toEqual([
      expect.objectContaining({
        activityDisplayName: 'Remove role from PIM management',
        targetResources: [expect.objectContaining({ id: USER_ADMINISTRATOR, type: 'Role' })],
      }),
    ]);
    // Managed again later: a new policy (new id), with the defaults again.
    const again = await manageRole(USER_ADMINISTRATOR);
    expect(again.status).toBe(201);
    expect(((await again.json()) as ManagedRoleView).policyId).not.toBe(policyId);
  });
});

describe('the RoleSettingsSource of directory roles', () => {
  it("serves a managed role's settings at the directory and at an administrative unit", async () => {
    const source = (await app.services()).roleSettings;
    const atRoot = await source.get('/', HELPDESK_ADMINISTRATOR, 'directoryRole');
    expect(atRoot).toMatchObject({
      groupId: '/',
      accessId: HELPDESK_ADMINISTRATOR,
      activation: { maximumDuration: 'PT8H', requireJustification: true, requireApproval: false },
    });
    expect(await source.get(FINANCE_AU, HELPDESK_ADMINISTRATOR.toUpperCase(), 'directoryRole')).toEqual(
      atRoot,
    );
  });

  it('throws RoleNotManagedError naming a role that is not managed', async () => {
    const source = (await app.services()).roleSettings;
    const err = await source.get('/', SECURITY_READER, 'directoryRole').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err).toMatchObject({
      name: 'RoleNotManagedError',
      message: 'The role Security Reader is not under management',
    });
    // Groups still go to the group source.
    await expect(source.get(DEMO.helpdeskGroup, 'member')).rejects.toMatchObject({
      name: 'GroupNotManagedError',
    });
  });
});
