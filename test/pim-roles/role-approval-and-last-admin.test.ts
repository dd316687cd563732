/**
 * Entra roles end to end through the API on the virtual clock, asserting role assignments in the Graph stand-in,
 * mail and audit: an activation that needs approval and names no approvers goes to the directory's Global
 * Administrators and Privileged Role Administrators (seed 004), never to the requester; and the last Global
 * Administrator is never removed — not by a deactivation (400, audited) and not by expiry (kept, the admins told
 * once, removed as soon as someone else holds the role).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { waitFor } from '../helpers';

const ROLES = 'roleManagement/directory';
const ADMIN = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'], amr: ['pwd', 'mfa'] };
const GLOBAL_ADMINISTRATOR = '62e90394-69f5-4237-9190-012177145e10';
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
/** Holds Privileged Role Administrator in the demo tenant. */
const DANIEL = 'daniel.kim@pimflow.example';
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  for (const roleDefinitionId of [GLOBAL_ADMINISTRATOR, HELPDESK_ADMINISTRATOR]) {
    const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

function holds(roleDefinitionId: string, principalId: string): boolean {
  return app.dev.graph.state
    .roleAssignments()
    .some(
      (a) =>
        a.roleDefinitionId === roleDefinitionId && a.principalId === principalId && a.directoryScopeId === '/',
    );
}

async function makeEligible(roleDefinitionId: string, principalId: string): Promise<void> {
  const res = await app.api(`${ROLES}/roleEligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      roleDefinitionId,
      directoryScopeId: '/',
      principalId,
      justification: 'On-call rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  await app.rt.waitForIdle();
}

function activate(upn: string, roleDefinitionId: string, duration = 'PT1H'): Promise<Response> {
  const user = app.user(upn);
  return app.api(`${ROLES}/roleAssignmentScheduleRequests`, {
    as: user.userPrincipalName,
    amr: ['pwd', 'mfa'],
    body: {
      action: 'selfActivate',
      roleDefinitionId,
      directoryScopeId: '/',
      principalId: user.id,
      justification: 'Password resets queue',
      scheduleInfo: { expiration: { type: 'afterDuration', duration } },
    },
  });
}

/** Requires approval for the role, naming no approvers (the directory's privileged admins then decide). */
async function requireApprovalWithoutApprovers(roleDefinitionId: string): Promise<void> {
  const filter = encodeURIComponent(
    `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleDefinitionId}'`,
  );
  const assignments = await app.json<{ value: { policyId: string }[] }>(
    `policies/roleManagementPolicyAssignments?$filter=${filter}`,
    ADMIN,
  );
  const policyId = assignments.value[0]?.policyId as string;
  const rulePath = `policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`;
  const rule = await app.json<{ setting: { approvalStages: Record<string, unknown>[] } }>(rulePath, ADMIN);
  const res = await app.api(rulePath, {
    ...ADMIN,
    method: 'PATCH',
    body: {
      ...rule,
      setting: {
        ...rule.setting,
        isApprovalRequired: true,
        approvalStages: [{ ...rule.setting.approvalStages[0], primaryApprovers: [] }],
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(204);
}

async function audit(filterText: string): Promise<{ activityDisplayName: string; result: string }[]> {
  const rows = await app.json<{ value: { activityDisplayName: string; result: string }[] }>(
    'auditLogs/directoryAudits?$top=200',
    ADMIN,
  );
  return rows.value.filter((r) => r.activityDisplayName.includes(filterText));
}

describe('approval of an Entra role activation', () => {
  it("asks the Global and Privileged Role Administrators when the role names no approvers; the requester can't approve", async () => {
    await requireApprovalWithoutApprovers(HELPDESK_ADMINISTRATOR);
    const ruby = app.user('ruby.walsh');
    await makeEligible(HELPDESK_ADMINISTRATOR, ruby.id);
    await makeEligible(HELPDESK_ADMINISTRATOR, DEMO.admin);

    const res = await activate('ruby.walsh', HELPDESK_ADMINISTRATOR);
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as { id: string; approvalId: string; status: string };
    expect(request.status).toBe('PendingApproval');
    await app.rt.waitForIdle();
    expect(holds(HELPDESK_ADMINISTRATOR, ruby.id)).toBe(false);
    // The Global Administrator (the demo admin) and the Privileged Role Administrator (Daniel) are asked; the mail
    // names the role.
    for (const approver of [DEMO.adminUpn, DANIEL]) {
      const mails = await app.mailTo(approver);
      expect(
        mails.some((m) => m.subject.includes('Ruby Walsh asks to activate the Helpdesk Administrator role')),
        mails.map((m) => m.subject).join('\n'),
      ).toBe(true);
    }
    const approval = await app.json<{ steps: { id: string; approverIds: string[] }[] }>(
      `${ROLES}/roleAssignmentApprovals/${request.approvalId}`,
      ADMIN,
    );
    const step = approval.steps[0];
    expect(step?.approverIds.sort()).toEqual([DEMO.admin, app.user(DANIEL).id].sort());

    const decided = await app.api(`${ROLES}/roleAssignmentApprovals/${request.approvalId}/steps/${step?.id}`, {
      as: DANIEL,
      method: 'PATCH',
      body: { reviewResult: 'Approve', justification: 'Known ticket' },
    });
    expect(decided.status, await decided.clone().text()).toBe(204);
    await waitFor('the role assignment', async () => (holds(HELPDESK_ADMINISTRATOR, ruby.id) ? true : undefined));
    // It ends after its hour.
    await app.rt.advance('PT1H');
    await app.rt.waitForIdle();
    await waitFor('the removal', async () => (holds(HELPDESK_ADMINISTRATOR, ruby.id) ? undefined : true));
  });

  it("doesn't let a Global Administrator approve their own activation", async () => {
    const res = await activate(DEMO.adminUpn, HELPDESK_ADMINISTRATOR);
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as { approvalId: string };
    await app.rt.waitForIdle();
    const approval = await app.json<{ steps: { id: string; approverIds: string[] }[] }>(
      `${ROLES}/roleAssignmentApprovals/${request.approvalId}`,
      ADMIN,
    );
    const step = approval.steps[0];
    expect(step?.approverIds).toEqual([app.user(DANIEL).id]);
    const own = await app.api(`${ROLES}/roleAssignmentApprovals/${request.approvalId}/steps/${step?.id}`, {
      ...ADMIN,
      method: 'PATCH',
      body: { reviewResult: 'Approve', justification: 'Me' },
    });
    expect(own.status).toBe(403);
    expect(holds(HELPDESK_ADMINISTRATOR, DEMO.admin)).toBe(false);
  });
});

describe('the last Global Administrator', () => {
  it('is never removed: deactivation refused and audited, expiry kept with one notice, removed once another holds it', async () => {
    const ben = app.user('benjamin.lee');
    await makeEligible(GLOBAL_ADMINISTRATOR, ben.id);
    const res = await activate('benjamin.lee', GLOBAL_ADMINISTRATOR, 'PT2H');
    expect(res.status, await res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    await waitFor('the activation', async () => (holds(GLOBAL_ADMINISTRATOR, ben.id) ? true : undefined));

    // The demo admin stops being Global Administrator (outside pimflow): Benjamin is the last one.
    const adminsAssignment = app.dev.graph.state
      .roleAssignments()
      .find((a) => a.roleDefinitionId === GLOBAL_ADMINISTRATOR && a.principalId === DEMO.admin);
    expect(adminsAssignment).toBeDefined();
    await app.dev.graph.state.change((d) => {
      d.roleAssignments = d.roleAssignments.filter((a) => a.id !== adminsAssignment?.id);
    });

    const deactivate = await app.api(`${ROLES}/roleAssignmentScheduleRequests`, {
      as: ben.userPrincipalName,
      body: {
        action: 'selfDeactivate',
        roleDefinitionId: GLOBAL_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: ben.id,
      },
    });
    expect(deactivate.status).toBe(400);
    expect(await deactivate.text()).toContain('last active Global Administrator');
    expect(holds(GLOBAL_ADMINISTRATOR, ben.id)).toBe(true);
    expect(await audit('refused: last privileged administrator')).toHaveLength(1);

    // Its end comes: the assignment is kept, the admins are told once, and it is retried.
    await app.rt.advance('PT2H');
    await app.rt.waitForIdle();
    await waitFor('the kept notice', async () => {
      const mails = await app.mailTo(DEMO.adminUpn);
      return mails.some((m) => m.subject === 'Kept: Benjamin Lee still holds the Global Administrator role')
        ? true
        : undefined;
    });
    expect(holds(GLOBAL_ADMINISTRATOR, ben.id)).toBe(true);
    await app.rt.advance('PT30M');
    await app.rt.waitForIdle();
    expect(holds(GLOBAL_ADMINISTRATOR, ben.id)).toBe(true);
    const kept = (await app.mailTo(DEMO.adminUpn)).filter((m) => m.subject.startsWith('Kept:'));
    expect(kept).toHaveLength(1);
    expect((await audit('kept as the last privileged administrator')).length).toBeGreaterThanOrEqual(2);

    // Someone else becomes Global Administrator: the next round removes Benjamin's.
    await app.dev.graph.state.change((d) => {
      if (adminsAssignment) d.roleAssignments.push(adminsAssignment);
    });
    await app.rt.advance('PT15M');
    await app.rt.waitForIdle();
    await waitFor('the removal', async () => (holds(GLOBAL_ADMINISTRATOR, ben.id) ? undefined : true));
    expect(holds(GLOBAL_ADMINISTRATOR, DEMO.admin)).toBe(true);
  });
});
