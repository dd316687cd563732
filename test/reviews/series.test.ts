/**
 * Access review series on the virtual clock, through the HTTP API: a monthly series over 3 occurrences with 4 roles
 * selected runs 4 instances per occurrence, in parallel, then ends (definition Completed); a one-time review is one
 * occurrence; an endDate range ends with the last start on or before its date; series edits reach occurrences that
 * haven't started; deleting a definition terminates its orchestrations and removes its instances and decisions.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instanceOrchestrationId, seriesInstanceId } from '../../shared/reviews/contract';
import { durableFetch } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';

const DEFS = 'identityGovernance/accessReviews/definitions';
const DAY_MS = 86_400_000;
const T0 = new Date('2026-06-01T09:00:00Z');
const TODAY = '2026-06-01';
const HELPDESK = DEMO.helpdeskGroup;
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
const FOUR_ROLES = [
  { groupId: HELPDESK, accessId: 'member' },
  { groupId: HELPDESK, accessId: 'owner' },
  { groupId: CLOUD_OPS, accessId: 'member' },
  { groupId: CLOUD_OPS, accessId: 'owner' },
];

interface Definition {
  id: string;
  status: string;
}
interface Instance {
  id: string;
  occurrence: number;
  status: string;
  groupId: string;
  accessId: string;
  startDateTime: string;
  endDateTime: string;
  reviewers: { query: string }[];
}

let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: T0 });
  await manageGroup(app, HELPDESK);
  await manageGroup(app, CLOUD_OPS);
  await eligible(HELPDESK, app.user('olivia.carter').id);
  await eligible(HELPDESK, app.user('daniel.kim').id);
  await eligible(CLOUD_OPS, app.user('priya.nair').id);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

/** Makes a user an eligible member of a group for 180 days, through the PIM API. */
async function eligible(groupId: string, principalId: string): Promise<void> {
  const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId: 'member',
      groupId,
      principalId,
      justification: 'Rota',
      scheduleInfo: {
        startDateTime: app.rt.clock.now().toISOString(),
        expiration: { type: 'afterDuration', duration: 'P180D' },
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

function definitionBody(
  roles: { groupId: string; accessId: string }[],
  settings: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return {
    displayName: 'Series review',
    scope: { roles },
    reviewers: [{ query: `/users/${DEMO.admin}` }],
    settings,
    ...extra,
  };
}

async function create(body: unknown): Promise<Definition> {
  const d = await app.json<Definition>(DEFS, { ...ADMIN, body });
  await app.rt.waitForIdle();
  return d;
}

async function definition(id: string): Promise<Definition> {
  return app.json<Definition>(`${DEFS}/${id}`, ADMIN);
}

async function instances(definitionId: string): Promise<Instance[]> {
  const page = await app.json<{ value: Instance[] }>(`${DEFS}/${definitionId}/instances?$top=999`, ADMIN);
  return page.value;
}

function ofOccurrence(all: Instance[], occurrence: number): Instance[] {
  return all.filter((i) => i.occurrence === occurrence);
}

async function runtimeStatus(instanceId: string): Promise<string | undefined> {
  const res = await durableFetch(app.rt, `instances/${instanceId}`);
  if (res.status === 404) return undefined;
  return ((await res.json()) as { runtimeStatus: string }).runtimeStatus;
}

async function advanceTo(at: Date | string): Promise<void> {
  const ms = new Date(at).getTime() - app.rt.clock.now().getTime();
  expect(ms).toBeGreaterThanOrEqual(0);
  if (ms > 0) await app.rt.advance(`PT${ms / 1000}S`);
  await app.rt.waitForIdle();
}

const roleKeys = (list: Instance[]) => list.map((i) => `${i.groupId}/${i.accessId}`).sort();
const FOUR_KEYS = FOUR_ROLES.map((r) => `${r.groupId}/${r.accessId}`).sort();

describe('a monthly series over 3 occurrences with 4 roles selected', () => {
  it('runs 4 instances per occurrence in parallel, then completes', async () => {
    const d = await create(
      definitionBody(FOUR_ROLES, {
        instanceDurationInDays: 7,
        recurrence: {
          pattern: { type: 'absoluteMonthly', interval: 1 },
          range: { type: 'numbered', startDate: TODAY, numberOfOccurrences: 3 },
        },
      }),
    );
    const starts = [T0.toISOString(), '2026-07-01T00:00:00.000Z', '2026-08-01T00:00:00.000Z'];

    // Occurrence 0 starts at once (the start date is today): 4 instances, all InProgress together.
    let all = await instances(d.id);
    expect(all).toHaveLength(4);
    expect(roleKeys(all)).toEqual(FOUR_KEYS);
    for (const i of all) {
      expect(i).toMatchObject({ occurrence: 0, status: 'InProgress', startDateTime: starts[0] });
      expect(i.endDateTime).toBe(new Date(T0.getTime() + 7 * DAY_MS).toISOString());
      expect(await runtimeStatus(instanceOrchestrationId(i.id))).toBe('Running');
    }
    expect((await definition(d.id)).status).toBe('InProgress');
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Running');

    for (let k = 0; k < 3; k++) {
      const start = new Date(starts[k] as string);
      await advanceTo(start);
      all = await instances(d.id);
      const current = ofOccurrence(all, k);
      expect(current, `occurrence ${k}`).toHaveLength(4);
      expect(roleKeys(current)).toEqual(FOUR_KEYS);
      expect(current.map((i) => i.status)).toEqual(['InProgress', 'InProgress', 'InProgress', 'InProgress']);
      expect(current.every((i) => i.startDateTime === starts[k])).toBe(true);
      // The next occurrence is planned only when this one is done.
      expect(ofOccurrence(all, k + 1)).toHaveLength(0);

      await advanceTo(new Date(start.getTime() + 7 * DAY_MS));
      all = await instances(d.id);
      expect(ofOccurrence(all, k).every((i) => i.status === 'Completed')).toBe(true);
      if (k < 2) {
        const next = ofOccurrence(all, k + 1);
        expect(next, `occurrence ${k + 1} planned`).toHaveLength(4);
        expect(next.every((i) => i.status === 'NotStarted' && i.startDateTime === starts[k + 1])).toBe(true);
        expect((await definition(d.id)).status).toBe('InProgress');
      }
    }

    all = await instances(d.id);
    expect(all).toHaveLength(12);
    expect(new Set(all.map((i) => i.id)).size).toBe(12);
    expect((await definition(d.id)).status).toBe('Completed');
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Completed');
    // Nothing more, however long we wait.
    await app.rt.advance('P40D');
    expect(await instances(d.id)).toHaveLength(12);
  });
});

describe('ranges', () => {
  it('a one-time review is one occurrence, starting now; then the definition is Completed', async () => {
    const d = await create(
      definitionBody(FOUR_ROLES.slice(0, 2), { instanceDurationInDays: 3, recurrence: null }),
    );
    const now = app.rt.clock.now();
    let all = await instances(d.id);
    expect(all).toHaveLength(2);
    expect(all.every((i) => i.status === 'InProgress' && i.startDateTime === now.toISOString())).toBe(true);
    await advanceTo(new Date(now.getTime() + 3 * DAY_MS));
    all = await instances(d.id);
    expect(all).toHaveLength(2);
    expect(all.every((i) => i.status === 'Completed')).toBe(true);
    expect((await definition(d.id)).status).toBe('Completed');
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Completed');
    const filter = encodeURIComponent(`correlationId eq '${d.id}' and category eq 'AccessReview'`);
    const audit = await app.json<{ value: { activityDisplayName: string }[] }>(
      `auditLogs/directoryAudits?$filter=${filter}`,
      ADMIN,
    );
    expect(audit.value.map((a) => a.activityDisplayName).sort()).toEqual([
      'Access review series completed',
      'Create access review',
    ]);
  });

  it('an endDate range ends with the last start on or before the end date', async () => {
    const today = app.rt.clock.now().toISOString().slice(0, 10);
    const endDate = new Date(new Date(`${today}T00:00:00Z`).getTime() + 15 * DAY_MS)
      .toISOString()
      .slice(0, 10);
    const d = await create(
      definitionBody([{ groupId: HELPDESK, accessId: 'member' }], {
        instanceDurationInDays: 2,
        recurrence: {
          pattern: { type: 'weekly', interval: 1 },
          range: { type: 'endDate', startDate: today, endDate },
        },
      }),
    );
    await advanceTo(new Date(new Date(`${endDate}T00:00:00Z`).getTime() + 10 * DAY_MS));
    const all = await instances(d.id);
    expect(all.map((i) => i.occurrence).sort()).toEqual([0, 1, 2]);
    expect(all.find((i) => i.occurrence === 2)?.startDateTime).toBe(
      new Date(new Date(`${today}T00:00:00Z`).getTime() + 14 * DAY_MS).toISOString(),
    );
    expect(all.every((i) => i.status === 'Completed')).toBe(true);
    expect((await definition(d.id)).status).toBe('Completed');
  });
});

describe('series edits', () => {
  it('reach the occurrences that have not started, not the ones running', async () => {
    const today = app.rt.clock.now().toISOString().slice(0, 10);
    const d = await create(
      definitionBody([{ groupId: HELPDESK, accessId: 'member' }], {
        instanceDurationInDays: 5,
        recurrence: {
          pattern: { type: 'weekly', interval: 2 },
          range: { type: 'numbered', startDate: today, numberOfOccurrences: 2 },
        },
      }),
    );
    const [first] = await instances(d.id);
    expect(first?.status).toBe('InProgress');
    const olivia = app.user('olivia.carter').id;
    await app.json(`${DEFS}/${d.id}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { reviewers: [{ query: `/users/${olivia}` }], settings: { instanceDurationInDays: 9 } },
    });
    // The running instance keeps its reviewers and end.
    let all = await instances(d.id);
    expect(ofOccurrence(all, 0)[0]).toMatchObject({
      reviewers: [{ query: `/users/${DEMO.admin}` }],
      endDateTime: first?.endDateTime,
    });
    const secondStart = new Date(new Date(`${today}T00:00:00Z`).getTime() + 14 * DAY_MS);
    await advanceTo(new Date(secondStart.getTime() - DAY_MS));
    // Planned (after the first ended) with the edit; another edit before it starts still reaches it.
    expect(ofOccurrence(await instances(d.id), 1)[0]).toMatchObject({
      status: 'NotStarted',
      reviewers: [{ query: `/users/${olivia}` }],
    });
    const daniel = app.user('daniel.kim').id;
    await app.json(`${DEFS}/${d.id}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { reviewers: [{ query: `/users/${daniel}` }], settings: { instanceDurationInDays: 10 } },
    });
    await advanceTo(secondStart);
    all = await instances(d.id);
    expect(ofOccurrence(all, 1)[0]).toMatchObject({
      status: 'InProgress',
      startDateTime: secondStart.toISOString(),
      endDateTime: new Date(secondStart.getTime() + 10 * DAY_MS).toISOString(),
      reviewers: [{ query: `/users/${daniel}` }],
    });
    expect(ofOccurrence(all, 0)[0]).toMatchObject({ reviewers: [{ query: `/users/${DEMO.admin}` }] });
  });
});

describe('DELETE during a series', () => {
  it('terminates the series and instance orchestrations and removes instances and decisions', async () => {
    const today = app.rt.clock.now().toISOString().slice(0, 10);
    const d = await create(
      definitionBody(FOUR_ROLES, {
        instanceDurationInDays: 7,
        recurrence: {
          pattern: { type: 'absoluteMonthly', interval: 1 },
          range: { type: 'noEnd', startDate: today },
        },
      }),
    );
    const running = await instances(d.id);
    expect(running).toHaveLength(4);
    const helpdeskMembers = running.find((i) => i.groupId === HELPDESK && i.accessId === 'member');
    const items = await app.json<{ value: unknown[] }>(
      `${DEFS}/${d.id}/instances/${helpdeskMembers?.id}/decisions?$top=999`,
      ADMIN,
    );
    expect(items.value.length).toBeGreaterThanOrEqual(2);
    const s = await app.services(); // the app's ReviewStore: to see what is left after a delete

    const res = await app.api(`${DEFS}/${d.id}`, { ...ADMIN, method: 'DELETE' });
    expect(res.status, await res.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Terminated');
    for (const i of running) expect(await runtimeStatus(instanceOrchestrationId(i.id))).toBe('Terminated');
    expect((await app.api(`${DEFS}/${d.id}`, ADMIN)).status).toBe(404);
    expect((await app.api(`${DEFS}/${d.id}/instances`, ADMIN)).status).toBe(404);
    expect((await s.reviews.listInstances(d.id, 100)).items).toHaveLength(0);
    for (const i of running) {
      expect((await s.reviews.listDecisions({ instanceId: i.id, pageSize: 100 })).items).toHaveLength(0);
    }
    // Nothing comes back at the next occurrence.
    await app.rt.advance('P40D');
    expect((await s.reviews.listInstances(d.id, 100)).items).toHaveLength(0);
  });

  it('ends a series still waiting for its first occurrence', async () => {
    const startDate = new Date(app.rt.clock.now().getTime() + 10 * DAY_MS).toISOString().slice(0, 10);
    const d = await create(
      definitionBody([{ groupId: CLOUD_OPS, accessId: 'member' }], {
        instanceDurationInDays: 7,
        recurrence: {
          pattern: { type: 'absoluteMonthly', interval: 1 },
          range: { type: 'noEnd', startDate },
        },
      }),
    );
    const planned = await instances(d.id);
    expect(planned).toHaveLength(1);
    expect(planned[0]).toMatchObject({ status: 'NotStarted', startDateTime: `${startDate}T00:00:00.000Z` });
    expect((await definition(d.id)).status).toBe('NotStarted');
    expect((await app.api(`${DEFS}/${d.id}`, { ...ADMIN, method: 'DELETE' })).status).toBe(204);
    await app.rt.waitForIdle();
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Terminated');
    await app.rt.advance('P15D');
    const s = await app.services(); // the app's ReviewStore: to see what is left after a delete
    expect((await s.reviews.listInstances(d.id, 100)).items).toHaveLength(0);
  });
});

describe('POST definitions/{id}/stop', () => {
  it('stops the running instances, plans no more occurrences, and is final', async () => {
    const today = app.rt.clock.now().toISOString().slice(0, 10);
    const d = await create(
      definitionBody(FOUR_ROLES.slice(0, 2), {
        instanceDurationInDays: 7,
        recurrence: {
          pattern: { type: 'absoluteMonthly', interval: 1 },
          range: { type: 'noEnd', startDate: today },
        },
      }),
    );
    const running = await instances(d.id);
    expect(running.map((i) => i.status)).toEqual(['InProgress', 'InProgress']);

    const user = { as: app.user('olivia.carter').userPrincipalName };
    expect((await app.api(`${DEFS}/${d.id}/stop`, { ...user, method: 'POST' })).status).toBe(403);
    expect((await app.api(`${DEFS}/not-a-guid/stop`, { ...ADMIN, method: 'POST' })).status).toBe(400);
    const res = await app.api(`${DEFS}/${d.id}/stop`, { ...ADMIN, method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect((await definition(d.id)).status).toBe('Completed');
    for (const i of await instances(d.id)) expect(i.status).toBe('Completed');
    expect(await runtimeStatus(seriesInstanceId(d.id))).toBe('Completed');
    const again = await app.api(`${DEFS}/${d.id}/stop`, { ...ADMIN, method: 'POST' });
    expect(again.status).toBe(409);

    const audit = await app.json<{ value: { activityDisplayName: string }[] }>(
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${d.id}'`)}`,
      ADMIN,
    );
    expect(audit.value.map((a) => a.activityDisplayName)).toContain('Access review series stopped');
    // No next occurrence.
    await app.rt.advance('P40D');
    expect(await instances(d.id)).toHaveLength(2);
  });
});
