/**
 * Role settings, Graph-shaped (docs/api/role-settings.md):
 * - `GET policies/roleManagementPolicies?$filter=scopeId eq '{groupId}' and scopeType eq 'Group'[&$expand=rules]`
 * - `GET policies/roleManagementPolicies/{policyId}[?$expand=rules]`, `.../rules`, `.../rules/{ruleId}`
 * - `PATCH policies/roleManagementPolicies/{policyId}/rules/{ruleId}` → 204
 * - `GET policies/roleManagementPolicyAssignments?$filter=scopeId eq '{groupId}' and scopeType eq 'Group'
 *   [and roleDefinitionId eq 'member'][&$expand=policy($expand=rules)]`, and `.../{id}`
 * Admins and auditors read every group's settings, active owners of a managed group read and change its own,
 * admins change any; everyone else gets 403.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import type { CallerPrincipal } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { MAX_ID_LENGTH, overlongIdIn } from '../shared/http/edge';
import { readLimitedBody } from '../shared/http/json-body';
import { problem } from '../shared/http/problem';
import { authorizeGroup } from '../shared/managed-groups/authorization';
import {
  checkQueryOptions,
  collection,
  ODataError,
  parseExpand,
  parseFilter,
  type FilterClause,
} from '../shared/http/odata';
import { groupIdOfPolicy } from '../shared/policies/adapters/policy-store';
import {
  policyAssignmentView,
  policyServiceFor,
  policyView,
  ruleView,
  type PolicyService,
} from '../shared/policies/policy-service';
import { ruleDefinition } from '../shared/policies/domain/rules';
import { getAppServices, type AppServices } from '../shared/composition-root';
import type { GroupRole } from '../shared/managed-groups/domain/managed-group';

const ROUTE = 'policies/roleManagementPolicies';
const ASSIGNMENTS = 'policies/roleManagementPolicyAssignments';
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface Context {
  services: AppServices;
  policies: PolicyService;
  caller: CallerPrincipal;
}

/** Authenticates, then runs the handler; ODataError → 400. */
function handler(run: (request: HttpRequest, ctx: Context) => Promise<HttpResponseInit>) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const services = await getAppServices();
    const auth = await authenticate(request, services.tokens);
    if (!auth.ok) return auth.response;
    try {
      return await run(request, { services, policies: policyServiceFor(services), caller: auth.caller });
    } catch (err) {
      if (err instanceof ODataError) return problem(400, err.message);
      throw err;
    }
  };
}

/** Graph's `scopeId eq '{groupId}' and scopeType eq 'Group'` (plus, for assignments, `roleDefinitionId`). */
function scopeFilter(request: HttpRequest, withRole: boolean): { groupId: string; role?: GroupRole } {
  const clauses = parseFilter(request.query.get('$filter'));
  const allowed = withRole ? ['scopeId', 'scopeType', 'roleDefinitionId'] : ['scopeId', 'scopeType'];
  const byField = new Map<string, FilterClause>();
  for (const c of clauses) {
    if (!allowed.includes(c.field) || c.op !== 'eq' || !c.quoted) {
      throw new ODataError(
        `$filter supports ${allowed.map((f) => `${f} eq '...'`).join(', ')}; not "${c.field} ${c.op}"`,
      );
    }
    if (byField.has(c.field)) throw new ODataError(`$filter names ${c.field} twice`);
    byField.set(c.field, c);
  }
  const scopeId = byField.get('scopeId')?.value;
  const scopeType = byField.get('scopeType')?.value;
  if (!scopeId || !scopeType) {
    throw new ODataError("Give $filter=scopeId eq '{groupId}' and scopeType eq 'Group'");
  }
  if (scopeType !== 'Group') throw new ODataError(`scopeType must be 'Group' (pimflow manages groups)`);
  if (!GUID.test(scopeId)) throw new ODataError(`scopeId must be a group's object id (a GUID)`);
  const role = byField.get('roleDefinitionId')?.value;
  if (role !== undefined && role !== 'member' && role !== 'owner') {
    throw new ODataError(`roleDefinitionId must be 'member' or 'owner'`);
  }
  return { groupId: scopeId.toLowerCase(), ...(role !== undefined && { role }) };
}

const listPolicies = handler(async (request, { services, policies, caller }) => {
  checkQueryOptions(request, ['$filter', '$expand']);
  const expand = parseExpand(request, ['rules', 'effectiveRules']);
  const { groupId } = scopeFilter(request, false);
  const denied = await authorizeGroup(services, caller, groupId, 'read');
  if (denied) return denied;
  const found = await policies.listForGroup(groupId);
  return {
    jsonBody: collection(
      '$metadata#policies/roleManagementPolicies',
      found.map((p) => policyView(p, expand.length > 0)),
    ),
  };
});

/** Reads the policy named in the route, after checking the caller may (read or manage) its group. */
async function loadPolicy(request: HttpRequest, ctx: Context, access: 'read' | 'manage') {
  const policyId = request.params.policyId ?? '';
  const groupId = groupIdOfPolicy(policyId);
  if (!groupId) return { response: problem(404, `No role management policy ${policyId}`) };
  const denied = await authorizeGroup(ctx.services, ctx.caller, groupId, access);
  if (denied) return { response: denied };
  const policy = await ctx.policies.get(policyId);
  if (!policy) return { response: problem(404, `No role management policy ${policyId}`) };
  return { policy };
}

const getPolicy = handler(async (request, ctx) => {
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
});

const listRules = handler(async (request, ctx) => {
  checkQueryOptions(request, []);
  const { policy, response } = await loadPolicy(request, ctx, 'read');
  if (!policy) return response;
  return {
    jsonBody: collection(
      `$metadata#policies/roleManagementPolicies('${policy.id}')/rules`,
      policy.rules.map(ruleView),
    ),
  };
});

const getRule = handler(async (request, ctx) => {
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
});

const patchRule = handler(async (request, ctx) => {
  checkQueryOptions(request, []);
  const policyId = request.params.policyId ?? '';
  const ruleId = request.params.ruleId ?? '';
  const groupId = groupIdOfPolicy(policyId);
  if (!groupId) return problem(404, `No role management policy ${policyId}`);
  const denied = await authorizeGroup(ctx.services, ctx.caller, groupId, 'manage');
  if (denied) return denied;
  const body = await readJson(request);
  if (!body.ok) return body.response;
  if (!ruleDefinition(ruleId) && !(await ctx.policies.get(policyId))) {
    return problem(404, `No role management policy ${policyId}`);
  }
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
});

async function readJson(
  request: HttpRequest,
): Promise<{ ok: true; value: unknown } | { ok: false; response: HttpResponseInit }> {
  const body = await readLimitedBody(request);
  if (!body.ok) return body;
  const text = body.value;
  if (text.trim() === '') return { ok: false, response: problem(400, 'Send the rule as the JSON body') };
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/(.+\+)?json\b/i.test(type)) {
    return { ok: false, response: problem(415, 'Send the body as application/json.') };
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    return { ok: false, response: problem(400, `The body is not valid JSON: ${(err as Error).message}`) };
  }
  const overlong = overlongIdIn(value);
  if (overlong) {
    return {
      ok: false,
      response: problem(
        400,
        `Invalid body: ${overlong.field} is ${overlong.length} characters long; no id is longer than ${MAX_ID_LENGTH}`,
      ),
    };
  }
  return { ok: true, value };
}

function assignmentExpand(request: HttpRequest): 'none' | 'policy' | 'policyWithRules' {
  const expand = parseExpand(request, ['policy', 'policy($expand=rules)']);
  return expand.includes('policy($expand=rules)')
    ? 'policyWithRules'
    : expand.includes('policy')
      ? 'policy'
      : 'none';
}

const listAssignments = handler(async (request, { services, policies, caller }) => {
  checkQueryOptions(request, ['$filter', '$expand']);
  const expand = assignmentExpand(request);
  const { groupId, role } = scopeFilter(request, true);
  const denied = await authorizeGroup(services, caller, groupId, 'read');
  if (denied) return denied;
  const found = await policies.listForGroup(groupId, role);
  return {
    jsonBody: collection(
      '$metadata#policies/roleManagementPolicyAssignments',
      found.map((p) => policyAssignmentView(p, expand)),
    ),
  };
});

const ASSIGNMENT_ID = /^Group_([0-9a-f-]{36})_(Group_[0-9a-f-]{36}_[0-9a-f-]{36})_(member|owner)$/i;

const getAssignment = handler(async (request, { services, policies, caller }) => {
  checkQueryOptions(request, ['$expand']);
  const expand = assignmentExpand(request);
  const id = request.params.id ?? '';
  const m = ASSIGNMENT_ID.exec(id);
  const groupId = m?.[1]?.toLowerCase();
  if (!m || !groupId || !GUID.test(groupId))
    return problem(404, `No role management policy assignment ${id}`);
  const denied = await authorizeGroup(services, caller, groupId, 'read');
  if (denied) return denied;
  const policy = await policies.get(m[2] as string);
  if (!policy || policy.scopeId !== groupId || policy.roleDefinitionId !== m[3]) {
    return problem(404, `No role management policy assignment ${id}`);
  }
  return {
    jsonBody: {
      '@odata.context': '$metadata#policies/roleManagementPolicyAssignments/$entity',
      ...policyAssignmentView(policy, expand),
    },
  };
});

const anon = { authLevel: 'anonymous' as const };
app.http('roleManagementPoliciesList', { ...anon, route: ROUTE, methods: ['GET'], handler: listPolicies });
app.http('roleManagementPolicyGet', {
  ...anon,
  route: `${ROUTE}/{policyId}`,
  methods: ['GET'],
  handler: getPolicy,
});
app.http('roleManagementPolicyRulesList', {
  ...anon,
  route: `${ROUTE}/{policyId}/rules`,
  methods: ['GET'],
  handler: listRules,
});
app.http('roleManagementPolicyRuleGet', {
  ...anon,
  route: `${ROUTE}/{policyId}/rules/{ruleId}`,
  methods: ['GET'],
  handler: getRule,
});
app.http('roleManagementPolicyRulePatch', {
  ...anon,
  route: `${ROUTE}/{policyId}/rules/{ruleId}`,
  methods: ['PATCH'],
  handler: patchRule,
});
app.http('roleManagementPolicyAssignmentsList', {
  ...anon,
  route: ASSIGNMENTS,
  methods: ['GET'],
  handler: listAssignments,
});
app.http('roleManagementPolicyAssignmentGet', {
  ...anon,
  route: `${ASSIGNMENTS}/{id}`,
  methods: ['GET'],
  handler: getAssignment,
});
