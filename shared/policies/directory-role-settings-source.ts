/**
 * The RoleSettingsSource of Microsoft Entra directory roles: a managed role's stored policy (Graph keeps one per role,
 * at scope `/`), mapped to the flat RoleSettings as for groups. The settings are the role's at every scope: asked
 * for an administrative unit (`/administrativeUnits/{id}`), it answers with the role's policy. A role pimflow
 * doesn't manage throws RoleNotManagedError.
 */
import { directoryScopeSchema } from '../access/resource';
import type { Clock } from '../clock';
import type { ManagedRoleRepository } from '../managed-roles/adapters/managed-role-repository';
import type { PolicyStore } from './adapters/policy-store';
import { toRoleSettings } from './domain/policy-role-settings';
import type { RoleSettings, RoleSettingsSource } from './domain/role-settings';

export class RoleNotManagedError extends Error {
  override name = 'RoleNotManagedError';
  constructor(
    readonly roleDefinitionId: string,
    displayName?: string | null,
  ) {
    super(`The role ${displayName ?? roleDefinitionId} is not under management`);
  }
}

export interface DirectoryRoleSettingsDeps {
  policyStore: PolicyStore;
  managedRoles: ManagedRoleRepository;
  clock: Clock;
  /** AUTH_TENANT_ID: the tenant the roles' policy ids name. */
  settings: { AUTH_TENANT_ID: string };
  /** To name a role that isn't managed in the error (optional; its id otherwise). */
  directory?: { getRoleDefinition(id: string): Promise<{ displayName: string } | null> };
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function createDirectoryRoleSettingsSource(deps: DirectoryRoleSettingsDeps): RoleSettingsSource {
  return {
    async get(directoryScopeId: string, roleDefinitionId: string): Promise<RoleSettings> {
      if (!directoryScopeSchema.safeParse(directoryScopeId).success) {
        throw new Error(`${directoryScopeId} is not a directory scope: '/' or '/administrativeUnits/{id}'`);
      }
      const role = GUID.test(roleDefinitionId)
        ? await deps.managedRoles.find(roleDefinitionId.toLowerCase())
        : undefined;
      if (!role) throw new RoleNotManagedError(roleDefinitionId, await nameOf(deps, roleDefinitionId));
      const policy = await deps.policyStore.ensureForRole(
        role,
        deps.settings.AUTH_TENANT_ID,
        deps.clock.now(),
      );
      return toRoleSettings(policy);
    },
  };
}

async function nameOf(deps: DirectoryRoleSettingsDeps, roleDefinitionId: string): Promise<string | null> {
  if (!deps.directory || !GUID.test(roleDefinitionId)) return null;
  const definition = await deps.directory.getRoleDefinition(roleDefinitionId).catch(() => null);
  return definition?.displayName ?? null;
}
