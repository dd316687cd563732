/**
 * The create wizard's state, its checks (the API's own rules, so a step says what is wrong before anything is sent)
 * and the definition body it sends. An API refusal is mapped back to the field (and step) it names: the API's
 * messages start with the field's path (`settings.instanceDurationInDays (30) must be shorter…`,
 * `reviewers[0]: no user … in the directory`).
 */
import { ApiError } from '../../../api/errors';
import { FREQUENCIES, type Frequency } from './review-api';

export const STEPS = ['Review type', 'Reviewers', 'Settings', 'Review + create'] as const;

export type ReviewKind = 'roles' | 'groups';
export type ReviewerMode = 'selected' | 'self' | 'manager';
export type EndKind = 'never' | 'date' | 'count';
export type NoResponse = 'NoChange' | 'Deny' | 'Approve' | 'Recommendation';

export interface WizardState {
  kind: ReviewKind;
  /** Directory role ids, or `groupId:member` / `groupId:owner`. */
  roles: string[];
  assignmentTypes: 'eligible' | 'active' | 'both';
  principalTypes: ('user' | 'group' | 'servicePrincipal')[];
  inactiveOnly: boolean;
  inactiveDays: string;
  reviewerMode: ReviewerMode;
  reviewers: string[];
  fallbackReviewers: string[];
  name: string;
  description: string;
  startDate: string;
  frequency: Frequency;
  duration: string;
  end: EndKind;
  endDate: string;
  occurrences: string;
  autoApply: boolean;
  noResponse: NoResponse;
  notifyEmails: string;
  recommendations: boolean;
  justificationRequired: boolean;
  mail: boolean;
  reminders: boolean;
  decisionHistories: boolean;
}

/** The wizard's fields, as errors name them. */
export type FieldName =
  | 'roles'
  | 'principalTypes'
  | 'inactiveDays'
  | 'reviewers'
  | 'fallbackReviewers'
  | 'name'
  | 'description'
  | 'startDate'
  | 'frequency'
  | 'duration'
  | 'endDate'
  | 'occurrences'
  | 'notifyEmails'
  | 'form';

export type FieldErrors = Partial<Record<FieldName, string>>;

export const todayUtc = (now = new Date()) => now.toISOString().slice(0, 10);

export function initialState(now = new Date()): WizardState {
  return {
    kind: 'roles',
    roles: [],
    assignmentTypes: 'both',
    principalTypes: ['user', 'group', 'servicePrincipal'],
    inactiveOnly: false,
    inactiveDays: '30',
    reviewerMode: 'selected',
    reviewers: [],
    fallbackReviewers: [],
    name: '',
    description: '',
    startDate: todayUtc(now),
    frequency: 'once',
    duration: '14',
    end: 'never',
    endDate: '',
    occurrences: '4',
    autoApply: false,
    noResponse: 'NoChange',
    notifyEmails: '',
    recommendations: true,
    justificationRequired: true,
    mail: true,
    reminders: true,
    decisionHistories: false,
  };
}

const STEP_OF: Record<FieldName, number> = {
  roles: 0,
  principalTypes: 0,
  inactiveDays: 0,
  reviewers: 1,
  fallbackReviewers: 1,
  name: 2,
  description: 2,
  startDate: 2,
  frequency: 2,
  duration: 2,
  endDate: 2,
  occurrences: 2,
  notifyEmails: 2,
  form: 3,
};
export const stepOf = (f: FieldName) => STEP_OF[f];

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isGuid = (s: string) => GUID.test(s.trim());
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function emails(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter((s) => s !== '');
}

const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text) : NaN);

/** Days between occurrences at the shortest (a month counts 28 days), as the API checks the duration against. */
function shortestIntervalDays(f: Frequency): number | undefined {
  const p = FREQUENCIES.find((x) => x.value === f)?.pattern;
  if (!p) return undefined;
  return p.type === 'weekly' ? 7 * p.interval : 28 * p.interval;
}

/** The problems of one step (the API's rules), empty when it may go on. */
export function validateStep(step: number, s: WizardState, now = new Date()): FieldErrors {
  const e: FieldErrors = {};
  if (step === 0) {
    if (s.roles.length === 0)
      e.roles =
        s.kind === 'roles'
          ? 'Select at least one role to review.'
          : 'Select at least one group role to review.';
    else if (s.roles.length > 50) e.roles = 'A review covers at most 50 roles.';
    if (s.principalTypes.length === 0) e.principalTypes = 'Select at least one kind of principal to review.';
    if (s.inactiveOnly) {
      const days = wholeNumber(s.inactiveDays);
      if (!(days >= 1 && days <= 730)) e.inactiveDays = 'Days inactive must be a whole number from 1 to 730.';
    }
  } else if (step === 1) {
    if (s.reviewerMode === 'selected' && s.reviewers.length === 0) e.reviewers = 'Add at least one reviewer.';
    if (s.reviewers.length > 50) e.reviewers = 'At most 50 reviewers.';
    if (s.reviewerMode === 'manager' && s.fallbackReviewers.length === 0)
      e.fallbackReviewers = 'Add a fallback reviewer for people who have no manager.';
  } else if (step === 2) {
    if (s.name.trim() === '') e.name = 'Give the review a name.';
    else if (s.name.length > 256) e.name = 'The name can have at most 256 characters.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(s.startDate)) e.startDate = 'Enter a start date.';
    else if (s.startDate < todayUtc(now)) e.startDate = 'The start date must be today or later.';
    const duration = wholeNumber(s.duration);
    const interval = shortestIntervalDays(s.frequency);
    if (!(duration >= 1 && duration <= 365))
      e.duration = 'The duration must be a whole number of days from 1 to 365.';
    else if (interval !== undefined && duration >= interval)
      e.duration = `Each review must end before the next one starts: fewer than ${interval} days for this frequency.`;
    if (s.frequency !== 'once') {
      if (s.end === 'date') {
        if (!/^\d{4}-\d{2}-\d{2}$/.test(s.endDate)) e.endDate = 'Enter the date the series ends.';
        else if (s.endDate < s.startDate) e.endDate = 'The end date must not be before the start date.';
      }
      if (s.end === 'count') {
        const n = wholeNumber(s.occurrences);
        if (!(n >= 1 && n <= 1000))
          e.occurrences = 'The number of occurrences must be a whole number from 1 to 1000.';
      }
    }
    const bad = emails(s.notifyEmails).find((m) => !EMAIL.test(m));
    if (bad) e.notifyEmails = `"${bad}" is not an e-mail address.`;
  }
  return e;
}

export function validateAll(s: WizardState, now = new Date()): FieldErrors {
  return { ...validateStep(0, s, now), ...validateStep(1, s, now), ...validateStep(2, s, now) };
}

const users = (ids: string[]) => ids.map((id) => ({ query: `/users/${id}`, queryType: 'MicrosoftGraph' }));

/** The definition body (`POST definitions`, pimflow's multi-role scope). */
export function definitionBody(s: WizardState): Record<string, unknown> {
  const pattern = FREQUENCIES.find((f) => f.value === s.frequency)?.pattern ?? null;
  const range =
    s.end === 'date'
      ? { type: 'endDate', startDate: s.startDate, endDate: s.endDate }
      : s.end === 'count'
        ? { type: 'numbered', startDate: s.startDate, numberOfOccurrences: Number(s.occurrences) }
        : { type: 'noEnd', startDate: s.startDate };
  const description = s.description.trim() === '' ? null : s.description.trim();
  return {
    displayName: s.name.trim(),
    descriptionForAdmins: description,
    descriptionForReviewers: description,
    scope: {
      '@odata.type': '#pimflow.groupRoleReviewScope',
      roles: s.roles.map((r) => {
        if (s.kind === 'roles') return { roleDefinitionId: r, directoryScopeId: '/' };
        const [groupId, accessId] = r.split(':');
        return { groupId, accessId };
      }),
      assignmentTypes: s.assignmentTypes,
      principalTypes: s.principalTypes,
      inactiveDurationInDays: s.inactiveOnly ? Number(s.inactiveDays) : null,
    },
    reviewers:
      s.reviewerMode === 'self'
        ? []
        : s.reviewerMode === 'manager'
          ? [{ query: './manager', queryType: 'MicrosoftGraph', queryRoot: 'decisions' }]
          : users(s.reviewers),
    fallbackReviewers: users(s.fallbackReviewers),
    additionalNotificationRecipients: emails(s.notifyEmails).map((emailAddress) => ({
      notificationRecipientScope: { emailAddress },
    })),
    settings: {
      instanceDurationInDays: Number(s.duration),
      // A one-time review starts on its start date: the range alone says when.
      recurrence: {
        pattern: pattern ? { ...pattern } : null,
        range: pattern ? range : { type: 'noEnd', startDate: s.startDate },
      },
      autoApplyDecisionsEnabled: s.autoApply,
      defaultDecisionEnabled: s.noResponse !== 'NoChange',
      defaultDecision: s.noResponse === 'NoChange' ? 'None' : s.noResponse,
      recommendationsEnabled: s.recommendations,
      justificationRequiredOnApproval: s.justificationRequired,
      mailNotificationsEnabled: s.mail,
      reminderNotificationsEnabled: s.reminders,
      decisionHistoriesForReviewersEnabled: s.decisionHistories,
    },
  };
}

/** API field paths (as they start the API's messages or name its error details) → the wizard's field. */
const API_FIELDS: [RegExp, FieldName][] = [
  [/instanceDurationInDays/i, 'duration'],
  [/numberOfOccurrences/i, 'occurrences'],
  [/endDate/i, 'endDate'],
  [/startDate/i, 'startDate'],
  [/recurrence|pattern/i, 'frequency'],
  [/description/i, 'description'],
  [/displayName/i, 'name'],
  [/fallbackReviewers|backupReviewers/i, 'fallbackReviewers'],
  [/reviewers/i, 'reviewers'],
  [/additionalNotificationRecipients/i, 'notifyEmails'],
  [/inactiveDurationInDays/i, 'inactiveDays'],
  [/principalTypes/i, 'principalTypes'],
  [/scope|roles?\b|group/i, 'roles'],
];

/** Where the wizard shows an API refusal: the field its details or its message name, else the form. */
export function fieldOfApiError(err: ApiError): FieldName {
  const names = [...Object.keys(err.fields), err.message];
  for (const text of names) for (const [re, field] of API_FIELDS) if (re.test(text)) return field;
  return 'form';
}

/**
 * The API's sentence without the field path it starts with, since it is shown on that field:
 * "Reviewers[0]: no user … in the directory." → "No user … in the directory."
 */
export function fieldMessage(err: ApiError): string {
  const rest = /^(?:Invalid body: )?[A-Za-z][\w.[\]]*: (.+)$/s.exec(err.message)?.[1];
  return rest ? rest.charAt(0).toUpperCase() + rest.slice(1) : err.message;
}
