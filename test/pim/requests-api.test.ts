/**
 * The requests and schedules API's edges: every kind of bad input answers 400 (Graph's error) and stores nothing;
 * who may do what (admins, active owners of the group, auditors, principals, anyone else); one open request.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, makeEligible, manageGroup } from './pim-scenario';
import { expectApiError } from '../helpers';

const GROUP = DEMO.helpdeskGroup;
const SOFIA = 'sofia.rossi@pimflow.example'; // an owner of the group
const AUDITOR = { as: 'lucas.dubois@pimflow.example', roles: ['PimFlow.Auditor'] };
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

async function storedRequests(): Promise<number> {
  return (
    (await app.json<{ value: unknown[] }>(`${BASE}/eligibilityScheduleRequests?$top=999`, ADMIN)).value
      .length +
    (await app.json<{ value: unknown[] }>(`${BASE}/assignmentScheduleRequests?$top=999`, ADMIN)).value.length
  );
}

describe('bad input', () => {
  it('answers 400 with a useful detail and stores nothing', async () => {
    const before = await storedRequests();
    const liam = app.user('liam.obrien').id;
    const valid = {
      action: 'adminAssign',
      accessId: 'member',
      groupId: GROUP,
      principalId: liam,
      justification: 'x',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    };
    const bodies: [string, unknown][] = [
      ['not JSON', '{nope'],
      ['unknown action', { ...valid, action: 'makeMeAdmin' }],
      ['unknown accessId', { ...valid, accessId: 'king' }],
      ['groupId not a GUID', { ...valid, groupId: 'helpdesk' }],
      ['unknown field', { ...valid, sneaky: true }],
      [
        'bad duration',
        { ...valid, scheduleInfo: { expiration: { type: 'afterDuration', duration: 'two days' } } },
      ],
      [
        'end before start',
        {
          ...valid,
          scheduleInfo: {
            startDateTime: '2026-03-05T00:00:00Z',
            expiration: { type: 'afterDateTime', endDateTime: '2026-03-04T00:00:00Z' },
          },
        },
      ],
      [
        'start in the past',
        {
          ...valid,
          scheduleInfo: { startDateTime: '2020-01-01T00:00:00Z', expiration: { type: 'noExpiration' } },
        },
      ],
      ['unknown principal', { ...valid, principalId: '00000000-0000-4000-8000-000000000001' }],
      ['not supported', { ...valid, action: 'adminUpdate' }],
      ['self action on eligibility', { ...valid, action: 'selfActivate' }],
    ];
    for (const [name, body] of bodies) {
      const res = await app.api(`${BASE}/eligibilityScheduleRequests`, { ...ADMIN, body });
      expect((await expectApiError(res, 400, undefined, name)).length, name).toBeGreaterThan(10);
    }
    const queries = [
      `$filter=${encodeURIComponent("displayName eq 'x'")}`,
      '$top=0',
      '$top=abc',
      '$orderby=id',
      `$filter=${encodeURIComponent('groupId gt 1')}`,
    ];
    for (const q of queries) {
      expect((await app.api(`${BASE}/eligibilityScheduleRequests?${q}`, ADMIN)).status, q).toBe(400);
      expect((await app.api(`${BASE}/assignmentScheduleInstances?${q}`, ADMIN)).status, q).toBe(400);
    }
    expect((await app.api(`${BASE}/eligibilityScheduleRequests/not-a-guid`, ADMIN)).status).toBe(400);
    expect(
      (await app.api(`${BASE}/eligibilityScheduleRequests/00000000-0000-4000-8000-000000000001`, ADMIN))
        .status,
    ).toBe(404);
    await app.rt.waitForIdle();
    expect(await storedRequests()).toBe(before);
  });
});

describe('who may do what', () => {
  it('lets admins and active owners of the group assign; not auditors or other users', async () => {
    const grace = app.user('grace.okafor').id;
    const body = (principalId: string) => ({
      action: 'adminAssign',
      accessId: 'member',
      groupId: GROUP,
      principalId,
      justification: 'rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    });
    expect(
      (
        await app.api(`${BASE}/eligibilityScheduleRequests`, {
          as: 'mia.chen@pimflow.example',
          body: body(grace),
        })
      ).status,
    ).toBe(403);
    expect(
      (await app.api(`${BASE}/eligibilityScheduleRequests`, { ...AUDITOR, body: body(grace) })).status,
    ).toBe(403);
    expect((await app.api(`${BASE}/eligibilityScheduleRequests`, { body: body(grace) })).status).toBe(401);
    const byOwner = await app.api(`${BASE}/eligibilityScheduleRequests`, { as: SOFIA, body: body(grace) });
    expect(byOwner.status, await byOwner.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    // One open request per principal, group and role: a second while the first is pending creation would be 409;
    // once provisioned, a new eligibility is a separate schedule.
    const mine = await app.json<{ value: { principalId: string }[] }>(
      `${BASE}/eligibilitySchedules?$filter=principalId eq '${grace}'`,
      {
        as: 'grace.okafor@pimflow.example',
      },
    );
    expect(mine.value).toHaveLength(1);
  });

  it('shows people their own requests and schedules, auditors everything, others nothing', async () => {
    const ethan = app.user('ethan.brown');
    await makeEligible(app, GROUP, ethan.id, 'member', 1);
    const own = await app.api(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${ethan.id}'`, {
      as: ethan.userPrincipalName,
    });
    expect(own.status).toBe(200);
    expect(((await own.json()) as { value: unknown[] }).value).toHaveLength(1);
    expect(
      (
        await app.api(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${ethan.id}'`, {
          as: 'mia.chen@pimflow.example',
        })
      ).status,
    ).toBe(403);
    expect(
      (await app.api(`${BASE}/eligibilityScheduleInstances`, { as: 'mia.chen@pimflow.example' })).status,
    ).toBe(403);
    const audited = await app.json<{ value: unknown[] }>(
      `${BASE}/eligibilityScheduleInstances?$filter=groupId eq '${GROUP}'`,
      AUDITOR,
    );
    expect(audited.value.length).toBeGreaterThan(0);
    const mineOnly = await app.json<{ value: { principalId: string }[] }>(
      `${BASE}/eligibilityScheduleRequests/filterByCurrentUser(on='principal')`,
      {
        as: ethan.userPrincipalName,
      },
    );
    expect(mineOnly.value.every((r) => r.principalId === ethan.id)).toBe(true);
    expect(mineOnly.value.length).toBe(1);
  });

  it('pages lists with @odata.nextLink', async () => {
    for (const upn of ['isabella.garcia', 'charlotte.davies', 'harper.singh'])
      await makeEligible(app, GROUP, app.user(upn).id, 'owner', 1);
    const seen: string[] = [];
    let url: string | undefined =
      `${BASE}/eligibilityScheduleRequests?$filter=${encodeURIComponent(`groupId eq '${GROUP}' and accessId eq 'owner'`)}&$top=2`;
    let pages = 0;
    while (url) {
      const page: { value: { id: string }[]; '@odata.nextLink'?: string } = await app.json(url, ADMIN);
      seen.push(...page.value.map((r) => r.id));
      url = page['@odata.nextLink']?.replace(`${app.rt.urls.api}/`, '');
      pages++;
    }
    expect(seen.length).toBe(3);
    expect(new Set(seen).size).toBe(3);
    expect(pages).toBeGreaterThanOrEqual(2);
  });
});
