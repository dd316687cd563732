/** One AccessProvider over several: each call goes to the provider of the target's resource type. */
import type { AccessProvider } from './access-provider';
import { resourceTypeOf, type ResourceType } from './resource';

export function createAccessRouter(providers: Record<ResourceType, AccessProvider>): AccessProvider {
  const of = (resourceType: ResourceType | undefined) => providers[resourceTypeOf({ resourceType })];
  return {
    grant: (t) => of(t.resourceType).grant(t),
    revoke: (t) => of(t.resourceType).revoke(t),
    verify: (t) => of(t.resourceType).verify(t),
    listHolders: (resourceId, role, resourceType) =>
      of(resourceType).listHolders(resourceId, role, resourceType),
  };
}
