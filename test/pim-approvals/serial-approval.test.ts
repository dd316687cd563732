/**
 * Approvals beyond PIM, end to end through the HTTP API on the virtual clock: a Serial approval of two stages (the
 * second stage's approvers are mailed only once the first approves), escalation of an undecided stage to its
 * escalation approvers (their own links; they may then decide), a deny at stage 1 ending it, a decimal stage wait
 * (0.25 day = 6 hours) timing out at the right virtual hour, and the PATCH refusals (400, nothing changed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideApprovalStep } from '../../shared/approvals/decide-approval';
import { REQUEST_EVENTS, requestInstanceId } from '../../shared/requests/domain/schedule-request';
import { durableFetch, expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import {
  activate,
  ADMIN,
  BASE,
  makeEligible,
  manageGroup,
  patchRule,
  policyRules,
} from '../pim/pim-scenario';
import { approvalMails, linkIn, postDecision, tokenOf } from './approval-fixtures';

const GROUP = DEMO.helpdeskGroup; // owners: Sofia Rossi and the demo admin
const RULE = 'Approval_EndUser_Assignment';
const SOFIA = 'sofia.rossi@pimflow.example';
const MARCUS = 'marcus.johnson@pimflow.example';
const PRIYA = 'priya.nair@pimflow.example';
const APPROVALS = `${BASE}/assignmentApprovals`;

let app: PimApp;

interface Step {
  id: string;
  status: string;
  reviewResult: string;
  reviewedBy: { id: string } | null;
  approverIds: string[];
  expiresDateTime: string | null;
  escalationApproverIds: string[];
  escalationDateTime: string | null;
  escalatedDateTime: string | null;
}

const owners = () => ({ '@odata.type': '#microsoft.graph.groupOwners', groupId: GROUP });
const user = (upn: string) => ({ '@odata.type': '#microsoft.graph.singleUser', userId: app.user(upn).id });

/** Stage 1: the group's owners, 1 day. Stage 2: Marcus, 1 day, escalated to Priya after 60 minutes. */
function serialSetting(o: { stage1Days?: number } = {}) {
  return {
    isApprovalRequired: true,
    approvalMode: 'Serial',
    approvalStages: [
      {
        approvalStageTimeOutInDays: o.stage1Days ?? 1,
        isApproverJustificationRequired: true,
        isEscalationEnabled: false,
        escalationTimeInMinutes: 0,
        primaryApprovers: [owners()],
        escalationApprovers: [],
      },
      {
        approvalStageTimeOutInDays: 1,
        isApproverJustificationRequired: false,
        isEscalationEnabled: true,
        escalationTimeInMinutes: 60,
        primaryApprovers: [user(MARCUS)],
        escalationApprovers: [user(PRIYA)],
      },
    ],
  };
}

async function configure(setting: Record<string, unknown>): Promise<void> {
  const res = await patchRule(app, GROUP, 'member', RULE, (r) => ({
    ...r,
    setting: { ...(r.setting as object), ...setting },
  }));
  expect(res.status, await res.clone().text()).toBe(204);
}

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  await configure(serialSetting());
  for (const upn of ['jack.thompson', 'daniel.kim', 'james.wilson', 'benjamin.lee', 'oscar.petrov']) {
    await makeEligible(app, GROUP, app.user(upn).id, 'member', 6);
  }
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

async function requestMember(upn: string): Promise<{ id: string; status: string }> {
  const res = await activate(app, upn, GROUP, 'member', { duration: 'PT8H' });
  expect(res.status, await res.clone().text()).toBe(201);
  const request = (await res.json()) as { id: string; status: string };
  await app.rt.waitForIdle();
  return request;
}

async function steps(approvalId: string): Promise<Step[]> {
  return (await app.json<{ steps: Step[] }>(`${APPROVALS}/${approvalId}`, ADMIN)).steps;
}

async function status(requestId: string): Promise<string> {
  return (await app.json<{ status: string }>(`${BASE}/assignmentScheduleRequests/${requestId}`, ADMIN))
    .status;
}

function decide(
  approvalId: string,
  stepId: string,
  as: string,
  reviewResult: 'Approve' | 'Deny',
  justification = 'Checked the ticket',
): Promise<Response> {
  return app.api(`${APPROVALS}/${approvalId}/steps/${stepId}`, {
    as,
    method: 'PATCH',
    body: { reviewResult, justification },
  });
}

describe('Serial approval with escalation', () => {
  it('asks stage 2 only after stage 1 approves, escalates it when nobody decides, and grants on the escalation approver’s approval', async () => {
    const jack = app.user('jack.thompson');
    const request = await requestMember('jack.thompson');
    expect(request.status).toBe('PendingApproval');

    // Only stage 1's approvers (the owners) are asked.
    const toSofia = await approvalMails(app, SOFIA, request.id);
    expect(toSofia.map((m) => m.subject)).toEqual([
      'Approval needed (stage 1 of 2): Jack Thompson asks to activate member of Helpdesk Admin-Group',
    ]);
    expect(await approvalMails(app, DEMO.adminUpn, request.id)).toHaveLength(1);
    expect(await approvalMails(app, MARCUS, request.id)).toHaveLength(0);
    expect(await approvalMails(app, PRIYA, request.id)).toHaveLength(0);
    let [first, second] = await steps(request.id);
    expect(first).toMatchObject({ status: 'InProgress', expiresDateTime: '2026-03-03T09:00:00.000Z' });
    expect(second).toMatchObject({
      status: 'NotStarted',
      expiresDateTime: null,
      approverIds: [app.user(MARCUS).id],
      escalationApproverIds: [app.user(PRIYA).id],
    });
    // Stage 2 can't be decided before it starts.
    expect((await decide(request.id, second!.id, MARCUS, 'Approve')).status).toBe(409);

    // Stage 1 approved from Sofia's e-mail link, 30 minutes in.
    await app.rt.advance('PT30M');
    const post = await postDecision(app, {
      token: tokenOf(linkIn(toSofia[0]!)),
      reviewResult: 'Approve',
      justification: 'On the rota this week',
    });
    const page = await post.text();
    expect(post.status, page).toBe(200);
    expect(page).toContain('Stage 1 of 2 approved');
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('PendingApproval');
    expect(app.groupMembers(GROUP)).not.toContain(jack.id);
    // The other stage-1 approver can no longer decide it.
    expect((await decide(request.id, first!.id, DEMO.adminUpn, 'Deny')).status).toBe(409);

    // Now stage 2's approver is asked, with their own link; the escalation approver not yet.
    const toMarcus = await approvalMails(app, MARCUS, request.id);
    expect(toMarcus.map((m) => m.subject)).toEqual([
      'Approval needed (stage 2 of 2): Jack Thompson asks to activate member of Helpdesk Admin-Group',
    ]);
    [first, second] = await steps(request.id);
    expect(first).toMatchObject({ status: 'Completed', reviewResult: 'Approve' });
    expect(second).toMatchObject({
      status: 'InProgress',
      expiresDateTime: '2026-03-03T09:30:00.000Z',
      escalationDateTime: '2026-03-02T10:30:00.000Z',
      escalatedDateTime: null,
    });
    // Before the escalation the escalation approver can't decide.
    const early = await decide(request.id, second!.id, PRIYA, 'Approve');
    expect(early.status).toBe(403);
    expect(await early.text()).toContain('escalation approver');

    // Nobody decides stage 2: after 60 minutes it escalates to Priya.
    await app.rt.advance('PT59M');
    expect(await approvalMails(app, PRIYA, request.id)).toHaveLength(0);
    await app.rt.advance('PT1M');
    const toPriya = await approvalMails(app, PRIYA, request.id);
    expect(toPriya.map((m) => m.subject)).toEqual([
      'Escalated: approval needed (stage 2 of 2): Jack Thompson asks to activate member of Helpdesk Admin-Group',
    ]);
    expect(tokenOf(linkIn(toPriya[0]!))).not.toBe(tokenOf(linkIn(toMarcus[0]!)));
    expect((await steps(request.id))[1]?.escalatedDateTime).toBe('2026-03-02T10:30:00.000Z');
    expect(await status(request.id)).toBe('PendingApproval');

    // The escalation approver approves through the API: the request is granted, really in Graph.
    expect((await decide(request.id, second!.id, PRIYA, 'Approve', 'Covering for Marcus')).status).toBe(204);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(jack.id);
    expect(await status(request.id)).toBe('Provisioned');
    // Marcus comes too late.
    expect((await decide(request.id, second!.id, MARCUS, 'Deny')).status).toBe(409);

    const approval = await app.json<{ status: string; steps: Step[] }>(`${APPROVALS}/${request.id}`, ADMIN);
    expect(approval.status).toBe('Approved');
    expect(approval.steps.map((s) => [s.status, s.reviewResult, s.reviewedBy?.id])).toEqual([
      ['Completed', 'Approve', app.user(SOFIA).id],
      ['Completed', 'Approve', app.user(PRIYA).id],
    ]);

    // Audited: the approval, stage 2 opening, the escalation and both decisions.
    const audit = await app.json<{ value: { activityDisplayName: string }[] }>(
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${request.id}' and category eq 'Approval'`)}`,
      ADMIN,
    );
    const names = audit.value.map((a) => a.activityDisplayName);
    for (const name of [
      'Approval requested (PIM member)',
      'Approval stage 2 of 2 opened (PIM member)',
      'Approval escalated: nobody decided within 60 minutes (PIM member)',
    ]) {
      expect(names).toContain(name);
    }
    expect(names.filter((n) => n === 'Approve request (PIM member)')).toHaveLength(2);
  });

  it('ends at a deny in stage 1: Denied, and stage 2 is never asked', async () => {
    const daniel = app.user('daniel.kim');
    const request = await requestMember('daniel.kim');
    const [first] = await steps(request.id);
    expect((await decide(request.id, first!.id, SOFIA, 'Deny', 'Not on the rota')).status).toBe(204);
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('Denied');
    await app.rt.advance('P2D');
    expect(await approvalMails(app, MARCUS, request.id)).toHaveLength(0);
    expect(await approvalMails(app, PRIYA, request.id)).toHaveLength(0);
    expect(app.groupMembers(GROUP)).not.toContain(daniel.id);
    const [, second] = await steps(request.id);
    expect(second?.status).toBe('NotStarted');
    expect((await decide(request.id, second!.id, MARCUS, 'Approve')).status).toBe(409);
  });

  it('times a stage out after a decimal wait: 0.25 day is 6 hours', async () => {
    await configure(serialSetting({ stage1Days: 0.25 }));
    const james = app.user('james.wilson');
    const request = await requestMember('james.wilson');
    expect((await steps(request.id))[0]?.expiresDateTime).toBe(
      new Date(app.rt.clock.now().getTime() + 6 * 3_600_000).toISOString(),
    );
    await app.rt.advance('PT5H59M');
    expect(await status(request.id)).toBe('PendingApproval');
    await app.rt.advance('PT1M');
    expect(await status(request.id)).toBe('TimedOut');
    expect(await approvalMails(app, MARCUS, request.id)).toHaveLength(0);
    const [first] = await steps(request.id);
    expect(first?.status).toBe('Expired');
    expect((await decide(request.id, first!.id, SOFIA, 'Approve')).status).toBe(410);
    expect(app.groupMembers(GROUP)).not.toContain(james.id);
  });

  it('times out at stage 2 when nobody decides it, escalation approvers included', async () => {
    await configure(serialSetting());
    const benjamin = app.user('benjamin.lee');
    const request = await requestMember('benjamin.lee');
    const [first] = await steps(request.id);
    expect((await decide(request.id, first!.id, DEMO.adminUpn, 'Approve')).status).toBe(204);
    await app.rt.waitForIdle();
    expect(await approvalMails(app, MARCUS, request.id)).toHaveLength(1);
    await app.rt.advance('PT23H59M');
    expect(await status(request.id)).toBe('PendingApproval');
    expect(await approvalMails(app, PRIYA, request.id)).toHaveLength(1);
    await app.rt.advance('PT1M');
    expect(await status(request.id)).toBe('TimedOut');
    expect(app.groupMembers(GROUP)).not.toContain(benjamin.id);
  });

  it('never loses a stage-1 decision whose event was lost, and ignores that event when it arrives during stage 2', async () => {
    await configure(serialSetting({ stage1Days: 0.25 }));
    const oscar = app.user('oscar.petrov');
    const request = await requestMember('oscar.petrov');
    const [first] = await steps(request.id);
    // Sofia's approval is recorded, but the orchestration is not told.
    const decided = await decideApprovalStep(await app.services(), {
      approvalId: request.id,
      groupId: GROUP,
      stepId: first!.id,
      approver: { id: app.user(SOFIA).id, displayName: 'Sofia Rossi' },
      reviewResult: 'Approve',
      justification: 'On the rota',
      raiseDecision: () => Promise.reject(new Error('task hub unavailable')),
      raiseRetryDelaysMs: [],
      now: app.rt.clock.now(),
    });
    expect(decided).toMatchObject({ outcome: 'decided', eventRaised: false });
    if (decided.outcome !== 'decided') return;
    await app.rt.waitForIdle();
    expect(await approvalMails(app, MARCUS, request.id)).toHaveLength(0);
    // At stage 1's deadline the recorded decision is found: stage 2 starts instead of timing out.
    await app.rt.advance('PT6H');
    expect(await approvalMails(app, MARCUS, request.id)).toHaveLength(1);
    expect(await status(request.id)).toBe('PendingApproval');
    // The stage-1 event arrives late: it is not stage 2's decision.
    const raised = await durableFetch(
      app.rt,
      `instances/${requestInstanceId(request.id)}/raiseEvent/${REQUEST_EVENTS.approvalDecided}`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(decided.decision),
      },
    );
    expect(raised.status, await raised.text()).toBeLessThan(300);
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('PendingApproval');
    expect(app.groupMembers(GROUP)).not.toContain(oscar.id);
    const [, second] = await steps(request.id);
    expect(second?.status).toBe('InProgress');
    expect((await decide(request.id, second!.id, MARCUS, 'Approve')).status).toBe(204);
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('Provisioned');
    expect(app.groupMembers(GROUP)).toContain(oscar.id);
  });
});

describe('PATCH validation', () => {
  const cases: [string, Record<string, unknown>, RegExp][] = [
    [
      'more than 3 stages',
      {
        approvalMode: 'Serial',
        approvalStages: [1, 2, 3, 4].map(() => ({ primaryApprovers: [owners()] })),
      },
      /at most 3 stages/,
    ],
    ['Parallel', { approvalMode: 'Parallel' }, /Parallel approval is not supported/],
    [
      'escalation without approvers',
      {
        approvalStages: [
          {
            primaryApprovers: [owners()],
            isEscalationEnabled: true,
            escalationTimeInMinutes: 60,
            escalationApprovers: [],
          },
        ],
      },
      /at least one escalation approver/,
    ],
  ];

  it.each(cases)('refuses %s with a 400 and changes nothing', async (_name, setting, detail) => {
    const before = await policyRules(app, GROUP, 'member');
    const res = await patchRule(app, GROUP, 'member', RULE, (r) => ({
      '@odata.type': r['@odata.type'],
      id: r.id,
      setting,
    }));
    const text = await res.clone().text();
    await expectApiError(res, 400);
    expect(text).toMatch(detail);
    expect(await policyRules(app, GROUP, 'member')).toEqual(before);
  });
});
