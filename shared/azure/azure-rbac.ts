/**
 * Azure Resource Manager as pimflow needs it: what a scope is (and the scopes above it), which role definitions
 * exist, and who holds which role at which scope — with idempotent changes to role assignments. Implemented over
 * `@azure/arm-authorization` (and ARM's resource reads) by arm-rbac.ts, against `ARM_ENDPOINT`. Everything returned
 * is plain JSON, so activities can return it to orchestrators as is. Scopes are ARM resource ids (`/subscriptions/…`);
 * ids compare case-insensitively, as ARM compares them.
 */
import type { AzureScopeKind } from '../access/resource';

/** A management group, subscription, resource group or resource, as ARM names it. */
export interface AzureScope {
  /** The scope as ARM spells it (`/subscriptions/{id}/resourceGroups/Finance-RG`). */
  id: string;
  kind: AzureScopeKind;
  /** The management group's or subscription's display name; a resource group's or resource's name. */
  displayName: string;
  /** A resource's type (`Microsoft.KeyVault/vaults`); the kind's ARM type otherwise. */
  type: string;
  /** Every scope above it, nearest first, up to the tenant root management group (ARM's spelling). */
  ancestors: string[];
}

/** An Azure role (Owner, Contributor, Key Vault Administrator, ...); `name` is the GUID, `id` the full ARM id. */
export interface AzureRoleDefinition {
  /** `/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{guid}` (or tenant-level). */
  id: string;
  /** The role definition's GUID, the same for a built-in role everywhere. */
  name: string;
  roleName: string;
  description: string;
  /** `BuiltInRole` or `CustomRole`. */
  roleType: string;
}

/** ARM's principal types on a role assignment. */
export type AzurePrincipalType = 'User' | 'Group' | 'ServicePrincipal' | 'ForeignGroup' | 'Device';

/** A role assignment: a principal holds a role at a scope (and, through inheritance, every scope below it). */
export interface AzureRoleAssignment {
  /** The full id: `{scope}/providers/Microsoft.Authorization/roleAssignments/{name}`. */
  id: string;
  /** The GUID name. */
  name: string;
  /** Where the assignment is made; above the scope asked about when it is inherited. */
  scope: string;
  /** The role definition's GUID (lower case). */
  roleDefinitionId: string;
  principalId: string;
  principalType: AzurePrincipalType;
}

export interface RoleAssignmentQuery {
  /** The scope asked about. */
  scope: string;
  /**
   * ARM's `$filter=atScope()`: `true` lists the assignments made at this scope and above it (inherited), not those
   * below; `false` (default) lists those at, above and below it, as ARM's plain list does. Each result's `scope`
   * says where it was made (equal to `scope`, ignoring case, when it is made right here).
   */
  atScope?: boolean;
  principalId?: string;
  /** A role definition's GUID. */
  roleDefinitionId?: string;
}

export interface NewRoleAssignment {
  scope: string;
  /** A role definition's GUID. */
  roleDefinitionId: string;
  principalId: string;
  principalType: AzurePrincipalType;
}

/** `changed`: this call made the change; `unchanged`: it was already so. */
export type AssignmentChange = 'changed' | 'unchanged';

export interface AzureRbac {
  /** The scope with its display name and ancestors; null when ARM has no such scope. */
  getScope(scope: string): Promise<AzureScope | null>;
  /** The roles that can be assigned at a scope (built-in and custom). */
  listRoleDefinitions(scope: string): Promise<AzureRoleDefinition[]>;
  /** One role definition by GUID, as seen from a scope; null when there is none. */
  getRoleDefinition(scope: string, roleDefinitionId: string): Promise<AzureRoleDefinition | null>;
  listRoleAssignments(query: RoleAssignmentQuery): Promise<AzureRoleAssignment[]>;
  /**
   * Creates the assignment under a name derived from (scope, role, principal), so a retry can't create two; an
   * assignment ARM already has (409 `RoleAssignmentExists`) is `unchanged`. Retries ARM's throttling (429) and its
   * eventual consistency (`PrincipalNotFound` for a principal that was just created).
   */
  createRoleAssignment(assignment: NewRoleAssignment): Promise<AssignmentChange>;
  /** Deletes the principal's assignment of the role made at exactly this scope; `unchanged` when there is none. */
  deleteRoleAssignment(assignment: Omit<NewRoleAssignment, 'principalType'>): Promise<AssignmentChange>;
}

/** ARM refused a call; `code` is ARM's error code (`AuthorizationFailed`, `PrincipalNotFound`, ...). */
export class AzureRbacError extends Error {
  override name = 'AzureRbacError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}
