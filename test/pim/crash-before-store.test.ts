/**
 * The instant issue 11 found: the runtime is SIGKILLed after a POST started the request's orchestration and before
 * the request was stored (the Cosmos stand-in holds the write, so the kill lands exactly there). Before the fix the
 * request stayed PendingProvisioning forever with nothing behind it, and every retry got 409. Now: the client's
 * retry of the same POST finishes that same request; the membership is granted once and revoked once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp } from '../../bench/child-app';
import { testStorage, waitFor } from '../helpers';
import { DEMO } from '../pim-harness';

const BASE = 'identityGovernance/privilegedAccess/group';
const GROUP = DEMO.helpdeskGroup;
const ADMIN = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };
const USER = 'benjamin.lee@pimflow.example';
let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), name: 'pim-crash-store' });
});
afterAll(async () => {
  await app?.dispose();
});

async function hold(collection: string | null): Promise<void> {
  const res = await fetch(`${app.urls.cosmos}_pimflow/hold`, {
    method: collection ? 'POST' : 'DELETE',
    headers: { 'content-type': 'application/json' },
    body: collection ? JSON.stringify({ collection }) : undefined,
  });
  expect(res.status).toBe(204);
}

describe('SIGKILL between starting the orchestration and storing the request', () => {
  it('loses nothing: the retried POST finishes the same request, granted once and revoked once', async () => {
    await app.start(new Date('2026-03-02T09:00:00Z'));
    expect((await app.api('managedGroups', { ...ADMIN, body: { groupId: GROUP } })).status).toBe(201);
    const me = app.user(USER);
    const eligible = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    const eligibilityInstance = `request-${((await eligible.json()) as { id: string }).id}`;
    await waitFor('the eligibility', async () => {
      const res = await app.api(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: USER,
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });

    const activation = {
      as: USER,
      amr: ['pwd', 'mfa'],
      body: {
        action: 'selfActivate',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'incident 42',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    };
    await hold('scheduleRequests');
    const lost = app.api(`${BASE}/assignmentScheduleRequests`, activation).then(
      () => 'answered',
      () => 'no answer',
    );
    // The orchestration is started (its instance exists) and the request's write is held: kill now.
    const instanceId = await waitFor('the request orchestration', async () => {
      const res = await app.adminFetch('/runtime/webhooks/durabletask/instances?top=100');
      const list = (await res.json()) as { instanceId: string; name: string }[];
      return list.find(
        (i) => i.name === 'ScheduleRequestOrchestrator' && i.instanceId !== eligibilityInstance,
      )?.instanceId;
    });
    await app.kill();
    expect(await lost).toBe('no answer');
    expect(app.groupMembers(GROUP)).not.toContain(me.id);

    await app.start();
    // The client retries the same POST: the same request, finished (not a 409, not a second request).
    const retry = await app.api(`${BASE}/assignmentScheduleRequests`, activation);
    expect(retry.status, await retry.clone().text()).toBe(201);
    const request = (await retry.json()) as { id: string };
    expect(`request-${request.id}`).toBe(instanceId);
    await app.advance('PT1M');
    await waitFor('the membership', async () => (app.groupMembers(GROUP).includes(me.id) ? true : undefined));
    const status = await app.json<{ status: string }>(
      `${BASE}/assignmentScheduleRequests/${request.id}`,
      ADMIN,
    );
    expect(status.status).toBe('Provisioned');

    await app.advance('PT1H');
    await waitFor('the revoke', async () => (app.groupMembers(GROUP).includes(me.id) ? undefined : true));
    const audits = await app.audits(`correlationId eq '${request.id}'`);
    const names = audits.map((a) => a.activityDisplayName);
    expect(names.filter((n) => n === 'Add member to group (PIM activation)')).toHaveLength(1);
    expect(names.filter((n) => n === 'Remove member from group (PIM expiry)')).toHaveLength(1);
    const mine = await app.json<{ value: { id: string; status: string }[] }>(
      `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')`,
      { as: USER },
    );
    expect(mine.value.map((r) => r.id)).toEqual([request.id]);
  });
});
