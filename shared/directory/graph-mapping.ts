/** From Graph's shapes (microsoft-graph-types) to the directory's plain ones. */
import type * as Graph from '@microsoft/microsoft-graph-types';
import type {
  DirectoryGroup,
  DirectoryPrincipal,
  DirectoryRoleAssignment,
  DirectoryRoleDefinition,
  DirectoryUser,
  PrincipalType,
  SignInActivity,
} from './directory';

export const USER_SELECT = 'id,userPrincipalName,displayName,mail,jobTitle,department,accountEnabled';
export const GROUP_SELECT =
  'id,displayName,description,securityEnabled,mailEnabled,isAssignableToRole,groupTypes';
export const PRINCIPAL_SELECT = 'id,displayName';
export const UNIT_SELECT = 'id,displayName';

const TYPES: Record<string, PrincipalType> = {
  '#microsoft.graph.user': 'user',
  '#microsoft.graph.group': 'group',
  '#microsoft.graph.servicePrincipal': 'servicePrincipal',
};

export function toUser(u: Graph.User): DirectoryUser {
  return {
    id: u.id ?? '',
    userPrincipalName: u.userPrincipalName ?? '',
    displayName: u.displayName ?? '',
    mail: u.mail ?? null,
    jobTitle: u.jobTitle ?? null,
    department: u.department ?? null,
    accountEnabled: u.accountEnabled ?? false,
  };
}

export function toGroup(g: Graph.Group): DirectoryGroup {
  return {
    id: g.id ?? '',
    displayName: g.displayName ?? '',
    description: g.description ?? null,
    securityEnabled: g.securityEnabled ?? false,
    mailEnabled: g.mailEnabled ?? false,
    isAssignableToRole: g.isAssignableToRole ?? false,
    groupTypes: g.groupTypes ?? [],
  };
}

/** A directoryObject from a members/owners listing, typed by its `@odata.type`. */
export function toPrincipal(
  o: Graph.DirectoryObject & { '@odata.type'?: string; displayName?: string | null },
): DirectoryPrincipal {
  return {
    id: o.id ?? '',
    type: TYPES[o['@odata.type'] ?? ''] ?? 'other',
    displayName: o.displayName ?? null,
  };
}

export function toSignInActivity(a: Graph.NullableOption<Graph.SignInActivity> | undefined): SignInActivity {
  return {
    lastSignInDateTime: a?.lastSignInDateTime ?? null,
    lastNonInteractiveSignInDateTime: a?.lastNonInteractiveSignInDateTime ?? null,
    lastSuccessfulSignInDateTime: a?.lastSuccessfulSignInDateTime ?? null,
  };
}

/** `isPrivileged` is newer than the types package; a Graph that doesn't send it counts the role as not privileged. */
export function toRoleDefinition(
  r: Graph.UnifiedRoleDefinition & { isPrivileged?: boolean | null },
): DirectoryRoleDefinition {
  return {
    id: r.id ?? '',
    templateId: r.templateId ?? r.id ?? '',
    displayName: r.displayName ?? '',
    description: r.description ?? null,
    isBuiltIn: r.isBuiltIn ?? false,
    isEnabled: r.isEnabled ?? false,
    isPrivileged: r.isPrivileged ?? false,
  };
}

export function toRoleAssignment(a: Graph.UnifiedRoleAssignment): DirectoryRoleAssignment {
  return {
    id: a.id ?? '',
    principalId: a.principalId ?? '',
    roleDefinitionId: a.roleDefinitionId ?? '',
    directoryScopeId: a.directoryScopeId ?? '/',
  };
}
