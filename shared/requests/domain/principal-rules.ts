/**
 * Who may hold a Microsoft Entra directory role (seed 002, Graph's roleAssignments rules), as a pure function:
 * users; role-assignable groups (`isAssignableToRole`) only; service principals only as active assignments (not
 * eligible, not by activation); nothing else. Who may hold an Azure role (ARM's rules as PIM applies them): users
 * and security groups (any, role-assignable or not; not Microsoft 365 or mail-only groups); service principals,
 * managed identities included, only as active assignments. Group requests have no such rule (their principals are
 * checked against the directory as before).
 */
import type { PrincipalType } from '../../directory/directory';
import type { RequestAction } from './schedule-request';
import type { RequestKind } from './request-body';
import type { RuleFailure } from './request-rules';

/** The principal as the directory describes it; the group fields only matter for groups. */
export interface RolePrincipal {
  id: string;
  type: PrincipalType;
  isAssignableToRole?: boolean;
  /** A security group (securityEnabled, not a Microsoft 365 group): what an Azure role may be assigned to. */
  isSecurityGroup?: boolean;
}

export const ROLE_ASSIGNABLE_GROUPS_ONLY =
  'Only role-assignable groups (isAssignableToRole) can be assigned a Microsoft Entra role';

/** Actions that end access: whoever holds it may lose it, whatever kind of principal it is. */
export function endsAccess(action: RequestAction): boolean {
  return action === 'adminRemove' || action === 'selfDeactivate';
}

/** What differs between the two kinds of role: which groups qualify, and how refusals name the role. */
interface PrincipalRules {
  groupQualifies(p: RolePrincipal): boolean;
  groupRefusal(groupId: string): string;
  servicePrincipalRefusal: string;
  noneOfThem(id: string): string;
}

const ENTRA_ROLE_RULES: PrincipalRules = {
  groupQualifies: (p) => p.isAssignableToRole === true,
  groupRefusal: (id) => `${ROLE_ASSIGNABLE_GROUPS_ONLY}: group ${id} was not created with isAssignableToRole`,
  servicePrincipalRefusal:
    'A service principal can hold a Microsoft Entra role only as an active assignment (roleAssignmentScheduleRequests), not as an eligible one or by activation',
  noneOfThem: (id) =>
    `Only users, role-assignable groups and service principals can be assigned a Microsoft Entra role: ${id} is none of them`,
};

export const SECURITY_GROUPS_ONLY =
  'Only security groups can be assigned an Azure role: not Microsoft 365 groups or mail-only (distribution) groups';

const AZURE_ROLE_RULES: PrincipalRules = {
  groupQualifies: (p) => p.isSecurityGroup === true,
  groupRefusal: (id) => `${SECURITY_GROUPS_ONLY}: group ${id} is not a security group`,
  servicePrincipalRefusal:
    'A service principal (or managed identity) can hold an Azure role through PIM only as an active assignment, not as an eligible one or by activation',
  noneOfThem: (id) =>
    `Only users, security groups and service principals can be assigned an Azure role: ${id} is none of them`,
};

function checkPrincipal(
  rules: PrincipalRules,
  principal: RolePrincipal | null,
  principalId: string,
  kind: RequestKind,
  action: RequestAction,
): RuleFailure | undefined {
  if (!principal) return { kind: 'invalid', detail: `No principal ${principalId} in the directory` };
  const refuse = (detail: string): RuleFailure => ({ kind: 'invalid', detail });
  switch (principal.type) {
    case 'user':
      return undefined;
    case 'group':
      return rules.groupQualifies(principal) ? undefined : refuse(rules.groupRefusal(principal.id));
    case 'servicePrincipal':
      return kind === 'assignment' && action !== 'selfActivate'
        ? undefined
        : refuse(rules.servicePrincipalRefusal);
    default:
      return refuse(rules.noneOfThem(principal.id));
  }
}

/** Undefined when the principal may get the Entra role this way; else why not (a 400). */
export function checkRolePrincipal(
  principal: RolePrincipal | null,
  principalId: string,
  kind: RequestKind,
  action: RequestAction,
): RuleFailure | undefined {
  return checkPrincipal(ENTRA_ROLE_RULES, principal, principalId, kind, action);
}

/** As `checkRolePrincipal`, for an Azure role: undefined when the principal may get it this way; else why not. */
export function checkAzureRolePrincipal(
  principal: RolePrincipal | null,
  principalId: string,
  kind: RequestKind,
  action: RequestAction,
): RuleFailure | undefined {
  return checkPrincipal(AZURE_ROLE_RULES, principal, principalId, kind, action);
}

/**
 * How refusals name what a request is about: "of this group" for a group role, "at directory scope /" for a
 * directory role, "at scope /subscriptions/…" for an Azure role (so a role request never talks about a group).
 */
export function resourcePhrase(r: { resourceType?: string | undefined; groupId: string }): string {
  if (r.resourceType === 'directoryRole') return `at directory scope ${r.groupId}`;
  if (r.resourceType === 'azureRole') return `at scope ${r.groupId}`;
  return 'of this group';
}

/** "principal, group and role" or "principal, scope and role", for the one-open-request and end refusals. */
export function targetNoun(r: { resourceType?: string | undefined }): string {
  return r.resourceType === 'directoryRole' || r.resourceType === 'azureRole' ? 'scope' : 'group';
}
