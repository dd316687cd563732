/**
 * Azure scopes under management (an admin's choice, as groups and Entra roles are): bringing a scope under
 * management reads it from ARM (it exists; its name, kind and the scopes above it), records the role assignments
 * made at and below it at that moment (the baseline drift starts from) and audits it. Its roles' settings are
 * created on first use (policies/azure-role-policies.ts); removing the scope deletes them. A scope is governed by
 * itself or the nearest managed scope above it (`findGoverningScope`): a resource group under a managed
 * subscription is governed by the subscription.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import { azureScopeAncestorsByPath, azureScopeKind, normalizeAzureScope } from '../access/resource';
import type { AzureRbac } from '../azure/azure-rbac';
import { AlreadyExistsError, NotFoundError } from '../storage/errors';
import type { Stored } from '../storage/stored';
import type { ManagedAzureScopeRepository } from './adapters/managed-azure-scope-repository';
import { scopeManagedRecord, scopeSettingsUpdatedRecord, scopeUnmanagedRecord } from './domain/audit-records';
import {
  isAtOrBelow,
  managedAzureScopeId,
  nearestManaged,
  type ManagedAzureScope,
} from './domain/managed-scope';

/** The policies side: an Azure scope's role settings (removed with the scope). */
export interface AzureScopePolicies {
  removeAllForAzureScope(scope: string): Promise<void>;
}

export interface ManagedAzureScopeDeps {
  managedAzureScopes: ManagedAzureScopeRepository;
  azureRbac: Pick<AzureRbac, 'getScope' | 'listRoleAssignments'>;
  audit: AuditWriter;
  clock: Clock;
  policyStore: AzureScopePolicies;
}

/** What `POST managedAzureScopes` and `PATCH managedAzureScopes/{id}` may set. */
export interface ManagedAzureScopeSettingsPatch {
  removeAssignmentsMadeOutsidePim?: boolean;
}

/** Why a change to managed scopes was refused (http/ maps each reason to its status). */
export type ScopeManageRefusal = {
  ok: false;
  reason: 'invalid' | 'notInArm' | 'alreadyManaged' | 'notManaged';
  detail: string;
};

export type ScopeManageResult = { ok: true; scope: Stored<ManagedAzureScope> } | ScopeManageRefusal;

const refused = (reason: ScopeManageRefusal['reason'], detail: string): ScopeManageRefusal => ({
  ok: false,
  reason,
  detail,
});
const notManaged = (id: string) => refused('notManaged', `No managed Azure scope ${id}`);

export async function bringAzureScopeUnderManagement(
  deps: ManagedAzureScopeDeps,
  rawScope: string,
  caller: CallerPrincipal,
  settings: ManagedAzureScopeSettingsPatch = {},
): Promise<ScopeManageResult> {
  const asked = rawScope.replace(/\/+$/, '');
  if (!azureScopeKind(asked)) return refused('invalid', `${rawScope} is not an Azure scope`);
  const found = await deps.azureRbac.getScope(asked);
  if (!found) return refused('notInArm', `Azure Resource Manager has no scope ${asked}`);
  const scope = normalizeAzureScope(found.id);
  const name = found.displayName || found.id;
  if (await deps.managedAzureScopes.findByScope(scope)) {
    return refused('alreadyManaged', `${name} (${found.id}) is already under management`);
  }
  const ancestors = found.ancestors.map(normalizeAzureScope);
  const listed = await deps.azureRbac.listRoleAssignments({ scope: found.id });
  const now = deps.clock.now();
  let managed: Stored<ManagedAzureScope>;
  try {
    managed = await deps.managedAzureScopes.add({
      id: managedAzureScopeId(scope),
      scope,
      armScope: found.id,
      kind: found.kind,
      displayName: name.slice(0, 256),
      type: found.type,
      ancestors,
      managedSince: now.toISOString(),
      managedBy: caller.objectId,
      settings: { removeAssignmentsMadeOutsidePim: settings.removeAssignmentsMadeOutsidePim ?? false },
      baselineAssignments: listed
        .filter((a) => isAtOrBelow(a.scope, ancestors))
        .map((a) => ({
          scope: normalizeAzureScope(a.scope),
          roleDefinitionId: a.roleDefinitionId.toLowerCase(),
          principalId: a.principalId,
          principalType: a.principalType,
        })),
      baselineTakenAt: now.toISOString(),
    });
  } catch (err) {
    if (err instanceof AlreadyExistsError)
      return refused('alreadyManaged', `${name} (${found.id}) is already under management`);
    throw err;
  }
  // Settings left by a removal that died half-way are not this management's: start from PIM's defaults.
  await deps.policyStore.removeAllForAzureScope(scope);
  await deps.audit.record(scopeManagedRecord(managed, caller, now));
  return { ok: true, scope: managed };
}

export async function removeAzureScopeFromManagement(
  deps: ManagedAzureScopeDeps,
  id: string,
  caller: CallerPrincipal,
): Promise<{ ok: true } | ScopeManageRefusal> {
  const managed = await deps.managedAzureScopes.find(id);
  if (!managed) return notManaged(id);
  try {
    // The scope document first: from then on nothing reads its policies, even if deleting them fails midway.
    await deps.managedAzureScopes.remove(managed.id);
  } catch (err) {
    if (err instanceof NotFoundError) return notManaged(id);
    throw err;
  }
  await deps.policyStore.removeAllForAzureScope(managed.scope);
  await deps.audit.record(scopeUnmanagedRecord(managed, caller, deps.clock.now()));
  return { ok: true };
}

/** Changes a managed scope's own settings (not its roles' settings, which are policies), audited when changed. */
export async function updateManagedAzureScopeSettings(
  deps: ManagedAzureScopeDeps,
  id: string,
  patch: ManagedAzureScopeSettingsPatch,
  caller: CallerPrincipal,
): Promise<ScopeManageResult> {
  const keys = Object.keys(patch) as (keyof ManagedAzureScopeSettingsPatch)[];
  let previous: ManagedAzureScope['settings'] = {};
  let result;
  try {
    result = await deps.managedAzureScopes.update(id, (current) => {
      previous = current.settings;
      const settings = { ...current.settings, ...patch };
      const same = keys.every((k) => (current.settings[k] ?? false) === settings[k]);
      return same ? undefined : { ...current, settings };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return notManaged(id);
    throw err;
  }
  if (result.changed) {
    const { document } = result;
    await deps.audit.record(
      scopeSettingsUpdatedRecord(document, document._etag, keys, previous, caller, deps.clock.now()),
    );
  }
  return { ok: true, scope: result.document };
}

export interface GoverningScopeDeps {
  managedAzureScopes: Pick<ManagedAzureScopeRepository, 'findByScope'>;
  azureRbac: Pick<AzureRbac, 'getScope'>;
}

/**
 * The managed scope governing `scope`: the scope itself if it is managed, else the nearest managed scope above it
 * (its resource group and subscription by its id; the management groups above as ARM says). Undefined when none
 * is, or ARM has no such scope.
 */
export async function findGoverningScope(
  deps: GoverningScopeDeps,
  scope: string,
): Promise<Stored<ManagedAzureScope> | undefined> {
  if (!azureScopeKind(scope)) return undefined;
  // The scope's id names its resource group and subscription: no ARM call for the common case.
  const byPath = [scope, ...azureScopeAncestorsByPath(scope)];
  const near = nearestManaged(
    byPath,
    await Promise.all(byPath.map((s) => deps.managedAzureScopes.findByScope(s))),
  );
  if (near) return near;
  const found = await deps.azureRbac.getScope(scope);
  if (!found) return undefined;
  const above = found.ancestors.filter(
    (a) => !byPath.some((p) => normalizeAzureScope(p) === normalizeAzureScope(a)),
  );
  return nearestManaged(above, await Promise.all(above.map((s) => deps.managedAzureScopes.findByScope(s))));
}
