/**
 * Role settings, Graph-shaped (docs/api/role-settings.md), of managed groups and of managed directory roles
 * (`scopeId eq '/' and scopeType eq 'DirectoryRole'`, `roleDefinitionId eq '{roleId}'`):
 * - `GET policies/roleManagementPolicies?$filter=scopeId eq '{groupId}' and scopeType eq 'Group'[&$expand=rules]`
 * - `GET policies/roleManagementPolicies/{policyId}[?$expand=rules]`, `.../rules`, `.../rules/{ruleId}`
 * - `PATCH policies/roleManagementPolicies/{policyId}/rules/{ruleId}` → 204
 * - `GET policies/roleManagementPolicyAssignments?$filter=scopeId eq '{groupId}' and scopeType eq 'Group'
 *   [and roleDefinitionId eq 'member'][&$expand=policy($expand=rules)]`, and `.../{id}`
 * Admins and auditors read every group's and role's settings, active owners of a managed group read and change its
 * own, admins change any; everyone else gets 403.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { ODataError } from '../shared/http/odata';
import { problem } from '../shared/http/problem';
import {
  getAssignment,
  getPolicy,
  getRule,
  listAssignments,
  listPolicies,
  listRules,
  patchRule,
  type PolicyHandler,
} from '../shared/policies/http/policy-api';
import { getAppServices } from '../shared/composition-root';
import { holdsRole } from '../shared/requests/holds-role';

const ROUTE = 'policies/roleManagementPolicies';
const ASSIGNMENTS = 'policies/roleManagementPolicyAssignments';

/** Authenticates, then runs the handler; ODataError → 400. */
function handler(run: PolicyHandler) {
  return async (request: HttpRequest): Promise<HttpResponseInit> => {
    const services = await getAppServices();
    const auth = await authenticate(request, services.tokens);
    if (!auth.ok) return auth.response;
    try {
      return await run(request, {
        policies: services.policies,
        authorization: services,
        caller: auth.caller,
        holdsRole: (resourceId, roleId) =>
          holdsRole(services.store, auth.caller.objectId, resourceId, roleId),
      });
    } catch (err) {
      if (err instanceof ODataError) return problem(400, err.message);
      throw err;
    }
  };
}

const anon = { authLevel: 'anonymous' as const };
app.http('roleManagementPoliciesList', {
  ...anon,
  route: ROUTE,
  methods: ['GET'],
  handler: handler(listPolicies),
});
app.http('roleManagementPolicyGet', {
  ...anon,
  route: `${ROUTE}/{policyId}`,
  methods: ['GET'],
  handler: handler(getPolicy),
});
app.http('roleManagementPolicyRulesList', {
  ...anon,
  route: `${ROUTE}/{policyId}/rules`,
  methods: ['GET'],
  handler: handler(listRules),
});
app.http('roleManagementPolicyRuleGet', {
  ...anon,
  route: `${ROUTE}/{policyId}/rules/{ruleId}`,
  methods: ['GET'],
  handler: handler(getRule),
});
app.http('roleManagementPolicyRulePatch', {
  ...anon,
  route: `${ROUTE}/{policyId}/rules/{ruleId}`,
  methods: ['PATCH'],
  handler: handler(patchRule),
});
app.http('roleManagementPolicyAssignmentsList', {
  ...anon,
  route: ASSIGNMENTS,
  methods: ['GET'],
  handler: handler(listAssignments),
});
app.http('roleManagementPolicyAssignmentGet', {
  ...anon,
  route: `${ASSIGNMENTS}/{id}`,
  methods: ['GET'],
  handler: handler(getAssignment),
});
