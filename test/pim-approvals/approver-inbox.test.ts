/**
 * The caller's own views of requests and approvals through the HTTP API, for groups and Entra roles:
 * `filterByCurrentUser(on='approver')` (the approver's inbox: what waits for their decision, gone once decided),
 * `on='createdBy'` (what they asked for), on requests of both kinds and on approvals; an `on` a collection doesn't
 * offer is a 400 naming the ones it does.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, configureTable1, makeEligible, manageGroup } from '../pim/pim-scenario';

const GROUP = DEMO.helpdeskGroup; // owners: Sofia Rossi and the admin
const ROLES = 'roleManagement/directory';
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
/** Holds Privileged Role Administrator in the demo tenant: asks about role activations that name no approvers. */
const DANIEL = 'daniel.kim@pimflow.example';
const SOFIA = 'sofia.rossi@pimflow.example';
const OLIVIA = 'olivia.carter@pimflow.example';
const GRACE = 'grace.okafor@pimflow.example';
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  await configureTable1(app, GROUP); // owner activations need the other owners' approval
  const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId: HELPDESK_ADMINISTRATOR } });
  expect(res.status, await res.clone().text()).toBe(201);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const ids = async (path: string, as: string) =>
  (await app.json<{ value: { id: string }[] }>(path, { as })).value.map((r) => r.id);

describe("groups: the approver's inbox and the requester's own", () => {
  it('shows a pending owner activation to its approvers only, until one decides', async () => {
    await makeEligible(app, GROUP, app.user('olivia.carter').id, 'owner');
    const res = await activate(app, 'olivia.carter', GROUP, 'owner');
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as { id: string; status: string };
    expect(request.status).toBe('PendingApproval');
    await app.rt.waitForIdle();

    const inbox = `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='approver')`;
    expect(await ids(inbox, SOFIA)).toEqual([request.id]);
    expect(await ids(inbox, DEMO.adminUpn)).toEqual([request.id]);
    expect(await ids(inbox, OLIVIA)).toEqual([]); // nobody approves their own request
    expect(await ids(inbox, GRACE)).toEqual([]);
    expect(
      await ids(`${BASE}/eligibilityScheduleRequests/filterByCurrentUser(on='approver')`, SOFIA),
    ).toEqual([]);
    const page = await app.json<{ value: { id: string; status: string; principalId: string }[] }>(inbox, {
      as: SOFIA,
    });
    expect(page.value[0]).toMatchObject({
      status: 'PendingApproval',
      principalId: app.user('olivia.carter').id,
    });
    // Graph's approvals answer the same inbox.
    const approvals = `${BASE}/assignmentApprovals/filterByCurrentUser(on='approver')`;
    const listed = await app.json<{ value: { id: string; steps: { assignedToMe: boolean }[] }[] }>(
      approvals,
      {
        as: SOFIA,
      },
    );
    expect(listed.value.map((a) => a.id)).toEqual([request.id]);
    expect(listed.value[0]?.steps[0]?.assignedToMe).toBe(true);
    expect(await ids(approvals, GRACE)).toEqual([]);

    // What each asked for: the requester sees it, the approver doesn't (she asked for nothing).
    const mine = `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='createdBy')`;
    expect(await ids(mine, OLIVIA)).toEqual([request.id]);
    expect(await ids(mine, SOFIA)).toEqual([]);

    const approval = await app.json<{ steps: { id: string }[] }>(
      `${BASE}/assignmentApprovals/${request.id}`,
      {
        as: SOFIA,
      },
    );
    const decided = await app.api(
      `${BASE}/assignmentApprovals/${request.id}/steps/${approval.steps[0]?.id}`,
      {
        as: SOFIA,
        method: 'PATCH',
        body: { reviewResult: 'Approve', justification: 'Covering the rota' },
      },
    );
    expect(decided.status, await decided.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect(await ids(inbox, SOFIA)).toEqual([]);
    expect(await ids(inbox, DEMO.adminUpn)).toEqual([]);
    expect(await ids(approvals, SOFIA)).toEqual([]);
    expect(await ids(mine, OLIVIA)).toEqual([request.id]); // still hers
  }, 120_000);

  it("lists what an admin created with on='createdBy' (an assignment for someone else)", async () => {
    const eligibility = await makeEligible(app, GROUP, app.user('grace.okafor').id, 'member');
    const mine = `${BASE}/eligibilityScheduleRequests/filterByCurrentUser(on='createdBy')`;
    expect(await ids(mine, DEMO.adminUpn)).toContain(eligibility);
    expect(await ids(mine, GRACE)).not.toContain(eligibility);
    const hers = `${BASE}/eligibilityScheduleRequests/filterByCurrentUser(on='principal')`;
    expect(await ids(hers, GRACE)).toContain(eligibility);
  });

  it('answers 400 naming the allowed values for an unknown on, on requests and approvals', async () => {
    await expectApiError(
      await app.api(`${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='reviewer')`, { as: SOFIA }),
      400,
      /'principal' or 'createdBy' or 'approver'/,
    );
    await expectApiError(
      await app.api(`${BASE}/assignmentApprovals/filterByCurrentUser(on='principal')`, { as: SOFIA }),
      400,
      /on must be 'approver'/,
    );
  });
});

describe("Entra roles: the approver's inbox", () => {
  it('shows a pending role activation to the privileged administrators, until one decides', async () => {
    const filter = encodeURIComponent(
      `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${HELPDESK_ADMINISTRATOR}'`,
    );
    const assignments = await app.json<{ value: { policyId: string }[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${filter}`,
      ADMIN,
    );
    const rulePath = `policies/roleManagementPolicies/${assignments.value[0]?.policyId}/rules/Approval_EndUser_Assignment`;
    const rule = await app.json<{ setting: { approvalStages: Record<string, unknown>[] } }>(rulePath, ADMIN);
    const patched = await app.api(rulePath, {
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
    expect(patched.status, await patched.clone().text()).toBe(204);
    const ruby = app.user('ruby.walsh');
    const eligible = await app.api(`${ROLES}/roleEligibilityScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'adminAssign',
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: ruby.id,
        justification: 'On-call rota',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    const res = await app.api(`${ROLES}/roleAssignmentScheduleRequests`, {
      as: ruby.userPrincipalName,
      amr: ['pwd', 'mfa'],
      body: {
        action: 'selfActivate',
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: ruby.id,
        justification: 'Password resets queue',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const request = (await res.json()) as { id: string; status: string };
    expect(request.status).toBe('PendingApproval');
    await app.rt.waitForIdle();

    const inbox = `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`;
    expect(await ids(inbox, DANIEL)).toEqual([request.id]);
    expect(await ids(inbox, ruby.userPrincipalName)).toEqual([]);
    // The group inbox never shows a role's request, nor the other way round.
    expect(
      await ids(`${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='approver')`, DANIEL),
    ).toEqual([]);
    const approvals = `${ROLES}/roleAssignmentApprovals/filterByCurrentUser(on='approver')`;
    expect(await ids(approvals, DANIEL)).toEqual([request.id]);
    expect(
      await ids(
        `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='createdBy')`,
        ruby.userPrincipalName,
      ),
    ).toEqual([request.id]);

    const approval = await app.json<{ steps: { id: string }[] }>(
      `${ROLES}/roleAssignmentApprovals/${request.id}`,
      {
        as: DANIEL,
      },
    );
    const decided = await app.api(
      `${ROLES}/roleAssignmentApprovals/${request.id}/steps/${approval.steps[0]?.id}`,
      {
        as: DANIEL,
        method: 'PATCH',
        body: { reviewResult: 'Deny', justification: 'Not this week' },
      },
    );
    expect(decided.status, await decided.clone().text()).toBe(204);
    await app.rt.waitForIdle();
    expect(await ids(inbox, DANIEL)).toEqual([]);
    expect(await ids(inbox, DEMO.adminUpn)).toEqual([]);
  }, 120_000);
});
