/**
 * Nothing lost, nothing left granted: the product app runs in a child process on a virtual clock, and is SIGKILLed
 * while a revoke is in flight (Graph made slow). After a restart the membership is removed and the end recorded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp } from '../../bench/child-app';
import { testStorage, waitFor, waitForNudging } from '../helpers';
import { DEMO } from '../pim-harness';

const BASE = 'identityGovernance/privilegedAccess/group';
const GROUP = DEMO.helpdeskGroup;
let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), name: 'pim-crash' });
});

afterAll(async () => {
  await app?.dispose();
});

const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };

/** The group's members as the Graph stand-in has saved them (its state file, written before each answer). */
function members(): string[] {
  return app.groupMembers(GROUP);
}

/** Owners of the group as the Graph stand-in has saved them. */
function owners(): string[] {
  return app.groupMembers(GROUP, 'owners');
}

describe('SIGKILL during a revoke', () => {
  it('removes the membership after a restart and records the end', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await app.start(t0);
    expect((await app.api('managedGroups', { ...admin, body: { groupId: GROUP } })).status).toBe(201);
    const me = (await (await app.api('me', { as: 'benjamin.lee@pimflow.example' })).json()) as {
      id: string;
    };
    const eligible = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    await waitFor('the eligibility', async () => {
      const res = await app.api(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: 'benjamin.lee@pimflow.example',
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });
    const activation = await app.api(`${BASE}/assignmentScheduleRequests`, {
      as: 'benjamin.lee@pimflow.example',
      body: {
        action: 'selfActivate',
        accessId: 'member',
        groupId: GROUP,
        principalId: me.id,
        justification: 'incident 42',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(activation.status, await activation.clone().text()).toBe(201);
    const requestId = ((await activation.json()) as { id: string }).id;
    await waitFor('the membership', async () => (members().includes(me.id) ? true : undefined));

    // Make Graph slow, move past the end, and kill the runtime while the revoke is on its way.
    await app.graphFaults({ delayMs: 1500 });
    void app.advance('PT1H').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await app.kill();
    expect(members()).toContain(me.id);

    // Restart at the time it died; Graph's faults are gone with the process (state, not faults, persists).
    await app.start(new Date(t0.getTime() + 3600_000));
    await waitForNudging(
      'the revoke after the restart',
      async () => (members().includes(me.id) ? undefined : true),
      () => app.advance('PT1M'),
    );
    const request = await waitFor('the request record', async () => {
      const res = await app.api(`${BASE}/assignmentScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: 'benjamin.lee@pimflow.example',
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 0 ? true : undefined;
    });
    expect(request).toBe(true);
    const audit = await waitFor('the audit of the end', async () => {
      const names = (await app.audits(`correlationId eq '${requestId}'`)).map((a) => a.activityDisplayName);
      return names.includes('Remove member from group (PIM expiry)') ? names : undefined;
    });
    expect(audit.filter((n) => n === 'Remove member from group (PIM expiry)')).toHaveLength(1);
  }, 120_000);
});

describe('SIGKILL between approval and grant', () => {
  it('grants after a restart, once', async () => {
    // Runs after the test above, on the same app (restarted there at 10:00).
    const filter = encodeURIComponent(
      `scopeId eq '${GROUP}' and scopeType eq 'Group' and roleDefinitionId eq 'owner'`,
    );
    const assignments = (await (
      await app.api(`policies/roleManagementPolicyAssignments?$filter=${filter}`, admin)
    ).json()) as {
      value: { policyId: string }[];
    };
    const policyId = assignments.value[0]?.policyId as string;
    const ruleUrl = `policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`;
    const rule = (await (await app.api(ruleUrl, admin)).json()) as {
      setting: { approvalStages: Record<string, unknown>[] };
    };
    const patched = await app.api(ruleUrl, {
      ...admin,
      method: 'PATCH',
      body: {
        ...rule,
        setting: {
          ...rule.setting,
          isApprovalRequired: true,
          approvalStages: [
            {
              ...rule.setting.approvalStages[0],
              isApproverJustificationRequired: false,
              primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: DEMO.admin }],
            },
          ],
        },
      },
    });
    expect(patched.status, await patched.clone().text()).toBe(204);
    const me = (await (await app.api('me', { as: 'oscar.petrov@pimflow.example' })).json()) as {
      id: string;
    };
    const eligible = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        accessId: 'owner',
        groupId: GROUP,
        principalId: me.id,
        justification: 'x',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status).toBe(201);
    await waitFor('the eligibility', async () => {
      const res = await app.api(`${BASE}/eligibilityScheduleInstances?$filter=principalId eq '${me.id}'`, {
        as: 'oscar.petrov@pimflow.example',
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });
    const activation = await app.api(`${BASE}/assignmentScheduleRequests`, {
      as: 'oscar.petrov@pimflow.example',
      body: {
        action: 'selfActivate',
        accessId: 'owner',
        groupId: GROUP,
        principalId: me.id,
        justification: 'change 7',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(activation.status, await activation.clone().text()).toBe(201);
    const approvalId = ((await activation.json()) as { approvalId: string }).approvalId;
    const stepId = await waitFor('the approval', async () => {
      const res = await app.api(`${BASE}/assignmentApprovals/${approvalId}`, admin);
      return res.status === 200
        ? ((await res.json()) as { steps: { id: string }[] }).steps[0]?.id
        : undefined;
    });
    // Graph refuses writes (503) until the restart, so the approved grant can't complete before the kill.
    await app.graphFaults({ unavailableRate: 1, writesOnly: true });
    const decided = await app.api(`${BASE}/assignmentApprovals/${approvalId}/steps/${stepId}`, {
      ...admin,
      method: 'PATCH',
      body: { reviewResult: 'Approve', justification: 'go' },
    });
    expect(decided.status).toBe(204);
    await new Promise((resolve) => setTimeout(resolve, 500));
    await app.kill();
    expect(owners()).not.toContain(me.id);
    await app.start(new Date('2026-03-02T10:00:00Z'));
    await waitFor(
      'the grant after the restart',
      async () => (owners().includes(me.id) ? true : undefined),
      30_000,
    );
    const audit = await waitFor('the audit of the grant', async () => {
      const names = (await app.audits(`correlationId eq '${approvalId}'`)).map((a) => a.activityDisplayName);
      return names.includes('Add owner to group (PIM activation)') ? names : undefined;
    });
    expect(audit.filter((n) => n === 'Add owner to group (PIM activation)')).toHaveLength(1);
  }, 120_000);
});
