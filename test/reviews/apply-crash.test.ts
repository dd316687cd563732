/**
 * SIGKILL mid-apply: the product app runs in a child process on a virtual clock; a completed review denies most of a
 * group's active members; Graph is made slow and the runtime is killed while the apply's `$batch` of removals is on
 * its way. After a restart every denied membership is gone, every other member (approved, and those added outside
 * pimflow) is still there, each denied item is AppliedSuccessfully and audited once, each schedule ended once.
 */
import { CosmosClient } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp, COSMOS_KEY } from '../../bench/child-app';
import { ReviewStore } from '../../shared/reviews/adapters/review-store';
import * as contract from '../../shared/reviews/contract';
import * as ids from '../../shared/reviews/domain/review-ids';
import { testStorage, waitFor } from '../helpers';
import { DEMO } from '../pim-harness';

const names = { ...contract, ...ids };

const BASE = 'identityGovernance/privilegedAccess/group';
const GROUP = DEMO.helpdeskGroup;
let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), name: 'review-crash' });
});

afterAll(async () => {
  await app?.dispose();
});

const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };

function members(): string[] {
  return app.groupMembers(GROUP);
}

/** The app's ReviewStore (from source) over the child's Cosmos stand-in. */
function store() {
  const client = new CosmosClient({ endpoint: app.urls.cosmos, key: COSMOS_KEY });
  return new ReviewStore(client.database('pimflow'));
}

async function audits(correlationId: string): Promise<string[]> {
  return (await app.audits(`correlationId eq '${correlationId}'`)).map((a) => a.activityDisplayName);
}

describe('SIGKILL during an apply', () => {
  it('removes every denied membership once after a restart, and touches nothing else', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await app.start(t0);
    expect((await app.api('managedGroups', { ...admin, body: { groupId: GROUP } })).status).toBe(201);
    const outside = members();
    // Twelve demo users get an active membership through pimflow; eight are denied.
    const people = app
      .tenant()
      .users.filter((u) => u.id !== DEMO.admin && !outside.includes(u.id))
      .slice(0, 12);
    expect(people).toHaveLength(12);
    const schedules: Record<string, string> = {};
    for (const p of people) {
      const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
        ...admin,
        body: {
          action: 'adminAssign',
          accessId: 'member',
          groupId: GROUP,
          principalId: p.id,
          justification: 'rota',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
        },
      });
      expect(res.status, await res.clone().text()).toBe(201);
      schedules[p.id] = ((await res.json()) as { id: string }).id;
    }
    await waitFor('the memberships', async () =>
      people.every((p) => members().includes(p.id)) ? true : undefined,
    );
    const denied = people.slice(0, 8).map((p) => p.id);
    const approved = people.slice(8).map((p) => p.id);

    // The completed review, as the instance orchestration leaves it.
    const reviews = store();
    const now = t0.toISOString();
    const definitionId = crypto.randomUUID();
    const instanceId = names.reviewInstanceId(definitionId, 0, GROUP, 'member');
    const reviewers = [{ query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' as const }];
    await reviews.definitions.create({
      id: definitionId,
      displayName: 'Crash review',
      descriptionForAdmins: null,
      descriptionForReviewers: null,
      scope: {
        roles: [{ groupId: GROUP, accessId: 'member' }],
        assignmentTypes: 'active',
        principalTypes: ['user'],
        inactiveDurationInDays: null,
      },
      reviewers,
      fallbackReviewers: [],
      additionalNotificationRecipients: [],
      settings: {
        instanceDurationInDays: 7,
        recurrence: null,
        autoApplyDecisionsEnabled: false,
        defaultDecisionEnabled: false,
        defaultDecision: 'Recommendation',
        recommendationsEnabled: false,
        recommendationLookBackDuration: 'P30D',
        justificationRequiredOnApproval: false,
        mailNotificationsEnabled: false,
        reminderNotificationsEnabled: false,
      },
      status: 'Completed',
      createdBy: { id: DEMO.admin, displayName: 'PIM Admin', userPrincipalName: DEMO.adminUpn },
      createdDateTime: now,
      lastModifiedDateTime: now,
      orchestrationInstanceId: names.seriesInstanceId(definitionId),
    });
    await reviews.instances.create({
      id: instanceId,
      definitionId,
      occurrence: 0,
      groupId: GROUP,
      accessId: 'member',
      groupDisplayName: 'Helpdesk Admin-Group',
      startDateTime: now,
      endDateTime: now,
      status: 'Completed',
      reviewers,
      fallbackReviewers: [],
      contactedReviewerIds: [],
      stoppedBy: null,
      completedDateTime: now,
      appliedDateTime: null,
      orchestrationInstanceId: names.instanceOrchestrationId(instanceId),
    });
    for (const p of people) {
      const scheduleId = schedules[p.id] as string;
      await reviews.decisions.create({
        id: names.reviewDecisionId(instanceId, scheduleId),
        instanceId,
        definitionId,
        accessReviewId: definitionId,
        principal: {
          id: p.id,
          displayName: p.displayName,
          userPrincipalName: p.userPrincipalName,
          type: 'user',
        },
        resource: { groupId: GROUP, accessId: 'member', displayName: 'Helpdesk Admin-Group' },
        scheduleId,
        assignmentType: 'active',
        lastSignInDateTime: null,
        recommendation: 'NoInfoAvailable',
        decision: denied.includes(p.id) ? 'Deny' : 'Approve',
        justification: 'reviewed',
        reviewedBy: { id: DEMO.admin, displayName: 'PIM Admin' },
        reviewedDateTime: now,
        reviewerIds: [DEMO.admin],
        applyResult: 'New',
        appliedBy: null,
        appliedDateTime: null,
      });
    }

    // Graph slow; apply; kill once the items are marked attempted, i.e. while their $batch is on its way.
    await app.graphFaults({ delayMs: 3000 });
    const applied = await app.api(
      `identityGovernance/accessReviews/definitions/${definitionId}/instances/${instanceId}/applyDecisions`,
      { ...admin, method: 'POST' },
    );
    expect(applied.status, await applied.clone().text()).toBe(204);
    await waitFor(
      'the items marked attempted',
      async () => {
        const page = await reviews.decisions.queryPage(
          "SELECT * FROM c WHERE c.instanceId = @i AND c.decision = 'Deny'",
          { '@i': instanceId },
          { partitionKey: instanceId, pageSize: 100 },
        );
        return page.items.every((d) => d.applyAttemptedDateTime) ? true : undefined;
      },
      20_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await app.kill();
    // Killed mid-flight: the $batch of removals had not been answered.
    for (const id of denied) expect(members()).toContain(id);

    // Restart (Graph's faults are gone with the process; its state and Cosmos persist).
    await app.start(t0);
    const after = store();
    await waitFor(
      'the apply after the restart',
      async () =>
        (await after.instances.get(instanceId, definitionId)).status === 'Applied' ? true : undefined,
      60_000,
    );
    const now2 = members();
    for (const id of denied) expect(now2).not.toContain(id);
    expect(now2.sort()).toEqual([...approved, ...outside].sort());

    const page = await after.decisions.queryPage(
      'SELECT * FROM c WHERE c.instanceId = @i',
      { '@i': instanceId },
      { partitionKey: instanceId, pageSize: 100 },
    );
    for (const d of page.items) {
      if (denied.includes(d.principal.id)) {
        expect(d.applyResult).toBe('AppliedSuccessfully');
        expect(d.appliedBy?.id).toBe(DEMO.admin);
      } else {
        expect(d.applyResult).toBe('New');
      }
    }
    const reviewAudit = await audits(instanceId);
    expect(reviewAudit.filter((n) => n.startsWith('Access review applied: remove'))).toHaveLength(8);
    expect(reviewAudit.filter((n) => n.startsWith('Access review decisions applied'))).toHaveLength(1);
    // Each denied schedule ended once, through its own orchestration; the approved ones are still in force.
    for (const id of denied) {
      const ended = await waitFor(`the end of ${id}'s schedule`, async () => {
        const names = await audits(schedules[id] as string);
        return names.includes('Remove member from group (PIM removal)') ? names : undefined;
      });
      expect(ended.filter((n) => n === 'Remove member from group (PIM removal)')).toHaveLength(1);
    }
    const inForce = await app.api(`${BASE}/assignmentScheduleInstances?$filter=groupId eq '${GROUP}'`, admin);
    const principals = ((await inForce.json()) as { value: { principalId: string }[] }).value.map(
      (s) => s.principalId,
    );
    expect(principals.sort()).toEqual([...approved].sort());
  }, 180_000);
});
