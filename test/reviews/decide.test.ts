/**
 * recordDecision (shared/reviews/decide.ts), the one way a reviewer's decision is written, against the Cosmos
 * stand-in with the real review store and audit log, without the app: who may decide (only the item's reviewers),
 * when (only while the instance is InProgress and not stopped), what (Approve, Deny, DontKnow; a reason when the
 * series requires one on Approve; at most 1,000 characters), and what a decision leaves: the item's row in Cosmos
 * and one audit record. Fast, so the mutation run (`npm run mutate`) can use it; the HTTP API is in
 * decisions-api.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog, auditLogsContainer } from '../../shared/audit/adapters/audit-log';
import { decisionsOpen, recordDecision, type RecordDecisionInput } from '../../shared/reviews/decide';
import type { ReviewDecision } from '../../shared/reviews/domain/review-decision';
import type { ReviewDefinition } from '../../shared/reviews/domain/review-definition';
import type { ReviewInstance } from '../../shared/reviews/domain/review-instance';
import {
  ReviewStore,
  reviewDecisionsContainer,
  reviewDefinitionsContainer,
  reviewInstancesContainer,
} from '../../shared/reviews/adapters/review-store';
import { ensureDatabase } from '../../shared/storage/ensure-database';
import { startCosmosFixture, type CosmosFixture } from '../cosmos/cosmos-helpers';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const GROUP = 'e3d4b516-8621-440b-a7a2-58d0c8c710af';
const REVIEWER = {
  id: 'a1b2c3d4-0000-4000-8000-000000000001',
  displayName: 'Priya Nair',
  userPrincipalName: 'priya.nair@pimflow.example',
};
const OTHER_REVIEWER = 'a1b2c3d4-0000-4000-8000-000000000002';
const STRANGER = { id: 'a1b2c3d4-0000-4000-8000-000000000009', displayName: 'Daniel Kim' };

let cosmos: CosmosFixture;
let reviews: ReviewStore;
let audit: AuditLog;
const clock = { now: () => NOW };
const services = () => ({ reviews, audit, clock });

beforeAll(async () => {
  cosmos = await startCosmosFixture();
  const database = await ensureDatabase(cosmos.client, 'pimflow', [
    reviewDefinitionsContainer,
    reviewInstancesContainer,
    reviewDecisionsContainer,
    auditLogsContainer,
  ]);
  reviews = new ReviewStore(database);
  audit = new AuditLog(database.container(auditLogsContainer.id));
});
afterAll(async () => {
  await cosmos?.dispose();
});

interface Seeded {
  definition: ReviewDefinition;
  instance: ReviewInstance;
  item: ReviewDecision;
}

/** A definition, its InProgress instance and one undecided item reviewed by REVIEWER and OTHER_REVIEWER. */
async function seed(
  o: { justificationRequired?: boolean; instance?: Partial<ReviewInstance>; noDefinition?: boolean } = {},
): Promise<Seeded> {
  const definitionId = randomUUID();
  const definition: ReviewDefinition = {
    id: definitionId,
    displayName: 'Helpdesk members review',
    descriptionForAdmins: null,
    descriptionForReviewers: null,
    scope: {
      roles: [{ groupId: GROUP, accessId: 'member' }],
      assignmentTypes: 'both',
      principalTypes: ['user'],
      inactiveDurationInDays: null,
    },
    reviewers: [{ query: `/users/${REVIEWER.id}`, queryType: 'MicrosoftGraph' }],
    fallbackReviewers: [],
    additionalNotificationRecipients: [],
    settings: {
      instanceDurationInDays: 7,
      autoApplyDecisionsEnabled: false,
      defaultDecisionEnabled: false,
      defaultDecision: 'Recommendation',
      recommendationsEnabled: false,
      recommendationLookBackDuration: 'P30D',
      justificationRequiredOnApproval: o.justificationRequired ?? false,
      mailNotificationsEnabled: false,
      reminderNotificationsEnabled: false,
    },
    status: 'InProgress',
    createdBy: { id: STRANGER.id, displayName: null, userPrincipalName: null },
    createdDateTime: NOW.toISOString(),
    lastModifiedDateTime: NOW.toISOString(),
    orchestrationInstanceId: `review-series-${definitionId}`,
  };
  const instanceId = randomUUID();
  const instance: ReviewInstance = {
    id: instanceId,
    definitionId,
    occurrence: 0,
    groupId: GROUP,
    accessId: 'member',
    groupDisplayName: 'Helpdesk Admin-Group',
    startDateTime: NOW.toISOString(),
    endDateTime: new Date(NOW.getTime() + 7 * 86_400_000).toISOString(),
    status: 'InProgress',
    reviewers: definition.reviewers,
    fallbackReviewers: [],
    contactedReviewerIds: [],
    stoppedBy: null,
    completedDateTime: null,
    appliedDateTime: null,
    orchestrationInstanceId: `review-instance-${instanceId}`,
    ...o.instance,
  };
  const item: ReviewDecision = {
    id: randomUUID(),
    instanceId,
    definitionId,
    accessReviewId: definitionId,
    principal: { id: randomUUID(), displayName: 'Grace Okafor', userPrincipalName: null, type: 'user' },
    resource: { groupId: GROUP, accessId: 'member', displayName: 'Helpdesk Admin-Group' },
    scheduleId: randomUUID(),
    assignmentType: 'eligible',
    lastSignInDateTime: null,
    recommendation: 'NoInfoAvailable',
    decision: 'NotReviewed',
    justification: null,
    reviewedBy: null,
    reviewedDateTime: null,
    reviewerIds: [REVIEWER.id, OTHER_REVIEWER],
    applyResult: 'New',
    appliedBy: null,
    appliedDateTime: null,
  };
  if (!o.noDefinition) await reviews.definitions.create(definition);
  await reviews.instances.create(instance);
  await reviews.decisions.create(item);
  return { definition, instance, item };
}

function input(s: Seeded, over: Partial<RecordDecisionInput> = {}): RecordDecisionInput {
  return {
    instanceId: s.instance.id,
    decisionId: s.item.id,
    reviewer: REVIEWER,
    decision: 'Deny',
    justification: 'Left the team',
    ...over,
  };
}

const stored = (s: Seeded) => reviews.decisions.find(s.item.id, s.instance.id);

async function auditOf(s: Seeded) {
  const page = await audit.query({ from: NOW, to: NOW, correlationId: s.instance.id });
  return page.items;
}

/** The refusal reasons recordDecision gives, by the status the API answers them with. */
const REASONS: Record<number, string> = {
  400: 'invalid',
  403: 'forbidden',
  404: 'notFound',
  409: 'conflict',
};

/** Refused: the given status and detail, and nothing written (the item undecided, nothing audited). */
async function expectRefused(
  s: Seeded,
  result: Awaited<ReturnType<typeof recordDecision>>,
  status: number,
  detail: RegExp,
) {
  expect(result).toEqual({
    ok: false,
    reason: REASONS[status],
    detail: expect.stringMatching(detail) as string,
  });
  expect(await stored(s)).toMatchObject({ decision: 'NotReviewed', reviewedBy: null, justification: null });
  expect(await auditOf(s)).toEqual([]);
}

describe('recordDecision', () => {
  it("writes a reviewer's decision to the item and audits it once", async () => {
    const s = await seed();
    const result = await recordDecision(services(), input(s));
    expect(result.ok).toBe(true);
    const row = await stored(s);
    expect(row).toMatchObject({
      decision: 'Deny',
      justification: 'Left the team',
      reviewedBy: REVIEWER,
      reviewedDateTime: NOW.toISOString(),
      applyResult: 'New',
    });
    expect(result.ok && result.item).toMatchObject({ decision: 'Deny', _etag: row?._etag });
    const records = await auditOf(s);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      activityDisplayName: 'Access review decision: Deny (member of group)',
      category: 'AccessReview',
      operationType: 'Deny',
      result: 'success',
      principalId: s.item.principal.id,
      groupId: GROUP,
      correlationId: s.instance.id,
    });
    expect(records[0]?.initiatedBy.user?.id).toBe(REVIEWER.id);
    expect(records[0]?.targetResources).toEqual([
      expect.objectContaining({ id: GROUP, displayName: 'Helpdesk Admin-Group', type: 'Group' }),
      expect.objectContaining({ id: s.item.principal.id, displayName: 'Grace Okafor', type: 'Principal' }),
    ]);
    expect(records[0]?.additionalDetails).toEqual(
      expect.arrayContaining([
        { key: 'definitionId', value: s.definition.id },
        { key: 'instanceId', value: s.instance.id },
        { key: 'decisionId', value: s.item.id },
        { key: 'scheduleId', value: s.item.scheduleId },
        { key: 'decision', value: 'Deny' },
        { key: 'justification', value: 'Left the team' },
      ]),
    );
  });

  it('records Approve and DontKnow with their own operation types; a later decision replaces an earlier one', async () => {
    const s = await seed();
    expect(
      (await recordDecision(services(), input(s, { decision: 'Approve', justification: '  On the rota  ' })))
        .ok,
    ).toBe(true);
    expect(await stored(s)).toMatchObject({ decision: 'Approve', justification: 'On the rota' });
    const other = { id: OTHER_REVIEWER.toUpperCase(), displayName: null };
    expect(
      (
        await recordDecision(
          services(),
          input(s, { decision: 'DontKnow', justification: '   ', reviewer: other }),
        )
      ).ok,
    ).toBe(true);
    expect(await stored(s)).toMatchObject({
      decision: 'DontKnow',
      justification: null,
      reviewedBy: { id: OTHER_REVIEWER, displayName: null, userPrincipalName: null },
    });
    const types = (await auditOf(s)).map((r) => [r.activityDisplayName, r.operationType]).sort();
    expect(types).toEqual([
      ['Access review decision: Approve (member of group)', 'Approve'],
      ['Access review decision: DontKnow (member of group)', 'Update'],
    ]);
  });

  it('finds the instance by its definition too, and refuses one of another definition', async () => {
    const s = await seed();
    expect((await recordDecision(services(), input(s, { definitionId: s.definition.id }))).ok).toBe(true);
    const t = await seed();
    await expectRefused(
      t,
      await recordDecision(services(), input(t, { definitionId: s.definition.id })),
      404,
      /^No access review instance /,
    );
  });

  it('refuses anything but Approve, Deny and DontKnow', async () => {
    const s = await seed();
    for (const decision of ['NotReviewed', 'approve', ''] as never[]) {
      await expectRefused(
        s,
        await recordDecision(services(), input(s, { decision })),
        400,
        /^decision must be 'Approve', 'Deny' or 'DontKnow'$/,
      );
    }
  });

  it('takes a justification of up to 1,000 characters', async () => {
    const s = await seed();
    await expectRefused(
      s,
      await recordDecision(services(), input(s, { justification: 'x'.repeat(1001) })),
      400,
      /^justification must be at most 1000 characters$/,
    );
    expect((await recordDecision(services(), input(s, { justification: ` ${'x'.repeat(1000)} ` }))).ok).toBe(
      true,
    );
    expect((await stored(s))?.justification).toHaveLength(1000);
  });

  it('lets only the item’s reviewers decide; admins are told they manage, not decide', async () => {
    const s = await seed();
    await expectRefused(
      s,
      await recordDecision(services(), input(s, { reviewer: STRANGER })),
      403,
      /^You are not a reviewer of this item$/,
    );
    await expectRefused(
      s,
      await recordDecision(services(), input(s, { reviewer: STRANGER, asAdmin: true })),
      403,
      /^Admins manage access reviews but only the item’s reviewers decide it$/,
    );
  });

  it('decides only while the instance is InProgress and not stopped', async () => {
    for (const status of ['NotStarted', 'Completed', 'Applying', 'Applied'] as const) {
      const s = await seed({ instance: { status } });
      await expectRefused(
        s,
        await recordDecision(services(), input(s)),
        409,
        new RegExp(`^The review is ${status}; decisions can be recorded only while it is InProgress$`),
      );
    }
    const stopped = await seed({ instance: { stoppedBy: { id: STRANGER.id, displayName: null } } });
    await expectRefused(
      stopped,
      await recordDecision(services(), input(stopped)),
      409,
      /^The review has been stopped; decisions can no longer be recorded$/,
    );
    expect(decisionsOpen(stopped.instance)).toMatch(/stopped/);
  });

  it('requires a justification to approve when the series says so (not to deny)', async () => {
    const s = await seed({ justificationRequired: true });
    for (const justification of [null, '', '  ']) {
      await expectRefused(
        s,
        await recordDecision(services(), input(s, { decision: 'Approve', justification })),
        400,
        /^This review requires a justification to approve access$/,
      );
    }
    expect((await recordDecision(services(), input(s, { decision: 'Deny', justification: null }))).ok).toBe(
      true,
    );
    expect(
      (await recordDecision(services(), input(s, { decision: 'Approve', justification: 'Needed' }))).ok,
    ).toBe(true);
    expect(await stored(s)).toMatchObject({ decision: 'Approve', justification: 'Needed' });
    // Without the setting, an approval needs no reason.
    const t = await seed();
    expect(
      (await recordDecision(services(), input(t, { decision: 'Approve', justification: null }))).ok,
    ).toBe(true);
  });

  it('uses preloaded instance and settings without reading them', async () => {
    const s = await seed();
    const result = await recordDecision(
      services(),
      input(s, {
        decision: 'Approve',
        justification: null,
        preloaded: { instance: s.instance, justificationRequiredOnApproval: true },
      }),
    );
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    const closed = await recordDecision(
      services(),
      input(s, {
        preloaded: {
          instance: { ...s.instance, status: 'Completed' },
          justificationRequiredOnApproval: false,
        },
      }),
    );
    expect(closed).toMatchObject({ ok: false, reason: 'conflict' });
    expect((await stored(s))?.decision).toBe('NotReviewed');
  });

  it('answers 404 for an unknown instance, definition or item', async () => {
    const s = await seed();
    await expectRefused(
      s,
      await recordDecision(services(), input(s, { instanceId: randomUUID() })),
      404,
      /^No access review instance /,
    );
    await expectRefused(
      s,
      await recordDecision(services(), input(s, { decisionId: randomUUID() })),
      404,
      /^No decision item .* in this review$/,
    );
    const orphan = await seed({ noDefinition: true });
    await expectRefused(
      orphan,
      await recordDecision(services(), input(orphan)),
      404,
      /^No access review definition /,
    );
  });

  it('answers 404 when the item disappears between the read and the write', async () => {
    const s = await seed();
    const realFind = reviews.decisions.find.bind(reviews.decisions);
    const racing = Object.create(reviews) as ReviewStore;
    Object.defineProperty(racing, 'decisions', {
      value: Object.assign(Object.create(reviews.decisions) as typeof reviews.decisions, {
        find: async (id: string, pk: string) => {
          const found = await realFind(id, pk);
          await reviews.decisions.delete(id, pk);
          return found;
        },
      }),
    });
    const result = await recordDecision({ reviews: racing, audit, clock }, input(s));
    expect(result).toEqual({
      ok: false,
      reason: 'notFound',
      detail: `No decision item ${s.item.id} in this review`,
    });
    expect(await stored(s)).toBeUndefined();
    expect(await auditOf(s)).toEqual([]);
  });

  it('lets a store failure other than a missing item through, writing nothing', async () => {
    const s = await seed();
    const failing = Object.create(reviews) as ReviewStore;
    Object.defineProperty(failing, 'decisions', {
      value: Object.assign(Object.create(reviews.decisions) as typeof reviews.decisions, {
        update: () => Promise.reject(new Error('Cosmos DB is unavailable')),
      }),
    });
    await expect(recordDecision({ reviews: failing, audit, clock }, input(s))).rejects.toThrow(
      'Cosmos DB is unavailable',
    );
    expect(await auditOf(s)).toEqual([]);
  });

  it('refuses a reviewer removed from the item between the read and the write', async () => {
    const s = await seed();
    // Another write takes the reviewer off the item (PATCH of the instance's reviewers) while this decision runs.
    const realFind = reviews.decisions.find.bind(reviews.decisions);
    const racing = Object.create(reviews) as ReviewStore;
    Object.defineProperty(racing, 'decisions', {
      value: Object.assign(Object.create(reviews.decisions) as typeof reviews.decisions, {
        find: async (id: string, pk: string) => {
          const found = await realFind(id, pk);
          await reviews.decisions.update(id, pk, (c) => ({ ...c, reviewerIds: [OTHER_REVIEWER] }));
          return found;
        },
      }),
    });
    const result = await recordDecision({ reviews: racing, audit, clock }, input(s));
    expect(result).toEqual({
      ok: false,
      reason: 'forbidden',
      detail: 'You are no longer a reviewer of this item',
    });
    expect(await stored(s)).toMatchObject({ decision: 'NotReviewed', reviewerIds: [OTHER_REVIEWER] });
    expect(await auditOf(s)).toEqual([]);
  });
});
