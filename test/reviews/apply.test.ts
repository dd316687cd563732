/**
 * Applying an access review's decisions, through the HTTP API on the virtual clock: denied access removed from Graph
 * and its schedules ended (a denied eligibility ends with its activation), approved and undecided access untouched,
 * each item's applyResult recorded; auto-apply, and an admin's applyDecisions; applying twice, a re-run after a crash
 * before the results were recorded; bad input and authorization.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { expectProblem } from '../pim-policy/policy-helpers';
import { activate, ADMIN, BASE, makeEligible, manageGroup } from '../pim/pim-scenario';
import {
  applyUrl,
  assignActive,
  decisionsOf,
  instanceOf,
  seedCompletedReview,
  startAutoApply,
  type SeededReview,
} from './apply-fixtures';
import { decisions as listItems, startReview, users } from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
let app: PimApp;
/** The group's members before any of this (added outside pimflow): never touched. */
let outsideMembers: string[];

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  outsideMembers = app.groupMembers(GROUP);
}, 60_000);

afterAll(async () => {
  await app?.stop();
});

const who = (prefix: string) => app.user(prefix).id;

async function instancesOf(kind: 'assignment' | 'eligibility', principalId: string) {
  const page = await app.json<{ value: { id: string }[] }>(
    `${BASE}/${kind}ScheduleInstances?$filter=principalId eq '${principalId}'`,
    ADMIN,
  );
  return page.value;
}

async function auditNames(correlationId: string): Promise<string[]> {
  const filter = encodeURIComponent(`correlationId eq '${correlationId}'`);
  const page = await app.json<{ value: { activityDisplayName: string }[] }>(
    `auditLogs/directoryAudits?$filter=${filter}&$top=200`,
    ADMIN,
  );
  return page.value.map((a) => a.activityDisplayName);
}

function byPrincipal(decisions: Awaited<ReturnType<typeof decisionsOf>>, principalId: string) {
  const found = decisions.find((d) => d.principal.id === principalId);
  if (!found) throw new Error(`No decision for ${principalId}`);
  return found;
}

describe('auto-apply', () => {
  let review: SeededReview;
  const batchBefore = { sub: 0 };

  it('removes denied memberships and ends their schedules; approved and undecided access stays', async () => {
    const [olivia, daniel, priya, amelia, jack] = [
      'olivia.carter',
      'daniel.kim',
      'priya.nair',
      'amelia.novak',
      'jack.thompson',
    ].map(who) as [string, string, string, string, string];
    const s = {
      olivia: await assignActive(app, GROUP, olivia),
      daniel: await assignActive(app, GROUP, daniel),
      priya: await assignActive(app, GROUP, priya),
      amelia: await assignActive(app, GROUP, amelia),
      jack: await makeEligible(app, GROUP, jack, 'member'),
    };
    const activation = await activate(app, 'jack.thompson', GROUP, 'member', { duration: 'PT8H' });
    expect(activation.status, await activation.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toEqual(
      expect.arrayContaining([olivia, daniel, priya, amelia, jack, ...outsideMembers]),
    );

    review = await seedCompletedReview(
      app,
      GROUP,
      [
        { scheduleId: s.olivia, principalId: olivia, assignmentType: 'active', decision: 'Deny' },
        { scheduleId: s.daniel, principalId: daniel, assignmentType: 'active', decision: 'Deny' },
        { scheduleId: s.priya, principalId: priya, assignmentType: 'active', decision: 'Approve' },
        { scheduleId: s.amelia, principalId: amelia, assignmentType: 'active', decision: 'NotReviewed' },
        // Jack's eligibility is denied: it ends, and so does the activation that came from it.
        { scheduleId: s.jack, principalId: jack, assignmentType: 'eligible', decision: 'Deny' },
      ],
      { autoApply: true },
    );
    batchBefore.sub = app.dev.graph.requestCounts().batchSubRequests;
    await startAutoApply(app, review);
    await app.rt.waitForIdle();

    const members = app.groupMembers(GROUP);
    expect(members).not.toContain(olivia);
    expect(members).not.toContain(daniel);
    expect(members).not.toContain(jack);
    expect(members.sort()).toEqual([priya, amelia, ...outsideMembers].sort());
    // One $batch sub-request per removal, nothing more.
    expect(app.dev.graph.requestCounts().batchSubRequests - batchBefore.sub).toBe(3);

    // The schedules ended through their own orchestrations (no longer in force); approved ones are.
    expect(await instancesOf('assignment', olivia)).toHaveLength(0);
    expect(await instancesOf('assignment', daniel)).toHaveLength(0);
    expect(await instancesOf('assignment', jack)).toHaveLength(0);
    expect(await instancesOf('eligibility', jack)).toHaveLength(0);
    expect(await instancesOf('assignment', priya)).toHaveLength(1);
    expect(await instancesOf('assignment', amelia)).toHaveLength(1);
    const store = (await app.services()).store;
    for (const id of [s.olivia, s.daniel, s.jack]) {
      expect((await store.findSchedule(id, GROUP))?.status).toBe('Revoked');
    }
    expect(await auditNames(s.olivia)).toContain('Remove member from group (PIM removal)');

    const decisions = await decisionsOf(app, review);
    for (const id of [olivia, daniel, jack]) {
      const d = byPrincipal(decisions, id);
      expect(d.applyResult).toBe('AppliedSuccessfully');
      expect(d.appliedBy).toBeNull();
      expect(d.appliedDateTime).not.toBeNull();
    }
    for (const id of [priya, amelia]) {
      const d = byPrincipal(decisions, id);
      expect(d.applyResult).toBe('New');
      expect(d.appliedDateTime).toBeNull();
    }
    const instance = await instanceOf(app, review);
    expect(instance.status).toBe('Applied');
    expect(instance.appliedDateTime).not.toBeNull();
    const audit = await auditNames(review.instanceId);
    expect(audit.filter((n) => n.startsWith('Access review applied: remove'))).toHaveLength(3);
    expect(audit).toContain('Access review decisions applied (member of group)');
  });

  it('a second start changes nothing, and applyDecisions then answers 409', async () => {
    const before = app.dev.graph.requestCounts().batchSubRequests;
    await startAutoApply(app, review);
    await app.rt.waitForIdle();
    expect(app.dev.graph.requestCounts().batchSubRequests).toBe(before);
    await expectProblem(
      await app.api(applyUrl(review), { ...ADMIN, method: 'POST' }),
      409,
      /already applied/,
    );
  });
});

describe('applyDecisions (auto-apply off)', () => {
  let review: SeededReview;
  let liam: string;
  let emma: string;

  beforeAll(async () => {
    liam = who('liam.obrien');
    emma = who('emma.schmidt');
    const liamSchedule = await assignActive(app, GROUP, liam);
    const emmaSchedule = await assignActive(app, GROUP, emma);
    review = await seedCompletedReview(app, GROUP, [
      { scheduleId: liamSchedule, principalId: liam, assignmentType: 'active', decision: 'Deny' },
      { scheduleId: emmaSchedule, principalId: emma, assignmentType: 'active', decision: 'DontKnow' },
    ]);
  });

  it('removes nothing until an admin applies', async () => {
    await app.rt.advance('P1D');
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(liam);
    expect((await instanceOf(app, review)).status).toBe('Completed');
  });

  it('refuses bad input and callers who are not admins', async () => {
    await expectProblem(await app.api(applyUrl(review), { method: 'POST' }), 401);
    await expectProblem(
      await app.api(applyUrl(review), { as: 'liam.obrien@pimflow.example', method: 'POST' }),
      403,
      /PimFlow\.Admin/,
    );
    await expectProblem(
      await app.api(applyUrl(review), {
        as: 'olivia.carter@pimflow.example',
        roles: ['PimFlow.Auditor'],
        method: 'POST',
      }),
      403,
    );
    await expectProblem(
      await app.api(
        `identityGovernance/accessReviews/definitions/nope/instances/${review.instanceId}/applyDecisions`,
        { ...ADMIN, method: 'POST' },
      ),
      400,
      /definitionId/,
    );
    await expectProblem(
      await app.api(
        `identityGovernance/accessReviews/definitions/${review.definitionId}/instances/${crypto.randomUUID()}/applyDecisions`,
        { ...ADMIN, method: 'POST' },
      ),
      404,
    );
    await expectProblem(await app.api(applyUrl(review), { ...ADMIN, body: { force: true } }), 400, /force/);
    await expectProblem(
      await app.api(applyUrl(review), {
        ...ADMIN,
        body: '{not json',
        headers: { 'content-type': 'application/json' },
      }),
      400,
    );
    const running = await seedCompletedReview(app, GROUP, [], { status: 'InProgress' });
    await expectProblem(await app.api(applyUrl(running), { ...ADMIN, method: 'POST' }), 409, /InProgress/);
    expect(app.groupMembers(GROUP)).toContain(liam);
  });

  it('an admin applies: the denied membership goes, applyResult and appliedBy recorded; twice is harmless', async () => {
    const before = app.dev.graph.requestCounts().batchSubRequests;
    const [first, second] = await Promise.all([
      app.api(applyUrl(review), { ...ADMIN, method: 'POST' }),
      app.api(applyUrl(review), { ...ADMIN, body: {} }),
    ]);
    // Graph's answer: 204 No Content; the instance's status tells how the apply goes.
    expect(first.status, await first.clone().text()).toBe(204);
    expect(second.status, await second.clone().text()).toBe(204);
    expect(await first.text()).toBe('');
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).not.toContain(liam);
    expect(app.groupMembers(GROUP)).toContain(emma);
    expect(app.dev.graph.requestCounts().batchSubRequests - before).toBe(1);
    const decisions = await decisionsOf(app, review);
    expect(byPrincipal(decisions, liam)).toMatchObject({
      applyResult: 'AppliedSuccessfully',
      appliedBy: { id: DEMO.admin },
    });
    expect(byPrincipal(decisions, emma).applyResult).toBe('New');
    expect(await instancesOf('assignment', emma)).toHaveLength(1);
    expect((await instanceOf(app, review)).status).toBe('Applied');
    await expectProblem(
      await app.api(applyUrl(review), { ...ADMIN, method: 'POST' }),
      409,
      /already applied/,
    );
  });
});

describe('resuming', () => {
  it('a re-run after a crash before the results were recorded removes nothing twice and labels them right', async () => {
    const noah = who('noah.williams');
    const sofia = who('sofia.rossi');
    const noahSchedule = await assignActive(app, GROUP, noah);
    const sofiaSchedule = await assignActive(app, GROUP, sofia);
    // Sofia's assignment ends before the apply (an admin removes it): her item finds nothing to remove.
    const removed = await app.api(`${BASE}/assignmentScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'adminRemove',
        accessId: 'member',
        groupId: GROUP,
        principalId: sofia,
        justification: 'left',
      },
    });
    expect(removed.status, await removed.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    const review = await seedCompletedReview(app, GROUP, [
      { scheduleId: noahSchedule, principalId: noah, assignmentType: 'active', decision: 'Deny' },
      { scheduleId: sofiaSchedule, principalId: sofia, assignmentType: 'active', decision: 'Deny' },
    ]);
    expect((await app.api(applyUrl(review), { ...ADMIN, method: 'POST' })).status).toBe(204);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).not.toContain(noah);
    let decisions = await decisionsOf(app, review);
    expect(byPrincipal(decisions, noah).applyResult).toBe('AppliedSuccessfully');
    expect(byPrincipal(decisions, sofia).applyResult).toBe('AppliedSuccessfullyButObjectNotFound');

    // As if the process had died after Graph and the end event, before the result was written: Noah's item is
    // New again (its attempt mark stays) and the instance still Applying. The re-run records, and removes nothing.
    const s = await app.services();
    const noahItem = review.items[noahSchedule] as string;
    await s.reviews.decisions.update(noahItem, review.instanceId, (d) => ({
      ...d,
      applyResult: 'New',
      appliedBy: null,
      appliedDateTime: null,
    }));
    await s.reviews.instances.update(review.instanceId, review.definitionId, (i) => ({
      ...i,
      status: 'Applying',
      appliedDateTime: null,
    }));
    const members = app.groupMembers(GROUP);
    const before = app.dev.graph.requestCounts().batchSubRequests;
    expect((await app.api(applyUrl(review), { ...ADMIN, method: 'POST' })).status).toBe(204);
    await app.rt.waitForIdle();
    expect(app.dev.graph.requestCounts().batchSubRequests).toBe(before);
    expect(app.groupMembers(GROUP)).toEqual(members);
    decisions = await decisionsOf(app, review);
    expect(byPrincipal(decisions, noah).applyResult).toBe('AppliedSuccessfully');
    expect((await instanceOf(app, review)).status).toBe('Applied');
    expect(
      (await auditNames(review.instanceId)).filter((n) => n.startsWith('Access review applied')),
    ).toHaveLength(2);
  });
});

describe('end to end: a review with auto-apply, decided by its reviewer, completes and applies', () => {
  it('removes the denied member at the end date, keeps the approved one and those added outside pimflow', async () => {
    const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
    await manageGroup(app, CLOUD_OPS);
    const outside = app.groupMembers(CLOUD_OPS);
    const lucas = who('lucas.dubois');
    const olivia = who('olivia.carter');
    await assignActive(app, CLOUD_OPS, lucas);
    await assignActive(app, CLOUD_OPS, olivia);
    const review = await startReview(app, CLOUD_OPS, {
      reviewers: users(who('priya.nair')),
      scope: {
        roles: [{ groupId: CLOUD_OPS, accessId: 'member' }],
        assignmentTypes: 'active',
        principalTypes: ['user'],
        inactiveDurationInDays: null,
      },
      settings: { instanceDurationInDays: 7, autoApplyDecisionsEnabled: true },
    });
    const priya = { as: 'priya.nair@pimflow.example' };
    const items = await listItems(app, review, priya);
    const item = (id: string) => items.find((i) => i.principal.id === id)?.id as string;
    for (const [id, decision] of [
      [lucas, 'Deny'],
      [olivia, 'Approve'],
    ] as const) {
      const res = await app.api(`${review.url}/decisions/${item(id)}`, {
        ...priya,
        method: 'PATCH',
        body: { decision, justification: 'checked' },
      });
      expect(res.status, await res.clone().text()).toBe(204);
    }
    expect(app.groupMembers(CLOUD_OPS)).toContain(lucas);
    await app.rt.advance('P8D');
    await app.rt.waitForIdle();
    expect(app.groupMembers(CLOUD_OPS).sort()).toEqual([olivia, ...outside].sort());
    expect((await app.json<{ status: string }>(review.url, ADMIN)).status).toBe('Applied');
    const applied = await decisionsOf(app, { ...review, items: {} });
    expect(byPrincipal(applied, lucas)).toMatchObject({
      applyResult: 'AppliedSuccessfully',
      appliedBy: null,
    });
    expect(byPrincipal(applied, olivia).applyResult).toBe('New');
    expect(await instancesOf('assignment', lucas)).toHaveLength(0);
    expect(await instancesOf('assignment', olivia)).toHaveLength(1);
  });
});
