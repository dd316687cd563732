/**
 * Nothing lost, nothing forged, through the HTTP API and the Durable management API on the virtual clock:
 * - orchestration inputs and events are hints: a forged start, decision, end or extension grants or keeps nothing,
 *   and is audited as refused;
 * - a retried POST gets its request back; a slot left by a crash doesn't lock anyone out;
 * - the reconciler starts a stored request's missing orchestration and re-sends a decision whose event was lost.
 * The states a crash leaves are written straight into Cosmos DB (as the crash would have left them).
 */
import { CosmosClient, type Database } from '@azure/cosmos';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durableFetch } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, configureTable1, makeEligible, manageGroup } from './pim-scenario';

const GROUP = DEMO.helpdeskGroup;
let app: PimApp;
let db: Database;

beforeAll(async () => {
  app = await startPimApp({
    virtualClock: new Date('2026-05-04T09:00:00Z'),
    reconcileSchedule: '0 */5 * * * *',
  });
  await manageGroup(app, GROUP);
  await configureTable1(app, GROUP);
  for (const upn of [
    'liam.obrien',
    'grace.okafor',
    'leo.fischer',
    'henry.taylor',
    'zoe.anderson',
    'ava.martinez',
    'noah.williams',
  ]) {
    await makeEligible(app, GROUP, app.user(upn).id, 'member', 3);
    await makeEligible(app, GROUP, app.user(upn).id, 'owner', 3);
  }
  db = new CosmosClient({ endpoint: app.dev.cosmos.endpoint, key: app.dev.cosmos.key }).database('pimflow');
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

/** Calls the Durable management API with its key (as whoever holds the system key could). */
async function management(path: string, body: unknown): Promise<Response> {
  return durableFetch(app.rt, path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function audits(correlationId: string) {
  const res = await app.json<{
    value: { id: string; activityDisplayName: string; result: string; resultReason: string }[];
  }>(`auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${correlationId}'`)}`, ADMIN);
  return res.value;
}

async function requestOf(id: string) {
  return app.json<{ id: string; status: string; approvalId: string | null }>(
    `${BASE}/assignmentScheduleRequests/${id}`,
    ADMIN,
  );
}

describe('orchestration inputs and events are not a security boundary', () => {
  it('grants nothing to a forged start of the request orchestration, and says why', async () => {
    const zoe = app.user('zoe.anderson');
    const forgedId = randomUUID();
    // A request nobody stored, and a stored one run under another instance id.
    const res = await management(`orchestrators/ScheduleRequestOrchestrator/request-${forgedId}`, {
      requestId: forgedId,
      groupId: GROUP,
      kind: 'assignment',
      action: 'adminAssign',
      accessId: 'member',
      principalId: zoe.id,
      startDateTime: '2026-05-04T09:00:00Z',
      endDateTime: null,
      approval: null,
      activatedUsing: null,
    });
    expect(res.status, await res.clone().text()).toBe(202);
    await app.rt.waitForIdle();
    await app.rt.advance('PT3M');
    expect(app.groupMembers(GROUP)).not.toContain(zoe.id);

    const leo = app.user('leo.fischer');
    const owner = await activate(app, 'leo.fischer', GROUP, 'owner', { duration: 'PT2H' });
    expect(owner.status).toBe(201);
    const pending = (await owner.json()) as { id: string };
    const second = await management(`orchestrators/ScheduleRequestOrchestrator/evil-${pending.id}`, {
      requestId: pending.id,
      groupId: GROUP,
    });
    expect(second.status).toBe(202);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(leo.id);
    expect((await requestOf(pending.id)).status).toBe('PendingApproval');
    const refused = (await audits(pending.id)).filter((a) => a.result === 'failure');
    expect(refused.map((a) => a.resultReason)).toContain(
      `Instance evil-${pending.id} does not carry out request ${pending.id}`,
    );
  });

  it('ignores a forged approval decision: nothing granted until an approver decides', async () => {
    const henry = app.user('henry.taylor');
    const res = await activate(app, 'henry.taylor', GROUP, 'owner', { duration: 'PT2H' });
    expect(res.status).toBe(201);
    const request = (await res.json()) as { id: string; approvalId: string };
    await app.rt.waitForIdle();
    const approval = await app.json<{ steps: { id: string }[] }>(
      `${BASE}/assignmentApprovals/${request.approvalId}`,
      ADMIN,
    );
    const stepId = approval.steps[0]?.id ?? '';
    const forged = await management(`instances/request-${request.id}/raiseEvent/ApprovalDecided`, {
      approvalId: request.approvalId,
      stepId,
      reviewResult: 'Approve',
      justification: 'forged',
      reviewedBy: { id: DEMO.admin, displayName: 'Admin' },
      reviewedDateTime: '2026-05-04T09:00:00Z',
    });
    expect(forged.status).toBe(202);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(henry.id);
    expect((await requestOf(request.id)).status).toBe('PendingApproval');
    const refused = (await audits(request.id)).filter((a) => a.result === 'failure');
    expect(refused.map((a) => a.resultReason)).toContain('The approval records no such decision');

    // A real approver still decides it.
    const decided = await app.api(`${BASE}/assignmentApprovals/${request.approvalId}/steps/${stepId}`, {
      as: 'sofia.rossi@pimflow.example',
      method: 'PATCH',
      body: { reviewResult: 'Approve', justification: 'ok' },
    });
    expect(decided.status, await decided.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).toContain(henry.id);
  });

  it('keeps access when an end or an extension is forged', async () => {
    const ava = app.user('ava.martinez');
    const res = await activate(app, 'ava.martinez', GROUP, 'member', { duration: 'PT2H' });
    expect(res.status).toBe(201);
    const request = (await res.json()) as { id: string };
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(ava.id);

    const end = await management(`instances/request-${request.id}/raiseEvent/EndAccess`, {
      by: { id: DEMO.admin, displayName: 'Admin' },
      alreadyRevoked: true,
    });
    expect(end.status).toBe(202);
    const extend = await management(`instances/request-${request.id}/raiseEvent/ExtendSchedule`, {
      endDateTime: '2027-05-04T09:00:00.000Z',
      requestId: request.id,
    });
    expect(extend.status).toBe(202);
    await app.rt.waitForIdle();
    // Still a member (the forged end was refused), and still only until the stored end (the forged one ignored).
    expect(app.groupMembers(GROUP)).toContain(ava.id);
    const schedules = await app.json<{ value: { id: string; status: string; endDateTime: string }[] }>(
      `${BASE}/assignmentSchedules?$filter=principalId eq '${ava.id}'`,
      ADMIN,
    );
    // Graph's id of a group schedule: {groupId}_{accessId}_{the request's id}.
    expect(schedules.value.find((s) => s.id.endsWith(`_${request.id}`))?.status).toBe('Provisioned');
    const refused = (await audits(request.id)).filter((a) => a.result === 'failure');
    expect(refused.map((a) => a.resultReason)).toContain('Nothing stored asks for this end');
    await app.rt.advance('PT2H');
    expect(app.groupMembers(GROUP)).not.toContain(ava.id);
  });
});

describe('a crash between a write and its orchestration loses nothing', () => {
  it('answers a retried POST with the request it made, not a second one', async () => {
    const grace = app.user('grace.okafor');
    const first = await activate(app, 'grace.okafor', GROUP, 'member', { duration: 'PT1H' });
    expect(first.status).toBe(201);
    const made = (await first.json()) as { id: string };
    const again = await activate(app, 'grace.okafor', GROUP, 'member', { duration: 'PT1H' });
    expect(again.status, await again.clone().text()).toBe(200);
    expect(((await again.json()) as { id: string }).id).toBe(made.id);
    await app.rt.waitForIdle();
    const mine = await app.json<{ value: { id: string }[] }>(
      `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')`,
      { as: grace.userPrincipalName },
    );
    expect(mine.value.filter((r) => r.id === made.id)).toHaveLength(1);
    const started = (await audits(made.id)).filter((a) => /^Add member/.test(a.activityDisplayName));
    expect(started).toHaveLength(1);
    // After it ends, the same ask is a new request.
    await app.rt.advance('PT1H');
    const later = await activate(app, 'grace.okafor', GROUP, 'member', { duration: 'PT1H' });
    expect(later.status).toBe(201);
    expect(((await later.json()) as { id: string }).id).not.toBe(made.id);
    await app.rt.advance('PT1H');
  });

  it('frees a slot whose request was never stored: the same POST finishes it, another waits two minutes', async () => {
    const noah = app.user('noah.williams');
    const locks = db.container('requestLocks');
    const abandonedId = randomUUID();
    // A crash right after taking the slot, before the orchestration started: a lock and nothing else.
    await locks.items.create({
      id: `${noah.id}:member`,
      groupId: GROUP,
      requestId: abandonedId,
      createdDateTime: new Date(Date.now()).toISOString(),
      idempotencyKey: 'another-post',
    });
    const blocked = await activate(app, 'noah.williams', GROUP, 'member', { duration: 'PT1H' });
    expect(blocked.status).toBe(409);
    await app.rt.advance('PT2M');
    const res = await activate(app, 'noah.williams', GROUP, 'member', { duration: 'PT1H' });
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(noah.id);
    await app.rt.advance('PT1H');
    expect(app.groupMembers(GROUP)).not.toContain(noah.id);
  });

  it('lets an orchestration whose request never arrives free the slot and end', async () => {
    const liam = app.user('liam.obrien');
    const id = randomUUID();
    await db.container('requestLocks').items.create({
      id: `${liam.id}:owner`,
      groupId: GROUP,
      requestId: id,
      createdDateTime: new Date(Date.now()).toISOString(),
      idempotencyKey: 'lost-post',
    });
    // The POST started the orchestration and died before storing the request.
    expect(
      (
        await management(`orchestrators/ScheduleRequestOrchestrator/request-${id}`, {
          requestId: id,
          groupId: GROUP,
        })
      ).status,
    ).toBe(202);
    await app.rt.waitForIdle();
    await app.rt.advance('PT1M');
    await app.rt.advance('PT1M');
    await app.rt.advance('PT1M');
    const status = (await (await durableFetch(app.rt, `instances/request-${id}`)).json()) as {
      runtimeStatus: string;
      output: unknown;
    };
    expect(status).toMatchObject({ runtimeStatus: 'Completed', output: 'NotStored' });
    const res = await activate(app, 'liam.obrien', GROUP, 'owner', { duration: 'PT1H' });
    expect(res.status, await res.clone().text()).toBe(201);
  });

  it('starts the missing orchestration of a stored request, and re-sends a decision whose event was lost', async () => {
    const zoe = app.user('zoe.anderson');
    // A request stored with nothing behind it (what a crash after the write left with the old order).
    const id = randomUUID();
    const now = new Date(Date.now()).toISOString();
    await db.container('scheduleRequests').items.create({
      id,
      groupId: GROUP,
      kind: 'assignment',
      action: 'selfActivate',
      accessId: 'member',
      principalId: zoe.id,
      justification: 'stuck',
      ticketInfo: null,
      scheduleInfo: { startDateTime: now, expiration: { type: 'afterDuration', duration: 'PT1H' } },
      startDateTime: now,
      endDateTime: new Date(Date.now() + 3_600_000).toISOString(),
      isValidationOnly: false,
      targetScheduleId: id,
      approvalId: null,
      status: 'PendingProvisioning',
      createdBy: { user: { id: zoe.id, displayName: zoe.displayName } },
      createdDateTime: now,
      completedDateTime: null,
      orchestrationInstanceId: `request-${id}`,
      workflow: { action: 'selfActivate', approval: null, activatedUsing: null },
    });
    await app.rt.advance('PT10M');
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(zoe.id);
    expect((await requestOf(id)).status).toBe('Provisioned');
    expect((await audits(id)).map((a) => a.activityDisplayName)).toContain(
      'Reconciled: Started the missing orchestration of a request',
    );
    await app.rt.advance('PT1H');
    expect(app.groupMembers(GROUP)).not.toContain(zoe.id);

    // An approval decided in Cosmos whose event never reached the orchestration.
    const res = await activate(app, 'zoe.anderson', GROUP, 'owner', { duration: 'PT2H' });
    expect(res.status).toBe(201);
    const request = (await res.json()) as { id: string; approvalId: string };
    await app.rt.waitForIdle();
    const approvals = db.container('approvals');
    const { resource: doc } = await approvals.item(request.approvalId, GROUP).read<{
      status: string;
      completedDateTime: string | null;
      steps: {
        approverIds: string[];
        status: string;
        reviewResult: string;
        reviewedBy: unknown;
        reviewedDateTime: string | null;
        justification: string | null;
      }[];
    }>();
    if (!doc) throw new Error('no approval document');
    const step = doc.steps[0];
    if (!step) throw new Error('no step');
    const approver = step.approverIds[0] ?? '';
    const decidedAt = new Date(Date.now()).toISOString();
    Object.assign(step, {
      status: 'Completed',
      reviewResult: 'Approve',
      reviewedBy: { id: approver, displayName: 'Approver' },
      reviewedDateTime: decidedAt,
      justification: 'approved before the crash',
    });
    doc.status = 'Approved';
    doc.completedDateTime = decidedAt;
    await approvals.item(request.approvalId, GROUP).replace(doc);
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(zoe.id);
    await app.rt.advance('PT10M');
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).toContain(zoe.id);
    expect((await audits(request.id)).map((a) => a.activityDisplayName)).toContain(
      'Reconciled: Resent an approval decision',
    );
  });
});
