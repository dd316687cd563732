/**
 * PIM never leaves a subscription it governs without an Owner (nor without a User Access Administrator, if it had
 * one) by an assignment made at or above the subscription: someone must still be able to manage access to it. This
 * wraps the Azure role access provider so that every removal — a deactivation, an expiry, an admin's removal, a
 * review's deny — is refused (LastAzureOwnerError, an AccessRemovalRefusedError) when it would take away the last
 * one. Assignments at a resource group or resource don't count: they don't reach the subscription.
 */
import {
  AccessRemovalRefusedError,
  guardRemovals,
  type AccessProvider,
  type AccessTarget,
} from '../access/access-provider';
import { azureScopeKind, normalizeAzureScope } from '../access/resource';
import type { AzureRbac } from '../azure/azure-rbac';
import type { ManagedAzureScopeRepository } from './adapters/managed-azure-scope-repository';
import { findGoverningScope } from './managed-azure-scopes';

export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const USER_ACCESS_ADMINISTRATOR = '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9';
/** The roles a governed subscription is never left without (once it has one). */
export const SUBSCRIPTION_KEEPER_ROLES: Readonly<Record<string, string>> = {
  [OWNER]: 'Owner',
  [USER_ACCESS_ADMINISTRATOR]: 'User Access Administrator',
};

export class LastAzureOwnerError extends AccessRemovalRefusedError {
  override name = 'LastAzureOwnerError';
}

export interface LastOwnerDeps {
  azureRbac: Pick<AzureRbac, 'getScope' | 'listRoleAssignments'>;
  managedAzureScopes: Pick<ManagedAzureScopeRepository, 'findByScope' | 'listAll'>;
}

/** Whether removing `target` needs the check: Owner or User Access Administrator at a subscription or above. */
export function isProtectedAzureRemoval(target: Pick<AccessTarget, 'resourceId' | 'role'>): boolean {
  const kind = azureScopeKind(target.resourceId);
  return (
    (kind === 'subscription' || kind === 'managementGroup') &&
    SUBSCRIPTION_KEEPER_ROLES[target.role.toLowerCase()] !== undefined
  );
}

/**
 * Why removing `target` is refused (a governed subscription at or below its scope would be left with no other
 * assignment of the role made at or above it), or null when it may go.
 */
export async function whyLastAzureOwner(
  deps: LastOwnerDeps,
  target: Pick<AccessTarget, 'resourceId' | 'role' | 'principalId'>,
): Promise<string | null> {
  if (!isProtectedAzureRemoval(target)) return null;
  const role = target.role.toLowerCase();
  const at = normalizeAzureScope(target.resourceId);
  const principalId = target.principalId.toLowerCase();
  for (const subscription of await subscriptionsReachedBy(deps, at)) {
    if (!(await findGoverningScope(deps, subscription))) continue;
    const held = await deps.azureRbac.listRoleAssignments({
      scope: subscription,
      atScope: true,
      roleDefinitionId: role,
    });
    const isTheRemoved = (a: { scope: string; principalId: string }) =>
      normalizeAzureScope(a.scope) === at && a.principalId.toLowerCase() === principalId;
    // Already gone: nothing is removed, nothing to keep.
    if (!held.some(isTheRemoved)) continue;
    if (held.some((a) => !isTheRemoved(a))) continue;
    const name = (await deps.azureRbac.getScope(subscription))?.displayName ?? subscription;
    return `${target.principalId} holds the last ${SUBSCRIPTION_KEEPER_ROLES[role]} assignment of subscription ${name}: a subscription PIM governs is never left without one`;
  }
  return null;
}

/**
 * The subscriptions an assignment at `scope` reaches: the subscription itself, or for a management group the
 * subscriptions pimflow knows below it (managed ones, and those named in managed scopes' baselines).
 */
async function subscriptionsReachedBy(deps: LastOwnerDeps, scope: string): Promise<string[]> {
  if (azureScopeKind(scope) === 'subscription') return [scope];
  const known = new Set<string>();
  let continuationToken: string | undefined;
  do {
    const page = await deps.managedAzureScopes.listAll({ continuationToken });
    for (const managed of page.items) {
      const reaches = managed.scope === scope || managed.ancestors.includes(scope);
      if (managed.kind === 'subscription' && reaches) known.add(managed.scope);
      if (managed.kind === 'managementGroup' && reaches) {
        for (const a of managed.baselineAssignments)
          if (azureScopeKind(a.scope) !== 'managementGroup')
            known.add(a.scope.split('/').slice(0, 3).join('/'));
      }
    }
    continuationToken = page.continuationToken;
  } while (continuationToken);
  const below: string[] = [];
  for (const subscription of known) {
    if (subscription === scope) continue;
    const found = await deps.azureRbac.getScope(subscription);
    if (found?.ancestors.some((a) => normalizeAzureScope(a) === scope)) below.push(subscription);
  }
  return below;
}

/** The provider, refusing (LastAzureOwnerError) a revoke that would leave a governed subscription ownerless. */
export function guardLastAzureOwners(provider: AccessProvider, deps: LastOwnerDeps): AccessProvider {
  return guardRemovals(
    provider,
    (target) => whyLastAzureOwner(deps, target),
    (why) => new LastAzureOwnerError(why),
  );
}
