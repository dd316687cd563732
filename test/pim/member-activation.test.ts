/**
 * Table-1's Member row end to end, on the virtual clock, through the HTTP API: an eligible member activates for
 * up to 4 hours with a justification and the authentication context, the membership appears in Graph at once and
 * disappears at the end; early deactivation, custom start, and every refusal the role's settings demand.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, configureTable1, makeEligible, manageGroup, patchRule } from './pim-scenario';
import { expectApiError } from '../helpers';

const GROUP = DEMO.helpdeskGroup;
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  await configureTable1(app, GROUP);
  for (const upn of ['liam.obrien', 'grace.okafor', 'leo.fischer', 'henry.taylor', 'zoe.anderson']) {
    await makeEligible(app, GROUP, app.user(upn).id, 'member', 3);
  }
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

async function requestStatus(id: string, upn: string): Promise<string> {
  const r = await app.json<{ status: string }>(`${BASE}/assignmentScheduleRequests/${id}`, {
    as: `${upn}@pimflow.example`,
  });
  return r.status;
}

describe('member activation (Table-1: no approval, at most 4 h)', () => {
  it('grants membership at once, shows the instance, and revokes it at the end', async () => {
    const liam = app.user('liam.obrien');
    expect(app.groupMembers(GROUP)).not.toContain(liam.id);
    const res = await activate(app, 'liam.obrien', GROUP, 'member', { duration: 'PT4H' });
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as { id: string; status: string; approvalId: string | null };
    expect(request.approvalId).toBeNull();
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(liam.id);
    expect(await requestStatus(request.id, 'liam.obrien')).toBe('Provisioned');
    const instances = await app.json<{
      value: { principalId: string; assignmentType: string; endDateTime: string }[];
    }>(
      `${BASE}/assignmentScheduleInstances?$filter=groupId eq '${GROUP}' and principalId eq '${liam.id}'`,
      ADMIN,
    );
    expect(instances.value).toHaveLength(1);
    expect(instances.value[0]).toMatchObject({
      assignmentType: 'activated',
      endDateTime: '2026-03-02T13:00:00.000Z',
    });
    const mail = await app.mailTo(liam.userPrincipalName);
    expect(mail.some((m) => /is active/.test(m.subject))).toBe(true);

    await app.rt.advance('PT3H59M');
    expect(app.groupMembers(GROUP)).toContain(liam.id);
    await app.rt.advance('PT1M');
    expect(app.groupMembers(GROUP)).not.toContain(liam.id);
    const after = await app.json<{ value: unknown[] }>(
      `${BASE}/assignmentScheduleInstances?$filter=principalId eq '${liam.id}'`,
      { as: liam.userPrincipalName },
    );
    expect(after.value).toHaveLength(0);
    const audit = await app.json<{ value: { activityDisplayName: string; correlationId: string }[] }>(
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${request.id}'`)}`,
      ADMIN,
    );
    const activities = audit.value.map((a) => a.activityDisplayName);
    expect(activities).toContain('Add member to group (PIM activation)');
    expect(activities).toContain('Remove member from group (PIM expiry)');
  });

  it('refuses what the settings forbid with a clear error, changing nothing', async () => {
    const grace = app.user('grace.okafor');
    const cases: [string, Response, number, RegExp][] = [
      [
        'too long',
        await activate(app, 'grace.okafor', GROUP, 'member', { duration: 'PT5H' }),
        400,
        /at most PT4H/,
      ],
      [
        'no justification',
        await activate(app, 'grace.okafor', GROUP, 'member', { justification: null }),
        400,
        /justification/,
      ],
      [
        'no authentication context',
        await activate(app, 'grace.okafor', GROUP, 'member', { acrs: [] }),
        401,
        /authentication context c1/,
      ],
      ['not eligible for owner', await activate(app, 'grace.okafor', GROUP, 'owner'), 403, /not eligible/],
    ];
    for (const [name, res, status, detail] of cases) {
      await expectApiError(res, status, detail, name);
    }
    expect(cases[2]![1].headers.get('www-authenticate')).toMatch(/insufficient_claims", claims="/);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).not.toContain(grace.id);
    const mine = await app.json<{ value: unknown[] }>(
      `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')`,
      {
        as: grace.userPrincipalName,
      },
    );
    expect(mine.value).toHaveLength(0);
  });

  it('refuses activating for someone else, even as an admin', async () => {
    const leo = app.user('leo.fischer');
    const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'selfActivate',
        accessId: 'member',
        groupId: GROUP,
        principalId: leo.id,
        justification: 'x',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(res.status).toBe(403);
  });

  it('ends early on selfDeactivate', async () => {
    const leo = app.user('leo.fischer');
    expect((await activate(app, 'leo.fischer', GROUP, 'member', { duration: 'PT2H' })).status).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(leo.id);
    const again = await activate(app, 'leo.fischer', GROUP, 'member', { duration: 'PT1H' });
    expect(again.status).toBe(409);
    const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
      as: leo.userPrincipalName,
      body: { action: 'selfDeactivate', accessId: 'member', groupId: GROUP, principalId: leo.id },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).not.toContain(leo.id);
  });

  it('waits for a custom start time', async () => {
    const henry = app.user('henry.taylor');
    const start = new Date(app.rt.clock.now().getTime() + 30 * 60_000).toISOString();
    expect(
      (await activate(app, 'henry.taylor', GROUP, 'member', { duration: 'PT1H', startDateTime: start }))
        .status,
    ).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).not.toContain(henry.id);
    await app.rt.advance('PT30M');
    expect(app.groupMembers(GROUP)).toContain(henry.id);
    await app.rt.advance('PT1H');
    expect(app.groupMembers(GROUP)).not.toContain(henry.id);
  });

  it('grants and revokes through a Graph 429 storm', async () => {
    const zoe = app.user('zoe.anderson');
    app.dev.graph.setFaults({ throttleRate: 0.6, retryAfterSeconds: 0 });
    try {
      expect((await activate(app, 'zoe.anderson', GROUP, 'member', { duration: 'PT1H' })).status).toBe(201);
      await app.rt.waitForIdle();
      expect(app.groupMembers(GROUP)).toContain(zoe.id);
      await app.rt.advance('PT1H');
      expect(app.groupMembers(GROUP)).not.toContain(zoe.id);
    } finally {
      app.dev.graph.setFaults({});
    }
  });

  it('notifies as the notification rules of the role say', async () => {
    const james = app.user('james.wilson');
    await makeEligible(app, GROUP, james.id, 'member', 1);
    const requestor = await patchRule(
      app,
      GROUP,
      'member',
      'Notification_Requestor_EndUser_Assignment',
      (r) => ({
        ...r,
        notificationLevel: 'None',
      }),
    );
    expect(requestor.status, await requestor.clone().text()).toBe(204);
    const admins = await patchRule(app, GROUP, 'member', 'Notification_Admin_EndUser_Assignment', (r) => ({
      ...r,
      notificationLevel: 'All',
      notificationRecipients: ['secops@pimflow.example'],
    }));
    expect(admins.status, await admins.clone().text()).toBe(204);
    expect((await activate(app, 'james.wilson', GROUP, 'member', { duration: 'PT1H' })).status).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(james.id);
    expect((await app.mailTo('secops@pimflow.example')).some((m) => m.subject.includes('is active'))).toBe(
      true,
    );
    expect((await app.mailTo(james.userPrincipalName)).some((m) => m.subject.includes('is active'))).toBe(
      false,
    );
  });
});
