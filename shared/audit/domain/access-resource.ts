/**
 * The audit target of an access: the group, or the directory role (its role definition; the scope is a detail).
 * Records about groups keep exactly the targets they always had.
 */
import { resourceTypeOf, type ResourceType } from '../../access/resource';

export interface AuditedAccess {
  resourceType?: ResourceType | undefined;
  groupId: string;
  accessId: string;
}

export function accessTargetResource(a: AuditedAccess, displayName?: string | null) {
  const named = displayName === undefined ? {} : { displayName };
  return resourceTypeOf(a) === 'group'
    ? { id: a.groupId, type: 'Group' as const, ...named }
    : { id: a.accessId, type: 'Role' as const, ...named };
}

/** "to group" / "to role" in an activity's name. */
export function accessNoun(a: Pick<AuditedAccess, 'resourceType'>): 'group' | 'role' {
  return resourceTypeOf(a) === 'group' ? 'group' : 'role';
}
