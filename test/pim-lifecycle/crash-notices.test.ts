/**
 * A lifecycle survives a crash: the product app runs in a child process on a virtual clock and is SIGKILLed just
 * as its 14-day notice goes out. After a restart the notice is not sent twice, the 1-day notice comes on its day,
 * and the eligibility still expires on time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp } from '../../bench/child-app';
import { testStorage, waitFor } from '../helpers';
import { DEMO } from '../pim-harness';

const BASE = 'identityGovernance/privilegedAccess/group';
const GROUP = DEMO.helpdeskGroup;
const DAY_MS = 86_400_000;
let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({
    storage: testStorage(),
    name: 'lifecycle-crash',
    // Weeks on the virtual clock: the reconciler daily, not at each of its 5-minute occurrences.
    env: { RECONCILE_SCHEDULE: '0 0 3 * * *' },
  });
});

afterAll(async () => {
  await app?.dispose();
});

const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };
const HARPER = 'harper.singh@pimflow.example';

async function subjects(pattern: RegExp): Promise<string[]> {
  return (await app.mail(HARPER)).map((m) => m.subject).filter((s) => pattern.test(s));
}

async function scheduleStatus(principalId: string): Promise<string | undefined> {
  const res = await app.api(`${BASE}/eligibilitySchedules?$filter=principalId eq '${principalId}'`, admin);
  return ((await res.json()) as { value: { status: string }[] }).value[0]?.status;
}

describe('SIGKILL between a notice and the expiry', () => {
  it('sends no notice twice and misses no expiry', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await app.start(t0);
    expect((await app.api('managedGroups', { ...admin, body: { groupId: GROUP } })).status).toBe(201);
    const me = (await (await app.api('me', { as: HARPER })).json()) as { id: string };
    const eligible = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P20D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    await waitFor('the eligibility', async () =>
      (await scheduleStatus(me.id)) === 'Provisioned' ? true : undefined,
    );

    // Day 6 is 14 days before the end: kill the runtime the moment the notice reaches the mailbox (the
    // orchestration has likely not recorded the activity yet, so it runs again after the restart).
    void app.advance('P6D').catch(() => undefined);

    await waitFor('the 14-day notice', async () =>
      (await subjects(/ends in 14 days/)).length > 0 ? true : undefined,
    );
    await app.kill();

    await app.start(new Date(t0.getTime() + 6 * DAY_MS));
    await app.advance('P13D');
    await waitFor('the 1-day notice', async () =>
      (await subjects(/ends tomorrow/)).length > 0 ? true : undefined,
    );
    expect(await subjects(/ends in 14 days/)).toHaveLength(1);
    expect(await scheduleStatus(me.id)).toBe('Provisioned');

    await app.advance('P1D');
    await waitFor('the expiry', async () => ((await scheduleStatus(me.id)) === 'Expired' ? true : undefined));
    await waitFor('the end notice', async () =>
      (await subjects(/has ended/)).length > 0 ? true : undefined,
    );
    expect(await subjects(/ends in 14 days/)).toHaveLength(1);
    expect(await subjects(/ends tomorrow/)).toHaveLength(1);
    expect(await subjects(/has ended/)).toHaveLength(1);
  }, 120_000);
});
