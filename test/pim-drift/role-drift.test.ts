/**
 * Drift of managed directory roles end to end, on the virtual clock, through the HTTP API — PIM's "roles are being
 * assigned outside of PIM": role assignments made straight in the Graph stand-in (its HTTP API, as the Entra
 * portal would) are found by a drift check, audited, mailed to the admins once and listed by GET driftReports
 * with the role named; with the role's `removeAssignmentsMadeOutsidePim` on they are removed from Graph (audited),
 * except the directory's last Global Administrator, whose removal the guard refuses (reported and audited once).
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN } from '../pim/pim-scenario';

const USER_ADMIN = 'fe930be7-5e62-47db-91af-98c3a49a38b1'; // baseline: Helpdesk Admin-Group at /, priya at Finance
const GLOBAL_ADMIN = '62e90394-69f5-4237-9190-012177145e10'; // baseline: the demo admin
const SALES = '/administrativeUnits/b608050e-11eb-4320-8961-f99001f51777';
const AUDITOR = { as: 'olivia.carter@pimflow.example', roles: ['PimFlow.Auditor'] };
let app: PimApp;

interface DifferenceView {
  id: string;
  kind: string;
  accessId: string;
  directoryScopeId: string;
  principalId: string;
  principalType: string | null;
  principalDisplayName: string | null;
  scheduleId: string | null;
  removal: { status: string; reason: string | null } | null;
}
interface ReportView {
  id: string;
  groupId: string;
  resourceType?: string;
  roleDefinitionId?: string;
  displayName: string;
  differences: DifferenceView[];
}
interface AuditView {
  activityDisplayName: string;
  result: string;
  resultReason: string;
  principalId: string | null;
  groupId: string | null;
  targetResources: { id: string; displayName: string | null; type: string }[];
}
interface Assignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

async function manageRole(roleDefinitionId: string, removeAssignmentsMadeOutsidePim = false): Promise<void> {
  const res = await app.api('managedRoles', {
    ...ADMIN,
    body: { roleDefinitionId, removeAssignmentsMadeOutsidePim },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** A request to the Graph stand-in's HTTP API with an app token: someone changing the directory outside pimflow. */
async function graph(
  pathAndQuery: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  const services = await app.services();
  const origin = new URL(services.settings.GRAPH_BASE_URL).origin;
  const token = await services.credential.getToken(`${origin}/.default`);
  return fetch(`${services.settings.GRAPH_BASE_URL}${pathAndQuery}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${token?.token}`, 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

async function assignOutsidePim(roleDefinitionId: string, upn: string, directoryScopeId = '/') {
  const res = await graph('/roleManagement/directory/roleAssignments', {
    method: 'POST',
    body: {
      '@odata.type': '#microsoft.graph.unifiedRoleAssignment',
      roleDefinitionId,
      principalId: app.user(upn).id,
      directoryScopeId,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

async function assignments(roleDefinitionId: string): Promise<Assignment[]> {
  const filter = encodeURIComponent(`roleDefinitionId eq '${roleDefinitionId}'`);
  const res = await graph(`/roleManagement/directory/roleAssignments?$filter=${filter}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as { value: Assignment[] }).value;
}

/** A pimflow assignment schedule of the role, in force (what an admin's assignment leaves in the store). */
async function pimflowAssignment(roleDefinitionId: string, upn: string, directoryScopeId = '/') {
  const { store } = await app.services();
  const now = new Date();
  const id = randomUUID();
  await store.schedules.create({
    id,
    resourceType: 'directoryRole',
    groupId: directoryScopeId,
    kind: 'assignment',
    principalId: app.user(upn).id,
    accessId: roleDefinitionId,
    memberType: 'direct',
    assignmentType: 'assigned',
    status: 'Provisioned',
    scheduleInfo: { startDateTime: now.toISOString(), expiration: { type: 'noExpiration' } },
    startDateTime: new Date(now.getTime() - 60_000).toISOString(),
    endDateTime: null,
    createdUsing: id,
    activatedUsing: null,
    createdDateTime: now.toISOString(),
    modifiedDateTime: now.toISOString(),
  });
  return id;
}

async function runCheck(): Promise<{ groups: number; roles?: number; removed: number }> {
  const res = await app.api('driftChecks', { ...ADMIN, method: 'POST' });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await app.rt.waitForIdle();
  const check = await app.json<{
    status: string;
    totals: { groups: number; roles?: number; removed: number };
  }>(`driftChecks/${id}`, ADMIN);
  expect(check.status).toBe('completed');
  return check.totals;
}

async function report(roleDefinitionId: string): Promise<ReportView | undefined> {
  const filter = encodeURIComponent(`roleDefinitionId eq '${roleDefinitionId}'`);
  return (await app.json<{ value: ReportView[] }>(`driftReports?$filter=${filter}`, ADMIN)).value[0];
}

async function driftAudits(): Promise<AuditView[]> {
  const filter = encodeURIComponent(`category eq 'Drift'`);
  return (
    await app.json<{ value: AuditView[] }>(`auditLogs/directoryAudits?$filter=${filter}&$top=999`, ADMIN)
  ).value;
}

async function roleMails(roleName: string): Promise<{ subject: string; text: string }[]> {
  return (await app.mailTo(DEMO.adminUpn)).filter((m) =>
    m.subject.startsWith(`Drift in the ${roleName} role`),
  );
}

describe('drift of managed directory roles', () => {
  beforeAll(async () => {
    app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
    await manageRole(USER_ADMIN);
  }, 60_000);
  afterAll(async () => {
    await app?.stop();
  });

  it('reports assignments made outside pimflow at every scope, and pimflow assignments gone', async () => {
    const henry = app.user('henry.taylor').id;
    const liam = app.user('liam.obrien').id;
    const grace = app.user('grace.okafor').id;
    await assignOutsidePim(USER_ADMIN, 'henry.taylor'); // the whole directory
    await assignOutsidePim(USER_ADMIN, 'liam.obrien', SALES); // an administrative unit
    // pimflow's own: mia's assignment is in the directory (no drift), grace's was removed outside pimflow.
    await pimflowAssignment(USER_ADMIN, 'mia.chen');
    await assignOutsidePim(USER_ADMIN, 'mia.chen');
    const graceSchedule = await pimflowAssignment(USER_ADMIN, 'grace.okafor');

    const totals = await runCheck();
    expect(totals).toMatchObject({ groups: 0, roles: 1 });

    const drift = await report(USER_ADMIN);
    expect(drift).toMatchObject({
      id: `directoryRole:${USER_ADMIN}`,
      resourceType: 'directoryRole',
      roleDefinitionId: USER_ADMIN,
      displayName: 'User Administrator',
    });
    expect(drift?.differences.map((d) => [d.kind, d.directoryScopeId, d.principalId]).sort()).toEqual(
      [
        ['addedOutsidePim', '/', henry],
        ['addedOutsidePim', SALES, liam],
        ['missingAssignment', '/', grace],
      ].sort(),
    );
    const henryDiff = drift?.differences.find((d) => d.principalId === henry);
    expect(henryDiff).toMatchObject({
      accessId: USER_ADMIN,
      principalType: 'user',
      principalDisplayName: 'Henry Taylor',
      removal: null,
    });
    expect(drift?.differences.find((d) => d.principalId === grace)).toMatchObject({
      principalDisplayName: 'Grace Okafor',
      scheduleId: graceSchedule,
    });

    const audits = (await driftAudits()).filter((a) => a.targetResources[0]?.id === USER_ADMIN);
    expect(audits.map((a) => [a.activityDisplayName, a.principalId, a.groupId]).sort()).toEqual(
      [
        ['Role assigned outside PIM', henry, '/'],
        ['Role assigned outside PIM', liam, SALES],
        ['Assigned role missing from directory (removed outside PIM)', grace, '/'],
      ].sort(),
    );
    expect(audits[0]?.targetResources[0]).toMatchObject({ displayName: 'User Administrator', type: 'Role' });

    const mails = await roleMails('User Administrator');
    expect(mails.map((m) => m.subject)).toEqual([
      'Drift in the User Administrator role: 3 changes outside pimflow',
    ]);
    expect(mails[0]?.text).toContain('Henry Taylor');
    expect(mails[0]?.text).toContain('Liam');
    expect(mails[0]?.text).toContain(SALES);
    expect(mails[0]?.text).toContain(`$filter=roleDefinitionId%20eq%20'${USER_ADMIN}'`);
  });

  it('a later check mails and audits nothing already known; auditors see the role in every report', async () => {
    const mailsBefore = (await roleMails('User Administrator')).length;
    const auditsBefore = (await driftAudits()).length;
    await runCheck();
    expect((await roleMails('User Administrator')).length).toBe(mailsBefore);
    expect((await driftAudits()).length).toBe(auditsBefore);

    const all = await app.json<{ value: ReportView[] }>('driftReports', AUDITOR);
    expect(all.value.map((r) => r.displayName)).toContain('User Administrator');
    const filter = encodeURIComponent(`roleDefinitionId eq '${USER_ADMIN}'`);
    expect(
      (await app.api(`driftReports?$filter=${filter}`, { as: 'liam.obrien@pimflow.example' })).status,
    ).toBe(403);
    expect(
      (await app.api(`driftReports?$filter=${encodeURIComponent("roleDefinitionId eq 'x'")}`, ADMIN)).status,
    ).toBe(400);
  });

  it('with the role set to remove them, removes assignments made outside pimflow from Graph, audited', async () => {
    const henry = app.user('henry.taylor').id;
    const liam = app.user('liam.obrien').id;
    const patched = await app.api(`managedRoles/${USER_ADMIN}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { removeAssignmentsMadeOutsidePim: true },
    });
    expect(patched.status, await patched.clone().text()).toBe(200);
    const mailsBefore = (await roleMails('User Administrator')).length;

    const totals = await runCheck();
    expect(totals.removed).toBe(2);

    const held = (await assignments(USER_ADMIN)).map((a) => [a.principalId, a.directoryScopeId]);
    expect(held).not.toContainEqual([henry, '/']);
    expect(held).not.toContainEqual([liam, SALES]);
    // The baseline and pimflow's own assignment stay.
    expect(held).toEqual(
      expect.arrayContaining([
        [DEMO.helpdeskGroup, '/'],
        [app.user('priya.nair').id, '/administrativeUnits/70545e8b-b82f-4a7b-b81f-f29b6ea319f8'],
        [app.user('mia.chen').id, '/'],
      ]),
    );
    const drift = await report(USER_ADMIN);
    expect(drift?.differences.map((d) => d.kind)).toEqual(['missingAssignment']); // never re-added on its own
    const removals = (await driftAudits()).filter(
      (a) => a.activityDisplayName === 'Remove role assignment made outside PIM',
    );
    expect(removals.map((a) => [a.principalId, a.groupId, a.result]).sort()).toEqual(
      [
        [henry, '/', 'success'],
        [liam, SALES, 'success'],
      ].sort(),
    );
    const mails = await roleMails('User Administrator');
    expect(mails.length).toBe(mailsBefore + 1);
    const removedMail = mails.find((m) => m.text.includes('removed by pimflow'));
    expect(removedMail?.subject).toBe('Drift in the User Administrator role: 2 changes outside pimflow');
    expect(removedMail?.text).toMatch(/Henry Taylor \(.*\) — removed by pimflow/);
  });

  it('never removes the last Global Administrator: the refusal is reported and audited once', async () => {
    const jack = app.user('jack.thompson').id;
    await manageRole(GLOBAL_ADMIN, true);
    // Outside pimflow: jack becomes Global Administrator and the only one (the admin's assignment goes).
    await assignOutsidePim(GLOBAL_ADMIN, 'jack.thompson');
    const admins = await assignments(GLOBAL_ADMIN);
    for (const a of admins.filter((x) => x.principalId === DEMO.admin)) {
      const res = await graph(`/roleManagement/directory/roleAssignments/${a.id}`, { method: 'DELETE' });
      expect(res.status).toBe(204);
    }

    await runCheck();

    expect((await assignments(GLOBAL_ADMIN)).map((a) => a.principalId)).toEqual([jack]);
    const drift = await report(GLOBAL_ADMIN);
    expect(drift?.displayName).toBe('Global Administrator');
    expect(drift?.differences).toHaveLength(1);
    expect(drift?.differences[0]).toMatchObject({
      kind: 'addedOutsidePim',
      principalId: jack,
      removal: { status: 'keptAsLastAdmin' },
    });
    const refusals = () =>
      driftAudits().then((all) =>
        all.filter(
          (a) =>
            a.principalId === jack && a.targetResources[0]?.id === GLOBAL_ADMIN && a.result === 'failure',
        ),
      );
    expect((await refusals()).map((a) => a.activityDisplayName)).toEqual([
      'Remove role assignment made outside PIM',
    ]);
    const mails = await roleMails('Global Administrator');
    expect(mails).toHaveLength(1);
    expect(mails[0]?.text).toContain('kept');

    // The next check tries again (the guard refuses again): nothing new audited or mailed, never retried for good.
    await runCheck();
    expect((await assignments(GLOBAL_ADMIN)).map((a) => a.principalId)).toEqual([jack]);
    expect(await refusals()).toHaveLength(1);
    expect(await roleMails('Global Administrator')).toHaveLength(1);
  });

  it("drops a role's report when the role leaves management", async () => {
    expect(await report(USER_ADMIN)).toBeDefined();
    const res = await app.api(`managedRoles/${USER_ADMIN}`, { ...ADMIN, method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(204);
    await runCheck(); // the check sweeps the report of a role no longer managed
    expect(await report(USER_ADMIN)).toBeUndefined();
    const all = await app.json<{ value: ReportView[] }>('driftReports', ADMIN);
    expect(all.value.map((r) => r.displayName)).not.toContain('User Administrator');
  });
});
