/**
 * A series edit applied to a definition (or why it can't apply: the scope and the recurrence's start are fixed, a
 * one-time review stays one), and what changed, property by property, as the audit record shows it.
 */
import type { DefinitionPatch } from './definition-bodies';
import { refuse, type Refusal } from './refusal';
import { reviewSettingsSchema, type ReviewDefinition } from './review-definition';

/** The definition with the patch applied, or why the patch can't apply. */
export function merged(current: ReviewDefinition, patch: DefinitionPatch): ReviewDefinition | Refusal {
  const { settings: settingsPatch, scope: _scope, '@odata.type': _type, ...rest } = patch;
  const defined = <T extends object>(o: T) =>
    Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
  const settings = { ...current.settings, ...defined(settingsPatch ?? {}) };
  if (settingsPatch && 'recurrence' in settingsPatch && settingsPatch.recurrence !== undefined) {
    const before = current.settings.recurrence ?? null;
    const after = settingsPatch.recurrence;
    if ((before === null) !== (after === null))
      return refuse(
        'invalid',
        before === null
          ? 'A one-time review cannot become a series: create a new definition'
          : 'A series cannot become a one-time review: change its range (endDate or numbered) instead',
      );
    if (before && after && before.range.startDate !== after.range.startDate)
      return refuse(
        'invalid',
        `settings.recurrence.range.startDate is fixed after creation (${before.range.startDate}); create a new definition to start elsewhere`,
      );
  }
  return { ...current, ...defined(rest), settings };
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
