/**
 * Microsoft Entra roles under management (an admin's choice, as groups are): bringing a role under management checks
 * it in the directory (it exists, it is enabled), records who holds it at that moment at every scope (the baseline
 * drift detection starts from), creates its role management policy with Entra's defaults, and audits it. Removing it
 * deletes its policy and audits that. Role definition ids are taken in any casing and stored lowercase.
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import { mapLimit } from '../reviews/parallel';
import { AlreadyExistsError, NotFoundError } from '../storage/errors';
import type { Stored } from '../storage/stored';
import type { ManagedRoleRepository } from './adapters/managed-role-repository';
import { roleManagedRecord, roleSettingsUpdatedRecord, roleUnmanagedRecord } from './domain/audit-records';
import type { Directory } from '../directory/directory';
import { roleHolderOf } from './domain/directory-roles';
import type { ManagedRole } from './domain/managed-role';

/** The directory as this feature reads it. */
export type RoleDirectory = Pick<Directory, 'getRoleDefinition' | 'listRoleAssignments' | 'getPrincipal'>;

/** The policies side (PolicyService): a managed role's role settings. */
export interface RolePolicies {
  createRoleDefaults(role: ManagedRole): Promise<{ id: string }>;
  removeAllForRole(roleDefinitionId: string): Promise<void>;
}

export interface ManagedRoleDeps {
  managedRoles: ManagedRoleRepository;
  directory: RoleDirectory;
  audit: AuditWriter;
  clock: Clock;
  policies: RolePolicies;
}

/** What `POST managedRoles` and `PATCH managedRoles/{id}` may set. */
export interface ManagedRoleSettingsPatch {
  removeAssignmentsMadeOutsidePim?: boolean;
}

/** Why a change to managed roles was refused (http/ maps each reason to its status). */
export type RoleManageRefusal = {
  ok: false;
  reason: 'notInDirectory' | 'disabled' | 'alreadyManaged' | 'notManaged';
  detail: string;
};

export type RoleManageResult = { ok: true; role: Stored<ManagedRole> } | RoleManageRefusal;

const refused = (reason: RoleManageRefusal['reason'], detail: string): RoleManageRefusal => ({
  ok: false,
  reason,
  detail,
});
const notManaged = (id: string) => refused('notManaged', `The role ${id} is not under management`);

/** How many principals are looked up at once when naming the baseline's holders. */
const LOOKUPS_AT_ONCE = 8;

export async function bringRoleUnderManagement(
  deps: ManagedRoleDeps,
  rawRoleDefinitionId: string,
  caller: CallerPrincipal,
  settings: ManagedRoleSettingsPatch = {},
): Promise<RoleManageResult> {
  const asked = rawRoleDefinitionId.toLowerCase();
  const definition = await deps.directory.getRoleDefinition(asked);
  if (!definition) return refused('notInDirectory', `No role definition ${asked} in the directory`);
  const name = definition.displayName;
  if (!definition.isEnabled) {
    return refused(
      'disabled',
      `${name} is disabled in the directory: no one can be assigned it, so there is nothing to manage (enable it first)`,
    );
  }
  const roleDefinitionId = definition.id.toLowerCase();
  if (await deps.managedRoles.find(roleDefinitionId)) {
    return refused('alreadyManaged', `${name} is already under management`);
  }
  const baseline = await holdersOf(deps.directory, roleDefinitionId);
  const now = deps.clock.now();
  let role: Stored<ManagedRole>;
  try {
    role = await deps.managedRoles.add({
      id: roleDefinitionId,
      roleDefinitionId,
      displayName: name.slice(0, 256),
      managedSince: now.toISOString(),
      managedBy: caller.objectId,
      settings: { removeAssignmentsMadeOutsidePim: settings.removeAssignmentsMadeOutsidePim ?? false },
      baselineAssignments: baseline,
      baselineTakenAt: now.toISOString(),
    });
  } catch (err) {
    if (err instanceof AlreadyExistsError)
      return refused('alreadyManaged', `${name} is already under management`);
    throw err;
  }
  // Settings left by a removal that died half-way are not this management's: start from Entra's defaults.
  await deps.policies.removeAllForRole(roleDefinitionId);
  const policy = await deps.policies.createRoleDefaults(role);
  await deps.audit.record(roleManagedRecord(role, policy.id, caller, now));
  return { ok: true, role };
}

export async function removeRoleFromManagement(
  deps: ManagedRoleDeps,
  rawRoleDefinitionId: string,
  caller: CallerPrincipal,
): Promise<{ ok: true } | RoleManageRefusal> {
  const roleDefinitionId = rawRoleDefinitionId.toLowerCase();
  const role = await deps.managedRoles.find(roleDefinitionId);
  if (!role) {
    // A removal that died after the role document went (a retried DELETE): finish its clean-up.
    await deps.policies.removeAllForRole(roleDefinitionId);
    return notManaged(roleDefinitionId);
  }
  try {
    // The role document first: from then on nothing reads the policy, even if deleting it fails midway.
    await deps.managedRoles.remove(roleDefinitionId);
  } catch (err) {
    if (err instanceof NotFoundError) return notManaged(roleDefinitionId);
    throw err;
  }
  await deps.policies.removeAllForRole(roleDefinitionId);
  await deps.audit.record(roleUnmanagedRecord(role, caller, deps.clock.now()));
  return { ok: true };
}

/** Changes a managed role's own settings (not its role settings, which are its policy), audited when changed. */
export async function updateManagedRoleSettings(
  deps: ManagedRoleDeps,
  rawRoleDefinitionId: string,
  patch: ManagedRoleSettingsPatch,
  caller: CallerPrincipal,
): Promise<RoleManageResult> {
  const roleDefinitionId = rawRoleDefinitionId.toLowerCase();
  const keys = Object.keys(patch) as (keyof ManagedRoleSettingsPatch)[];
  let previous: ManagedRole['settings'] = {};
  let result;
  try {
    result = await deps.managedRoles.update(roleDefinitionId, (current) => {
      previous = current.settings;
      const settings = { ...current.settings, ...patch };
      const same = keys.every((k) => (current.settings[k] ?? false) === settings[k]);
      return same ? undefined : { ...current, settings };
    });
  } catch (err) {
    if (err instanceof NotFoundError) return notManaged(roleDefinitionId);
    throw err;
  }
  if (result.changed) {
    const { document } = result;
    await deps.audit.record(
      roleSettingsUpdatedRecord(document, document._etag, keys, previous, caller, deps.clock.now()),
    );
  }
  return { ok: true, role: result.document };
}

/** Everyone holding the role now, at every scope, with their type and name. */
async function holdersOf(directory: RoleDirectory, roleDefinitionId: string) {
  const assignments = await directory.listRoleAssignments({ roleDefinitionId });
  const ids = [...new Set(assignments.map((a) => a.principalId))];
  const principals = await mapLimit(ids, LOOKUPS_AT_ONCE, (id) => directory.getPrincipal(id));
  const byId = new Map(ids.map((id, i) => [id, principals[i] ?? null]));
  return assignments.map((a) => roleHolderOf(a, byId.get(a.principalId) ?? null));
}
