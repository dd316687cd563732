/**
 * PIM for Groups' schedules and instances one by one, through the HTTP API: GET {id} on `eligibilitySchedules`,
 * `assignmentSchedules`, `eligibilityScheduleInstances`, `assignmentScheduleInstances` (admins, auditors, the
 * group's managers and the principal; 404 to anyone else, so ids can't be probed), and
 * `filterByCurrentUser(on='principal')` on each (the caller's own only).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, makeEligible, manageGroup } from './pim-scenario';

const GROUP = DEMO.helpdeskGroup; // owners: Sofia Rossi and the admin
const AUDITOR = { as: 'priya.nair@pimflow.example', roles: ['PimFlow.Auditor'] };
const GRACE = 'grace.okafor@pimflow.example';
const OLIVIA = 'olivia.carter@pimflow.example';
const SOFIA = 'sofia.rossi@pimflow.example';
let app: PimApp;
let graceId: string;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  graceId = app.user('grace.okafor').id;
  await makeEligible(app, GROUP, graceId, 'member');
  const active = await app.api(`${BASE}/assignmentScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId: 'owner',
      groupId: GROUP,
      principalId: graceId,
      justification: 'Covering for Sofia',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P7D' } },
    },
  });
  expect(active.status, await active.clone().text()).toBe(201);
  await app.rt.waitForIdle();
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const COLLECTIONS = [
  'eligibilitySchedules',
  'assignmentSchedules',
  'eligibilityScheduleInstances',
  'assignmentScheduleInstances',
] as const;

/** Grace's item of the collection, as an admin lists it. */
async function graces(collection: string): Promise<{ id: string; principalId: string; groupId: string }> {
  const filter = encodeURIComponent(`principalId eq '${graceId}'`);
  const list = await app.json<{ value: { id: string; principalId: string; groupId: string }[] }>(
    `${BASE}/${collection}?$filter=${filter}`,
    ADMIN,
  );
  expect(list.value, collection).toHaveLength(1);
  return list.value[0]!;
}

describe('group schedules and instances', () => {
  it.each(COLLECTIONS)(
    '%s/{id}: the principal, managers, admins and auditors read it; others get 404',
    async (c) => {
      const item = await graces(c);
      for (const who of [ADMIN, AUDITOR, { as: GRACE }, { as: SOFIA }]) {
        const one = await app.json<{ id: string; principalId: string }>(`${BASE}/${c}/${item.id}`, who);
        expect(one).toMatchObject({ id: item.id, principalId: graceId, groupId: GROUP });
      }
      await expectApiError(await app.api(`${BASE}/${c}/${item.id}`, { as: OLIVIA }), 404);
      await expectApiError(await app.api(`${BASE}/${c}/8d2f0c35-1111-4222-8333-944445555666`, ADMIN), 404);
      await expectApiError(await app.api(`${BASE}/${c}/not-an-id`, ADMIN), 400, /GUID/);
    },
  );

  it.each(COLLECTIONS)("%s/filterByCurrentUser(on='principal'): the caller's own only", async (c) => {
    const item = await graces(c);
    const mine = (as: string) =>
      app.json<{ value: { id: string; principalId: string }[] }>(
        `${BASE}/${c}/filterByCurrentUser(on='principal')`,
        { as },
      );
    expect((await mine(GRACE)).value.map((s) => s.id)).toEqual([item.id]);
    expect((await mine(OLIVIA)).value).toEqual([]);
    await expectApiError(
      await app.api(`${BASE}/${c}/filterByCurrentUser(on='approver')`, { as: GRACE }),
      400,
      /on must be 'principal'/,
    );
  });
});
