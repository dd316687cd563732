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

/** Undefined when the principal may get the role this way; else why not (a 400). */
export function checkRolePrincipal(
  principal: RolePrincipal | null,
  principalId: string,
  kind: RequestKind,
  action: RequestAction,
): RuleFailure | undefined {
  if (!principal) return { kind: 'invalid', detail: `No principal ${principalId} in the directory` };
  switch (principal.type) {
    case 'user':
      return undefined;
    case 'group':
      return principal.isAssignableToRole
        ? undefined
        : {
            kind: 'invalid',
            detail: `${ROLE_ASSIGNABLE_GROUPS_ONLY}: group ${principal.id} was not created with isAssignableToRole`,
          };
    case 'servicePrincipal':
      return kind === 'assignment' && action !== 'selfActivate'
        ? undefined
        : {
            kind: 'invalid',
            detail:
              'A service principal can hold a Microsoft Entra role only as an active assignment (roleAssignmentScheduleRequests), not as an eligible one or by activation',
          };
    default:
      return {
        kind: 'invalid',
        detail: `Only users, role-assignable groups and service principals can be assigned a Microsoft Entra role: ${principal.id} is none of them`,
      };
  }
}

export const SECURITY_GROUPS_ONLY =
  'Only security groups can be assigned an Azure role: not Microsoft 365 groups or mail-only (distribution) groups';

/** As `checkRolePrincipal`, for an Azure role: undefined when the principal may get it this way; else why not. */
export function checkAzureRolePrincipal(
  principal: RolePrincipal | null,
  principalId: string,
  kind: RequestKind,
  action: RequestAction,
): RuleFailure | undefined {
  if (!principal) return { kind: 'invalid', detail: `No principal ${principalId} in the directory` };
  switch (principal.type) {
    case 'user':
      return undefined;
    case 'group':
      return principal.isSecurityGroup
        ? undefined
        : {
            kind: 'invalid',
            detail: `${SECURITY_GROUPS_ONLY}: group ${principal.id} is not a security group`,
          };
    case 'servicePrincipal':
      return kind === 'assignment' && action !== 'selfActivate'
        ? undefined
        : {
            kind: 'invalid',
            detail:
              'A service principal (or managed identity) can hold an Azure role through PIM only as an active assignment, not as an eligible one or by activation',
          };
    default:
      return {
        kind: 'invalid',
        detail: `Only users, security groups and service principals can be assigned an Azure role: ${principal.id} is none of them`,
      };
  }
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
