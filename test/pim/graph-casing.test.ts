/**
 * Graph's enum values are case-insensitive (issue 15, item 2): its documentation's own examples send
 * `"AdminAssign"` and `"AfterDateTime"`. pimflow takes any casing and stores and answers Graph's own.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from './pim-scenario';

let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, DEMO.helpdeskGroup);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

describe('enum values in any casing', () => {
  it("takes Graph's documentation example as written and answers in Graph's casing", async () => {
    const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...ADMIN,
      body: {
        accessId: 'member',
        principalId: app.user('jack.thompson').id,
        groupId: DEMO.helpdeskGroup,
        action: 'AdminAssign',
        scheduleInfo: {
          startDateTime: '2026-03-02T09:00:00Z',
          expiration: { type: 'AfterDateTime', endDateTime: '2026-06-30T00:00:00Z' },
        },
        justification: 'Assign eligible request.',
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as {
      id: string;
      action: string;
      scheduleInfo: { expiration: { type: string } };
    };
    expect(request.action).toBe('adminAssign');
    expect(request.scheduleInfo.expiration.type).toBe('afterDateTime');
    const stored = await app.json<{ action: string }>(
      `${BASE}/eligibilityScheduleRequests/${request.id}`,
      ADMIN,
    );
    expect(stored.action).toBe('adminAssign');
  });

  it('still refuses a value that is no casing of a known one', async () => {
    const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...ADMIN,
      body: {
        accessId: 'member',
        principalId: app.user('jack.thompson').id,
        groupId: DEMO.helpdeskGroup,
        action: 'AdminAssignNow',
        justification: 'x',
      },
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('action');
  });
});
