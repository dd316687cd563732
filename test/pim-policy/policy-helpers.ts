/** Callers, rule helpers and a CSV reader shared by the role-settings, managed-group and audit tests. */
import { expect } from 'vitest';
import type { RoleSettings } from '../../shared/policies/domain/role-settings';
import { DEMO, type ApiCall, type PimApp } from '../pim-harness';
import { expectApiError } from '../helpers';

export const ADMIN: ApiCall = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'], amr: ['pwd', 'mfa'] };
export const AUDITOR: ApiCall = { as: 'jack.thompson@pimflow.example', roles: ['PimFlow.Auditor'] };
/** An owner of the Helpdesk Admin-Group in the demo tenant, with no app role. */
export const HELPDESK_OWNER: ApiCall = { as: 'sofia.rossi@pimflow.example' };
/** The owner of Finance Approvers (and of nothing else). */
export const FINANCE_OWNER: ApiCall = { as: 'priya.nair@pimflow.example' };
export const PLAIN_USER: ApiCall = { as: 'liam.obrien@pimflow.example' };
export const FINANCE_GROUP = '5954f79c-0342-4f18-a20d-d040bab5dd82';
export const CLOUD_OPS_GROUP = 'ebaa089b-edbe-45ee-acf0-778162edf39e';

export interface Rule {
  id: string;
  '@odata.type': string;
  target: Record<string, unknown>;
  [key: string]: unknown;
}

export interface Policy {
  id: string;
  scopeId: string;
  scopeType: string;
  rules?: Rule[];
  [key: string]: unknown;
}

export const RULE_IDS = [
  'Expiration_Admin_Eligibility',
  'Enablement_Admin_Eligibility',
  'Notification_Admin_Admin_Eligibility',
  'Notification_Requestor_Admin_Eligibility',
  'Notification_Approver_Admin_Eligibility',
  'Expiration_Admin_Assignment',
  'Enablement_Admin_Assignment',
  'Notification_Admin_Admin_Assignment',
  'Notification_Requestor_Admin_Assignment',
  'Notification_Approver_Admin_Assignment',
  'Expiration_EndUser_Assignment',
  'Enablement_EndUser_Assignment',
  'Approval_EndUser_Assignment',
  'AuthenticationContext_EndUser_Assignment',
  'Notification_Admin_EndUser_Assignment',
  'Notification_Requestor_EndUser_Assignment',
  'Notification_Approver_EndUser_Assignment',
];

export const T = {
  expiration: '#microsoft.graph.unifiedRoleManagementPolicyExpirationRule',
  enablement: '#microsoft.graph.unifiedRoleManagementPolicyEnablementRule',
  approval: '#microsoft.graph.unifiedRoleManagementPolicyApprovalRule',
  authContext: '#microsoft.graph.unifiedRoleManagementPolicyAuthenticationContextRule',
  notification: '#microsoft.graph.unifiedRoleManagementPolicyNotificationRule',
};

export async function manage(app: PimApp, groupId: string, call: ApiCall = ADMIN): Promise<Response> {
  return app.api('managedGroups', { ...call, body: { groupId } });
}

const filter = (groupId: string, role?: string) =>
  encodeURIComponent(
    `scopeId eq '${groupId}' and scopeType eq 'Group'${role ? ` and roleDefinitionId eq '${role}'` : ''}`,
  );

export async function policyIdOf(app: PimApp, groupId: string, role: 'member' | 'owner'): Promise<string> {
  const res = await app.json<{ value: { policyId: string }[] }>(
    `policies/roleManagementPolicyAssignments?$filter=${filter(groupId, role)}`,
    ADMIN,
  );
  expect(res.value).toHaveLength(1);
  return (res.value[0] as { policyId: string }).policyId;
}

export async function rules(app: PimApp, policyId: string, call: ApiCall = ADMIN): Promise<Rule[]> {
  const policy = await app.json<Policy>(`policies/roleManagementPolicies/${policyId}?$expand=rules`, call);
  return policy.rules as Rule[];
}

export async function rule(
  app: PimApp,
  policyId: string,
  ruleId: string,
  call: ApiCall = ADMIN,
): Promise<Rule> {
  const r = await app.json<Rule & { '@odata.context'?: string }>(
    `policies/roleManagementPolicies/${policyId}/rules/${ruleId}`,
    call,
  );
  delete r['@odata.context'];
  return r;
}

export function patch(app: PimApp, policyId: string, ruleId: string, body: unknown, call: ApiCall = ADMIN) {
  return app.api(`policies/roleManagementPolicies/${policyId}/rules/${ruleId}`, {
    ...call,
    method: 'PATCH',
    body,
  });
}

export async function mustPatch(app: PimApp, policyId: string, ruleId: string, body: unknown, call = ADMIN) {
  const res = await patch(app, policyId, ruleId, body, call);
  expect(res.status, `${ruleId}: ${await res.clone().text()}`).toBe(204);
}

export { filter as scopeFilter };

/** The RoleSettings the activation code reads (the app's RoleSettingsSource, from `app.services()`). */
export async function roleSettings(
  app: PimApp,
  groupId: string,
  role: 'member' | 'owner',
): Promise<RoleSettings> {
  return (await app.services()).roleSettings.get(groupId, role);
}

export async function expectProblem(res: Response, status: number, detail?: RegExp): Promise<string> {
  return expectApiError(res, status, detail);
}

/** RFC 4180: CRLF rows, quoted fields with "" for a quote. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += ch;
  }
  if (field !== '' || row.length > 0) throw new Error('CSV does not end with CRLF');
  return rows;
}
