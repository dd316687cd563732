/**
 * Extensions on the virtual clock, through the API: a principal extends an eligibility within 14 days of its end
 * (an owner approves) and its notices and expiry follow the new end; an admin extends at any time; a live
 * activation is extended by its principal — at once, or through the activation's approval when the role's
 * Approval rule has isApprovalRequiredForExtension.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, makeEligible, manageGroup, patchRule } from '../pim/pim-scenario';
import {
  DAY_MS,
  decideCurrentStep,
  endOf,
  lifecycleRequest,
  requestOf,
  schedulesOf,
  subjects,
} from './lifecycle-helpers';
import { apiErrorMessage } from '../helpers';

const GROUP = DEMO.helpdeskGroup;
const T0 = new Date('2026-03-02T09:00:00Z');
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: T0 });
  await manageGroup(app, GROUP);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

async function advanceTo(at: Date): Promise<void> {
  const ms = at.getTime() - app.rt.clock.now().getTime();
  expect(ms).toBeGreaterThanOrEqual(0);
  if (ms > 0) await app.rt.advance(`PT${ms / 1000}S`);
}

async function eligibleFor(principalId: string, duration: string, accessId: 'member' | 'owner' = 'member') {
  const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId,
      groupId: GROUP,
      principalId,
      justification: 'Rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration } },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  await app.rt.waitForIdle();
}

describe('extending an eligibility', () => {
  it('within 14 days of the end, approved by an owner: the end, notices and expiry move', async () => {
    const jack = app.user('jack.thompson');
    const start = app.rt.clock.now();
    await eligibleFor(jack.id, 'P20D');
    const oldEnd = new Date(start.getTime() + 20 * DAY_MS);
    await advanceTo(new Date(start.getTime() + 7 * DAY_MS));
    // 13 days before the end: the 14-day notice went out at day 6.
    expect(await subjects(app, jack.userPrincipalName, /ends in 14 days/)).toHaveLength(1);

    const res = await lifecycleRequest(app, 'eligibility', jack.userPrincipalName, {
      action: 'selfExtend',
      principalId: jack.id,
      groupId: GROUP,
      duration: 'P60D',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as {
      id: string;
      status: string;
      approvalId: string;
      targetScheduleId: string;
    };
    expect(request.status).toBe('PendingAdminDecision');
    const [schedule] = await schedulesOf(app, 'eligibility', jack.id);
    expect(request.targetScheduleId).toBe(schedule?.id);
    await app.rt.waitForIdle();
    // Nothing changes until an owner approves.
    expect(endOf((await schedulesOf(app, 'eligibility', jack.id))[0])).toBe(oldEnd.toISOString());
    await decideCurrentStep(app, request.approvalId, app.user('sofia.rossi').userPrincipalName, 'Approve');
    expect((await requestOf(app, 'eligibility', request.id)).status).toBe('Provisioned');
    const newEnd = new Date(start.getTime() + 67 * DAY_MS);
    const [extended] = await schedulesOf(app, 'eligibility', jack.id);
    expect(extended).toMatchObject({ id: schedule?.id, status: 'Provisioned' });
    expect(endOf(extended)).toBe(newEnd.toISOString());
    expect(await subjects(app, jack.userPrincipalName, /is extended/)).toHaveLength(1);

    // The old end passes quietly: no 1-day notice for it, no expiry.
    await advanceTo(new Date(oldEnd.getTime() + DAY_MS));
    expect(await subjects(app, jack.userPrincipalName, /ends tomorrow/)).toHaveLength(0);
    expect((await schedulesOf(app, 'eligibility', jack.id))[0]?.status).toBe('Provisioned');
    expect((await activate(app, 'jack.thompson', GROUP, 'member')).status).toBe(201);

    // The new end's notices and expiry.
    await advanceTo(new Date(newEnd.getTime() - 14 * DAY_MS));
    expect(await subjects(app, jack.userPrincipalName, /ends in 14 days/)).toHaveLength(2);
    await advanceTo(newEnd);
    expect(await subjects(app, jack.userPrincipalName, /ends tomorrow/)).toHaveLength(1);
    expect((await schedulesOf(app, 'eligibility', jack.id))[0]?.status).toBe('Expired');
  });

  it('by an admin at any time, without an approval', async () => {
    const lucas = app.user('lucas.dubois');
    await makeEligible(app, GROUP, lucas.id, 'member', 3);
    const [schedule] = await schedulesOf(app, 'eligibility', lucas.id);
    const end = new Date(app.rt.clock.now().getTime() + 200 * DAY_MS).toISOString();
    const res = await lifecycleRequest(
      app,
      'eligibility',
      DEMO.adminUpn,
      { action: 'adminExtend', principalId: lucas.id, groupId: GROUP, endDateTime: end },
      ['PimFlow.Admin'],
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as { id: string; approvalId: string | null };
    expect(request.approvalId).toBeNull();
    await app.rt.waitForIdle();
    expect((await requestOf(app, 'eligibility', request.id)).status).toBe('Provisioned');
    const [extended] = await schedulesOf(app, 'eligibility', lucas.id);
    expect(extended?.id).toBe(schedule?.id);
    expect(endOf(extended)).toBe(end);
  });

  it('refuses an end that is not later, a permanent schedule, and someone else’s schedule', async () => {
    const emma = app.user('emma.schmidt');
    await eligibleFor(emma.id, 'P10D');
    const [schedule] = await schedulesOf(app, 'eligibility', emma.id);
    const earlier = await lifecycleRequest(app, 'eligibility', emma.userPrincipalName, {
      action: 'selfExtend',
      principalId: emma.id,
      groupId: GROUP,
      duration: 'P5D',
    });
    expect(earlier.status).toBe(400);
    expect(apiErrorMessage(await earlier.json())).toMatch(/after the current end/);
    const forOther = await lifecycleRequest(app, 'eligibility', emma.userPrincipalName, {
      action: 'selfExtend',
      principalId: app.user('lucas.dubois').id,
      groupId: GROUP,
      duration: 'P30D',
    });
    expect(forOther.status).toBe(403);
    const noJustification = await lifecycleRequest(app, 'eligibility', emma.userPrincipalName, {
      action: 'selfExtend',
      principalId: emma.id,
      groupId: GROUP,
      duration: 'P30D',
      justification: null,
    });
    expect(noJustification.status).toBe(400);
    expect(await schedulesOf(app, 'eligibility', emma.id)).toEqual([schedule]);
  });
});

describe('extending a live activation', () => {
  it('moves its end at once when the role needs no approval for it', async () => {
    const noah = app.user('noah.williams');
    await eligibleFor(noah.id, 'P30D');
    expect((await activate(app, 'noah.williams', GROUP, 'member', { duration: 'PT1H' })).status).toBe(201);
    await app.rt.waitForIdle();
    const activatedAt = app.rt.clock.now();
    expect(app.groupMembers(GROUP)).toContain(noah.id);
    await app.rt.advance('PT30M');
    const res = await lifecycleRequest(app, 'assignment', noah.userPrincipalName, {
      action: 'selfExtend',
      principalId: noah.id,
      groupId: GROUP,
      duration: 'PT3H',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    const [activation] = await schedulesOf(app, 'assignment', noah.id);
    expect(endOf(activation)).toBe(new Date(activatedAt.getTime() + 3.5 * 3600_000).toISOString());
    await app.rt.advance('PT1H');
    expect(app.groupMembers(GROUP)).toContain(noah.id);
    await app.rt.advance('PT2H');
    expect(app.groupMembers(GROUP)).not.toContain(noah.id);
  });

  it('goes through the activation approval when isApprovalRequiredForExtension is set', async () => {
    const patched = await patchRule(app, GROUP, 'member', 'Approval_EndUser_Assignment', (r) => {
      const setting = r.setting as { approvalStages: Record<string, unknown>[] } & Record<string, unknown>;
      return {
        ...r,
        setting: {
          ...setting,
          isApprovalRequired: true,
          isApprovalRequiredForExtension: true,
          approvalStages: [
            {
              ...(setting.approvalStages[0] ?? {}),
              approvalStageTimeOutInDays: 1,
              primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId: GROUP }],
            },
          ],
        },
      };
    });
    expect(patched.status, await patched.clone().text()).toBe(204);
    const ava = app.user('ava.martinez');
    await eligibleFor(ava.id, 'P30D');
    const activation = (await (await activate(app, 'ava.martinez', GROUP, 'member')).json()) as {
      approvalId: string;
    };
    const sofia = app.user('sofia.rossi').userPrincipalName;
    await app.rt.waitForIdle();
    await decideCurrentStep(app, activation.approvalId, sofia, 'Approve');
    expect(app.groupMembers(GROUP)).toContain(ava.id);
    const res = await lifecycleRequest(app, 'assignment', ava.userPrincipalName, {
      action: 'selfExtend',
      principalId: ava.id,
      groupId: GROUP,
      duration: 'PT4H',
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const extension = (await res.json()) as { id: string; status: string; approvalId: string };
    expect(extension.status).toBe('PendingApproval');
    await app.rt.waitForIdle();
    await decideCurrentStep(app, extension.approvalId, sofia, 'Approve');
    expect((await requestOf(app, 'assignment', extension.id)).status).toBe('Provisioned');
    await app.rt.advance('PT2H');
    expect(app.groupMembers(GROUP)).toContain(ava.id);
    await app.rt.advance('PT2H');
    expect(app.groupMembers(GROUP)).not.toContain(ava.id);
  });
});
