/**
 * PIM for Microsoft Entra roles through the HTTP API, on the virtual clock, asserting the role assignments the
 * Graph stand-in holds (read through the app's Graph client): a role under management, an eligible user activates
 * with a justification, the assignment appears and selfDeactivate removes it; the principal rules (role-assignable
 * groups only, service principals only active); admins only; the role and group lists never show each other's
 * requests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE } from '../pim/pim-scenario';
import { apiErrorMessage, expectApiError } from '../helpers';

const ROLES = 'roleManagement/directory';
const APPLICATION_ADMINISTRATOR = '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3';
const SECURITY_READER = '5d6b6bb7-de71-4623-b4af-96380a352509';
const FINANCE_APPROVERS = '5954f79c-0342-4f18-a20d-d040bab5dd82'; // not role-assignable
const AUTOMATION_SP = 'd2707948-f36a-4e93-94bd-e132e296f7e0';
const FINANCE_AU = '/administrativeUnits/70545e8b-b82f-4a7b-b81f-f29b6ea319f8';
let app: PimApp;

interface RoleRequest {
  id: string;
  status: string;
  action: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
  appScopeId: null;
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  for (const roleDefinitionId of [APPLICATION_ADMINISTRATOR, SECURITY_READER]) {
    const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
    expect([201, 409], await res.clone().text()).toContain(res.status);
  }
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

/** Who holds the role at the scope, as Graph says (the app's own Graph client against the stand-in). */
async function holders(roleDefinitionId: string, directoryScopeId = '/'): Promise<string[]> {
  const { directory } = await app.services();
  const held = await directory.listRoleAssignments({ roleDefinitionId, directoryScopeId });
  return held.map((a) => a.principalId);
}

function post(kind: 'Assignment' | 'Eligibility', body: Record<string, unknown>, call: object = ADMIN) {
  return app.api(`${ROLES}/role${kind}ScheduleRequests`, { ...call, body });
}

const assign = (principalId: string, extra: Record<string, unknown> = {}) => ({
  action: 'adminAssign',
  principalId,
  roleDefinitionId: APPLICATION_ADMINISTRATOR,
  directoryScopeId: '/',
  justification: 'on-call rota',
  scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
  ...extra,
});

describe('eligible, activate, deactivate', () => {
  it('makes a user eligible, activates with a justification, and removes the assignment on deactivation', async () => {
    const olivia = app.user('olivia.carter');
    const eligible = await post('Eligibility', assign(olivia.id));
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    const request = (await eligible.json()) as RoleRequest;
    expect(request).toMatchObject({
      action: 'adminAssign',
      principalId: olivia.id,
      roleDefinitionId: APPLICATION_ADMINISTRATOR,
      directoryScopeId: '/',
      appScopeId: null,
    });
    expect(request).not.toHaveProperty('groupId');
    await app.rt.waitForIdle();
    expect(await holders(APPLICATION_ADMINISTRATOR)).not.toContain(olivia.id);
    const mine = await app.json<{ '@odata.context': string; value: { roleEligibilityScheduleId: string }[] }>(
      `${ROLES}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')`,
      { as: olivia.userPrincipalName },
    );
    expect(mine['@odata.context']).toBe(
      `${app.rt.urls.api}/$metadata#roleManagement/directory/roleEligibilityScheduleInstances`,
    );
    expect(mine.value).toHaveLength(1);

    const me = { as: olivia.userPrincipalName, amr: ['pwd', 'mfa'] };
    const activation = {
      action: 'selfActivate',
      principalId: olivia.id,
      roleDefinitionId: APPLICATION_ADMINISTRATOR,
      directoryScopeId: '/',
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT4H' } },
    };
    const noReason = await post('Assignment', activation, me);
    expect(noReason.status).toBe(400);
    expect(apiErrorMessage(await noReason.json())).toMatch(/justification/i);
    const activated = await post('Assignment', { ...activation, justification: 'app registration fix' }, me);
    expect(activated.status, await activated.clone().text()).toBe(201);
    const activationRequest = (await activated.json()) as RoleRequest;
    await app.rt.waitForIdle();
    expect(await holders(APPLICATION_ADMINISTRATOR)).toContain(olivia.id);
    const got = await app.json<RoleRequest>(
      `${ROLES}/roleAssignmentScheduleRequests/${activationRequest.id}`,
      me,
    );
    expect(got.status).toBe('Provisioned');
    const instances = await app.json<{ value: Record<string, unknown>[] }>(
      `${ROLES}/roleAssignmentScheduleInstances?$filter=${encodeURIComponent(`principalId eq '${olivia.id}' and roleDefinitionId eq '${APPLICATION_ADMINISTRATOR}'`)}`,
      ADMIN,
    );
    expect(instances.value).toHaveLength(1);
    expect(instances.value[0]).toMatchObject({
      assignmentType: 'Activated',
      memberType: 'Direct',
      directoryScopeId: '/',
      endDateTime: '2026-03-02T13:00:00.000Z',
    });
    const scheduleId = instances.value[0]?.roleAssignmentScheduleId as string;
    expect((await app.json<{ id: string }>(`${ROLES}/roleAssignmentSchedules/${scheduleId}`, me)).id).toBe(
      scheduleId,
    );
    expect(
      (await app.api(`${ROLES}/roleAssignmentSchedules/${scheduleId}`, { as: 'mia.chen@pimflow.example' }))
        .status,
    ).toBe(404);

    const deactivated = await post(
      'Assignment',
      { ...activation, action: 'selfDeactivate', scheduleInfo: undefined },
      me,
    );
    expect(deactivated.status, await deactivated.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(await holders(APPLICATION_ADMINISTRATOR)).not.toContain(olivia.id);
  });
});

describe('principals', () => {
  it('refuses a group that is not role-assignable, naming the rule, and stores nothing', async () => {
    const res = await post('Eligibility', assign(FINANCE_APPROVERS));
    expect(await expectApiError(res, 400)).toContain(
      'Only role-assignable groups (isAssignableToRole) can be assigned a Microsoft Entra role',
    );
    const listed = await app.json<{ value: RoleRequest[] }>(
      `${ROLES}/roleEligibilityScheduleRequests`,
      ADMIN,
    );
    expect(listed.value.some((r) => r.principalId === FINANCE_APPROVERS)).toBe(false);
  });

  it('assigns a role-assignable group actively: the group holds the role in the directory', async () => {
    const res = await post('Assignment', assign(DEMO.helpdeskGroup, { roleDefinitionId: SECURITY_READER }));
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(await holders(SECURITY_READER)).toContain(DEMO.helpdeskGroup);
  });

  it('gives a service principal an active assignment only, never an eligible one', async () => {
    const eligible = await post('Eligibility', assign(AUTOMATION_SP));
    expect(eligible.status).toBe(400);
    expect(apiErrorMessage(await eligible.json())).toMatch(/service principal.*only as an active assignment/);
    const active = await post('Assignment', assign(AUTOMATION_SP));
    expect(active.status, await active.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(await holders(APPLICATION_ADMINISTRATOR)).toContain(AUTOMATION_SP);
  });

  it('assigns at an administrative unit scope', async () => {
    const liam = app.user('liam.obrien').id;
    const res = await post('Assignment', assign(liam, { directoryScopeId: FINANCE_AU }));
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(await holders(APPLICATION_ADMINISTRATOR, FINANCE_AU)).toContain(liam);
    expect(await holders(APPLICATION_ADMINISTRATOR)).not.toContain(liam);
  });
});

describe('who may do what, and the lists', () => {
  it('lets only admins assign directory roles, without talking about groups', async () => {
    const grace = app.user('grace.okafor').id;
    // Sofia owns the Helpdesk Admin-Group: that gives her nothing over directory roles.
    const res = await post('Eligibility', assign(grace), { as: 'sofia.rossi@pimflow.example' });
    expect(res.status).toBe(403);
    const detail = apiErrorMessage(await res.json());
    expect(detail).toMatch(/PimFlow\.Admin/);
    expect(detail).not.toMatch(/group/i);
    const list = await app.api(`${ROLES}/roleEligibilityScheduleRequests`, {
      as: 'mia.chen@pimflow.example',
    });
    expect(list.status).toBe(403);
  });

  it('refuses bad bodies and queries with 400', async () => {
    const grace = app.user('grace.okafor').id;
    const bad: Record<string, unknown>[] = [
      { ...assign(grace), directoryScopeId: undefined },
      { ...assign(grace), appScopeId: '/' },
      { ...assign(grace), groupId: DEMO.helpdeskGroup },
      { ...assign(grace), roleDefinitionId: 'Application Administrator' },
      { ...assign(grace), action: 'adminUpdate' },
    ];
    for (const body of bad) expect((await post('Eligibility', body)).status, JSON.stringify(body)).toBe(400);
    expect(
      (
        await app.api(
          `${ROLES}/roleEligibilitySchedules?$filter=${encodeURIComponent("groupId eq 'x'")}`,
          ADMIN,
        )
      ).status,
    ).toBe(400);
    expect((await app.api(`${ROLES}/roleAssignmentScheduleRequests/not-a-guid`, ADMIN)).status).toBe(400);
  });

  it('keeps role requests out of the group lists and group requests out of the role lists', async () => {
    const groupLists = await Promise.all(
      [
        'assignmentScheduleRequests',
        'eligibilityScheduleRequests',
        'assignmentSchedules',
        'eligibilitySchedules',
      ].map((c) => app.json<{ value: Record<string, unknown>[] }>(`${BASE}/${c}?$top=999`, ADMIN)),
    );
    for (const list of groupLists) for (const item of list.value) expect(item.groupId).not.toMatch(/^\//);
    const roleRequests = await app.json<{ value: RoleRequest[] }>(
      `${ROLES}/roleAssignmentScheduleRequests?$top=999`,
      ADMIN,
    );
    expect(roleRequests.value.length).toBeGreaterThan(0);
    for (const r of roleRequests.value) expect(r.directoryScopeId).toMatch(/^\//);
    // Olivia has only role requests: the group routes' filterByCurrentUser shows her none.
    const olivia = app.user('olivia.carter');
    for (const c of ['assignmentScheduleRequests', 'eligibilityScheduleRequests']) {
      const mine = await app.json<{ value: unknown[] }>(`${BASE}/${c}/filterByCurrentUser(on='principal')`, {
        as: olivia.userPrincipalName,
      });
      expect(mine.value, c).toHaveLength(0);
    }
    // A role request's id through the group route: not found.
    const id = roleRequests.value[0]?.id;
    expect((await app.api(`${BASE}/assignmentScheduleRequests/${id}`, ADMIN)).status).toBe(404);
  });

  it('reads role definitions from the directory', async () => {
    const me = { as: 'mia.chen@pimflow.example' };
    const all = await app.json<{ value: { id: string; displayName: string; isBuiltIn: boolean }[] }>(
      `${ROLES}/roleDefinitions`,
      me,
    );
    expect(all.value.find((d) => d.id === APPLICATION_ADMINISTRATOR)?.displayName).toBe(
      'Application Administrator',
    );
    const one = await app.json<{ templateId: string; isPrivileged: boolean }>(
      `${ROLES}/roleDefinitions?$filter=${encodeURIComponent("displayName eq 'Security Reader'")}`,
      me,
    );
    expect(one).toMatchObject({ value: [{ id: SECURITY_READER }] });
    expect((await app.api(`${ROLES}/roleDefinitions/00000000-0000-4000-8000-000000000001`, me)).status).toBe(
      404,
    );
    expect((await app.api(`${ROLES}/roleDefinitions?$top=2`, me)).status).toBe(400);
  });
});
