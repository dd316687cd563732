/**
 * Role settings as Graph serves them: the policies of a managed group or of the managed directory roles, one
 * policy, its rules, the policy assignments, and the rule PATCH (validated, stored at the policy's ETag, audited
 * with old → new values).
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { Stored } from '../storage/stored';
import { ConcurrencyConflictError } from '../storage/errors';
import type { GroupRole, ManagedGroup } from '../managed-groups/domain/managed-group';
import type { ManagedGroupRepository } from '../managed-groups/adapters/managed-group-repository';
import type { ManagedRoleRepository } from '../managed-roles/adapters/managed-role-repository';
import type { ManagedRole } from '../managed-roles/domain/managed-role';
import type { PolicyStore } from './adapters/policy-store';
import { checkApproversExist } from './approvers-exist';
import { roleSettingUpdatedRecord, type RoleSettingChange } from './domain/audit-records';
import {
  directoryRolePolicyIdFor,
  groupIdOfPolicy,
  policyIdFor,
  tenantIdOfDirectoryRolePolicy,
  type PolicyDocument,
} from './domain/policy';
import { mergeRulePatch, ruleChanges, type FieldError } from './domain/rule-patch';
import { RULE_IDS, ruleDefinition, type PolicyRule } from './domain/rules';

export interface PolicyServiceDeps {
  policyStore: PolicyStore;
  managedGroups: ManagedGroupRepository;
  managedRoles: ManagedRoleRepository;
  /** AUTH_TENANT_ID names the directory roles' policies (`DirectoryRole_{tenantId}_{guid}`). */
  settings: { AUTH_TENANT_ID: string };
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
  private readonly store: PolicyStore;

  constructor(private readonly deps: PolicyServiceDeps) {
    this.store = deps.policyStore;
  }

  /** The group's policies (one per managed role, `role` to pick one); none if the group isn't managed. */
  async listForGroup(groupId: string, role?: GroupRole): Promise<Stored<PolicyDocument>[]> {
    const group = await this.deps.managedGroups.find(groupId.toLowerCase());
    if (!group) return [];
    const roles = ROLES.filter((r) => group.settings.roles.includes(r) && (role === undefined || r === role));
    const now = this.deps.clock.now();
    return Promise.all(roles.map((r) => this.store.ensure(group, r, now)));
  }

  /** The managed directory roles' policies (`roleDefinitionId` to pick one role's), by the roles' names. */
  async listForDirectoryRoles(roleDefinitionId?: string): Promise<Stored<PolicyDocument>[]> {
    const now = this.deps.clock.now();
    if (roleDefinitionId !== undefined) {
      const role = await this.deps.managedRoles.find(roleDefinitionId);
      return role ? [await this.ensureForRole(role, now)] : [];
    }
    const roles: ManagedRole[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await this.deps.managedRoles.listAll({ continuationToken });
      roles.push(...page.items);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    return Promise.all(roles.map((r) => this.ensureForRole(r, now)));
  }

  /** The policy with this id, if it is a current policy of a managed group or a managed directory role. */
  async get(policyId: string): Promise<Stored<PolicyDocument> | undefined> {
    if (tenantIdOfDirectoryRolePolicy(policyId)) return this.getDirectoryRolePolicy(policyId);
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

  /** Creates the policy of a newly managed directory role with Entra's defaults (idempotent). */
  createRoleDefaults(role: ManagedRole): Promise<Stored<PolicyDocument>> {
    return this.ensureForRole(role, this.deps.clock.now());
  }

  /** The policy id a managed directory role's settings have (deterministic). */
  directoryRolePolicyId(role: Pick<ManagedRole, 'roleDefinitionId' | 'managedSince'>): string {
    return directoryRolePolicyIdFor(this.deps.settings.AUTH_TENANT_ID, role);
  }

  removeAllForRole(roleDefinitionId: string): Promise<void> {
    return this.store.removeAllForRole(roleDefinitionId);
  }

  private ensureForRole(role: ManagedRole, now: Date): Promise<Stored<PolicyDocument>> {
    return this.store.ensureForRole(role, this.deps.settings.AUTH_TENANT_ID, now);
  }

  /**
   * A directory role's policy id doesn't name the role: the stored policy does. A current policy whose document is
   * missing (a crash before it was written) is found through the managed roles.
   */
  private async getDirectoryRolePolicy(policyId: string): Promise<Stored<PolicyDocument> | undefined> {
    if (tenantIdOfDirectoryRolePolicy(policyId) !== this.deps.settings.AUTH_TENANT_ID.toLowerCase())
      return undefined;
    const stored = await this.store.find('/', policyId);
    if (stored) {
      const role = await this.deps.managedRoles.find(stored.roleDefinitionId);
      return role && this.directoryRolePolicyId(role) === policyId ? stored : undefined;
    }
    const roles = await this.listForDirectoryRoles();
    return roles.find((p) => p.id === policyId);
  }

  /**
   * Applies a rule PATCH. On a concurrent change (ETag moved on) it reads the policy again and re-applies the
   * body to what is there now, so a PATCH of another rule (or field) is never lost.
   */
  patchRule(
    policyId: string,
    ruleId: string,
    body: unknown,
    caller: CallerPrincipal,
  ): Promise<PatchRuleResult> {
    return this.patchRuleOf(() => this.get(policyId), policyId, ruleId, body, caller);
  }

  /**
   * `patchRule` on the policy `load` reads (again after each concurrent change): for policies whose id alone
   * doesn't find them (an Azure role's, found by scope and role).
   */
  async patchRuleOf(
    load: () => Promise<Stored<PolicyDocument> | undefined>,
    policyId: string,
    ruleId: string,
    body: unknown,
    caller: CallerPrincipal,
  ): Promise<PatchRuleResult> {
    const definition = ruleDefinition(ruleId);
    if (!definition) {
      return {
        outcome: 'invalid',
        detail: `${ruleId} is not a rule of a${policyKindOf(policyId)} policy; the rules are ${RULE_IDS.join(', ')}`,
        errors: [{ field: 'ruleId', message: 'unknown rule id' }],
      };
    }
    let checkedDirectory: string | undefined;
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      const policy = await load();
      if (!policy) return { outcome: 'notFound', detail: `No role management policy ${policyId}` };
      const stored = policy.rules.find((r) => r.id === ruleId) as PolicyRule;
      const merged = mergeRulePatch(definition, stored, body, policy);
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
      await this.auditChange({
        policy,
        ruleId,
        before: stored,
        after,
        changes,
        caller,
        at: now,
        etag: written._etag,
      });
      return { outcome: 'updated' };
    }
    throw new Error(`Policy ${policyId} kept changing; gave up after ${MAX_ATTEMPTS} attempts`);
  }

  private async auditChange(change: RoleSettingChange): Promise<void> {
    const { policy } = change;
    const resourceName =
      policy.scopeType === 'Group'
        ? ((await this.deps.directory.getGroup(policy.scopeId).catch(() => null))?.displayName ?? null)
        : policy.scopeType === 'DirectoryRole'
          ? ((await this.deps.managedRoles.find(policy.roleDefinitionId))?.displayName ?? null)
          : null;
    await this.deps.audit.record(roleSettingUpdatedRecord({ ...change, resourceName }));
  }
}

/** " group", " directory role" or "n Azure role", as a policy's id says. */
function policyKindOf(policyId: string): string {
  if (policyId.startsWith('DirectoryRole_')) return ' directory role';
  return policyId.startsWith('Group_') ? ' group' : 'n Azure role';
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
