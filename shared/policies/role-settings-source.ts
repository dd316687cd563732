/**
 * The RoleSettingsSource the activation and assignment code reads: a managed group role's stored policy, its Graph
 * rules mapped to the flat RoleSettings of domain/role-settings.ts (domain/policy-role-settings.ts). A group that
 * isn't under management (or a role pimflow doesn't manage for it) throws GroupNotManagedError.
 */
import type { Clock } from '../clock';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import { isGroupRole, type RoleSettings, type RoleSettingsSource } from './domain/role-settings';
import { toRoleSettings } from './domain/policy-role-settings';
import type { PolicyStore } from './adapters/policy-store';

export class GroupNotManagedError extends Error {
  override name = 'GroupNotManagedError';
  constructor(readonly groupId: string) {
    super(`The group ${groupId} is not under management`);
  }
}

export interface RoleSettingsDeps {
  policyStore: PolicyStore;
  managedGroups: ManagedGroupRepository;
  clock: Clock;
}

export function createRoleSettingsSource(services: RoleSettingsDeps): RoleSettingsSource {
  const store = services.policyStore;
  return {
    async get(groupId: string, accessId: string): Promise<RoleSettings> {
      const id = groupId.toLowerCase();
      const group = await services.managedGroups.find(id);
      if (!group || !isGroupRole(accessId) || !group.settings.roles.includes(accessId))
        throw new GroupNotManagedError(groupId);
      return toRoleSettings(await store.ensure(group, accessId, services.clock.now()));
    },
  };
}
