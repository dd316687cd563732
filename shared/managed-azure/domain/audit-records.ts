/**
 * The audit records of Azure scopes under management (category ResourceManagement; ids from the scope and its
 * management period). `groupId` is the normalized scope, as in the records of Azure role requests.
 */
import { userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { CallerPrincipal } from '../../auth/principal';
import type { ManagedAzureScope } from './managed-scope';

const byCaller = (caller: CallerPrincipal) =>
  userActor(caller.objectId, caller.displayName, caller.userPrincipalName);

function record(
  scope: ManagedAzureScope,
  suffix: string,
  fields: Pick<AuditRecord, 'activityDisplayName' | 'operationType' | 'details'>,
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return {
    id: `managedAzureScope:${scope.id}:${suffix}`,
    activityDateTime: at,
    category: 'ResourceManagement',
    result: 'success',
    initiatedBy: byCaller(caller),
    targetResources: [{ id: scope.armScope, displayName: scope.displayName, type: 'AzureScope' }],
    groupId: scope.scope,
    ...fields,
  };
}

/** The scope came under management, with its baseline. */
export function scopeManagedRecord(scope: ManagedAzureScope, caller: CallerPrincipal, at: Date): AuditRecord {
  return record(
    scope,
    `${scope.managedSince}:added`,
    {
      activityDisplayName: 'Bring Azure scope under PIM management',
      operationType: 'Add',
      details: {
        scope: scope.armScope,
        kind: scope.kind,
        baselineAssignments: String(scope.baselineAssignments.length),
        removeAssignmentsMadeOutsidePim: String(scope.settings.removeAssignmentsMadeOutsidePim ?? false),
      },
    },
    caller,
    at,
  );
}

/** The scope left management; its roles' policies were removed with it. */
export function scopeUnmanagedRecord(
  scope: ManagedAzureScope,
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return record(
    scope,
    `${scope.managedSince}:removed`,
    {
      activityDisplayName: 'Remove Azure scope from PIM management',
      operationType: 'Delete',
      details: { scope: scope.armScope, managedSince: scope.managedSince, managedBy: scope.managedBy },
    },
    caller,
    at,
  );
}

/** The scope's own settings changed: `old.<key>` and `new.<key>` for each key the PATCH named. */
export function scopeSettingsUpdatedRecord(
  scope: ManagedAzureScope,
  etag: string,
  keys: readonly (keyof ManagedAzureScope['settings'])[],
  previous: ManagedAzureScope['settings'],
  caller: CallerPrincipal,
  at: Date,
): AuditRecord {
  return record(
    scope,
    `settings:${etag.replace(/[^A-Za-z0-9-]/g, '')}`,
    {
      activityDisplayName: 'Update settings of Azure scope under PIM management',
      operationType: 'Update',
      details: Object.fromEntries(
        keys.flatMap((k) => [
          [`old.${k}`, String(previous[k] ?? false)],
          [`new.${k}`, String(scope.settings[k] ?? false)],
        ]),
      ),
    },
    caller,
    at,
  );
}
