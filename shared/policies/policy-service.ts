/**
 * Role settings as Graph serves them: the policies of a managed group, one policy, its rules, the policy
 * assignments, and the rule PATCH (validated, stored at the policy's ETag, audited with old → new values).
 */
import type { Database } from '@azure/cosmos';
import type { AuditWriter } from '../audit/domain/audit-record';
import { userActor } from '../audit/domain/audit-entry';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { Stored } from '../storage/stored';
import { ConcurrencyConflictError } from '../storage/errors';
import type { GroupRole, ManagedGroup } from '../managed-groups/domain/managed-group';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import {
  groupIdOfPolicy,
  policyAssignmentId,
  policyIdFor,
  PolicyStore,
  type PolicyDocument,
} from './adapters/policy-store';
import { checkApproversExist, mergeRulePatch, ruleChanges, type FieldError } from './domain/rule-patch';
import { RULE_IDS, ruleDefinition, type PolicyRule } from './domain/rules';

export interface PolicyServiceDeps {
  database: Database;
  managedGroups: ManagedGroupRepository;
  directory: Directory;
  audit: AuditWriter;
  clock: Clock;
}

export type PatchRuleResult =
  | { outcome: 'updated' | 'unchanged' }
  | { outcome: 'notFound'; detail: string }
  | { outcome: 'invalid'; detail: string; errors: FieldError[] };

const ROLES: readonly GroupRole[] = ['member', 'owner'];
const MAX_ATTEMPTS = 8;

export class PolicyService {
  readonly store: PolicyStore;

  constructor(private readonly deps: PolicyServiceDeps) {
    this.store = new PolicyStore(deps.database);
  }

  /** The group's policies (one per managed role, `role` to pick one); none if the group isn't managed. */
  async listForGroup(groupId: string, role?: GroupRole): Promise<Stored<PolicyDocument>[]> {
    const group = await this.deps.managedGroups.find(groupId.toLowerCase());
    if (!group) return [];
    const roles = ROLES.filter((r) => group.settings.roles.includes(r) && (role === undefined || r === role));
    const now = this.deps.clock.now();
    return Promise.all(roles.map((r) => this.store.ensure(group, r, now)));
  }

  /** The policy with this id, if it is a current policy of a managed group. */
  async get(policyId: string): Promise<Stored<PolicyDocument> | undefined> {
    const groupId = groupIdOfPolicy(policyId);
    if (!groupId) return undefined;
    const group = await this.deps.managedGroups.find(groupId);
    const role = group && roleOf(group, policyId);
    return role ? this.store.ensure(group, role, this.deps.clock.now()) : undefined;
  }

  /** Creates both policies of a newly managed group with PIM's defaults (idempotent). */
  async createDefaults(group: ManagedGroup): Promise<Stored<PolicyDocument>[]> {
    const now = this.deps.clock.now();
    return Promise.all(group.settings.roles.map((r) => this.store.ensure(group, r, now)));
  }

  removeAll(groupId: string): Promise<void> {
    return this.store.removeAll(groupId);
  }

  /**
   * Applies a rule PATCH. On a concurrent change (ETag moved on) it reads the policy again and re-applies the
   * body to what is there now, so a PATCH of another rule (or field) is never lost.
   */
  async patchRule(
    policyId: string,
    ruleId: string,
    body: unknown,
    caller: CallerPrincipal,
  ): Promise<PatchRuleResult> {
    const definition = ruleDefinition(ruleId);
    if (!definition) {
      return {
        outcome: 'invalid',
        detail: `${ruleId} is not a rule of a group policy; the rules are ${RULE_IDS.join(', ')}`,
        errors: [{ field: 'ruleId', message: 'unknown rule id' }],
      };
    }
    let checkedDirectory: string | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const policy = await this.get(policyId);
      if (!policy) return { outcome: 'notFound', detail: `No role management policy ${policyId}` };
      const stored = policy.rules.find((r) => r.id === ruleId) as PolicyRule;
      const merged = mergeRulePatch(definition, stored, body, policy.scopeId);
      if (!merged.ok) return invalid(merged.errors);
      const after = merged.rule;
      const changes = ruleChanges(stored, after);
      if (Object.keys(changes).length === 0) return { outcome: 'unchanged' };
      const fingerprint = JSON.stringify(after);
      if (checkedDirectory !== fingerprint) {
        const missing = await checkApproversExist(after, this.deps.directory);
        if (missing.length > 0) return invalid(missing);
        checkedDirectory = fingerprint;
      }
      const now = this.deps.clock.now();
      let written: Stored<PolicyDocument>;
      try {
        written = await this.store.replace(
          {
            ...withoutEtag(policy),
            rules: policy.rules.map((r) => (r.id === ruleId ? after : r)),
            lastModifiedDateTime: now.toISOString(),
            lastModifiedBy: { id: caller.objectId, displayName: caller.displayName ?? null },
          },
          policy._etag,
        );
      } catch (err) {
        if (err instanceof ConcurrencyConflictError) continue;
        throw err;
      }
      await this.auditChange(policy, ruleId, stored, after, changes, caller, now, written._etag);
      return { outcome: 'updated' };
    }
    throw new Error(`Policy ${policyId} kept changing; gave up after ${MAX_ATTEMPTS} attempts`);
  }

  private async auditChange(
    policy: PolicyDocument,
    ruleId: string,
    before: PolicyRule,
    after: PolicyRule,
    changes: Record<string, [string, string]>,
    caller: CallerPrincipal,
    at: Date,
    etag: string,
  ): Promise<void> {
    const group = await this.deps.directory.getGroup(policy.scopeId).catch(() => null);
    const details: Record<string, string> = {
      policyId: policy.id,
      ruleId,
      roleDefinitionId: policy.roleDefinitionId,
      changedFields: Object.keys(changes).join(', '),
      oldValue: JSON.stringify(ruleFields(before)),
      newValue: JSON.stringify(ruleFields(after)),
    };
    for (const [path, [oldValue, newValue]] of Object.entries(changes)) {
      details[`${path}`] = `${oldValue} → ${newValue}`;
    }
    await this.deps.audit.record({
      // Deterministic for the write (the ETag it produced): recording it again can't duplicate it.
      id: `roleSettings:${policy.id}:${ruleId}:${etag.replace(/[^A-Za-z0-9-]/g, '')}`,
      activityDateTime: at,
      activityDisplayName: 'Update role setting in PIM',
      category: 'RoleSettings',
      operationType: 'Update',
      result: 'success',
      initiatedBy: userActor(caller.objectId, caller.displayName, caller.userPrincipalName),
      targetResources: [
        { id: policy.id, displayName: `${ruleId} (${policy.roleDefinitionId})`, type: 'Policy' },
        { id: policy.scopeId, displayName: group?.displayName ?? null, type: 'Group' },
      ],
      groupId: policy.scopeId,
      details,
    });
  }
}

/** The rule without its id and target (which never change): what the audit shows as old and new value. */
function ruleFields(rule: PolicyRule): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...rule };
  delete copy.id;
  delete copy.target;
  delete copy['@odata.type'];
  return copy;
}

function roleOf(group: ManagedGroup, policyId: string): GroupRole | undefined {
  return ROLES.find((r) => group.settings.roles.includes(r) && policyIdFor(group, r) === policyId);
}

function withoutEtag(policy: Stored<PolicyDocument>): PolicyDocument {
  const { _etag, ...document } = policy;
  void _etag;
  return document;
}

function invalid(errors: FieldError[]): PatchRuleResult {
  return {
    outcome: 'invalid',
    detail: `Invalid rule: ${errors.map((e) => `${e.field}: ${e.message}`).join('; ')}`,
    errors,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Graph-shaped views

export function policyView(policy: PolicyDocument, expandRules: boolean): Record<string, unknown> {
  return {
    id: policy.id,
    displayName: policy.displayName,
    description: policy.description,
    isOrganizationDefault: policy.isOrganizationDefault,
    scopeId: policy.scopeId,
    scopeType: policy.scopeType,
    lastModifiedDateTime: policy.lastModifiedDateTime,
    lastModifiedBy: policy.lastModifiedBy,
    ...(expandRules && { rules: policy.rules.map(ruleView) }),
  };
}

export function ruleView(rule: PolicyRule): Record<string, unknown> {
  return { ...rule };
}

export function policyAssignmentView(
  policy: PolicyDocument,
  expand: 'none' | 'policy' | 'policyWithRules',
): Record<string, unknown> {
  return {
    id: policyAssignmentId(policy.scopeId, policy.id, policy.roleDefinitionId),
    policyId: policy.id,
    scopeId: policy.scopeId,
    scopeType: policy.scopeType,
    roleDefinitionId: policy.roleDefinitionId,
    ...(expand !== 'none' && { policy: policyView(policy, expand === 'policyWithRules') }),
  };
}

const cache = new WeakMap<object, PolicyService>();

/** One PolicyService per composition (the app's Services). */
export function policyServiceFor(deps: PolicyServiceDeps): PolicyService {
  let service = cache.get(deps);
  if (!service) {
    service = new PolicyService(deps);
    cache.set(deps, service);
  }
  return service;
}
