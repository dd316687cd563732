/**
 * The role-settings routes (docs/api/role-settings.md), each a handler of an authenticated request: Graph's
 * policies of groups and of directory roles, their rules and the policy assignments; the rule PATCH mapped from
 * the service's outcome.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { CallerPrincipal } from '../../auth/principal';
import { checkQueryOptions, collection } from '../../http/odata';
import {
  collectionContext,
  entityBody,
  parseShaping,
  shapeAll,
  withEntityContext,
} from '../../http/odata-shape';
import { problem } from '../../http/problem';
import {
  canReadEverything,
  isAdmin,
  type AuthorizationDeps,
  type GroupAccess,
} from '../../managed-groups/authorization';
import { authorizeGroup } from '../../managed-groups/http/authorize-group';
import { groupIdOfPolicy, tenantIdOfDirectoryRolePolicy } from '../domain/policy';
import { ruleDefinition } from '../domain/rules';
import type { PolicyService } from '../policy-service';
import { parseAssignmentId, readRuleBody, scopeFilter, type PolicyScopeFilter } from './policy-requests';
import { POLICY_ASSIGNMENT_RESOURCE, POLICY_RESOURCE, ruleView } from './policy-views';

const POLICIES = 'policies/roleManagementPolicies';
const ASSIGNMENTS = 'policies/roleManagementPolicyAssignments';

export interface PolicyApiContext {
  policies: PolicyService;
  /** Who may read or change which group's settings (managed-groups/authorization.ts). */
  authorization: AuthorizationDeps;
  caller: CallerPrincipal;
  /** Whether the caller holds the role on the resource (eligible or active): they may read that role's settings. */
  holdsRole(resourceId: string, roleId: string): Promise<boolean>;
}

export type PolicyHandler = (request: HttpRequest, ctx: PolicyApiContext) => Promise<HttpResponseInit>;

const noPolicy = (policyId: string) => problem(404, `No role management policy ${policyId}`);
/** Whose settings a route touches: a group's, or the directory roles'. */
type Scope = { scopeType: 'Group'; groupId: string } | { scopeType: 'DirectoryRole' };

/**
 * A group's settings: admins, auditors (read) and the group's active owners. The directory roles' settings:
 * admins, and auditors to read (a directory role has no owners). One role's settings (`role` named) may also be
 * read by whoever holds that role — eligible or active — so an activation can show its limits and requirements.
 */
async function authorize(ctx: PolicyApiContext, scope: Scope, access: GroupAccess, role?: string) {
  if (access === 'read' && canReadEverything(ctx.caller)) return undefined;
  if (access === 'read' && role !== undefined) {
    const resourceId = scope.scopeType === 'Group' ? scope.groupId : '/';
    if (await ctx.holdsRole(resourceId, role)) return undefined;
  }
  if (scope.scopeType === 'Group')
    return authorizeGroup(ctx.authorization, ctx.caller, scope.groupId, access);
  const allowed = access === 'read' ? canReadEverything(ctx.caller) : isAdmin(ctx.caller);
  if (allowed) return undefined;
  return problem(
    403,
    access === 'read'
      ? "Only admins and auditors can read a directory role's settings"
      : "Only admins can change a directory role's settings",
  );
}

/** The scope a policy id names, or undefined when it names none. */
function scopeOfPolicy(policyId: string): Scope | undefined {
  if (tenantIdOfDirectoryRolePolicy(policyId)) return { scopeType: 'DirectoryRole' };
  const groupId = groupIdOfPolicy(policyId);
  return groupId ? { scopeType: 'Group', groupId } : undefined;
}

function listFor(ctx: PolicyApiContext, filter: PolicyScopeFilter) {
  return filter.scopeType === 'Group'
    ? ctx.policies.listForGroup(filter.groupId, filter.role)
    : ctx.policies.listForDirectoryRoles(filter.roleDefinitionId);
}

export const listPolicies: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$filter', '$select', '$expand']);
  const shaping = parseShaping(request, POLICY_RESOURCE);
  const filter = scopeFilter(request, false);
  const denied = await authorize(ctx, filter, 'read');
  if (denied) return denied;
  const found = await listFor(ctx, filter);
  return {
    jsonBody: collection(
      collectionContext(request, POLICIES, shaping),
      await shapeAll(found, POLICY_RESOURCE, shaping),
    ),
  };
};

/** Reads the policy named in the route, after checking the caller may (read or manage) its group or role. */
async function loadPolicy(request: HttpRequest, ctx: PolicyApiContext, access: GroupAccess) {
  const policyId = request.params.policyId ?? '';
  const scope = scopeOfPolicy(policyId);
  if (!scope) return { response: noPolicy(policyId) };
  const denied = await authorize(ctx, scope, access);
  if (denied) return { response: denied };
  const policy = await ctx.policies.get(policyId);
  if (!policy) return { response: noPolicy(policyId) };
  return { policy };
}

export const getPolicy: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$select', '$expand']);
  const shaping = parseShaping(request, POLICY_RESOURCE);
  const { policy, response } = await loadPolicy(request, ctx, 'read');
  if (!policy) return response;
  return { jsonBody: await entityBody(request, POLICIES, POLICY_RESOURCE, policy, shaping) };
};

export const listRules: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, []);
  const { policy, response } = await loadPolicy(request, ctx, 'read');
  if (!policy) return response;
  return {
    jsonBody: collection(
      collectionContext(request, `${POLICIES}('${policy.id}')/rules`),
      policy.rules.map(ruleView),
    ),
  };
};

export const getRule: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, []);
  const { policy, response } = await loadPolicy(request, ctx, 'read');
  if (!policy) return response;
  const ruleId = request.params.ruleId ?? '';
  const rule = policy.rules.find((r) => r.id === ruleId);
  if (!rule) return problem(404, `No rule ${ruleId} in policy ${policy.id}`);
  return { jsonBody: withEntityContext(request, `${POLICIES}('${policy.id}')/rules`, ruleView(rule)) };
};

export const patchRule: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, []);
  const policyId = request.params.policyId ?? '';
  const ruleId = request.params.ruleId ?? '';
  const scope = scopeOfPolicy(policyId);
  if (!scope) return noPolicy(policyId);
  const denied = await authorize(ctx, scope, 'manage');
  if (denied) return denied;
  const body = await readRuleBody(request);
  if (!body.ok) return body.response;
  // An unknown rule of a policy that doesn't exist either: the policy's 404 comes first.
  if (!ruleDefinition(ruleId) && !(await ctx.policies.get(policyId))) return noPolicy(policyId);
  const result = await ctx.policies.patchRule(policyId, ruleId, body.value, ctx.caller);
  switch (result.outcome) {
    case 'updated':
    case 'unchanged':
      return { status: 204 };
    case 'notFound':
      return problem(404, result.detail);
    case 'invalid':
      return problem(400, result.detail, { errors: result.errors });
  }
};

export const listAssignments: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$filter', '$select', '$expand']);
  const shaping = parseShaping(request, POLICY_ASSIGNMENT_RESOURCE);
  const filter = scopeFilter(request, true);
  const role = filter.scopeType === 'Group' ? filter.role : filter.roleDefinitionId;
  const denied = await authorize(ctx, filter, 'read', role);
  if (denied) return denied;
  const found = await listFor(ctx, filter);
  return {
    jsonBody: collection(
      collectionContext(request, ASSIGNMENTS, shaping),
      await shapeAll(found, POLICY_ASSIGNMENT_RESOURCE, shaping),
    ),
  };
};

export const getAssignment: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$select', '$expand']);
  const shaping = parseShaping(request, POLICY_ASSIGNMENT_RESOURCE);
  const id = request.params.id ?? '';
  const notFound = () => problem(404, `No role management policy assignment ${id}`);
  const named = parseAssignmentId(id);
  if (!named) return notFound();
  const denied = await authorize(ctx, named, 'read', named.role);
  if (denied) return denied;
  const policy = await ctx.policies.get(named.policyId);
  const scopeId = named.scopeType === 'Group' ? named.groupId : '/';
  if (!policy || policy.scopeId !== scopeId || policy.roleDefinitionId !== named.role) return notFound();
  return {
    jsonBody: await entityBody(request, ASSIGNMENTS, POLICY_ASSIGNMENT_RESOURCE, policy, shaping),
  };
};
