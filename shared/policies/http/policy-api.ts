/**
 * The role-settings routes (docs/api/role-settings.md), each a handler of an authenticated request: Graph's
 * policies, their rules and the policy assignments; the rule PATCH mapped from the service's outcome.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import type { CallerPrincipal } from '../../auth/principal';
import { checkQueryOptions, collection, parseExpand } from '../../http/odata';
import { problem } from '../../http/problem';
import type { AuthorizationDeps, GroupAccess } from '../../managed-groups/authorization';
import { authorizeGroup } from '../../managed-groups/http/authorize-group';
import { groupIdOfPolicy } from '../domain/policy';
import { ruleDefinition } from '../domain/rules';
import type { PolicyService } from '../policy-service';
import { assignmentExpand, parseAssignmentId, readRuleBody, scopeFilter } from './policy-requests';
import { policyAssignmentView, policyView, ruleView } from './policy-views';

export interface PolicyApiContext {
  policies: PolicyService;
  /** Who may read or change which group's settings (managed-groups/authorization.ts). */
  authorization: AuthorizationDeps;
  caller: CallerPrincipal;
}

export type PolicyHandler = (request: HttpRequest, ctx: PolicyApiContext) => Promise<HttpResponseInit>;

const noPolicy = (policyId: string) => problem(404, `No role management policy ${policyId}`);
const authorize = (ctx: PolicyApiContext, groupId: string, access: GroupAccess) =>
  authorizeGroup(ctx.authorization, ctx.caller, groupId, access);

export const listPolicies: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$filter', '$expand']);
  const expand = parseExpand(request, ['rules', 'effectiveRules']);
  const { groupId } = scopeFilter(request, false);
  const denied = await authorize(ctx, groupId, 'read');
  if (denied) return denied;
  const found = await ctx.policies.listForGroup(groupId);
  return {
    jsonBody: collection(
      '$metadata#policies/roleManagementPolicies',
      found.map((p) => policyView(p, expand.length > 0)),
    ),
  };
};

/** Reads the policy named in the route, after checking the caller may (read or manage) its group. */
async function loadPolicy(request: HttpRequest, ctx: PolicyApiContext, access: GroupAccess) {
  const policyId = request.params.policyId ?? '';
  const groupId = groupIdOfPolicy(policyId);
  if (!groupId) return { response: noPolicy(policyId) };
  const denied = await authorize(ctx, groupId, access);
  if (denied) return { response: denied };
  const policy = await ctx.policies.get(policyId);
  if (!policy) return { response: noPolicy(policyId) };
  return { policy };
}

export const getPolicy: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$expand']);
  const expand = parseExpand(request, ['rules', 'effectiveRules']);
  const { policy, response } = await loadPolicy(request, ctx, 'read');
  if (!policy) return response;
  return {
    jsonBody: {
      '@odata.context': '$metadata#policies/roleManagementPolicies/$entity',
      ...policyView(policy, expand.length > 0),
    },
  };
};

export const listRules: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, []);
  const { policy, response } = await loadPolicy(request, ctx, 'read');
  if (!policy) return response;
  return {
    jsonBody: collection(
      `$metadata#policies/roleManagementPolicies('${policy.id}')/rules`,
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
  return {
    jsonBody: {
      '@odata.context': `$metadata#policies/roleManagementPolicies('${policy.id}')/rules/$entity`,
      ...ruleView(rule),
    },
  };
};

export const patchRule: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, []);
  const policyId = request.params.policyId ?? '';
  const ruleId = request.params.ruleId ?? '';
  const groupId = groupIdOfPolicy(policyId);
  if (!groupId) return noPolicy(policyId);
  const denied = await authorize(ctx, groupId, 'manage');
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
  checkQueryOptions(request, ['$filter', '$expand']);
  const expand = assignmentExpand(request);
  const { groupId, role } = scopeFilter(request, true);
  const denied = await authorize(ctx, groupId, 'read');
  if (denied) return denied;
  const found = await ctx.policies.listForGroup(groupId, role);
  return {
    jsonBody: collection(
      '$metadata#policies/roleManagementPolicyAssignments',
      found.map((p) => policyAssignmentView(p, expand)),
    ),
  };
};

export const getAssignment: PolicyHandler = async (request, ctx) => {
  checkQueryOptions(request, ['$expand']);
  const expand = assignmentExpand(request);
  const id = request.params.id ?? '';
  const notFound = () => problem(404, `No role management policy assignment ${id}`);
  const named = parseAssignmentId(id);
  if (!named) return notFound();
  const denied = await authorize(ctx, named.groupId, 'read');
  if (denied) return denied;
  const policy = await ctx.policies.get(named.policyId);
  if (!policy || policy.scopeId !== named.groupId || policy.roleDefinitionId !== named.role)
    return notFound();
  return {
    jsonBody: {
      '@odata.context': '$metadata#policies/roleManagementPolicyAssignments/$entity',
      ...policyAssignmentView(policy, expand),
    },
  };
};
