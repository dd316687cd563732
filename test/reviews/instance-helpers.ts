/**
 * Steps the instance and decision tests share: a one-time review created through the definitions API (whose series
 * orchestration runs the instance orchestration), the PIM assignments it reviews, and reading its items back.
 */
import { expect } from 'vitest';
import type { ReviewDefinition } from '../../shared/reviews/domain/review-definition';
import type { PimApp } from '../pim-harness';
import { ADMIN, BASE } from '../pim/pim-scenario';

export const REVIEWS = 'identityGovernance/accessReviews/definitions';
export const AUDITOR = { as: 'priya.nair@pimflow.example', roles: ['PimFlow.Auditor'] };

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

/**
 * A one-time review of `member` of `groupId`, created through `POST definitions`: the series orchestration starts
 * its one occurrence at once and runs the instance orchestration, which takes the instance to InProgress.
 */
export async function startReview(
  app: PimApp,
  groupId: string,
  d: DefinitionInput = {},
): Promise<StartedReview> {
  const res = await app.api(REVIEWS, {
    ...ADMIN,
    body: {
      displayName: d.displayName ?? 'Helpdesk members review',
      descriptionForReviewers: d.descriptionForReviewers ?? null,
      scope: d.scope ?? {
        roles: [{ groupId, accessId: 'member' }],
        assignmentTypes: 'both',
        principalTypes: ['user', 'group', 'servicePrincipal'],
      },
      reviewers: (d.reviewers ?? []).map(scope),
      fallbackReviewers: (d.fallbackReviewers ?? []).map(scope),
      additionalNotificationRecipients: d.additionalNotificationRecipients ?? [],
      settings: { instanceDurationInDays: 14, ...d.settings },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const definitionId = ((await res.json()) as { id: string }).id;
  await app.rt.waitForIdle();
  const list = await app.json<{ value: { id: string; status: string }[] }>(
    `${REVIEWS}/${definitionId}/instances`,
    ADMIN,
  );
  expect(list.value).toHaveLength(1);
  expect(list.value[0]?.status).toBe('InProgress');
  const instanceId = list.value[0]?.id ?? '';
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
