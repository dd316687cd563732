/**
 * The role settings editor over ARM's policy shape (Azure resource roles): ARM's rules have the same ids as Graph's
 * (`Expiration_EndUser_Assignment`…) but name their kind in `ruleType` (`RoleManagementPolicyExpirationRule`) instead
 * of `@odata.type`, and approvers as `{id, userType: 'User' | 'Group', description}`. The editor reads and writes
 * Graph's shape (settings-form.ts); this turns ARM's rules into it and its changes back into one
 * `PATCH {policy id} {properties:{rules}}`; the API stops at the first invalid rule, so a refused save puts the rules
 * it changed back, and changes nothing.
 */
import type { Api } from '../../../api/client';
import {
  ARM_RBAC_VERSION,
  armResourcePath,
  roleDefinitionArmId,
  scopeLabel,
  type ArmResource,
} from '../../../api/arm';
import { ApiError } from '../../../api/errors';
import { loadAzurePolicy, type ArmPolicy, type ArmRule } from '../../my-roles/azure-access';
import type { Rule } from './settings-form';

const GRAPH = '#microsoft.graph.unifiedRoleManagementPolicy';
const ARM = 'RoleManagementPolicy';

type Json = Record<string, unknown>;

function approverToGraph(a: Json): Json {
  const group = a.userType === 'Group';
  return {
    '@odata.type': group ? '#microsoft.graph.groupMembers' : '#microsoft.graph.singleUser',
    [group ? 'groupId' : 'userId']: a.id,
    ...(typeof a.description === 'string' && a.description ? { description: a.description } : {}),
    isBackup: a.isBackup === true,
  };
}

function approverToArm(a: Json): Json {
  const group = String(a['@odata.type'] ?? '').endsWith('groupMembers');
  return {
    id: group ? a.groupId : a.userId,
    userType: group ? 'Group' : 'User',
    ...(typeof a.description === 'string' ? { description: a.description } : {}),
    isBackup: a.isBackup === true,
  };
}

/** Maps the approvers inside an approval rule's `setting` with `map`. */
function mapApprovers(setting: unknown, map: (a: Json) => Json): unknown {
  if (!setting || typeof setting !== 'object') return setting;
  const s = setting as Json & { approvalStages?: Json[] };
  return {
    ...s,
    ...(s.approvalStages
      ? {
          approvalStages: s.approvalStages.map((stage) => ({
            ...stage,
            ...(Array.isArray(stage.primaryApprovers)
              ? { primaryApprovers: (stage.primaryApprovers as Json[]).map(map) }
              : {}),
          })),
        }
      : {}),
  };
}

/** An ARM rule as the editor reads rules. */
export function armRuleToGraph(rule: ArmRule): Rule {
  const { ruleType, ...rest } = rule as ArmRule & Json;
  return {
    ...rest,
    id: rule.id,
    '@odata.type': `${GRAPH}${String(ruleType ?? '').replace(ARM, '')}`,
    ...('setting' in rest ? { setting: mapApprovers(rest.setting, approverToGraph) } : {}),
  };
}

/** The editor's change of a rule (a Graph-shaped body) as the whole ARM rule to send: the stored rule, changed. */
export function graphChangeToArm(stored: ArmRule, body: Json): Json {
  const { '@odata.type': type, ...fields } = body;
  const changed: Json = { ...(stored as unknown as Json), ...fields };
  changed.ruleType = `${ARM}${String(type ?? '').replace(GRAPH, '')}` || stored.ruleType;
  if ('setting' in fields)
    changed.setting = mapApprovers(
      { ...((stored.setting ?? {}) as Json), ...(fields.setting as Json) },
      approverToArm,
    );
  return changed;
}

export interface AzureSettings {
  name: string;
  policyId: string;
  rules: Rule[];
  armRules: ArmRule[];
}

/** An Azure role's settings at a scope, named "Contributor · finance-rg (Resource group)". */
export async function loadAzureSettings(api: Api, scope: string, roleGuid: string): Promise<AzureSettings> {
  const roleId = roleDefinitionArmId(scope, roleGuid);
  const [role, policy] = await Promise.all([
    api
      .get<ArmResource<{ roleName: string }>>(
        armResourcePath(
          `${scope}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`,
          ARM_RBAC_VERSION,
        ),
      )
      .catch(() => undefined),
    loadAzurePolicy(api, scope, roleId),
  ]);
  if (!policy) throw new Error('This role has no settings at this scope: is the scope under management?');
  return {
    name: `${role?.properties.roleName ?? roleGuid} · ${scopeLabel(scope)}`,
    policyId: policy.id,
    rules: policy.properties.rules.map(armRuleToGraph),
    armRules: policy.properties.rules,
  };
}

/**
 * Saves the changed rules in one PATCH of the policy. A refusal is reported on the rule its message names (ARM's
 * errors carry no target), else for all of them.
 */
export async function saveAzureSettings(
  api: Api,
  settings: AzureSettings,
  changes: { ruleId: string; body: Json }[],
): Promise<{ refused: Record<string, string>; other?: string }> {
  const rules = changes.map((c) => {
    const stored = settings.armRules.find((r) => r.id === c.ruleId);
    return stored ? graphChangeToArm(stored, c.body) : { id: c.ruleId, ...c.body };
  });
  try {
    await api.patch<ArmResource<ArmPolicy>>(armResourcePath(settings.policyId), { properties: { rules } });
    return { refused: {} };
  } catch (err) {
    // The API applies rules in order and stops at the first invalid one: put the changed rules back as they were.
    const stored = settings.armRules.filter((r) => changes.some((c) => c.ruleId === r.id));
    await api
      .patch(armResourcePath(settings.policyId), { properties: { rules: stored } })
      .catch(() => undefined);
    if (!(err instanceof ApiError) || err.status !== 400) throw err;
    const named = changes.filter((c) => err.message.includes(c.ruleId) || err.field(c.ruleId));
    const concerned = named.length > 0 ? named : changes.length === 1 ? changes : [];
    if (concerned.length === 0) return { refused: {}, other: err.message };
    return { refused: Object.fromEntries(concerned.map((c) => [c.ruleId, err.message])) };
  }
}
