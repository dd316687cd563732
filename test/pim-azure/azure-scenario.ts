/**
 * Steps the Azure role tests share, through the ARM-shaped API as an admin or a user would take them (the demo ARM
 * tenant's names): bring a scope under management, require approval for a role's activation, PUT a request, and
 * read role assignments in the ARM stand-in.
 */
import { expect } from 'vitest';
import { DEMO, type ApiCall, type PimApp } from '../pim-harness';

export const SUBSCRIPTION = '1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
export const PRODUCTION = `/subscriptions/${SUBSCRIPTION}`;
export const FINANCE_RG = `${PRODUCTION}/resourceGroups/finance-rg`;
export const SANDBOX_RG = '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21/resourceGroups/sandbox-rg';
export const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
export const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
export const READER = 'acdd72a7-3385-48ef-bd42-f606fba81ae7';
export const VERSION = 'api-version=2020-10-01';
export const ADMIN = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'], amr: ['pwd', 'mfa'] };

export const roleDefinitionId = (guid: string) =>
  `/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;

/** An ARM path below /api: `{scope}/providers/Microsoft.Authorization/{rest}` with the api-version. */
export function arm(scope: string, rest: string, query = VERSION): string {
  const separator = rest.includes('?') ? '&' : '?';
  return `${scope.replace(/^\//, '')}/providers/Microsoft.Authorization/${rest}${query ? `${separator}${query}` : ''}`;
}

export interface ArmItem {
  id: string;
  name: string;
  type: string;
  properties: Record<string, unknown> & {
    status?: string;
    memberType?: string;
    scope?: string;
    approvalId?: string;
  };
}

export interface ArmErrorBody {
  error: { code: string; message: string };
}

/** PUTs a new request (a new GUID name) at a scope. */
export async function putRequest(
  app: PimApp,
  scope: string,
  collection: 'roleAssignmentScheduleRequests' | 'roleEligibilityScheduleRequests',
  properties: Record<string, unknown>,
  call: ApiCall,
): Promise<{ res: Response; name: string }> {
  const name = crypto.randomUUID();
  const res = await app.api(arm(scope, `${collection}/${name}`), {
    ...call,
    method: 'PUT',
    body: { properties },
  });
  return { res, name };
}

/** Whether the ARM stand-in has the principal's assignment of the role made at exactly this scope. */
export function holds(app: PimApp, scope: string, role: string, principalId: string): boolean {
  return app
    .azureAssignments(scope)
    .some((a) => a.roleDefinitionId.toLowerCase().endsWith(role) && a.principalId === principalId);
}

export async function manageScope(app: PimApp, scope: string): Promise<void> {
  const res = await app.api('managedAzureScopes', { ...ADMIN, body: { scope } });
  expect([201, 409], await res.clone().text()).toContain(res.status);
}

/** Activation of `role` at `scope` needs the demo admin's approval (ARM's policy PATCH). */
export async function requireApproval(app: PimApp, scope: string, role: string): Promise<void> {
  const filter = encodeURIComponent(`roleDefinitionId eq '${roleDefinitionId(role)}'`);
  const assignments = await app.json<{ value: ArmItem[] }>(
    arm(scope, `roleManagementPolicyAssignments?$filter=${filter}`),
    ADMIN,
  );
  const policyId = assignments.value[0]?.properties.policyId as string;
  expect(policyId).toMatch(/roleManagementPolicies\/[0-9a-f-]{36}$/i);
  const res = await app.api(`${policyId.replace(/^\//, '')}?${VERSION}`, {
    ...ADMIN,
    method: 'PATCH',
    body: {
      properties: {
        rules: [
          {
            id: 'Approval_EndUser_Assignment',
            ruleType: 'RoleManagementPolicyApprovalRule',
            target: { caller: 'EndUser', operations: ['All'], level: 'Assignment' },
            setting: {
              isApprovalRequired: true,
              isApprovalRequiredForExtension: false,
              isRequestorJustificationRequired: true,
              approvalMode: 'SingleStage',
              approvalStages: [
                {
                  approvalStageTimeOutInDays: 1,
                  isApproverJustificationRequired: true,
                  escalationTimeInMinutes: 0,
                  isEscalationEnabled: false,
                  primaryApprovers: [{ userType: 'User', isBackup: false, id: DEMO.admin }],
                },
              ],
            },
          },
        ],
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(200);
}
