/**
 * An Azure Resource Manager scope brought under management (a management group, subscription, resource group or
 * resource): pimflow governs who holds Azure roles there and at every scope below it. One document per scope; its
 * id is a GUID derived from the normalized scope (scopes contain slashes, which ids and URL segments can't carry).
 */
import { z } from 'zod';
import { normalizeAzureScope } from '../../access/resource';
import { guidFrom } from '../../deterministic-id';

/** A role assignment at or below the scope when it came under management: the baseline drift starts from. */
export const scopeAssignmentSchema = z.object({
  /** Where the assignment is made (normalized). */
  scope: z.string().min(1),
  /** The role definition's GUID (lower case). */
  roleDefinitionId: z.guid(),
  principalId: z.string().min(1),
  principalType: z.string(),
});
export type ScopeAssignment = z.infer<typeof scopeAssignmentSchema>;

export const managedAzureScopeSchema = z
  .object({
    /** `managedAzureScopeId(scope)`: the document id and partition key. */
    id: z.guid(),
    /** The scope, normalized (lower case): what requests, schedules and policies store. */
    scope: z.string().min(1).max(1024),
    /** The scope as ARM spells it. */
    armScope: z.string().min(1).max(1024),
    kind: z.enum(['managementGroup', 'subscription', 'resourceGroup', 'resource']),
    displayName: z.string().max(256),
    /** ARM's type of the scope (`Microsoft.Resources/subscriptions`, `Microsoft.KeyVault/vaults`, ...). */
    type: z.string(),
    /** The scopes above it, nearest first, up to the tenant root management group (normalized). */
    ancestors: z.array(z.string()),
    /** ISO 8601, UTC. */
    managedSince: z.iso.datetime(),
    /** Object id of the administrator (or app) that brought the scope under management. */
    managedBy: z.guid(),
    settings: z.object({
      /** Whether drift handling removes Azure role assignments made outside pimflow. Absent means false. */
      removeAssignmentsMadeOutsidePim: z.boolean().optional(),
    }),
    /** The role assignments made at or below the scope when it came under management. */
    baselineAssignments: z.array(scopeAssignmentSchema),
    baselineTakenAt: z.iso.datetime(),
  })
  .refine((s) => s.id === managedAzureScopeId(s.scope), {
    message: 'id must be managedAzureScopeId(scope)',
    path: ['id'],
  });
export type ManagedAzureScope = z.infer<typeof managedAzureScopeSchema>;

/** The managed scope's id: a GUID of the normalized scope, the same for any spelling of it. */
export function managedAzureScopeId(scope: string): string {
  return guidFrom('managedAzureScope', normalizeAzureScope(scope));
}

/**
 * Whether an assignment listed at a scope is made at it or below it: ARM's plain list at a scope returns those at,
 * above (`ancestors`, and the root `/`) and below it; a subscription below a management group shares no prefix
 * with it, so "not above" is the test.
 */
export function isAtOrBelow(assignmentScope: string, ancestors: readonly string[]): boolean {
  const at = normalizeAzureScope(assignmentScope);
  return at !== '' && !ancestors.some((a) => normalizeAzureScope(a) === at);
}

/**
 * The managed scope that governs `candidates` (a scope, then the scopes above it, nearest first): the nearest one
 * under management, or undefined.
 */
export function nearestManaged<T extends { scope: string }>(
  candidates: readonly string[],
  managed: readonly (T | undefined)[],
): T | undefined {
  for (const c of candidates) {
    const found = managed.find((m) => m?.scope === normalizeAzureScope(c));
    if (found) return found;
  }
  return undefined;
}
