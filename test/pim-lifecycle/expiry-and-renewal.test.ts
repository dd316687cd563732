/**
 * An eligible assignment's life on the virtual clock, through the API: notices 14 days and 1 day before the end (to
 * the assignee and the admins), expiry on the day, listed as Expired for 30 days; renewal within 30 days after
 * expiry (owners approve), refused after that; an extension asked for too early is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, makeEligible, manageGroup } from '../pim/pim-scenario';
import {
  DAY_MS,
  decideCurrentStep,
  endOf,
  lifecycleRequest,
  requestOf,
  schedulesOf,
  subjects,
} from './lifecycle-helpers';
import { apiErrorMessage, expectApiError } from '../helpers';

const GROUP = DEMO.helpdeskGroup;
const T0 = new Date('2026-03-02T09:00:00Z');
const ADMIN_MAILBOX = 'admin@pimflow.example';
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: T0 });
  await manageGroup(app, GROUP);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

/** Advances the virtual clock to `at` (which must be ahead). */
async function advanceTo(at: Date): Promise<void> {
  const ms = at.getTime() - app.rt.clock.now().getTime();
  expect(ms).toBeGreaterThanOrEqual(0);
  if (ms > 0) await app.rt.advance(`PT${ms / 1000}S`);
}

describe('a 3-month eligible assignment', () => {
  it('gets its two notices on the right days, expires on the day, and stays listed as Expired for 30 days', async () => {
    const olivia = app.user('olivia.carter');
    await makeEligible(app, GROUP, olivia.id, 'member', 3);
    const end = new Date(T0.getTime() + 90 * DAY_MS);
    const [schedule] = await schedulesOf(app, 'eligibility', olivia.id);
    expect(schedule?.status).toBe('Provisioned');
    expect(endOf(schedule)).toBe(end.toISOString());
    const fourteen = /Your eligible member assignment to .* ends in 14 days/;
    const tomorrow = /Your eligible member assignment to .* ends tomorrow/;

    await advanceTo(new Date(end.getTime() - 14 * DAY_MS - 60_000));
    expect(await subjects(app, olivia.userPrincipalName, fourteen)).toHaveLength(0);
    await advanceTo(new Date(end.getTime() - 14 * DAY_MS));
    expect(await subjects(app, olivia.userPrincipalName, fourteen)).toHaveLength(1);
    // The admins' copy names whose assignment it is.
    expect(
      await subjects(
        app,
        ADMIN_MAILBOX,
        new RegExp(`${olivia.displayName}'s eligible member assignment .* ends in 14 days`),
      ),
    ).toHaveLength(1);

    await advanceTo(new Date(end.getTime() - DAY_MS - 60_000));
    expect(await subjects(app, olivia.userPrincipalName, tomorrow)).toHaveLength(0);
    await advanceTo(new Date(end.getTime() - DAY_MS));
    expect(await subjects(app, olivia.userPrincipalName, tomorrow)).toHaveLength(1);

    await advanceTo(new Date(end.getTime() - 60_000));
    expect((await schedulesOf(app, 'eligibility', olivia.id))[0]?.status).toBe('Provisioned');
    await advanceTo(end);
    const [expired] = await schedulesOf(app, 'eligibility', olivia.id);
    expect(expired).toMatchObject({ id: schedule?.id, status: 'Expired' });
    const instances = await app.json<{ value: unknown[] }>(
      `${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${olivia.id}'`,
      ADMIN,
    );
    expect(instances.value).toHaveLength(0);
    expect(await subjects(app, olivia.userPrincipalName, /has ended/)).toHaveLength(1);
    // Each notice exactly once, and audited.
    expect(await subjects(app, olivia.userPrincipalName, fourteen)).toHaveLength(1);
    expect(await subjects(app, olivia.userPrincipalName, tomorrow)).toHaveLength(1);
    const audit = await app.json<{ value: { activityDisplayName: string }[] }>(
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`principalId eq '${olivia.id}'`)}`,
      ADMIN,
    );
    const names = audit.value.map((a) => a.activityDisplayName);
    expect(names.filter((n) => n.startsWith('Expiry notice sent'))).toHaveLength(2);
    expect(names).toContain('Remove eligible member from group (PIM expiry)');

    // Listed for 30 days after the end, then only in the audit log.
    await advanceTo(new Date(end.getTime() + 30 * DAY_MS - 60_000));
    expect(await schedulesOf(app, 'eligibility', olivia.id)).toHaveLength(1);
    await advanceTo(new Date(end.getTime() + 30 * DAY_MS + 60_000));
    expect(await schedulesOf(app, 'eligibility', olivia.id)).toHaveLength(0);
  });
});

describe('extend and renew windows', () => {
  it('refuses a self-extension more than 14 days before the end, changing nothing', async () => {
    const amelia = app.user('amelia.novak');
    await makeEligible(app, GROUP, amelia.id, 'member', 3);
    const [before] = await schedulesOf(app, 'eligibility', amelia.id);
    const res = await lifecycleRequest(app, 'eligibility', amelia.userPrincipalName, {
      action: 'selfExtend',
      principalId: amelia.id,
      groupId: GROUP,
      duration: 'P180D',
    });
    await expectApiError(res, 400, /within 14 days of its end/);
    expect(await schedulesOf(app, 'eligibility', amelia.id)).toEqual([before]);
  });

  it('renews an expired eligibility within 30 days once an owner approves; refuses after 30 days', async () => {
    const priya = app.user('priya.nair');
    const daniel = app.user('daniel.kim');
    // Ten-day eligibilities: no 14-day notice (it would fall before the start), a 1-day one.
    const start = app.rt.clock.now();
    await makeEligibleFor(priya.id, 'P10D');
    await makeEligibleFor(daniel.id, 'P10D');
    await advanceTo(new Date(start.getTime() + 10 * DAY_MS));
    expect(await subjects(app, priya.userPrincipalName, /ends in 14 days/)).toHaveLength(0);
    expect(await subjects(app, priya.userPrincipalName, /ends tomorrow/)).toHaveLength(1);
    const [expired] = await schedulesOf(app, 'eligibility', priya.id);
    expect(expired?.status).toBe('Expired');

    // Not eligible any more: activation is refused; renewal is the way back.
    expect((await activate(app, 'priya.nair', GROUP, 'member')).status).toBe(403);
    await advanceTo(new Date(start.getTime() + 15 * DAY_MS));
    const res = await lifecycleRequest(app, 'eligibility', priya.userPrincipalName, {
      action: 'selfRenew',
      principalId: priya.id,
      groupId: GROUP,
      duration: 'P90D',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const renewal = (await res.json()) as { id: string; status: string; approvalId: string };
    expect(renewal.status).toBe('PendingAdminDecision');
    await app.rt.waitForIdle();
    // The group's owners decide (Sofia Rossi and the admin own Helpdesk).
    const sofia = app.user('sofia.rossi');
    const asks = (await app.mailTo(sofia.userPrincipalName)).filter((m) =>
      m.text.includes(priya.displayName),
    );
    expect(asks.length).toBeGreaterThan(0);
    await decideCurrentStep(app, renewal.approvalId, sofia.userPrincipalName, 'Approve');
    expect((await requestOf(app, 'eligibility', renewal.id)).status).toBe('Provisioned');
    const schedules = await schedulesOf(app, 'eligibility', priya.id);
    const renewed = schedules.find((s) => s.status === 'Provisioned');
    // A new schedule, named after the renewal request (Graph's group form: {groupId}_{accessId}_{id}).
    expect(renewed?.id).toBe(`${GROUP}_member_${renewal.id}`);
    expect(endOf(renewed)).toBe(new Date(start.getTime() + 105 * DAY_MS).toISOString());
    expect((await activate(app, 'priya.nair', GROUP, 'member')).status).toBe(201);

    // Daniel waited too long.
    await advanceTo(new Date(start.getTime() + 41 * DAY_MS));
    const late = await lifecycleRequest(app, 'eligibility', daniel.userPrincipalName, {
      action: 'selfRenew',
      principalId: daniel.id,
      groupId: GROUP,
      duration: 'P90D',
    });
    expect(late.status).toBe(400);
    expect(apiErrorMessage(await late.json())).toMatch(/more than 30 days ago/);
  });
});

async function makeEligibleFor(principalId: string, duration: string): Promise<void> {
  const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId: 'member',
      groupId: GROUP,
      principalId,
      justification: 'Short rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration } },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  await app.rt.waitForIdle();
}
