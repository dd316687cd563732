/**
 * Steps the PIM tests share, through the HTTP API as an admin or a user would take them: bring a group under
 * management, set a role's settings with Graph's rule PATCHes, make someone eligible, activate.
 */
import { expect } from 'vitest';
import { DEMO, type PimApp } from '../pim-harness';

export const BASE = 'identityGovernance/privilegedAccess/group';
export const ADMIN = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'], amr: ['pwd', 'mfa'] };

export async function manageGroup(app: PimApp, groupId: string): Promise<void> {
  const res = await app.api('managedGroups', { ...ADMIN, body: { groupId } });
  expect([201, 409], await res.clone().text()).toContain(res.status);
}

interface PolicyRule {
  id: string;
  '@odata.type': string;
  [key: string]: unknown;
}

export async function policyRules(
  app: PimApp,
  groupId: string,
  accessId: 'member' | 'owner',
): Promise<{ policyId: string; rules: PolicyRule[] }> {
  const filter = encodeURIComponent(
    `scopeId eq '${groupId}' and scopeType eq 'Group' and roleDefinitionId eq '${accessId}'`,
  );
  const assignments = await app.json<{ value: { policyId: string }[] }>(
    `policies/roleManagementPolicyAssignments?$filter=${filter}`,
    ADMIN,
  );
  const policyId = assignments.value[0]?.policyId;
  if (!policyId) throw new Error(`No policy for ${accessId} of ${groupId}`);
  const policy = await app.json<{ rules: PolicyRule[] }>(
    `policies/roleManagementPolicies/${policyId}?$expand=rules`,
    ADMIN,
  );
  return { policyId, rules: policy.rules };
}

/** PATCHes one rule: reads it, applies `change`, sends it back (as the Entra portal does). */
export async function patchRule(
  app: PimApp,
  groupId: string,
  accessId: 'member' | 'owner',
  ruleId: string,
  change: (rule: PolicyRule) => PolicyRule,
): Promise<Response> {
  const { policyId, rules } = await policyRules(app, groupId, accessId);
  const rule = rules.find((r) => r.id === ruleId);
  if (!rule) throw new Error(`No rule ${ruleId}`);
  return app.api(`policies/roleManagementPolicies/${policyId}/rules/${ruleId}`, {
    ...ADMIN,
    method: 'PATCH',
    body: change(rule),
  });
}

async function mustPatch(
  app: PimApp,
  groupId: string,
  accessId: 'member' | 'owner',
  ruleId: string,
  change: (rule: PolicyRule) => PolicyRule,
) {
  const res = await patchRule(app, groupId, accessId, ruleId, change);
  expect(res.status, `${ruleId}: ${await res.clone().text()}`).toBe(204);
}

/**
 * Table-1 of the seeds: Owner — justification, authentication context, approval by the other owners, 2 hours;
 * Member — justification, authentication context, no approval, 4 hours.
 */
export async function configureTable1(app: PimApp, groupId: string): Promise<void> {
  for (const [accessId, duration] of [
    ['owner', 'PT2H'],
    ['member', 'PT4H'],
  ] as const) {
    await mustPatch(app, groupId, accessId, 'Expiration_EndUser_Assignment', (r) => ({
      ...r,
      isExpirationRequired: true,
      maximumDuration: duration,
    }));
    await mustPatch(app, groupId, accessId, 'Enablement_EndUser_Assignment', (r) => ({
      ...r,
      enabledRules: ['Justification'],
    }));
    await mustPatch(app, groupId, accessId, 'AuthenticationContext_EndUser_Assignment', (r) => ({
      ...r,
      isEnabled: true,
      claimValue: 'c1',
    }));
  }
  await mustPatch(app, groupId, 'owner', 'Approval_EndUser_Assignment', (r) => {
    const setting = r.setting as { approvalStages: Record<string, unknown>[] } & Record<string, unknown>;
    return {
      ...r,
      setting: {
        ...setting,
        isApprovalRequired: true,
        approvalStages: [
          {
            ...(setting.approvalStages[0] ?? {}),
            approvalStageTimeOutInDays: 1,
            isApproverJustificationRequired: true,
            primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId }],
          },
        ],
      },
    };
  });
}

export async function makeEligible(
  app: PimApp,
  groupId: string,
  principalId: string,
  accessId: 'member' | 'owner',
  months = 3,
): Promise<string> {
  const start = app.rt.clock.now();
  const end = new Date(start.getTime() + months * 30 * 24 * 3600_000);
  const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      accessId,
      groupId,
      principalId,
      justification: 'Helpdesk rota',
      scheduleInfo: {
        startDateTime: start.toISOString(),
        expiration: { type: 'afterDateTime', endDateTime: end.toISOString() },
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const request = (await res.json()) as { id: string };
  await app.rt.waitForIdle();
  return request.id;
}

export interface ActivationOptions {
  duration?: string;
  justification?: string | null;
  acrs?: string[];
  amr?: string[];
  startDateTime?: string;
  ticketNumber?: string;
}

export function activate(
  app: PimApp,
  upn: string,
  groupId: string,
  accessId: 'member' | 'owner',
  o: ActivationOptions = {},
): Promise<Response> {
  const user = app.user(upn);
  return app.api(`${BASE}/assignmentScheduleRequests`, {
    as: user.userPrincipalName,
    acrs: o.acrs ?? ['c1'],
    amr: o.amr ?? ['pwd', 'mfa'],
    body: {
      action: 'selfActivate',
      accessId,
      groupId,
      principalId: user.id,
      justification: o.justification === undefined ? 'Ticket queue is on fire' : o.justification,
      ...(o.ticketNumber ? { ticketInfo: { ticketNumber: o.ticketNumber, ticketSystem: 'ServiceNow' } } : {}),
      scheduleInfo: {
        ...(o.startDateTime ? { startDateTime: o.startDateTime } : {}),
        expiration: { type: 'afterDuration', duration: o.duration ?? 'PT1H' },
      },
    },
  });
}
