/** The audit records of groups under management (category GroupManagement; ids from the group and its period). */
import { userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { CallerPrincipal } from '../../auth/principal';
import type { ManagedGroup } from './managed-group';

const byCaller = (caller: CallerPrincipal) =>
  userActor(caller.objectId, caller.displayName, caller.userPrincipalName);

/** The group came under management, with its role settings (one policy per role) and its baseline. */
export function groupManagedRecord(
  group: ManagedGroup,
  policies: readonly { id: string; roleDefinitionId: string }[],
  policyIds: { member: string; owner: string },
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return {
    id: `managedGroup:${group.groupId}:${group.managedSince}:added`,
    activityDateTime: at,
    activityDisplayName: 'Bring group under PIM management',
    category: 'GroupManagement',
    operationType: 'Add',
    result: 'success',
    initiatedBy: byCaller(caller),
    targetResources: [
      { id: group.groupId, displayName: group.displayName, type: 'Group' },
      ...policies.map((p) => ({
        id: p.id,
        displayName: `${p.roleDefinitionId} role settings`,
        type: 'Policy' as const,
      })),
    ],
    groupId: group.groupId,
    details: {
      roles: group.settings.roles.join(', '),
      baselineMembers: String(group.baselineMembers?.length ?? 0),
      baselineOwners: String(group.baselineOwners?.length ?? 0),
      memberPolicyId: policyIds.member,
      ownerPolicyId: policyIds.owner,
    },
  };
}

export function groupUnmanagedRecord(group: ManagedGroup, caller: CallerPrincipal, at: Date): AuditRecord {
  return {
    id: `managedGroup:${group.groupId}:${group.managedSince}:removed`,
    activityDateTime: at,
    activityDisplayName: 'Remove group from PIM management',
    category: 'GroupManagement',
    operationType: 'Delete',
    result: 'success',
    initiatedBy: byCaller(caller),
    targetResources: [{ id: group.groupId, displayName: group.displayName, type: 'Group' }],
    groupId: group.groupId,
    details: { managedSince: group.managedSince, managedBy: group.managedBy },
  };
}

/** The group's own settings changed: `old.<key>` and `new.<key>` for each key the PATCH named. */
export function groupSettingsUpdatedRecord(
  group: ManagedGroup,
  etag: string,
  keys: readonly (keyof ManagedGroup['settings'])[],
  previous: ManagedGroup['settings'],
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return {
    id: `managedGroup:${group.groupId}:settings:${etag}`,
    activityDateTime: at,
    activityDisplayName: 'Update settings of group under PIM management',
    category: 'GroupManagement',
    operationType: 'Update',
    result: 'success',
    initiatedBy: byCaller(caller),
    targetResources: [{ id: group.groupId, displayName: group.displayName, type: 'Group' }],
    groupId: group.groupId,
    details: Object.fromEntries(
      keys.flatMap((k) => [
        [`old.${k}`, String(previous[k] ?? false)],
        [`new.${k}`, String(group.settings[k] ?? false)],
      ]),
    ),
  };
}
