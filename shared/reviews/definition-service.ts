/**
 * Access review definitions (series): what the API accepts, the checks zod can't make, and create / update /
 * delete with their audit records. The HTTP functions (functions/access-review-definitions.ts) start and end the
 * series orchestration; everything else about a definition happens here.
 *
 * Checks beyond the body's shape: every scope role must be a role of a group under management (and named once);
 * an instance must be shorter than the interval between occurrences (`checkRecurrence`); a series starts today or
 * later; reviewer queries must be ones pimflow resolves (`parseReviewers`), `./manager` needs fallback reviewers,
 * fallback reviewers are selected users; every `/users/{id}` named must exist in the directory.
 *
 * Series edits (PATCH) change the series, not its past: occurrences that have started keep their reviewers and
 * times; the next one takes the edit when it starts. The scope and the recurrence's start date are fixed at creation.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { userActor } from '../audit/domain/audit-entry';
import type { AuditWriter } from '../audit/adapters/audit-log';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import { parseIsoDuration } from '../iso-duration';
import type { Stored } from '../storage/stored';
import { NotFoundError } from '../storage/errors';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import { checkRecurrence } from './domain/recurrence';
import {
  defaultDecisionSchema,
  notificationRecipientSchema,
  parseReviewers,
  recurrenceSchema,
  reviewDefinitionSchema,
  reviewerScopeSchema,
  reviewScopeSchema,
  reviewSettingsSchema,
  type ReviewDefinition,
  type ReviewerScope,
} from './domain/review-definition';
import { applyOrchestrationId, instanceOrchestrationId, seriesInstanceId } from './contract';
import type { ReviewStore } from './adapters/review-store';

const shape = reviewDefinitionSchema.shape;
const odataType = z.literal('#microsoft.graph.accessReviewScheduleDefinition').optional();
const reviewersSchema = z.array(reviewerScopeSchema).max(50);
const recipientsSchema = z.array(notificationRecipientSchema).max(50);

/** POST body: the definition minus what the server sets (id, status, createdBy, dates). */
export const definitionCreateSchema = z.strictObject({
  '@odata.type': odataType,
  displayName: shape.displayName,
  descriptionForAdmins: shape.descriptionForAdmins.default(null),
  descriptionForReviewers: shape.descriptionForReviewers.default(null),
  scope: reviewScopeSchema,
  reviewers: reviewersSchema.default([]),
  fallbackReviewers: reviewersSchema.default([]),
  additionalNotificationRecipients: recipientsSchema.default([]),
  settings: reviewSettingsSchema,
});
export type DefinitionCreate = z.infer<typeof definitionCreateSchema>;

/** PATCH body: what a series edit may change. Settings are merged key by key. */
export const definitionPatchSchema = z
  .strictObject({
    '@odata.type': odataType,
    displayName: shape.displayName.optional(),
    descriptionForAdmins: shape.descriptionForAdmins.optional(),
    descriptionForReviewers: shape.descriptionForReviewers.optional(),
    /** Accepted by the schema only to be refused with a clear reason (the scope is fixed). */
    scope: z.unknown().optional(),
    reviewers: reviewersSchema.optional(),
    fallbackReviewers: reviewersSchema.optional(),
    additionalNotificationRecipients: recipientsSchema.optional(),
    settings: z
      .strictObject({
        instanceDurationInDays: z.number().int().min(1).max(365).optional(),
        recurrence: recurrenceSchema.nullable().optional(),
        autoApplyDecisionsEnabled: z.boolean().optional(),
        defaultDecisionEnabled: z.boolean().optional(),
        defaultDecision: defaultDecisionSchema.optional(),
        recommendationsEnabled: z.boolean().optional(),
        recommendationLookBackDuration: z.string().optional(),
        justificationRequiredOnApproval: z.boolean().optional(),
        mailNotificationsEnabled: z.boolean().optional(),
        reminderNotificationsEnabled: z.boolean().optional(),
      })
      .optional(),
  })
  .refine((p) => Object.keys(p).some((k) => k !== '@odata.type'), {
    message: 'name at least one property to change',
  });
export type DefinitionPatch = z.infer<typeof definitionPatchSchema>;

export interface DefinitionDeps {
  reviews: ReviewStore;
  managedGroups: ManagedGroupRepository;
  directory: Directory;
  audit: AuditWriter;
  clock: Clock;
}

export type Refusal = { ok: false; status: 400 | 404 | 409; detail: string };
export type DefinitionResult = { ok: true; definition: Stored<ReviewDefinition> } | Refusal;

type Content = Pick<
  ReviewDefinition,
  'reviewers' | 'fallbackReviewers' | 'additionalNotificationRecipients' | 'settings'
>;

const USER_QUERY = /^\/(?:v1\.0\/)?users\/([0-9a-fA-F-]{36})$/;
const MAX_LOOK_BACK_MS = 730 * 86_400_000;

function refuse(detail: string, status: 400 | 404 | 409 = 400): Refusal {
  return { ok: false, status, detail };
}

/** The checks of reviewers, recipients and settings, for a new definition and for the result of an edit. */
async function checkContent(deps: DefinitionDeps, d: Content): Promise<Refusal | undefined> {
  const recurrenceProblem = checkRecurrence(d.settings);
  if (recurrenceProblem) return refuse(recurrenceProblem);
  const r = d.settings.recurrence;
  if (r?.pattern.type === 'absoluteMonthly' && r.pattern.dayOfMonth) {
    const startDay = Number(r.range.startDate.slice(8, 10));
    if (r.pattern.dayOfMonth !== startDay)
      return refuse(
        `settings.recurrence.pattern.dayOfMonth (${r.pattern.dayOfMonth}) must be the day of range.startDate (${startDay}): occurrences fall on the start date's day`,
      );
  }
  const lookBack = parseIsoDuration(d.settings.recommendationLookBackDuration);
  if (lookBack === undefined || lookBack <= 0 || lookBack > MAX_LOOK_BACK_MS)
    return refuse(
      `settings.recommendationLookBackDuration must be an ISO 8601 duration from 1 day up to P730D (e.g. P30D), not "${d.settings.recommendationLookBackDuration}"`,
    );

  const reviewers = parseReviewers(d.reviewers);
  if ('error' in reviewers) return refuse(`reviewers: ${reviewers.error}`);
  if (d.fallbackReviewers.length > 0) {
    const fallback = parseReviewers(d.fallbackReviewers);
    if ('error' in fallback) return refuse(`fallbackReviewers: ${fallback.error}`);
    if (fallback.some((f) => f.kind !== 'user'))
      return refuse('fallbackReviewers must be selected users (/users/{id})');
  }
  if (reviewers.some((x) => x.kind === 'manager') && d.fallbackReviewers.length === 0)
    return refuse(
      'Manager reviewers (./manager) need fallbackReviewers: they review principals who have no manager',
    );

  const named: { id: string; where: string }[] = [];
  const collect = (scopes: readonly ReviewerScope[], where: string) =>
    scopes.forEach((s, i) => {
      const m = USER_QUERY.exec(s.query);
      if (m?.[1]) named.push({ id: m[1].toLowerCase(), where: `${where}[${i}]` });
    });
  collect(d.reviewers, 'reviewers');
  collect(d.fallbackReviewers, 'fallbackReviewers');
  for (const [i, recipient] of d.additionalNotificationRecipients.entries()) {
    const { query, emailAddress } = recipient.notificationRecipientScope;
    if (query !== undefined) {
      const m = USER_QUERY.exec(query);
      if (!m?.[1])
        return refuse(
          `additionalNotificationRecipients[${i}]: unsupported query "${query}": use /users/{id} or an emailAddress`,
        );
      named.push({ id: m[1].toLowerCase(), where: `additionalNotificationRecipients[${i}]` });
    } else if (!emailAddress) {
      return refuse(`additionalNotificationRecipients[${i}] needs a query (/users/{id}) or an emailAddress`);
    }
  }
  if (named.length > 0) {
    const users = await deps.directory.getUsers([...new Set(named.map((n) => n.id))]);
    const missing = named.find((n) => !users[n.id]);
    if (missing) return refuse(`${missing.where}: no user ${missing.id} in the directory`);
  }
  return undefined;
}

/** The scope's roles: each a role of a group under management, each named once. */
async function checkScope(
  deps: DefinitionDeps,
  scope: ReviewDefinition['scope'],
): Promise<Refusal | undefined> {
  const seen = new Set<string>();
  for (const [i, role] of scope.roles.entries()) {
    const groupId = role.groupId.toLowerCase();
    const key = `${groupId}/${role.accessId}`;
    if (seen.has(key))
      return refuse(`scope.roles[${i}]: the ${role.accessId} role of ${groupId} is named twice`);
    seen.add(key);
    const group = await deps.managedGroups.find(groupId);
    if (!group) return refuse(`scope.roles[${i}]: the group ${groupId} is not under management`);
    if (!group.settings.roles.includes(role.accessId))
      return refuse(
        `scope.roles[${i}]: pimflow doesn't manage the ${role.accessId} role of ${group.displayName}`,
      );
  }
  return undefined;
}

function actor(caller: Pick<CallerPrincipal, 'objectId' | 'displayName' | 'userPrincipalName'>) {
  return userActor(caller.objectId, caller.displayName, caller.userPrincipalName);
}

function targets(d: ReviewDefinition) {
  return [
    { id: d.id, displayName: d.displayName, type: 'Policy' as const },
    ...d.scope.roles.map((r) => ({
      id: r.groupId,
      displayName: `${r.accessId} role`,
      type: 'Group' as const,
    })),
  ];
}

/**
 * A new definition from a POST body, checked but not stored: the HTTP layer starts its series orchestration first
 * and stores it second, so a crash in between leaves no definition without a series (the series finds nothing and
 * ends). See planOccurrence for the other half.
 */
export async function prepareDefinition(
  deps: DefinitionDeps,
  body: DefinitionCreate,
  caller: CallerPrincipal,
): Promise<{ ok: true; definition: ReviewDefinition } | Refusal> {
  const now = deps.clock.now();
  const scopeProblem = await checkScope(deps, body.scope);
  if (scopeProblem) return scopeProblem;
  const startDate = body.settings.recurrence?.range.startDate;
  const today = now.toISOString().slice(0, 10);
  if (startDate && startDate < today)
    return refuse(`settings.recurrence.range.startDate (${startDate}) must be today (${today}) or later`);
  const problem = await checkContent(deps, body);
  if (problem) return problem;

  const id = randomUUID();
  const { '@odata.type': _type, ...content } = body;
  const definition: ReviewDefinition = {
    ...content,
    id,
    scope: {
      ...body.scope,
      roles: body.scope.roles.map((r) => ({ groupId: r.groupId.toLowerCase(), accessId: r.accessId })),
    },
    status: 'NotStarted',
    createdBy: {
      id: caller.objectId,
      displayName: caller.displayName ?? null,
      userPrincipalName: caller.userPrincipalName ?? null,
    },
    createdDateTime: now.toISOString(),
    lastModifiedDateTime: now.toISOString(),
    orchestrationInstanceId: seriesInstanceId(id),
  };
  return { ok: true, definition };
}

export function storeDefinition(
  deps: DefinitionDeps,
  definition: ReviewDefinition,
): Promise<Stored<ReviewDefinition>> {
  return deps.reviews.definitions.create(definition);
}

/**
 * Audits a created definition once stored; its series audits it again at its first plan (same id, one record), so a
 * crash between storing and auditing loses nothing.
 */
export async function auditCreated(
  deps: Pick<DefinitionDeps, 'audit' | 'clock'>,
  d: ReviewDefinition,
  caller: Pick<CallerPrincipal, 'objectId' | 'displayName' | 'userPrincipalName'>,
): Promise<void> {
  await deps.audit.record({
    id: `review-definition:${d.id}:created`,
    activityDateTime: deps.clock.now(),
    activityDisplayName: 'Create access review',
    category: 'AccessReview',
    operationType: 'Add',
    result: 'success',
    initiatedBy: actor(caller),
    targetResources: targets(d),
    correlationId: d.id,
    details: {
      definitionId: d.id,
      displayName: d.displayName,
      roles: d.scope.roles.map((r) => `${r.groupId}/${r.accessId}`).join(', '),
      recurrence: d.settings.recurrence
        ? `${d.settings.recurrence.pattern.type} every ${d.settings.recurrence.pattern.interval}, ${d.settings.recurrence.range.type} from ${d.settings.recurrence.range.startDate}`
        : 'one time',
      instanceDurationInDays: String(d.settings.instanceDurationInDays),
    },
  });
}

/** The definition with the patch applied, or why the patch can't apply. */
function merged(current: ReviewDefinition, patch: DefinitionPatch): ReviewDefinition | Refusal {
  const { settings: settingsPatch, scope: _scope, '@odata.type': _type, ...rest } = patch;
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const settings = { ...current.settings, ...defined(settingsPatch ?? {}) };
  if (settingsPatch && 'recurrence' in settingsPatch && settingsPatch.recurrence !== undefined) {
    const before = current.settings.recurrence ?? null;
    const after = settingsPatch.recurrence;
    if ((before === null) !== (after === null))
      return refuse(
        before === null
          ? 'A one-time review cannot become a series: create a new definition'
          : 'A series cannot become a one-time review: change its range (endDate or numbered) instead',
      );
    if (before && after && before.range.startDate !== after.range.startDate)
      return refuse(
        `settings.recurrence.range.startDate is fixed after creation (${before.range.startDate}); create a new definition to start elsewhere`,
      );
  }
  return { ...current, ...defined(rest), settings };
}

export async function updateDefinition(
  deps: DefinitionDeps,
  id: string,
  patch: DefinitionPatch,
  caller: CallerPrincipal,
): Promise<DefinitionResult> {
  if (patch.scope !== undefined)
    return refuse(
      'scope is fixed after creation: the series reviews the roles it was created with; create a new definition for other roles',
    );
  const before = await deps.reviews.definitions.find(id, id);
  if (!before) return refuse(`No access review definition ${id}`, 404);
  const first = merged(before, patch);
  if ('ok' in first) return first;
  const problem = await checkContent(deps, first);
  if (problem) return problem;

  let result: { document: Stored<ReviewDefinition>; changed: boolean };
  let previous: ReviewDefinition = before;
  try {
    result = await deps.reviews.definitions.update(id, id, (current) => {
      previous = current;
      const next = merged(current, patch);
      if ('ok' in next) return undefined;
      const { lastModifiedDateTime: _a, ...a } = stripEtag(current);
      const { lastModifiedDateTime: _b, ...b } = next;
      if (JSON.stringify(a) === JSON.stringify(stripEtag(b))) return undefined;
      return { ...next, lastModifiedDateTime: deps.clock.now().toISOString() };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return refuse(`No access review definition ${id}`, 404);
    throw err;
  }
  if (result.changed) {
    const changedKeys = changedProperties(previous, result.document);
    await deps.audit.record({
      id: `review-definition:${id}:updated:${result.document._etag}`,
      activityDateTime: deps.clock.now(),
      activityDisplayName: 'Update access review',
      category: 'AccessReview',
      operationType: 'Update',
      result: 'success',
      initiatedBy: actor(caller),
      targetResources: targets(result.document),
      correlationId: id,
      details: {
        definitionId: id,
        changed: changedKeys.join(', '),
        ...Object.fromEntries(
          changedKeys.flatMap((k) => [
            [`old.${k}`, summarize(valueAt(previous, k))],
            [`new.${k}`, summarize(valueAt(result.document, k))],
          ]),
        ),
      },
    });
  }
  return { ok: true, definition: result.document };
}

export interface OrchestrationControl {
  /** Ends an orchestration if it is running; nothing if it doesn't exist or has finished. */
  terminate(instanceId: string, reason: string): Promise<void>;
}

/**
 * Deletes a definition and everything of it: its series orchestration and every instance's (review and apply)
 * orchestration are terminated first, then each instance's decision items and the instance, the definition last —
 * so a DELETE that fails midway can be sent again and finishes the job.
 */
export async function deleteDefinition(
  deps: DefinitionDeps,
  id: string,
  caller: CallerPrincipal,
  orchestrations: OrchestrationControl,
): Promise<{ ok: true; instances: number; decisions: number } | Refusal> {
  const definition = await deps.reviews.definitions.find(id, id);
  if (!definition) return refuse(`No access review definition ${id}`, 404);
  const reason = 'The access review definition was deleted';
  await orchestrations.terminate(seriesInstanceId(id), reason);

  const instanceIds = await instanceIdsOf(deps, id);
  for (const instanceId of instanceIds) {
    await orchestrations.terminate(instanceOrchestrationId(instanceId), reason);
    await orchestrations.terminate(applyOrchestrationId(instanceId), reason);
  }

  let decisions = await removeInstances(deps, id, instanceIds);
  await ignoreMissing(deps.reviews.definitions.delete(id, id));
  // An activity that was already running when its orchestration was terminated may have written after the sweep
  // above (an instance planned, items snapshotted): sweep once more now that nothing can find the definition.
  const all = [...new Set([...instanceIds, ...(await instanceIdsOf(deps, id))])];
  decisions += await removeInstances(deps, id, all);

  await deps.audit.record({
    id: `review-definition:${id}:deleted`,
    activityDateTime: deps.clock.now(),
    activityDisplayName: 'Delete access review',
    category: 'AccessReview',
    operationType: 'Delete',
    result: 'success',
    initiatedBy: actor(caller),
    targetResources: targets(definition),
    correlationId: id,
    details: {
      definitionId: id,
      displayName: definition.displayName,
      status: definition.status,
      instancesDeleted: String(all.length),
      decisionsDeleted: String(decisions),
    },
  });
  return { ok: true, instances: all.length, decisions };
}

async function instanceIdsOf(deps: DefinitionDeps, definitionId: string): Promise<string[]> {
  const ids: string[] = [];
  let token: string | undefined;
  do {
    const page = await deps.reviews.listInstances(definitionId, 100, token);
    ids.push(...page.items.map((i) => i.id));
    token = page.continuationToken;
  } while (token);
  return ids;
}

/** Deletes each instance's decision items, then the instance; the number of items deleted. */
async function removeInstances(
  deps: DefinitionDeps,
  definitionId: string,
  instanceIds: string[],
): Promise<number> {
  let decisions = 0;
  for (const instanceId of instanceIds) {
    // Always the first page: what was deleted is gone from it.
    for (;;) {
      const page = await deps.reviews.listDecisions({ instanceId, pageSize: 100 });
      if (page.items.length === 0) break;
      for (const item of page.items) {
        await ignoreMissing(deps.reviews.decisions.delete(item.id, instanceId));
        decisions++;
      }
    }
    await ignoreMissing(deps.reviews.instances.delete(instanceId, definitionId));
  }
  return decisions;
}

async function ignoreMissing(p: Promise<void>): Promise<void> {
  try {
    await p;
  } catch (err) {
    if (!(err instanceof NotFoundError)) throw err;
  }
}

function stripEtag<T extends object>(d: T): Omit<T, '_etag'> {
  const { _etag: _e, ...rest } = d as T & { _etag?: string };
  return rest;
}

const TRACKED = [
  'displayName',
  'descriptionForAdmins',
  'descriptionForReviewers',
  'reviewers',
  'fallbackReviewers',
  'additionalNotificationRecipients',
  ...Object.keys(reviewSettingsSchema.shape).map((k) => `settings.${k}`),
];

function valueAt(d: ReviewDefinition, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], d);
}

function changedProperties(a: ReviewDefinition, b: ReviewDefinition): string[] {
  return TRACKED.filter((k) => JSON.stringify(valueAt(a, k)) !== JSON.stringify(valueAt(b, k)));
}

function summarize(v: unknown): string {
  const text = v === undefined || v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
