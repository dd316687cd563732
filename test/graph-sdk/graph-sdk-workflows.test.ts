/**
 * Approvals and access reviews driven through Microsoft's Graph SDK for JavaScript over HTTPS (issue 15), as a
 * Graph client would: role settings PATCHed to require approval, a self-activation, the approver's inbox
 * (`filterByCurrentUser(on='approver')` on requests and approvals), the approval's steps decided with Graph's PATCH
 * body, for a group and an Entra role; an access review created with Graph's group-members query scope, updated
 * with PUT, found in the reviewer's inbox (definitions, instances, decisions), decided, stopped and applied; refused
 * calls read through `GraphError`; Graph's multi-stage example run through both its stages. Only what a Graph
 * client can't do goes around the SDK: bringing a group or role under management (pimflow's own routes), reading the
 * Graph stand-in to see outcomes, the virtual clock.
 */
import { GraphError, type Client } from '@microsoft/microsoft-graph-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';
import { graphClient, sdkSend } from './sdk-client';

const GROUPS = `/${BASE}`;
const ROLES = '/roleManagement/directory';
const REVIEWS = '/identityGovernance/accessReviews/definitions';
const HELPDESK = DEMO.helpdeskGroup;
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
/** Holds Privileged Role Administrator in the demo tenant: a default approver of role activations. */
const DANIEL = 'daniel.kim@pimflow.example';
// The demo tenant's sign-ins are relative to when it is seeded (reviews' recommendations): the clock starts now.
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const TODAY = NOW.toISOString().slice(0, 10);

let app: PimApp;
const user = (prefix: string) => app.user(prefix);
/** A Graph SDK client signed in as the user (MFA, and the authentication context the settings may ask for). */
const sdkAs = (prefix: string) => graphClient(app, { as: user(prefix).userPrincipalName, acrs: ['c1'] });
let admin: Client;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  for (const group of [HELPDESK, CLOUD_OPS]) await manageGroup(app, group);
  const managed = await app.api('managedRoles', {
    ...ADMIN,
    body: { roleDefinitionId: HELPDESK_ADMINISTRATOR },
  });
  expect([201, 409], await managed.clone().text()).toContain(managed.status);
  admin = graphClient(app, ADMIN);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

/** The GraphError a call rejects with (fails the test if it succeeds or rejects with anything else). */
async function graphError(call: Promise<unknown>): Promise<GraphError> {
  const error = await call.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(GraphError);
  return error as GraphError;
}

const ids = async (client: Client, path: string) =>
  ((await client.api(path).get()) as { value: { id: string }[] }).value.map((v) => v.id);

interface ApprovalRule {
  id: string;
  setting: { isApprovalRequired: boolean; approvalStages: Record<string, unknown>[] } & Record<
    string,
    unknown
  >;
  [key: string]: unknown;
}

/** Requires approval of activations under the role's policy: reads its approval rule and PATCHes it back. */
async function requireApproval(filter: string, primaryApprovers: unknown[]): Promise<void> {
  const assignments = (await admin.api('/policies/roleManagementPolicyAssignments').filter(filter).get()) as {
    value: { policyId: string }[];
  };
  expect(assignments.value).toHaveLength(1);
  const rulePath = `/policies/roleManagementPolicies/${assignments.value[0]?.policyId}/rules/Approval_EndUser_Assignment`;
  const rule = (await admin.api(rulePath).get()) as ApprovalRule;
  const res = await sdkSend(admin, 'PATCH', rulePath, {
    ...rule,
    setting: {
      ...rule.setting,
      isApprovalRequired: true,
      approvalStages: [
        {
          ...rule.setting.approvalStages[0],
          approvalStageTimeOutInDays: 1,
          isApproverJustificationRequired: true,
          primaryApprovers,
        },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(204);
}

interface Approval {
  id: string;
  status: string;
  steps: { id: string; status: string; assignedToMe: boolean; reviewResult: string; justification: string }[];
}

describe('approvals through the SDK', () => {
  it("a group membership: the approver's inbox, the step decided with Graph's PATCH, the member added", async () => {
    const [olivia, sofia] = [user('olivia.carter'), user('sofia.rossi')];
    // Olivia is an approver too: she still can't approve her own request.
    await requireApproval(
      `scopeId eq '${HELPDESK}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`,
      [
        { '@odata.type': '#microsoft.graph.singleUser', userId: sofia.id },
        { '@odata.type': '#microsoft.graph.singleUser', userId: olivia.id },
      ],
    );
    const start = app.rt.clock.now();
    await admin.api(`${GROUPS}/eligibilityScheduleRequests`).post({
      accessId: 'member',
      principalId: olivia.id,
      groupId: HELPDESK,
      action: 'adminAssign',
      scheduleInfo: {
        startDateTime: start.toISOString(),
        expiration: { type: 'afterDuration', duration: 'P30D' },
      },
      justification: 'Helpdesk rota',
    });
    await app.rt.waitForIdle();

    const oliviaSdk = sdkAs('olivia.carter');
    const request = (await oliviaSdk.api(`${GROUPS}/assignmentScheduleRequests`).post({
      accessId: 'member',
      principalId: olivia.id,
      groupId: HELPDESK,
      action: 'selfActivate',
      scheduleInfo: {
        startDateTime: start.toISOString(),
        expiration: { type: 'afterDuration', duration: 'PT2H' },
      },
      justification: 'Ticket queue is on fire',
    })) as { id: string; status: string; approvalId: string | null };
    expect(request.status).toBe('PendingApproval');
    await app.rt.waitForIdle();
    expect(app.groupMembers(HELPDESK)).not.toContain(olivia.id);

    const sofiaSdk = sdkAs('sofia.rossi');
    const requestInbox = `${GROUPS}/assignmentScheduleRequests/filterByCurrentUser(on='approver')`;
    const approvalInbox = `${GROUPS}/assignmentApprovals/filterByCurrentUser(on='approver')`;
    expect(await ids(sofiaSdk, requestInbox)).toEqual([request.id]);
    expect(await ids(oliviaSdk, requestInbox)).toEqual([]); // nobody approves their own request
    const listed = (await sofiaSdk.api(approvalInbox).get()) as { value: Approval[] };
    expect(listed.value.map((a) => a.id)).toEqual([request.id]);
    expect(listed.value[0]?.steps[0]?.assignedToMe).toBe(true);

    const approval = (await sofiaSdk.api(`${GROUPS}/assignmentApprovals/${request.id}`).get()) as Approval;
    expect(approval.steps).toHaveLength(1);
    const stepId = approval.steps[0]?.id ?? '';
    const stepPath = `${GROUPS}/assignmentApprovals/${request.id}/steps/${stepId}`;
    const steps = (await sofiaSdk.api(`${GROUPS}/assignmentApprovals/${request.id}/steps`).get()) as {
      value: Approval['steps'];
    };
    expect(steps.value.map((s) => s.id)).toEqual([stepId]);
    expect(((await sofiaSdk.api(stepPath).get()) as Approval['steps'][number]).status).toBe('InProgress');

    const own = await graphError(
      oliviaSdk.api(stepPath).patch({ reviewResult: 'Approve', justification: 'Trust me' }),
    );
    expect(own.statusCode).toBe(403);
    expect(own.code).toBe('Forbidden');
    expect(own.message).toMatch(/own request/i);

    const decided = await sdkSend(sofiaSdk, 'PATCH', stepPath, {
      reviewResult: 'Approve',
      justification: 'Covering the rota',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(204);
    await app.rt.waitForIdle();

    expect(app.groupMembers(HELPDESK)).toContain(olivia.id);
    expect(await ids(sofiaSdk, requestInbox)).toEqual([]);
    expect(await ids(sofiaSdk, approvalInbox)).toEqual([]);
    const done = (await oliviaSdk.api(`${GROUPS}/assignmentScheduleRequests/${request.id}`).get()) as {
      status: string;
    };
    expect(done.status).toBe('Provisioned');
    const read = (await sofiaSdk.api(stepPath).get()) as Approval['steps'][number];
    expect(read).toMatchObject({
      status: 'Completed',
      reviewResult: 'Approve',
      justification: 'Covering the rota',
    });

    const twice = await graphError(
      sofiaSdk.api(stepPath).patch({ reviewResult: 'Deny', justification: 'Changed my mind' }),
    );
    expect(twice.statusCode).toBe(409);
    expect(twice.code).toBe('Conflict');
    expect(twice.message).toMatch(/already approved/i);
  }, 120_000);

  it("an Entra role: the default approvers' inbox, the step decided, the role assigned", async () => {
    const ruby = user('ruby.walsh');
    const holds = () =>
      app.dev.graph.state
        .roleAssignments()
        .some(
          (a) =>
            a.roleDefinitionId === HELPDESK_ADMINISTRATOR &&
            a.principalId === ruby.id &&
            a.directoryScopeId === '/',
        );
    // No approvers named: the role's default approvers (Privileged Role Administrators) decide.
    await requireApproval(
      `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${HELPDESK_ADMINISTRATOR}'`,
      [],
    );
    await admin.api(`${ROLES}/roleEligibilityScheduleRequests`).post({
      action: 'adminAssign',
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: ruby.id,
      justification: 'On-call rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
    });
    await app.rt.waitForIdle();
    const rubySdk = sdkAs('ruby.walsh');
    const request = (await rubySdk.api(`${ROLES}/roleAssignmentScheduleRequests`).post({
      action: 'selfActivate',
      roleDefinitionId: HELPDESK_ADMINISTRATOR,
      directoryScopeId: '/',
      principalId: ruby.id,
      justification: 'Password resets queue',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
    })) as { id: string; status: string };
    expect(request.status).toBe('PendingApproval');
    await app.rt.waitForIdle();
    expect(holds()).toBe(false);

    const danielSdk = graphClient(app, { as: DANIEL });
    const requestInbox = `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')`;
    const approvalInbox = `${ROLES}/roleAssignmentApprovals/filterByCurrentUser(on='approver')`;
    expect(await ids(danielSdk, requestInbox)).toEqual([request.id]);
    expect(await ids(danielSdk, approvalInbox)).toEqual([request.id]);
    expect(await ids(rubySdk, requestInbox)).toEqual([]);

    const approval = (await danielSdk
      .api(`${ROLES}/roleAssignmentApprovals/${request.id}`)
      .get()) as Approval;
    const stepPath = `${ROLES}/roleAssignmentApprovals/${request.id}/steps/${approval.steps[0]?.id}`;
    // Ruby may read her approval, not decide it.
    const notHers = await graphError(
      rubySdk.api(stepPath).patch({ reviewResult: 'Approve', justification: 'Please' }),
    );
    expect(notHers.statusCode).toBe(403);
    expect(notHers.code).toBe('Forbidden');

    const decided = await sdkSend(danielSdk, 'PATCH', stepPath, {
      reviewResult: 'Approve',
      justification: 'On call this week',
    });
    expect(decided.status, JSON.stringify(decided.body)).toBe(204);
    await app.rt.waitForIdle();
    expect(holds()).toBe(true);
    expect(await ids(danielSdk, requestInbox)).toEqual([]);
    expect(await ids(danielSdk, approvalInbox)).toEqual([]);
  }, 120_000);
});

interface Definition {
  id: string;
  displayName: string;
  scope: unknown;
  settings: Record<string, unknown>;
  [key: string]: unknown;
}
interface Instance {
  id: string;
  status: string;
  groupId?: string;
}
interface DecisionItem {
  id: string;
  accessReviewId: string;
  principal: { id: string };
  decision: string;
  justification: string | null;
  applyResult: string;
}

describe('access reviews through the SDK', () => {
  it("a group's members: Graph's query scope, PUT, the reviewer's inbox, decisions, stop, apply", async () => {
    const [grace, leo, priya] = [user('grace.okafor'), user('leo.fischer'), user('priya.nair')];
    for (const principal of [grace, leo]) {
      await admin.api(`${GROUPS}/assignmentScheduleRequests`).post({
        accessId: 'member',
        principalId: principal.id,
        groupId: CLOUD_OPS,
        action: 'adminAssign',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
        justification: 'Cloud operations rota',
      });
    }
    await app.rt.waitForIdle();
    expect(app.groupMembers(CLOUD_OPS)).toEqual(expect.arrayContaining([grace.id, leo.id]));

    // accessreviewset-post-definitions, example 1 (a weekly review of a group's members by a selected user).
    const created = (await admin.api(REVIEWS).post({
      displayName: 'Test create',
      descriptionForAdmins: 'New scheduled access review',
      descriptionForReviewers: 'If you have any questions, contact jerry@contoso.com',
      scope: {
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/groups/${CLOUD_OPS}/transitiveMembers`,
        queryType: 'MicrosoftGraph',
      },
      reviewers: [{ query: `/users/${priya.id}`, queryType: 'MicrosoftGraph' }],
      settings: {
        mailNotificationsEnabled: true,
        reminderNotificationsEnabled: true,
        justificationRequiredOnApproval: true,
        defaultDecisionEnabled: false,
        defaultDecision: 'None',
        instanceDurationInDays: 1,
        recommendationsEnabled: true,
        recurrence: {
          pattern: { type: 'weekly', interval: 1 },
          range: { type: 'noEnd', startDate: `${TODAY}T12:02:30.667Z` },
        },
      },
    })) as Definition;
    await app.rt.waitForIdle();

    // Graph's update: the whole definition as a GET answers it, with the changes; 204.
    const read = (await admin.api(`${REVIEWS}/${created.id}`).get()) as Definition;
    const put = await sdkSend(admin, 'PUT', `${REVIEWS}/${created.id}`, {
      ...read,
      displayName: 'Cloud operations members',
      settings: { ...read.settings, reminderNotificationsEnabled: false },
    });
    expect(put.status, JSON.stringify(put.body)).toBe(204);
    expect(put.body).toBeUndefined();
    expect((await admin.api(`${REVIEWS}/${created.id}`).get()) as Definition).toMatchObject({
      displayName: 'Cloud operations members',
      scope: read.scope as object,
      settings: { reminderNotificationsEnabled: false, recurrence: read.settings.recurrence },
    });

    // The reviewer's inbox: the definition, its instance, the items.
    const priyaSdk = sdkAs('priya.nair');
    const inbox = "filterByCurrentUser(on='reviewer')";
    expect(await ids(priyaSdk, `${REVIEWS}/${inbox}`)).toEqual([created.id]);
    expect(await ids(sdkAs('grace.okafor'), `${REVIEWS}/${inbox}`)).toEqual([]);
    const instances = (await priyaSdk.api(`${REVIEWS}/${created.id}/instances/${inbox}`).get()) as {
      value: Instance[];
    };
    expect(instances.value).toHaveLength(1);
    const instance = instances.value[0]!;
    expect(instance).toMatchObject({ status: 'InProgress', groupId: CLOUD_OPS });
    const url = `${REVIEWS}/${created.id}/instances/${instance.id}`;
    const items = (await priyaSdk.api(`${url}/decisions/${inbox}`).get()) as { value: DecisionItem[] };
    expect(items.value.map((d) => d.principal.id).sort()).toEqual([grace.id, leo.id].sort());
    expect(items.value.every((d) => d.accessReviewId === instance.id && d.decision === 'NotReviewed')).toBe(
      true,
    );
    const itemOf = (principalId: string) => items.value.find((d) => d.principal.id === principalId)!;

    // Approving needs a reason here (justificationRequiredOnApproval): Graph's 400, read through GraphError.
    const bare = await graphError(
      priyaSdk.api(`${url}/decisions/${itemOf(leo.id).id}`).patch({ decision: 'Approve' }),
    );
    expect(bare.statusCode).toBe(400);
    expect(bare.code).toBe('BadRequest');
    expect(bare.message).toMatch(/justification/);
    // Admins manage reviews, they don't decide them.
    const byAdmin = await graphError(
      admin.api(`${url}/decisions/${itemOf(leo.id).id}`).patch({ decision: 'Deny', justification: 'No' }),
    );
    expect(byAdmin.statusCode).toBe(403);

    for (const [principalId, decision, justification] of [
      [grace.id, 'Deny', 'Moved to another team'],
      [leo.id, 'Approve', 'Still on the rota'],
    ] as const) {
      const res = await sdkSend(priyaSdk, 'PATCH', `${url}/decisions/${itemOf(principalId).id}`, {
        decision,
        justification,
      });
      expect(res.status, JSON.stringify(res.body)).toBe(204);
    }
    const decided = (await priyaSdk.api(`${url}/decisions/${itemOf(grace.id).id}`).get()) as DecisionItem;
    expect(decided).toMatchObject({ decision: 'Deny', justification: 'Moved to another team' });

    // Applying before the instance ends is a conflict; stopping ends it now.
    const early = await graphError(admin.api(`${url}/applyDecisions`).post({}));
    expect(early.statusCode).toBe(409);
    expect(early.code).toBe('Conflict');
    const stopped = await sdkSend(admin, 'POST', `${url}/stop`, {});
    expect(stopped.status, JSON.stringify(stopped.body)).toBe(204);
    await app.rt.waitForIdle();
    expect(((await admin.api(url).get()) as Instance).status).toBe('Completed');
    const late = await graphError(
      priyaSdk
        .api(`${url}/decisions/${itemOf(leo.id).id}`)
        .patch({ decision: 'Deny', justification: 'Late' }),
    );
    expect(late.statusCode).toBe(409);

    const applied = await sdkSend(admin, 'POST', `${url}/applyDecisions`, {});
    expect(applied.status, JSON.stringify(applied.body)).toBe(204);
    expect(applied.body).toBeUndefined();
    await app.rt.waitForIdle();
    expect(((await admin.api(url).get()) as Instance).status).toBe('Applied');
    const members = app.groupMembers(CLOUD_OPS);
    expect(members).not.toContain(grace.id);
    expect(members).toContain(leo.id);
    const after = (await admin.api(`${url}/decisions`).get()) as { value: DecisionItem[] };
    expect(after.value.find((d) => d.principal.id === grace.id)?.applyResult).toBe('AppliedSuccessfully');
    expect(after.value.find((d) => d.principal.id === leo.id)?.applyResult).toBe('New');
  }, 120_000);
});

const SRE_ON_CALL = 'da21b0b8-a527-4b3f-a29b-9d7ddf61cb44';

interface Stage {
  id: string;
  status: string;
}

describe('a multi-stage access review through the SDK', () => {
  it('runs Graph’s multi-stage example: stage 1 passes on what it approved, stage 2 decides, the denied leave', async () => {
    await manageGroup(app, SRE_ON_CALL);
    const olivia = user('olivia.carter');
    const priya = user('priya.nair');
    const amelia = user('amelia.novak');
    for (const principal of [olivia, priya, amelia]) {
      await admin.api(`${GROUPS}/assignmentScheduleRequests`).post({
        accessId: 'member',
        principalId: principal.id,
        groupId: SRE_ON_CALL,
        action: 'adminAssign',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
        justification: 'On-call rota',
      });
    }
    await app.rt.waitForIdle();
    const sofia = user('sofia.rossi');
    const marcus = user('marcus.johnson');

    // accessreviewset-post-definitions, the multi-stage example (ids ours, the start today).
    const created = (await admin.api(REVIEWS).post({
      displayName: 'Group Multi-stage Access Review',
      descriptionForAdmins: 'New scheduled access review',
      descriptionForReviewers: 'If you have any questions, contact jerry@contoso.com',
      scope: {
        '@odata.type': '#microsoft.graph.accessReviewQueryScope',
        query: `/groups/${SRE_ON_CALL}/transitiveMembers`,
        queryType: 'MicrosoftGraph',
      },
      stageSettings: [
        {
          stageId: '1',
          durationInDays: 2,
          recommendationsEnabled: false,
          decisionsThatWillMoveToNextStage: ['NotReviewed', 'Approve'],
          reviewers: [{ query: `/users/${sofia.id}`, queryType: 'MicrosoftGraph' }],
        },
        {
          stageId: '2',
          dependsOn: ['1'],
          durationInDays: 2,
          recommendationsEnabled: true,
          reviewers: [{ query: `/users/${marcus.id}`, queryType: 'MicrosoftGraph' }],
        },
      ],
      settings: {
        mailNotificationsEnabled: true,
        reminderNotificationsEnabled: true,
        justificationRequiredOnApproval: true,
        defaultDecisionEnabled: false,
        defaultDecision: 'None',
        instanceDurationInDays: 4,
        recommendationsEnabled: true,
        recurrence: {
          pattern: { type: 'weekly', interval: 1 },
          range: { type: 'noEnd', startDate: `${TODAY}T12:02:30.667Z` },
        },
      },
    })) as Definition & { stageSettings: { stageId: string }[] };
    expect(created.stageSettings.map((st) => st.stageId)).toEqual(['1', '2']);
    await app.rt.waitForIdle();

    const sofiaSdk = sdkAs('sofia.rossi');
    const marcusSdk = sdkAs('marcus.johnson');
    const inbox = "filterByCurrentUser(on='reviewer')";
    const instances = (await sofiaSdk.api(`${REVIEWS}/${created.id}/instances/${inbox}`).get()) as {
      value: Instance[];
    };
    expect(instances.value.map((i) => i.status)).toEqual(['InProgress']);
    const url = `${REVIEWS}/${created.id}/instances/${instances.value[0]?.id ?? ''}`;
    const stagesNow = async () => ((await admin.api(`${url}/stages`).get()) as { value: Stage[] }).value;
    let stages = await stagesNow();
    expect(stages.map((st) => st.status)).toEqual(['InProgress', 'NotStarted']);
    const itemOf = (items: DecisionItem[], principalId: string) => {
      const found = items.find((d) => d.principal.id === principalId);
      if (!found) throw new Error(`No item for ${principalId}`);
      return found;
    };

    // Stage 1: Sofia's items; Marcus (stage 2) can't decide them — read through GraphError.
    const stage1 = `${url}/stages/${stages[0]?.id ?? ''}/decisions`;
    const first = ((await sofiaSdk.api(stage1).get()) as { value: DecisionItem[] }).value;
    expect(first.map((d) => d.principal.id).sort()).toEqual([olivia.id, priya.id, amelia.id].sort());
    const early = await graphError(
      marcusSdk
        .api(`${stage1}/${itemOf(first, olivia.id).id}`)
        .patch({ decision: 'Approve', justification: 'Known' }),
    );
    expect(early.statusCode).toBe(403);
    expect(early.code).toBe('Forbidden');
    for (const [principalId, decision] of [
      [olivia.id, 'Approve'],
      [priya.id, 'Deny'],
    ] as const) {
      const res = await sdkSend(sofiaSdk, 'PATCH', `${stage1}/${itemOf(first, principalId).id}`, {
        decision,
        justification: 'Checked the rota',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(204);
    }

    // Stage 1 ends: Approve and NotReviewed move on (Olivia, Amelia); Priya's Deny is final.
    await app.rt.advance('P2D');
    await app.rt.waitForIdle();
    stages = await stagesNow();
    expect(stages.map((st) => st.status)).toEqual(['Completed', 'InProgress']);
    const stage2 = `${url}/stages/${stages[1]?.id ?? ''}/decisions`;
    const second = ((await marcusSdk.api(stage2).get()) as { value: DecisionItem[] }).value;
    expect(second.map((d) => d.principal.id).sort()).toEqual([olivia.id, amelia.id].sort());
    const closed = await graphError(
      sofiaSdk
        .api(`${stage1}/${itemOf(first, amelia.id).id}`)
        .patch({ decision: 'Deny', justification: 'Late' }),
    );
    expect(closed.statusCode).toBe(400);
    expect(closed.code).toBe('BadRequest');
    expect(closed.message).toMatch(/Stage 1 is Completed/);
    for (const [principalId, decision] of [
      [amelia.id, 'Deny'],
      [olivia.id, 'Approve'],
    ] as const) {
      const res = await sdkSend(marcusSdk, 'PATCH', `${stage2}/${itemOf(second, principalId).id}`, {
        decision,
        justification: 'Checked the rota again',
      });
      expect(res.status, JSON.stringify(res.body)).toBe(204);
    }

    // The review ends; applying its final decisions removes Priya (stage 1) and Amelia (stage 2).
    await app.rt.advance('P2D');
    await app.rt.waitForIdle();
    expect(((await admin.api(url).get()) as Instance).status).toBe('Completed');
    const applied = await sdkSend(admin, 'POST', `${url}/applyDecisions`, {});
    expect(applied.status, JSON.stringify(applied.body)).toBe(204);
    await app.rt.waitForIdle();
    const members = app.groupMembers(SRE_ON_CALL);
    expect(members).toContain(olivia.id);
    expect(members).not.toContain(priya.id);
    expect(members).not.toContain(amelia.id);
    const final = ((await admin.api(`${url}/decisions`).get()) as { value: DecisionItem[] }).value;
    expect(final.map((d) => [d.principal.id, d.decision]).sort()).toEqual(
      [
        [olivia.id, 'Approve'],
        [priya.id, 'Deny'],
        [amelia.id, 'Deny'],
      ].sort(),
    );
  }, 120_000);
});
