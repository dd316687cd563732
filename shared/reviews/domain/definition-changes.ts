/**
 * A series edit (PATCH) or replacement (PUT) applied to a definition (or why it can't apply: the scope and the recurrence's start are fixed, a
 * one-time review stays one), and what changed, property by property, as the audit record shows it.
 */
import type { DefinitionPatch, DefinitionReplace } from './definition-bodies';
import { refuse, type Refusal } from './refusal';
import {
  reviewSettingsSchema,
  seriesRecurrence,
  type ReviewDefinition,
  type ReviewScope,
} from './review-definition';
import { storedRole } from './reviewed-role';

/** The definition with the patch applied, or why the patch can't apply. */
export function merged(current: ReviewDefinition, patch: DefinitionPatch): ReviewDefinition | Refusal {
  const {
    settings: settingsPatch,
    scope: _scope,
    instanceEnumerationScope: _enumeration,
    '@odata.type': _type,
    ...rest
  } = patch;
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const settings = { ...current.settings, ...defined(settingsPatch ?? {}) };
  if (settingsPatch && 'recurrence' in settingsPatch && settingsPatch.recurrence !== undefined) {
    const problem = recurrenceChangeProblem(current, settingsPatch.recurrence);
    if (problem) return problem;
  }
  return { ...current, ...defined(rest), settings };
}

/**
 * The definition replaced by a PUT body (Graph's update: the whole object; what it leaves out takes its default),
 * or why it can't be: the scope and the recurrence's start are fixed, a one-time review stays one.
 */
export function replaced(current: ReviewDefinition, body: DefinitionReplace): ReviewDefinition | Refusal {
  const { id, scope, graphScope, '@odata.type': _type, ...writable } = body;
  if (id !== undefined && id.toLowerCase() !== current.id)
    return refuse('invalid', `id (${id}) is not this definition's (${current.id})`);
  if (!sameScope(current.scope, scope))
    return refuse(
      'invalid',
      'scope is fixed after creation: send the scope the definition has (as a GET shows it); create a new definition for other roles',
    );
  const problem = recurrenceChangeProblem(current, writable.settings.recurrence ?? null);
  if (problem) return problem;
  return { ...current, ...writable, graphScope: graphScope ?? current.graphScope };
}

function recurrenceChangeProblem(
  current: ReviewDefinition,
  after: ReviewDefinition['settings']['recurrence'] | null,
): Refusal | undefined {
  const before = current.settings.recurrence ?? null;
  if (!seriesRecurrence(before) !== !seriesRecurrence(after))
    return refuse(
      'invalid',
      !seriesRecurrence(before)
        ? 'A one-time review cannot become a series: create a new definition'
        : 'A series cannot become a one-time review: change its range (endDate or numbered) instead',
    );
  if (before && after && before.range.startDate !== after.range.startDate)
    return refuse(
      'invalid',
      `settings.recurrence.range.startDate is fixed after creation (${before.range.startDate}); create a new definition to start elsewhere`,
    );
  return undefined;
}

/** The same roles, assignments, principals and inactivity, however they were written. */
function sameScope(a: ReviewScope, b: ReviewScope): boolean {
  const key = (s: ReviewScope) =>
    JSON.stringify([
      s.roles.map((r) => JSON.stringify(storedRole(r))).sort(),
      s.assignmentTypes,
      [...s.principalTypes].sort(),
      s.inactiveDurationInDays,
    ]);
  return key(a) === key(b);
}

export function stripEtag<T extends object>(d: T): Omit<T, '_etag'> {
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
  'stageSettings',
  ...Object.keys(reviewSettingsSchema.shape).map((k) => `settings.${k}`),
];

export function valueAt(d: ReviewDefinition, key: string): unknown {
  return key.split('.').reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], d);
}

export function changedProperties(a: ReviewDefinition, b: ReviewDefinition): string[] {
  return TRACKED.filter((k) => JSON.stringify(valueAt(a, k)) !== JSON.stringify(valueAt(b, k)));
}

export function summarize(v: unknown): string {
  const text = v === undefined || v === null ? 'null' : typeof v === 'string' ? v : JSON.stringify(v);
  return text.length > 400 ? `${text.slice(0, 397)}...` : text;
}
