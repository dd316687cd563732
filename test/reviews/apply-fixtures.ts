/**
 * Steps the apply tests share: active assignments made through the PIM API (so each has its request orchestration
 * and Graph membership), and a completed review instance over them — written through the app's ReviewStore
 * (`app.services()`), as the instance orchestration leaves it at completion — with chosen decisions.
 */
import { expect } from 'vitest';
import type { ReviewDecision } from '../../shared/reviews/domain/review-decision';
import * as contract from '../../shared/reviews/contract';
import * as ids from '../../shared/reviews/domain/review-ids';
import { durableFetch } from '../helpers';
import { DEMO, type PimApp } from '../pim-harness';
import { ADMIN, BASE } from '../pim/pim-scenario';

const names = { ...contract, ...ids };

/** An active (assigned) membership for 90 days, through adminAssign; its schedule id. */
export async function assignActive(
  app: PimApp,
  groupId: string,
  principalId: string,
  accessId: 'member' | 'owner' = 'member',
): Promise<string> {
  const res = await app.api(`${BASE}/assignmentScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId,
      groupId,
      principalId,
      justification: 'Helpdesk rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  await app.rt.waitForIdle();
  // A schedule's id is the id of the request that created it.
  return ((await res.json()) as { id: string }).id;
}

export interface SeedItem {
  scheduleId: string;
  principalId: string;
  assignmentType: 'eligible' | 'active';
  decision: ReviewDecision['decision'];
}

export interface SeededReview {
  definitionId: string;
  instanceId: string;
  /** Decision item id by schedule id. */
  items: Record<string, string>;
}

/** A one-time definition and its completed instance over `items`, as the instance orchestration leaves them. */
export async function seedCompletedReview(
  app: PimApp,
  groupId: string,
  items: SeedItem[],
  options: { autoApply?: boolean; accessId?: 'member' | 'owner'; status?: 'Completed' | 'InProgress' } = {},
): Promise<SeededReview> {
  const s = await app.services();
  const now = app.rt.clock.now();
  const definitionId = crypto.randomUUID();
  const accessId = options.accessId ?? 'member';
  const instanceId = names.reviewInstanceId(definitionId, 0, groupId, accessId);
  const admin = { id: DEMO.admin, displayName: 'PIM Admin', userPrincipalName: DEMO.adminUpn };
  await s.reviews.definitions.create({
    id: definitionId,
    displayName: 'Quarterly helpdesk review',
    descriptionForAdmins: null,
    descriptionForReviewers: null,
    scope: {
      roles: [{ groupId, accessId }],
      assignmentTypes: 'both',
      principalTypes: ['user', 'group', 'servicePrincipal'],
      inactiveDurationInDays: null,
    },
    reviewers: [{ query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' }],
    fallbackReviewers: [],
    additionalNotificationRecipients: [],
    settings: {
      instanceDurationInDays: 7,
      recurrence: null,
      autoApplyDecisionsEnabled: options.autoApply ?? false,
      defaultDecisionEnabled: false,
      defaultDecision: 'Recommendation',
      recommendationsEnabled: false,
      recommendationLookBackDuration: 'P30D',
      justificationRequiredOnApproval: false,
      mailNotificationsEnabled: false,
      reminderNotificationsEnabled: false,
    },
    status: 'Completed',
    createdBy: admin,
    createdDateTime: now.toISOString(),
    lastModifiedDateTime: now.toISOString(),
    orchestrationInstanceId: names.seriesInstanceId(definitionId),
  });
  await s.reviews.instances.create({
    id: instanceId,
    definitionId,
    occurrence: 0,
    groupId,
    accessId,
    groupDisplayName: 'Helpdesk Admin-Group',
    startDateTime: now.toISOString(),
    endDateTime: now.toISOString(),
    status: options.status ?? 'Completed',
    reviewers: [{ query: `/users/${DEMO.admin}`, queryType: 'MicrosoftGraph' }],
    fallbackReviewers: [],
    contactedReviewerIds: [],
    stoppedBy: null,
    completedDateTime: options.status === 'InProgress' ? null : now.toISOString(),
    appliedDateTime: null,
    orchestrationInstanceId: names.instanceOrchestrationId(instanceId),
  });
  const ids: Record<string, string> = {};
  for (const item of items) {
    const id = names.reviewDecisionId(instanceId, item.scheduleId);
    ids[item.scheduleId] = id;
    const user = app.user(item.principalId);
    await s.reviews.decisions.create({
      id,
      instanceId,
      definitionId,
      accessReviewId: definitionId,
      principal: {
        id: item.principalId,
        displayName: user.displayName,
        userPrincipalName: user.userPrincipalName,
        type: 'user',
      },
      resource: { groupId, accessId, displayName: 'Helpdesk Admin-Group' },
      scheduleId: item.scheduleId,
      assignmentType: item.assignmentType,
      lastSignInDateTime: null,
      recommendation: 'NoInfoAvailable',
      decision: item.decision,
      justification: item.decision === 'NotReviewed' ? null : 'reviewed',
      reviewedBy: item.decision === 'NotReviewed' ? null : { id: DEMO.admin, displayName: 'PIM Admin' },
      reviewedDateTime: item.decision === 'NotReviewed' ? null : now.toISOString(),
      reviewerIds: [DEMO.admin],
      applyResult: 'New',
      appliedBy: null,
      appliedDateTime: null,
    });
  }
  return { definitionId, instanceId, items: ids };
}

/** What the instance orchestration does when auto-apply is on: start the apply under its derived id. */
export async function startAutoApply(app: PimApp, review: SeededReview): Promise<void> {
  const res = await durableFetch(
    app.rt,
    `orchestrators/${names.REVIEW_ORCHESTRATORS.apply}/${names.applyOrchestrationId(review.instanceId)}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ definitionId: review.definitionId, instanceId: review.instanceId }),
    },
  );
  expect(res.status, await res.clone().text()).toBe(202);
}

export async function decisionsOf(app: PimApp, review: SeededReview): Promise<ReviewDecision[]> {
  const s = await app.services();
  const page = await s.reviews.decisions.queryPage(
    'SELECT * FROM c WHERE c.instanceId = @i',
    { '@i': review.instanceId },
    { partitionKey: review.instanceId, pageSize: 1000 },
  );
  return page.items;
}

export async function instanceOf(app: PimApp, review: SeededReview) {
  const s = await app.services();
  return s.reviews.instances.get(review.instanceId, review.definitionId);
}

export function applyUrl(review: SeededReview): string {
  return `identityGovernance/accessReviews/definitions/${review.definitionId}/instances/${review.instanceId}/applyDecisions`;
}
