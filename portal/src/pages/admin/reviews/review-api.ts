/**
 * The access-review API as the admin pages use it (docs/api/access-reviews.md): Graph's accessReviewScheduleDefinition,
 * accessReviewInstance and decision items, the roles under management that a review can cover, and the names the
 * pages show for ids. Public routes only, with the signed-in user's token.
 */
import type { Api } from '../../../api/client';
import { listAll } from '../../../api/odata';
import { scopeLabel } from '../../../api/arm';

export const DEFINITIONS = '/identityGovernance/accessReviews/definitions';

export interface ReviewerScope {
  query: string;
  queryType?: string;
  queryRoot?: string | null;
}

export interface ScopeRole {
  groupId?: string;
  accessId?: 'member' | 'owner';
  roleDefinitionId?: string;
  directoryScopeId?: string;
}

export interface Recurrence {
  pattern: { type: string; interval: number } | null;
  range: { type: string; startDate: string; endDate?: string | null; numberOfOccurrences?: number };
}

export interface ReviewSettings {
  instanceDurationInDays: number;
  recurrence?: Recurrence | null;
  autoApplyDecisionsEnabled: boolean;
  defaultDecisionEnabled: boolean;
  defaultDecision: string;
  recommendationsEnabled: boolean;
  justificationRequiredOnApproval: boolean;
  mailNotificationsEnabled: boolean;
  reminderNotificationsEnabled: boolean;
  decisionHistoriesForReviewersEnabled?: boolean;
}

export interface Definition {
  id: string;
  displayName: string;
  descriptionForAdmins: string | null;
  descriptionForReviewers: string | null;
  status: string;
  createdDateTime: string;
  createdBy?: { displayName?: string | null; userPrincipalName?: string | null };
  scope: {
    '@odata.type'?: string;
    roles?: ScopeRole[];
    assignmentTypes?: string;
    principalTypes?: string[];
    inactiveDurationInDays?: number | null;
    query?: string;
  };
  reviewers: ReviewerScope[];
  fallbackReviewers: ReviewerScope[];
  additionalNotificationRecipients?: {
    notificationRecipientScope: { query?: string; emailAddress?: string };
  }[];
  settings: ReviewSettings;
  stageSettings?: unknown[] | null;
}

export interface Instance {
  id: string;
  definitionId: string;
  occurrence: number;
  status: string;
  startDateTime: string;
  endDateTime: string;
  reviewers: ReviewerScope[];
  fallbackReviewers: ReviewerScope[];
  resourceType?: 'directoryRole' | 'azureRole';
  /** Azure roles: the ARM scope reviewed. */
  azureScope?: string;
  roleDefinitionId?: string;
  directoryScopeId?: string;
  roleDisplayName?: string | null;
  scopeDisplayName?: string | null;
  groupId?: string;
  accessId?: string;
  groupDisplayName?: string | null;
  stoppedBy?: { displayName?: string | null } | null;
  completedDateTime?: string | null;
  appliedDateTime?: string | null;
}

export type Decision = 'Approve' | 'Deny' | 'NotReviewed' | 'DontKnow';

export interface DecisionItem {
  id: string;
  principal: { id: string; displayName?: string | null; userPrincipalName?: string | null; type?: string };
  resource?: { displayName?: string | null; scope?: { id: string; displayName: string | null } };
  /** Azure roles held through a security group: the group (a denial is left to an admin: ApplyNotSupported). */
  accessThroughGroup?: { id: string; displayName: string | null } | null;
  decision: Decision;
  recommendation: string;
  justification: string | null;
  reviewedBy: { id: string; displayName?: string | null };
  reviewedDateTime: string | null;
  applyResult: string;
  appliedDateTime: string | null;
  assignmentType?: string;
  lastSignInDateTime?: string | null;
}

export interface ManagedRole {
  roleDefinitionId: string;
  displayName: string;
  baselineAssignments?: { principalId: string; type: string; displayName: string }[];
}

export interface ManagedGroup {
  groupId: string;
  displayName: string;
}

export const definitionPath = (id: string) => `${DEFINITIONS}/${encodeURIComponent(id)}`;
export const instancePath = (definitionId: string, instanceId: string) =>
  `${definitionPath(definitionId)}/instances/${encodeURIComponent(instanceId)}`;

export const loadInstances = (api: Api, definitionId: string) =>
  listAll<Instance>(api, `${definitionPath(definitionId)}/instances?$top=999`);

export const loadDecisions = (api: Api, definitionId: string, instanceId: string) =>
  listAll<DecisionItem>(api, `${instancePath(definitionId, instanceId)}/decisions?$top=999`);

export interface DecisionCounts {
  Approve: number;
  Deny: number;
  NotReviewed: number;
  DontKnow: number;
}

export function countDecisions(items: readonly DecisionItem[]): DecisionCounts {
  const counts: DecisionCounts = { Approve: 0, Deny: 0, NotReviewed: 0, DontKnow: 0 };
  for (const i of items) counts[i.decision] += 1;
  return counts;
}

/** Instances of the newest occurrence that has started (else the next one planned): "the current review". */
export function currentOccurrence(instances: readonly Instance[]): Instance[] {
  if (instances.length === 0) return [];
  const started = instances.filter((i) => i.status !== 'NotStarted');
  const pool = started.length > 0 ? started : instances;
  const occurrence = Math.max(...pool.map((i) => i.occurrence));
  return pool.filter((i) => i.occurrence === occurrence);
}

export function instanceName(i: Instance): string {
  if (i.resourceType === 'azureRole')
    return `${i.roleDisplayName ?? 'Azure role'} · ${scopeLabel(i.azureScope ?? '', { displayName: i.scopeDisplayName ?? undefined })}`;
  if (i.resourceType === 'directoryRole') {
    const scope = i.directoryScopeId && i.directoryScopeId !== '/' ? ` (${i.scopeDisplayName ?? ''})` : '';
    return `${i.roleDisplayName ?? i.roleDefinitionId ?? 'Role'}${scope}`;
  }
  return `${i.groupDisplayName ?? i.groupId ?? 'Group'} · ${i.accessId === 'owner' ? 'Owner' : 'Member'}`;
}

/** Names for the ids a definition holds (roles, groups, users) as far as the admin's lists know them. */
export interface Names {
  roles: Map<string, string>;
  groups: Map<string, string>;
  users: Map<string, string>;
}

export async function loadNames(api: Api): Promise<Names> {
  const [roles, groups] = await Promise.all([
    listAll<ManagedRole>(api, '/managedRoles?$top=999').catch(() => [] as ManagedRole[]),
    listAll<ManagedGroup>(api, '/managedGroups?$top=999').catch(() => [] as ManagedGroup[]),
  ]);
  return {
    roles: new Map(roles.map((r) => [r.roleDefinitionId.toLowerCase(), r.displayName])),
    groups: new Map(groups.map((g) => [g.groupId.toLowerCase(), g.displayName])),
    users: new Map(),
  };
}

export function roleName(role: ScopeRole, names: Names | undefined): string {
  if (role.roleDefinitionId) {
    const name = names?.roles.get(role.roleDefinitionId.toLowerCase()) ?? role.roleDefinitionId;
    return role.directoryScopeId && role.directoryScopeId !== '/'
      ? `${name} (${role.directoryScopeId})`
      : name;
  }
  const group = names?.groups.get((role.groupId ?? '').toLowerCase()) ?? role.groupId ?? 'Group';
  return `${group} · ${role.accessId === 'owner' ? 'Owner' : 'Member'}`;
}

export function scopeSummary(d: Definition, names: Names | undefined): string {
  const roles = d.scope.roles;
  if (!roles) return d.scope.query ? `Graph query: ${d.scope.query}` : '—';
  const listed = roles.map((r) => roleName(r, names));
  const text =
    listed.length > 3 ? `${listed.slice(0, 3).join(', ')} and ${listed.length - 3} more` : listed.join(', ');
  return `${roles.length} ${roles.length === 1 ? 'role' : 'roles'}: ${text}`;
}

const USER_QUERY = /^\/(?:v1\.0\/)?users\/([0-9a-fA-F-]{36})$/;

export function reviewerIds(scopes: readonly ReviewerScope[]): string[] {
  return scopes.flatMap((s) => {
    const id = USER_QUERY.exec(s.query)?.[1];
    return id ? [id.toLowerCase()] : [];
  });
}

export function reviewersSummary(
  d: Pick<Definition, 'reviewers' | 'fallbackReviewers'>,
  names?: Names,
): string {
  const who = (ids: string[]) => ids.map((id) => names?.users.get(id) ?? id).join(', ');
  if (d.reviewers.length === 0) return 'Members review themselves';
  if (d.reviewers.some((r) => r.query === './manager'))
    return `Managers (fallback: ${who(reviewerIds(d.fallbackReviewers)) || 'none'})`;
  return `Selected users: ${who(reviewerIds(d.reviewers))}`;
}

export const FREQUENCIES = [
  { value: 'once', label: 'One time', pattern: null },
  { value: 'weekly', label: 'Weekly', pattern: { type: 'weekly', interval: 1 } },
  { value: 'monthly', label: 'Monthly', pattern: { type: 'absoluteMonthly', interval: 1 } },
  { value: 'quarterly', label: 'Quarterly', pattern: { type: 'absoluteMonthly', interval: 3 } },
  { value: 'semiannually', label: 'Semi-annually', pattern: { type: 'absoluteMonthly', interval: 6 } },
  { value: 'annually', label: 'Annually', pattern: { type: 'absoluteMonthly', interval: 12 } },
] as const;
export type Frequency = (typeof FREQUENCIES)[number]['value'];

export function recurrenceSummary(r: Recurrence | null | undefined): string {
  if (!r?.pattern) return 'One time';
  const { type, interval } = r.pattern;
  const named = FREQUENCIES.find((f) => f.pattern?.type === type && f.pattern.interval === interval);
  const every = named ? named.label : `Every ${interval} ${type === 'weekly' ? 'weeks' : 'months'}`;
  const end =
    r.range.type === 'endDate'
      ? `, until ${r.range.endDate ?? '?'}`
      : r.range.type === 'numbered'
        ? `, ${r.range.numberOfOccurrences ?? 0} times`
        : '';
  return `${every}${end}`;
}

export const DEFAULT_DECISIONS = [
  { value: 'NoChange', label: 'No change' },
  { value: 'Deny', label: 'Remove access' },
  { value: 'Approve', label: 'Approve access' },
  { value: 'Recommendation', label: 'Take recommendations' },
] as const;

export function defaultDecisionSummary(s: ReviewSettings): string {
  if (!s.defaultDecisionEnabled || s.defaultDecision === 'None') return 'No change';
  return DEFAULT_DECISIONS.find((d) => d.value === s.defaultDecision)?.label ?? s.defaultDecision;
}

export const DECISION_LABELS: Record<Decision, string> = {
  Approve: 'Approved',
  Deny: 'Denied',
  NotReviewed: 'Not reviewed',
  DontKnow: "Don't know",
};

export const STATUS_LABELS: Record<string, string> = {
  NotStarted: 'Not started',
  InProgress: 'In progress',
  Completed: 'Completed',
  Applying: 'Applying',
  Applied: 'Applied',
};
export const statusLabel = (s: string) => STATUS_LABELS[s] ?? s;
