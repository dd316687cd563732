/**
 * The audit records of Microsoft Entra roles under management (category RoleManagement; ids from the role and its
 * management period). `groupId` is the directory scope `/`, as in the records of directory-role requests.
 */
import { userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { CallerPrincipal } from '../../auth/principal';
import type { ManagedRole } from './managed-role';

const byCaller = (caller: CallerPrincipal) =>
  userActor(caller.objectId, caller.displayName, caller.userPrincipalName);

const roleTarget = (role: ManagedRole) => ({
  id: role.roleDefinitionId,
  displayName: role.displayName,
  type: 'Role' as const,
});

function record(
  role: ManagedRole,
  suffix: string,
  fields: Pick<AuditRecord, 'activityDisplayName' | 'operationType' | 'details'>,
  caller: CallerPrincipal,
  at: Date,
  extraTargets: AuditRecord['targetResources'] = [],
): AuditRecord {
  return {
    id: `managedRole:${role.roleDefinitionId}:${suffix}`,
    activityDateTime: at,
    category: 'RoleManagement',
    result: 'success',
    initiatedBy: byCaller(caller),
    targetResources: [roleTarget(role), ...extraTargets],
    groupId: '/',
    ...fields,
  };
}

/** The role came under management, with its role settings (its policy) and its baseline. */
export function roleManagedRecord(
  role: ManagedRole,
  policyId: string,
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return record(
    role,
    `${role.managedSince}:added`,
    {
      activityDisplayName: 'Bring role under PIM management',
      operationType: 'Add',
      details: {
        roleDefinitionId: role.roleDefinitionId,
        baselineAssignments: String(role.baselineAssignments.length),
        policyId,
        removeAssignmentsMadeOutsidePim: String(role.settings.removeAssignmentsMadeOutsidePim ?? false),
      },
    },
    caller,
    at,
    [{ id: policyId, displayName: `${role.displayName} role settings`, type: 'Policy' }],
  );
}

/** The role left management; its policy was removed with it. */
export function roleUnmanagedRecord(role: ManagedRole, caller: CallerPrincipal, at: Date): AuditRecord {
  return record(
    role,
    `${role.managedSince}:removed`,
    {
      activityDisplayName: 'Remove role from PIM management',
      operationType: 'Delete',
      details: { managedSince: role.managedSince, managedBy: role.managedBy },
    },
    caller,
    at,
  );
}

/** The role's own settings changed: `old.<key>` and `new.<key>` for each key the PATCH named. */
export function roleSettingsUpdatedRecord(
  role: ManagedRole,
  etag: string,
  keys: readonly (keyof ManagedRole['settings'])[],
  previous: ManagedRole['settings'],
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return record(
    role,
    `settings:${etag.replace(/[^A-Za-z0-9-]/g, '')}`,
    {
      activityDisplayName: 'Update settings of role under PIM management',
      operationType: 'Update',
      details: Object.fromEntries(
        keys.flatMap((k) => [
          [`old.${k}`, String(previous[k] ?? false)],
          [`new.${k}`, String(role.settings[k] ?? false)],
        ]),
      ),
    },
    caller,
    at,
  );
}
