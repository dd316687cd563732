/** The audit records of role settings (category RoleSettings). */
import { userActor } from '../../audit/domain/audit-entry';
import type { AuditRecord } from '../../audit/domain/audit-record';
import type { CallerPrincipal } from '../../auth/principal';
import type { PolicyDocument } from './policy';
import type { PolicyRule } from './rules';

/** A rule PATCH as stored: the rule before and after, `path → [old, new]`, and the ETag the write produced. */
export interface RoleSettingChange {
  policy: PolicyDocument;
  ruleId: string;
  before: PolicyRule;
  after: PolicyRule;
  changes: Record<string, [string, string]>;
  caller: CallerPrincipal;
  at: Date;
  etag: string;
}

/**
 * One rule of a policy changed (the resource named: a group, or for a directory role's policy the role): old and new value of the whole rule, and `path: old → new` per changed field. The
 * id is deterministic for the write (the ETag it produced), so recording it again can't duplicate it.
 */
export function roleSettingUpdatedRecord(
  change: RoleSettingChange & { resourceName: string | null },
): AuditRecord {
  const { policy, ruleId, caller } = change;
  const details: Record<string, string> = {
    policyId: policy.id,
    ruleId,
    roleDefinitionId: policy.roleDefinitionId,
    changedFields: Object.keys(change.changes).join(', '),
    oldValue: JSON.stringify(ruleFields(change.before)),
    newValue: JSON.stringify(ruleFields(change.after)),
  };
  for (const [path, [oldValue, newValue]] of Object.entries(change.changes)) {
    details[`${path}`] = `${oldValue} → ${newValue}`;
  }
  return {
    id: `roleSettings:${policy.id}:${ruleId}:${change.etag.replace(/[^A-Za-z0-9-]/g, '')}`,
    activityDateTime: change.at,
    activityDisplayName: 'Update role setting in PIM',
    category: 'RoleSettings',
    operationType: 'Update',
    result: 'success',
    initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
    targetResources: [
      { id: policy.id, displayName: `${ruleId} (${policy.roleDefinitionId})`, type: 'Policy' },
      policy.scopeType === 'Group'
        ? { id: policy.scopeId, displayName: change.resourceName, type: 'Group' }
        : { id: policy.roleDefinitionId, displayName: change.resourceName, type: 'Role' },
      ...(policy.scopeType === 'AzureRole'
        ? [{ id: policy.scopeId, displayName: null, type: 'AzureScope' as const }]
        : []),
    ],
    groupId: policy.scopeId,
    details,
  };
}

/** The rule without its id and target (which never change): what the audit shows as old and new value. */
function ruleFields(rule: PolicyRule): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...rule };
  delete copy.id;
  delete copy.target;
  delete copy['@odata.type'];
  return copy;
}
