/**
 * The directory as pimflow needs it: who people are (and their managers and sign-in activity), who is a member or
 * owner of a group, and who holds which Entra directory role at which scope, with idempotent changes to both. Implemented over Microsoft Graph by
 * graph-directory.ts. Everything returned is plain JSON, so activities can return it to orchestrators as is.
 */

export type PrincipalType = 'user' | 'group' | 'servicePrincipal' | 'other';

/** A member or owner of a group. */
export interface DirectoryPrincipal {
  id: string;
  type: PrincipalType;
  displayName: string | null;
}

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mail: string | null;
  jobTitle: string | null;
  department: string | null;
  accountEnabled: boolean;
}

export interface DirectoryGroup {
  id: string;
  displayName: string;
  description: string | null;
  securityEnabled: boolean;
  mailEnabled: boolean;
  /** Role-assignable groups can carry Entra roles (and can't have groups as members). */
  isAssignableToRole: boolean;
  groupTypes: string[];
}

/** ISO 8601 times; null where the user never signed in that way. */
export interface SignInActivity {
  lastSignInDateTime: string | null;
  lastNonInteractiveSignInDateTime: string | null;
  lastSuccessfulSignInDateTime: string | null;
}

/** `changed`: this call made the change; `unchanged`: it was already so (already a member, already gone). */
export type MembershipChange = 'changed' | 'unchanged';

export interface GraphErrorInfo {
  status: number;
  code: string;
  message: string;
}

/** One principal's outcome in a bulk change; `error` is set when `outcome` is `failed`. */
export interface BulkItemResult {
  principalId: string;
  outcome: MembershipChange | 'failed';
  error?: GraphErrorInfo;
}

/** A Microsoft Entra role (unifiedRoleDefinition); for built-in roles `id` is the template id. */
export interface DirectoryRoleDefinition {
  id: string;
  templateId: string;
  displayName: string;
  description: string | null;
  isBuiltIn: boolean;
  isEnabled: boolean;
  isPrivileged: boolean;
}

/** A principal holding a role at a directory scope: `/` (the tenant) or `/administrativeUnits/{id}`. */
export interface DirectoryRoleAssignment {
  id: string;
  principalId: string;
  roleDefinitionId: string;
  directoryScopeId: string;
}

export interface Directory {
  /** By object id or userPrincipalName; null when there is no such user. */
  getUser(idOrUpn: string): Promise<DirectoryUser | null>;
  /** Several users at once (`$batch`), keyed by the id asked for; null for each that doesn't exist. */
  getUsers(ids: readonly string[]): Promise<Record<string, DirectoryUser | null>>;
  /** The user's manager, or null when there is none. Throws GraphError 404 when the user doesn't exist. */
  getManager(userId: string): Promise<DirectoryUser | null>;
  /** Null when there is no such user. */
  getSignInActivity(userId: string): Promise<SignInActivity | null>;
  getSignInActivities(userIds: readonly string[]): Promise<Record<string, SignInActivity | null>>;
  getGroup(groupId: string): Promise<DirectoryGroup | null>;
  /** Any directory object (user, group, service principal) by id; null when there is none. */
  getPrincipal(id: string): Promise<DirectoryPrincipal | null>;

  /** Direct members, all pages. */
  listGroupMembers(groupId: string): Promise<DirectoryPrincipal[]>;
  listGroupOwners(groupId: string): Promise<DirectoryPrincipal[]>;
  /** Members of the group and of groups nested in it (nested groups included), each once. */
  listTransitiveMembers(groupId: string): Promise<DirectoryPrincipal[]>;
  isMember(groupId: string, principalId: string): Promise<boolean>;
  isOwner(groupId: string, principalId: string): Promise<boolean>;

  addMember(groupId: string, principalId: string): Promise<MembershipChange>;
  removeMember(groupId: string, principalId: string): Promise<MembershipChange>;
  addOwner(groupId: string, principalId: string): Promise<MembershipChange>;
  /** Graph refuses to remove a group's last owner: that surfaces as GraphError 400. */
  removeOwner(groupId: string, principalId: string): Promise<MembershipChange>;

  /** Bulk changes through `$batch` (20 per request); each principal succeeds or fails on its own. */
  addMembers(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]>;
  removeMembers(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]>;
  addOwners(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]>;
  removeOwners(groupId: string, principalIds: readonly string[]): Promise<BulkItemResult[]>;

  listRoleDefinitions(): Promise<DirectoryRoleDefinition[]>;
  /** Null when there is no such role. */
  getRoleDefinition(id: string): Promise<DirectoryRoleDefinition | null>;
  /** The role assignments matching every given criterion, all pages. */
  listRoleAssignments(filter: {
    roleDefinitionId?: string;
    principalId?: string;
    directoryScopeId?: string;
  }): Promise<DirectoryRoleAssignment[]>;
  /**
   * Idempotent: 'unchanged' when the principal already holds the role at that scope. Only users, role-assignable
   * groups and service principals can hold a role: anything else is GraphError 400.
   */
  addRoleAssignment(
    roleDefinitionId: string,
    principalId: string,
    directoryScopeId: string,
  ): Promise<MembershipChange>;
  /** Idempotent: 'unchanged' when there was nothing to remove. */
  removeRoleAssignment(
    roleDefinitionId: string,
    principalId: string,
    directoryScopeId: string,
  ): Promise<MembershipChange>;
  /** Null when there is no such administrative unit. */
  getAdministrativeUnit(id: string): Promise<{ id: string; displayName: string } | null>;
}
