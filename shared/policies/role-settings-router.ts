/** One RoleSettingsSource over the sources of each resource type (groups, directory roles). */
import { resourceTypeOf, type ResourceType } from '../access/resource';
import type { RoleSettingsSource } from './domain/role-settings';

export function createRoleSettingsRouter(
  sources: Record<ResourceType, RoleSettingsSource>,
): RoleSettingsSource {
  return {
    get: (resourceId, roleId, resourceType) =>
      sources[resourceTypeOf({ resourceType })].get(resourceId, roleId, resourceType),
  };
}
