/**
 * The reviewer's side of the access reviews API (docs/api/access-reviews.md): their inbox
 * (`filterByCurrentUser(on='reviewer')` on definitions, instances and decision items), the stages of a multi-stage
 * instance, and the decisions they record. Only public routes, with the reviewer's own token.
 */
import type { Api } from '../../api/client';
import { listAll } from '../../api/odata';
import { scopeLabel } from '../../api/arm';

/** "Through the group Key Vault Admins": how an Azure role item's principal holds the role, when not directly. */
export function throughGroupNote(item: {
  accessThroughGroup?: { id: string; displayName: string | null } | null;
}): string | undefined {
  const g = item.accessThroughGroup;
  return g ? `Through the group ${g.displayName ?? g.id}` : undefined;
}

export const DEFINITIONS = '/identityGovernance/accessReviews/definitions';
export const MINE = "filterByCurrentUser(on='reviewer')";

export interface ReviewDefinition {
  id: string;
  displayName: string;
  descriptionForReviewers: string | null;
  status: string;
  settings: { justificationRequiredOnApproval?: boolean; recommendationsEnabled?: boolean };
  stageSettings?: { stageId: string }[];
}

export interface ReviewInstance {
  id: string;
  definitionId: string;
  startDateTime: string;
  endDateTime: string;
  /** NotStarted, InProgress, Completed, then Applying and Applied. */
  status: string;
  resourceType?: 'directoryRole' | 'azureRole';
  /** Azure roles: the ARM scope reviewed. */
  azureScope?: string;
  groupDisplayName?: string | null;
  accessId?: string;
  roleDisplayName?: string | null;
  scopeDisplayName?: string | null;
  stoppedBy?: { id: string } | null;
  completedDateTime?: string | null;
}

export type Decision = 'Approve' | 'Deny' | 'DontKnow' | 'NotReviewed';
export type Recommendation = 'Approve' | 'Deny' | 'NoInfoAvailable';

export interface Identity {
  id: string;
  displayName: string | null;
  userPrincipalName: string | null;
}

export interface DecisionItem {
  id: string;
  principal: Identity & { type: 'user' | 'group' | 'servicePrincipal' };
  resource: {
    id: string;
    displayName: string | null;
    type: 'group' | 'directoryRole' | 'AzureRole';
    accessId?: string;
    /** Azure roles: the scope (ARM id, its name, its kind). */
    scope?: { id: string; displayName: string | null; type: string | null };
  };
  /** Azure roles: the security group the principal holds the role through (denying doesn't remove them from it). */
  accessThroughGroup?: { id: string; displayName: string | null } | null;
  assignmentType: 'eligible' | 'active';
  decision: Decision;
  recommendation: Recommendation;
  lastSignInDateTime: string | null;
  justification: string | null;
  reviewedBy: Identity;
  reviewedDateTime: string | null;
}

export interface ReviewStage {
  id: string;
  startDateTime: string;
  endDateTime: string;
  status: 'NotStarted' | 'InProgress' | 'Completed' | string;
}

/** The review is over: its decisions are final (Completed, Applying, Applied). */
export const isEnded = (i: ReviewInstance) => i.status !== 'NotStarted' && i.status !== 'InProgress';

export const instancePath = (definitionId: string, instanceId: string) =>
  `${DEFINITIONS}/${encodeURIComponent(definitionId)}/instances/${encodeURIComponent(instanceId)}`;

export const myDefinitions = (api: Api) => listAll<ReviewDefinition>(api, `${DEFINITIONS}/${MINE}?$top=100`);

export const myInstances = (api: Api, definitionId: string) =>
  listAll<ReviewInstance>(
    api,
    `${DEFINITIONS}/${encodeURIComponent(definitionId)}/instances/${MINE}?$top=100`,
  );

/** The caller's items in an instance (their current stage's in a multi-stage review), decided or not. */
export const myItems = (api: Api, definitionId: string, instanceId: string) =>
  listAll<DecisionItem>(api, `${instancePath(definitionId, instanceId)}/decisions/${MINE}?$top=500`);

export interface Progress {
  total: number;
  reviewed: number;
  approved: number;
  denied: number;
  dontKnow: number;
}

export function progressOf(items: readonly DecisionItem[]): Progress {
  const count = (d: Decision) => items.filter((i) => i.decision === d).length;
  const notReviewed = count('NotReviewed');
  return {
    total: items.length,
    reviewed: items.length - notReviewed,
    approved: count('Approve'),
    denied: count('Deny'),
    dontKnow: count('DontKnow'),
  };
}

/** What an instance reviews, as people name it: "Members of Helpdesk Admin-Group", "the Helpdesk Administrator role". */
export function reviewedRoleName(i: ReviewInstance): string {
  if (i.resourceType === 'azureRole')
    return `${i.roleDisplayName ?? 'Azure role'} · ${scopeLabel(i.azureScope ?? '', { displayName: i.scopeDisplayName ?? undefined })}`;
  if (i.resourceType === 'directoryRole') {
    const role = `${i.roleDisplayName ?? 'Directory'} role`;
    return i.scopeDisplayName && i.scopeDisplayName !== 'Directory'
      ? `${role} in ${i.scopeDisplayName}`
      : role;
  }
  const group = i.groupDisplayName ?? 'a group';
  return i.accessId === 'owner' ? `Owners of ${group}` : `Members of ${group}`;
}

/** An item's role: "Member of Helpdesk Admin-Group", "Helpdesk Administrator role". */
export function itemRoleName(item: DecisionItem): string {
  const name = item.resource.displayName ?? item.resource.id;
  if (item.resource.type === 'AzureRole' && item.resource.scope)
    return `${name} · ${scopeLabel(item.resource.scope.id, { displayName: item.resource.scope.displayName ?? undefined })}`;
  if (item.resource.type === 'directoryRole') return `${name} role`;
  return item.resource.accessId === 'owner' ? `Owner of ${name}` : `Member of ${name}`;
}

export const DECISION_LABELS: Record<Decision, string> = {
  Approve: 'Approved',
  Deny: 'Denied',
  DontKnow: "Don't know",
  NotReviewed: 'Not reviewed',
};

export const ACTION_LABELS: Record<Exclude<Decision, 'NotReviewed'>, string> = {
  Approve: 'Approve',
  Deny: 'Deny',
  DontKnow: "Don't know",
};

/** The recommendation's evidence: "Last signed in 45 days ago", "Never signed in", or why there is none. */
export function signInEvidence(item: DecisionItem, now = Date.now()): string {
  if (item.principal.type !== 'user') return 'No sign-in data for groups and service principals';
  if (!item.lastSignInDateTime) return 'Never signed in';
  const days = Math.floor((now - new Date(item.lastSignInDateTime).getTime()) / 86_400_000);
  if (days <= 0) return 'Last signed in today';
  return days === 1 ? 'Last signed in yesterday' : `Last signed in ${days} days ago`;
}
