/**
 * Drift detection end to end, on the virtual clock, through the HTTP API: changes made straight in the Graph
 * stand-in ("outside pimflow") are found by a check (started by POST driftChecks or by the daily timer), audited,
 * mailed to the admins once, listed by GET driftReports, and — when the group's setting says so — removed from
 * Graph, never the group's last owner.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';

const GROUP = DEMO.helpdeskGroup; // baseline members: sofia, emma, noah; owners: sofia, admin
const SRE = 'da21b0b8-a527-4b3f-a29b-9d7ddf61cb44'; // SRE On-Call: one owner (marcus)
const AUDITOR = { as: 'olivia.carter@pimflow.example', roles: ['PimFlow.Auditor'] };
let app: PimApp;

interface DriftDifferenceView {
  id: string;
  kind: string;
  accessId: string;
  principalId: string;
  principalDisplayName: string | null;
  scheduleId: string | null;
  firstSeenDateTime: string;
  removal: { status: string; reason: string | null } | null;
}
interface DriftReportView {
  groupId: string;
  displayName: string;
  lastCheckedDateTime: string;
  differences: DriftDifferenceView[];
}
interface AuditView {
  id: string;
  activityDisplayName: string;
  category: string;
  result: string;
  principalId: string | null;
  groupId: string | null;
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  await manageGroup(app, SRE);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

async function assign(groupId: string, upn: string, accessId: 'member' | 'owner'): Promise<void> {
  const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId,
      groupId,
      principalId: app.user(upn).id,
      justification: 'rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  await app.rt.waitForIdle();
}

/** Changes the Graph stand-in's tenant directly: what an admin clicking in the Entra portal would do. */
async function outsidePim(groupId: string, change: (g: { members: string[]; owners: string[] }) => void) {
  await app.dev.graph.state.change((data) => {
    const group = data.groups.find((g) => g.id === groupId);
    if (!group) throw new Error(`no group ${groupId}`);
    change(group);
  });
}

async function runCheck(): Promise<string> {
  const res = await app.api('driftChecks', { ...ADMIN, method: 'POST' });
  expect(res.status, await res.clone().text()).toBe(202);
  const { id } = (await res.json()) as { id: string };
  await app.rt.waitForIdle();
  const check = await app.json<{ status: string; totals: unknown }>(`driftChecks/${id}`, ADMIN);
  expect(check.status).toBe('completed');
  return id;
}

async function report(groupId: string): Promise<DriftReportView | undefined> {
  const filter = encodeURIComponent(`groupId eq '${groupId}'`);
  const list = await app.json<{ value: DriftReportView[] }>(`driftReports?$filter=${filter}`, ADMIN);
  return list.value[0];
}

async function driftAudits(): Promise<AuditView[]> {
  const filter = encodeURIComponent(`category eq 'Drift'`);
  return (
    await app.json<{ value: AuditView[] }>(`auditLogs/directoryAudits?$filter=${filter}&$top=999`, ADMIN)
  ).value;
}

async function driftMails(): Promise<{ subject: string; text: string }[]> {
  return (await app.mailTo(DEMO.adminUpn)).filter((m) => m.subject.startsWith('Drift in'));
}

describe('drift detection', () => {
  const ids = () => ({
    liam: app.user('liam.obrien').id,
    grace: app.user('grace.okafor').id,
    henry: app.user('henry.taylor').id,
  });

  it('finds members added and assignments removed outside pimflow, audits and mails them, and reports them', async () => {
    const { liam, grace, henry } = ids();
    await assign(GROUP, 'liam.obrien', 'member');
    await assign(GROUP, 'grace.okafor', 'member');
    expect(app.groupMembers(GROUP)).toEqual(expect.arrayContaining([liam, grace]));
    await outsidePim(GROUP, (g) => {
      g.members.push(henry); // added outside pimflow
      g.members = g.members.filter((m) => m !== grace); // pimflow's assignment removed outside it
    });

    await runCheck();

    const drift = await report(GROUP);
    expect(drift?.displayName).toBe('Helpdesk Admin-Group');
    expect(drift?.differences.map((d) => [d.kind, d.accessId, d.principalId])).toEqual(
      expect.arrayContaining([
        ['addedOutsidePim', 'member', henry],
        ['missingAssignment', 'member', grace],
      ]),
    );
    expect(drift?.differences).toHaveLength(2); // liam (assigned) and the baseline are no drift
    const henryDiff = drift?.differences.find((d) => d.principalId === henry);
    expect(henryDiff).toMatchObject({ principalDisplayName: 'Henry Taylor', removal: null });
    expect(drift?.differences.find((d) => d.principalId === grace)?.scheduleId).toMatch(/^[0-9a-f-]{36}$/);

    const audits = (await driftAudits()).filter((a) => a.groupId === GROUP);
    expect(audits.map((a) => [a.activityDisplayName, a.principalId]).sort()).toEqual(
      [
        ['Assigned member missing from group (removed outside PIM)', grace],
        ['Member added to group outside PIM', henry],
      ].sort(),
    );

    const mails = await driftMails();
    const mail = mails.find((m) => m.subject.includes('Helpdesk Admin-Group'));
    expect(mail?.subject).toBe('Drift in Helpdesk Admin-Group: 2 changes outside pimflow');
    expect(mail?.text).toContain('Henry Taylor');
    expect(mail?.text).toContain(grace);
  });

  it('a later run (the daily timer) mails and audits nothing already known', async () => {
    const mailsBefore = (await driftMails()).length;
    const auditsBefore = (await driftAudits()).length;
    const firstSeen = (await report(GROUP))?.differences.map((d) => d.firstSeenDateTime);

    await app.rt.advance('P1D'); // past 02:00: the timer starts a check
    const drift = await report(GROUP);
    expect(drift?.lastCheckedDateTime).toBe('2026-03-03T02:00:00.000Z');
    // The run's id comes from the timer's occurrence: a timer fired twice for it starts one check.
    const run = await app.json<{ status: string; totals: { groups: number } }>(
      'driftChecks/drift-20260303T0200',
      ADMIN,
    );
    expect(run).toMatchObject({ status: 'completed', totals: { groups: 2 } });
    expect(drift?.differences.map((d) => d.firstSeenDateTime)).toEqual(firstSeen);
    expect((await driftMails()).length).toBe(mailsBefore);
    expect((await driftAudits()).length).toBe(auditsBefore);
  });

  it('a resolved difference leaves the report', async () => {
    const { grace } = ids();
    await outsidePim(GROUP, (g) => g.members.push(grace)); // someone put the assignment back
    await runCheck();
    expect((await report(GROUP))?.differences.map((d) => d.principalId)).not.toContain(grace);
  });

  it('refuses bad PATCH bodies with 400 problem+json and changes nothing', async () => {
    const bodies: unknown[] = [
      '{nope',
      {},
      { removeMembersAddedOutsidePim: 'yes' },
      { removeMembersAddedOutsidePim: true, sneaky: 1 },
      [],
    ];
    for (const body of bodies) {
      const res = await app.api(`managedGroups/${GROUP}`, { ...ADMIN, method: 'PATCH', body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await res.json()) as { detail: string }).detail).toBeTruthy();
    }
    const notAdmin = await app.api(`managedGroups/${GROUP}`, {
      as: 'liam.obrien@pimflow.example',
      method: 'PATCH',
      body: { removeMembersAddedOutsidePim: true },
    });
    expect(notAdmin.status).toBe(403);
    const unknown = await app.api('managedGroups/5954f79c-0342-4f18-a20d-d040bab5dd82', {
      ...ADMIN,
      method: 'PATCH',
      body: { removeMembersAddedOutsidePim: true },
    });
    expect(unknown.status).toBe(404);
    const group = await app.json<{ removeMembersAddedOutsidePim: boolean }>(`managedGroups/${GROUP}`, ADMIN);
    expect(group.removeMembersAddedOutsidePim).toBe(false);
  });

  it('with the setting on, removes members added outside pimflow from Graph, audited', async () => {
    const { henry, liam } = ids();
    const patched = await app.json<{ removeMembersAddedOutsidePim: boolean }>(`managedGroups/${GROUP}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { removeMembersAddedOutsidePim: true },
    });
    expect(patched.removeMembersAddedOutsidePim).toBe(true);
    expect(app.groupMembers(GROUP)).toContain(henry);
    const mailsBefore = (await driftMails()).length;

    await runCheck();

    expect(app.groupMembers(GROUP)).not.toContain(henry);
    expect(app.groupMembers(GROUP)).toContain(liam); // pimflow's own assignment stays
    expect(app.groupMembers(GROUP)).toEqual(
      expect.arrayContaining(['sofia.rossi', 'emma.schmidt', 'noah.williams'].map((u) => app.user(u).id)),
    );
    expect(await report(GROUP)).toBeUndefined(); // nothing left: no report listed
    const removal = (await driftAudits()).find(
      (a) =>
        a.activityDisplayName === 'Remove member added outside PIM from group' && a.principalId === henry,
    );
    expect(removal?.result).toBe('success');
    const mails = await driftMails();
    expect(mails.length).toBe(mailsBefore + 1);
    expect(
      mails.filter((m) => m.text.includes('Henry Taylor (') && m.text.includes('removed by pimflow')),
    ).toHaveLength(1);
    const settingAudit = await app.json<{ value: AuditView[] }>(
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`category eq 'GroupManagement' and groupId eq '${GROUP}'`)}`,
      ADMIN,
    );
    expect(settingAudit.value.map((a) => a.activityDisplayName)).toContain(
      'Update settings of group under PIM management',
    );
  });

  it('never removes the last owner', async () => {
    const zoe = app.user('zoe.anderson').id;
    const leo = app.user('leo.fischer').id;
    await app.json(`managedGroups/${SRE}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { removeMembersAddedOutsidePim: true },
    });
    // Outside pimflow: the baseline owner goes (not drift: the baseline only shrinks), two others come.
    await outsidePim(SRE, (g) => {
      g.owners = [zoe, leo];
    });

    await runCheck();

    const owners = app.groupMembers(SRE, 'owners');
    expect(owners).toHaveLength(1);
    expect([zoe, leo]).toContain(owners[0]);
    const drift = await report(SRE);
    expect(drift?.differences).toHaveLength(1);
    expect(drift?.differences[0]).toMatchObject({
      kind: 'addedOutsidePim',
      accessId: 'owner',
      principalId: owners[0],
      removal: { status: 'keptAsLastOwner' },
    });
    const audits = (await driftAudits()).filter((a) => a.groupId === SRE);
    expect(
      audits.find((a) => a.principalId === owners[0] && a.result === 'failure')?.activityDisplayName,
    ).toBe('Remove owner added outside PIM from group');

    // Run again: still kept, nothing new mailed.
    const mailsBefore = (await driftMails()).length;
    await runCheck();
    expect(app.groupMembers(SRE, 'owners')).toEqual(owners);
    expect((await driftMails()).length).toBe(mailsBefore);
  });

  it('lets auditors list every report and a group owner read only their group', async () => {
    const all = await app.json<{ value: DriftReportView[] }>('driftReports', AUDITOR);
    expect(all.value.map((r) => r.groupId)).toContain(SRE);
    const owner = app.user(app.groupMembers(SRE, 'owners')[0] as string).userPrincipalName;
    const own = await app.api(`driftReports?$filter=${encodeURIComponent(`groupId eq '${SRE}'`)}`, {
      as: owner,
    });
    expect(own.status, await own.clone().text()).toBe(200);
    expect((await app.api('driftReports', { as: owner })).status).toBe(403);
    const other = await app.api(`driftReports?$filter=${encodeURIComponent(`groupId eq '${GROUP}'`)}`, {
      as: owner,
    });
    expect(other.status).toBe(403);
    expect((await app.api("driftReports?$filter=kind eq 'x'", ADMIN)).status).toBe(400);
    expect((await app.api('driftChecks', { ...AUDITOR, method: 'POST' })).status).toBe(403);
  });

  it('reports a member added outside pimflow although an assignment of theirs starts only later', async () => {
    const jack = app.user('jack.thompson');
    const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: SRE,
        principalId: jack.id,
        justification: 'next rota',
        scheduleInfo: {
          startDateTime: new Date(Date.now() + 2 * 86_400_000).toISOString(),
          expiration: { type: 'afterDuration', duration: 'P7D' },
        },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    await outsidePim(SRE, (g) => g.members.push(jack.id));
    await runCheck();
    // Reported (audited as added outside pimflow); the group's setting from the test above then removes him.
    const audited = (await driftAudits()).filter((a) => a.principalId === jack.id);
    expect(audited.map((a) => a.activityDisplayName).join('\n')).toMatch(/added outside/i);
  });

  it("drops a group's report when the group leaves management", async () => {
    expect(await report(SRE)).toBeDefined();
    const res = await app.api(`managedGroups/${SRE}`, { ...ADMIN, method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await report(SRE)).toBeUndefined();
    await runCheck(); // and a check skips it
    expect(await report(SRE)).toBeUndefined();
  });
});
