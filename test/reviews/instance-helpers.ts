/**
 * Steps the instance and decision tests share: a definition and its first instance as the series orchestration
 * leaves them (NotStarted, reviewers copied from the definition), written through the app's ReviewStore (loaded
 * from dist/ in this process), and the instance orchestration started under its derived id, as the series starts it.
 * Everything after that goes through the HTTP API.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { expect } from 'vitest';
import type * as ReviewNamesModule from '../../shared/reviews/review-names';
import type * as ReviewServicesModule from '../../shared/reviews/review-services';
import type { ReviewDefinition } from '../../shared/reviews/review-definition';
import type { ReviewServices } from '../../shared/reviews/review-services';
import { DEMO, ROOT, type PimApp } from '../pim-harness';
import { ADMIN, BASE } from '../pim/pim-scenario';

const load = createRequire(__filename);

export const REVIEWS = 'identityGovernance/accessReviews/definitions';
export const AUDITOR = { as: 'priya.nair@pimflow.example', roles: ['PimFlow.Auditor'] };

export function reviewServices(): Promise<ReviewServices> {
  const { getReviewServices } = load(
    path.join(ROOT, 'dist/shared/reviews/review-services.js'),
  ) as typeof ReviewServicesModule;
  return getReviewServices();
}

function names(): typeof ReviewNamesModule {
  return load(path.join(ROOT, 'dist/shared/reviews/review-names.js')) as typeof ReviewNamesModule;
}

export const users = (...ids: string[]) => ids.map((id) => ({ query: `/users/${id}` }));
export const MANAGER = [{ query: './manager', queryRoot: 'decisions' }];

const scope = (r: { query: string; queryRoot?: string | null }) => ({
  query: r.query,
  queryType: 'MicrosoftGraph' as const,
  ...(r.queryRoot ? { queryRoot: r.queryRoot } : {}),
});

export interface StartedReview {
  definitionId: string;
  instanceId: string;
  /** `definitions/{d}/instances/{i}` below /api. */
  url: string;
}

/** Makes a principal eligible (users, groups or service principals) through the PIM API; the schedule id. */
export async function eligible(app: PimApp, groupId: string, principalId: string): Promise<string> {
  const start = app.rt.clock.now();
  const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId: 'member',
      groupId,
      principalId,
      justification: 'Rota',
      scheduleInfo: {
        startDateTime: start.toISOString(),
        expiration: { type: 'afterDuration', duration: 'P180D' },
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

type ScopeInput = { query: string; queryRoot?: string | null };
export type DefinitionInput = Partial<
  Omit<ReviewDefinition, 'settings' | 'reviewers' | 'fallbackReviewers'>
> & {
  settings?: Partial<ReviewDefinition['settings']>;
  reviewers?: ScopeInput[];
  fallbackReviewers?: ScopeInput[];
};

/** A one-time review of `member` of `groupId`, started now: its instance's orchestration runs to InProgress. */
export async function startReview(
  app: PimApp,
  groupId: string,
  d: DefinitionInput = {},
): Promise<StartedReview> {
  const s = await reviewServices();
  const n = names();
  const now = app.rt.clock.now();
  const definitionId = crypto.randomUUID();
  const settings: ReviewDefinition['settings'] = {
    instanceDurationInDays: 14,
    recurrence: null,
    autoApplyDecisionsEnabled: false,
    defaultDecisionEnabled: false,
    defaultDecision: 'Recommendation',
    recommendationsEnabled: false,
    recommendationLookBackDuration: 'P30D',
    justificationRequiredOnApproval: false,
    mailNotificationsEnabled: false,
    reminderNotificationsEnabled: false,
    ...d.settings,
  };
  const definition: ReviewDefinition = {
    id: definitionId,
    displayName: d.displayName ?? 'Helpdesk members review',
    descriptionForAdmins: null,
    descriptionForReviewers: d.descriptionForReviewers ?? null,
    scope: d.scope ?? {
      roles: [{ groupId, accessId: 'member' }],
      assignmentTypes: 'both',
      principalTypes: ['user', 'group', 'servicePrincipal'],
      inactiveDurationInDays: null,
    },
    reviewers: (d.reviewers ?? []).map(scope),
    fallbackReviewers: (d.fallbackReviewers ?? []).map(scope),
    additionalNotificationRecipients: d.additionalNotificationRecipients ?? [],
    settings,
    status: 'InProgress',
    createdBy: { id: DEMO.admin, displayName: 'PIM Admin', userPrincipalName: DEMO.adminUpn },
    createdDateTime: now.toISOString(),
    lastModifiedDateTime: now.toISOString(),
    orchestrationInstanceId: n.seriesInstanceId(definitionId),
  };
  await s.reviews.definitions.create(definition);
  const instanceId = n.reviewInstanceId(definitionId, 0, groupId, 'member');
  await s.reviews.instances.create({
    id: instanceId,
    definitionId,
    occurrence: 0,
    groupId,
    accessId: 'member',
    groupDisplayName: app.dev.graph.state.group(groupId)?.displayName ?? null,
    startDateTime: now.toISOString(),
    endDateTime: new Date(now.getTime() + settings.instanceDurationInDays * 86_400_000).toISOString(),
    status: 'NotStarted',
    reviewers: definition.reviewers,
    fallbackReviewers: definition.fallbackReviewers,
    contactedReviewerIds: [],
    stoppedBy: null,
    completedDateTime: null,
    appliedDateTime: null,
    orchestrationInstanceId: n.instanceOrchestrationId(instanceId),
  });
  const res = await fetch(
    `${app.rt.urls.durable}/orchestrators/${n.REVIEW_ORCHESTRATORS.instance}/${n.instanceOrchestrationId(instanceId)}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ definitionId, instanceId }),
    },
  );
  expect(res.status, await res.clone().text()).toBe(202);
  await app.rt.waitForIdle();
  return { definitionId, instanceId, url: `${REVIEWS}/${definitionId}/instances/${instanceId}` };
}

export interface DecisionItem {
  id: string;
  principal: { id: string; displayName: string | null; type: string };
  decision: string;
  recommendation: string;
  lastSignInDateTime: string | null;
  justification: string | null;
  reviewedBy: { id: string } | null;
  assignmentType: string;
}

export async function decisions(
  app: PimApp,
  review: StartedReview,
  as: { as: string; roles?: string[] } = ADMIN,
  query = '',
): Promise<DecisionItem[]> {
  const body = await app.json<{ value: DecisionItem[] }>(`${review.url}/decisions?$top=999${query}`, as);
  return body.value;
}

export function byPrincipal(items: DecisionItem[], principalId: string): DecisionItem {
  const item = items.find((i) => i.principal.id === principalId);
  if (!item) throw new Error(`No item for ${principalId}`);
  return item;
}

export async function instance(app: PimApp, review: StartedReview) {
  return app.json<{ status: string; completedDateTime: string | null; stoppedBy: { id: string } | null }>(
    review.url,
    ADMIN,
  );
}
