/**
 * Approvals against the real stand-ins (Cosmos, Graph, mail) with the whole app running in-process: opening an
 * approval (approvers resolved, each mailed their own link, idempotent), deciding through the Graph-shaped API and
 * through e-mail links (GET never acts; POST acts once), the first decision winning, self-approval refused, expiry
 * and its race with a decision, cancellation, and the authorisation rules.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { escalateApproval, startApprovalStage } from '../../shared/approvals/approval-stage';
import { decideApprovalStep, type DecideResult } from '../../shared/approvals/decide-approval';
import { cancelApproval, expireApproval } from '../../shared/approvals/end-approval';
import { signApprovalLink } from '../../shared/approvals/http/approval-link';
import { refusalStatus } from '../../shared/approvals/http/refusal-status';
import { openApproval, type ApprovalRequestInput } from '../../shared/approvals/open-approval';
import { submitDecision } from '../../shared/approvals/http/link-decision';
import { REQUEST_EVENTS, requestInstanceId } from '../../shared/requests/domain/schedule-request';
import type { AppServices } from '../../shared/composition-root';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import {
  approvalMails,
  approvalSettings,
  CLOUD_OPS,
  eventsRaised,
  HELPDESK,
  linkIn,
  newRequest,
  postDecision,
  raiseRecorder,
  startWaitingInstance,
  tokenOf,
} from './approval-fixtures';
import { apiErrorMessage } from '../helpers';

const NOW = new Date('2026-03-02T09:00:00Z');
const APPROVALS = 'identityGovernance/privilegedAccess/group/assignmentApprovals';
const HOSTILE = '<script>alert(1)</script><img src=x onerror=alert(2)>';

let app: PimApp;
let services: AppServices;
let olivia: { id: string; userPrincipalName: string; displayName: string };
let sofia: { id: string; userPrincipalName: string; displayName: string };

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  services = await app.services();
  olivia = app.user('olivia.carter');
  sofia = app.user('sofia.rossi');
});
afterAll(async () => {
  await app?.stop();
});

const repo = () => services.approvals;
/** A decision's outcome with the status the API answers a refusal with (http/refusal-status.ts). */
const answered = (result: DecideResult | undefined) =>
  result?.outcome === 'refused' ? { ...result, status: refusalStatus(result.reason) } : result;
const ownersSettings = (o: { justification?: boolean } = {}) =>
  approvalSettings(HELPDESK, [{ type: 'groupOwners' }], o);

/** Olivia asks for owner of Helpdesk; its owners (Sofia and the admin) approve. */
async function openOliviaRequest(
  o: { justification?: boolean; now?: Date; request?: Partial<ApprovalRequestInput> } = {},
) {
  const request = { ...newRequest(olivia, HELPDESK, { ticket: 'INC-1234', start: NOW }), ...o.request };
  const opened = await openApproval(services, { request, settings: ownersSettings(o), now: o.now ?? NOW });
  if ('noApprovers' in opened) throw new Error('expected approvers');
  const approval = await repo().find(opened.approvalId, HELPDESK);
  if (!approval) throw new Error('approval not stored');
  return { request, opened, approval, stepId: approval.steps[0]?.id as string };
}

describe('openApproval', () => {
  it('resolves the approvers, stores the approval, mails each approver their own link, and audits it', async () => {
    const { request, opened, approval } = await openOliviaRequest();
    expect(opened.approvalId).toBe(request.id);
    expect(new Set(opened.approverIds)).toEqual(new Set([sofia.id, DEMO.admin]));
    expect(opened.expiresDateTime).toBe('2026-03-03T09:00:00.000Z');
    expect(approval).toMatchObject({
      id: request.id,
      requestId: request.id,
      groupId: HELPDESK,
      requesterId: olivia.id,
      status: 'InProgress',
      request: {
        principalDisplayName: 'Olivia Carter',
        groupDisplayName: 'Helpdesk Admin-Group',
        ticketNumber: 'INC-1234',
      },
    });
    expect(approval.steps).toHaveLength(1);
    expect(approval.steps[0]).toMatchObject({
      status: 'InProgress',
      reviewResult: 'NotReviewed',
      reviewedBy: null,
    });
    expect(new Set(approval.steps[0]?.notifiedApproverIds)).toEqual(new Set(opened.approverIds));

    const toSofia = await approvalMails(app, sofia.userPrincipalName, request.id);
    const toAdmin = await approvalMails(app, DEMO.adminUpn, request.id);
    expect(toSofia).toHaveLength(1);
    expect(toAdmin).toHaveLength(1);
    expect(await approvalMails(app, olivia.userPrincipalName, request.id)).toHaveLength(0);
    const mail = toSofia[0]!;
    expect(mail.subject).toBe(
      'Approval needed: Olivia Carter asks to activate owner of Helpdesk Admin-Group',
    );
    for (const text of [
      'Olivia Carter',
      'Helpdesk Admin-Group',
      'Quarterly access review',
      'INC-1234 (ServiceNow)',
      '2026-03-02 09:00 UTC',
    ]) {
      expect(mail.text).toContain(text);
    }
    // Each approver's link is their own.
    const sofiaToken = tokenOf(linkIn(mail));
    const adminToken = tokenOf(linkIn(toAdmin[0]!));
    expect(sofiaToken).not.toBe(adminToken);
    expect(linkIn(mail).startsWith(`${services.settings.PUBLIC_BASE_URL}/api/approvals/decide?token=`)).toBe(
      true,
    );

    const audit = await services.audit.query({ from: NOW, to: NOW, correlationId: request.id });
    expect(audit.items.map((e) => e.activityDisplayName)).toContain('Approval requested (PIM owner)');
  });

  it('is idempotent: run again, it creates nothing and mails nobody twice', async () => {
    const { request, opened } = await openOliviaRequest();
    const again = await openApproval(services, { request, settings: ownersSettings(), now: NOW });
    expect(again).toEqual(opened);
    expect(await approvalMails(app, sofia.userPrincipalName, request.id)).toHaveLength(1);
    expect(await approvalMails(app, DEMO.adminUpn, request.id)).toHaveLength(1);
  });

  it('leaves the requester out, admins included, and says when nobody is left', async () => {
    const admin = { id: DEMO.admin };
    const byAdmin = newRequest(admin, HELPDESK, { start: NOW });
    const opened = await openApproval(services, { request: byAdmin, settings: ownersSettings(), now: NOW });
    expect(opened).toMatchObject({ approverIds: [sofia.id] });

    const onlySelf = newRequest(olivia, HELPDESK, { start: NOW });
    const none = await openApproval(services, {
      request: onlySelf,
      settings: approvalSettings(HELPDESK, [{ type: 'user', id: olivia.id }]),
      now: NOW,
    });
    expect(none).toEqual({ noApprovers: true });
    expect(await repo().find(onlySelf.id, HELPDESK)).toBeUndefined();
  });

  it('takes transitive user members of approver groups, and skips disabled users', async () => {
    const ruby = app.user('ruby.walsh'); // accountEnabled: false
    const request = newRequest(olivia, HELPDESK, { start: NOW });
    const opened = await openApproval(services, {
      request,
      settings: approvalSettings(HELPDESK, [
        { type: 'groupMembers', id: CLOUD_OPS },
        { type: 'user', id: ruby.id },
      ]),
      now: NOW,
    });
    if ('noApprovers' in opened) throw new Error('expected approvers');
    const expected = ['marcus.johnson', 'ava.martinez', 'mia.chen', 'ethan.brown'].map((u) => app.user(u).id);
    expect(new Set(opened.approverIds)).toEqual(new Set(expected));
  });

  it("opens the admins' approval of an extension or renewal: the group's owners, until the given time, worded by the action", async () => {
    const until = '2026-03-05T09:00:00.000Z';
    for (const [action, verb] of [
      ['selfExtend', 'extend'],
      ['selfRenew', 'renew'],
    ] as const) {
      const request = { ...newRequest(olivia, HELPDESK, { start: NOW, hours: 24 * 90 }), action };
      const opened = await openApproval(services, {
        request,
        policy: { kind: 'admins', expiresDateTime: until },
        now: NOW,
      });
      if ('noApprovers' in opened) throw new Error('expected approvers');
      expect(opened).toMatchObject({
        stage: 1,
        stageCount: 1,
        expiresDateTime: until,
        escalationDateTime: null,
      });
      expect(new Set(opened.approverIds)).toEqual(new Set([sofia.id, DEMO.admin]));
      const stored = await repo().find(request.id, HELPDESK);
      expect(stored?.steps).toHaveLength(1);
      expect(stored?.steps[0]).toMatchObject({ isApproverJustificationRequired: true, escalation: null });
      const [mail] = await approvalMails(app, sofia.userPrincipalName, request.id);
      expect(mail?.subject).toBe(
        `Approval needed: Olivia Carter asks to ${verb} owner of Helpdesk Admin-Group until 2026-05-31 09:00 UTC`,
      );
      const page = await fetch(linkIn(mail!));
      expect(await page.text()).toContain(`asks to ${verb} owner of`);
    }
  });

  it('runs serial stages at the service level: later stages wait, start once, and escalate once', async () => {
    const marcus = app.user('marcus.johnson');
    const priya = app.user('priya.nair');
    const base = ownersSettings();
    const settings = {
      ...base,
      activation: {
        ...base.activation,
        approvalMode: 'Serial' as const,
        stages: [
          { ...base.activation.stages[0]!, approvers: [{ type: 'groupOwners' as const }] },
          {
            approvers: [{ type: 'user' as const, id: marcus.id }],
            escalationApprovers: [{ type: 'user' as const, id: priya.id }],
            approvalStageTimeOutInDays: 0.5,
            isApproverJustificationRequired: false,
            isEscalationEnabled: true,
            escalationTimeInMinutes: 30,
          },
        ],
      },
    };
    const request = newRequest(olivia, HELPDESK, { start: NOW });
    const opened = await openApproval(services, { request, settings, now: NOW });
    if ('noApprovers' in opened) throw new Error('expected approvers');
    expect(opened).toMatchObject({ stage: 1, stageCount: 2, escalationDateTime: null });
    const [one, two] = (await repo().find(request.id, HELPDESK))!.steps;
    expect(two).toMatchObject({ status: 'NotStarted', expiresDateTime: null, approverIds: [marcus.id] });

    const recorder = raiseRecorder();
    const later = new Date(NOW.getTime() + 3_600_000);
    const first = await decideApprovalStep(services, {
      approvalId: request.id,
      groupId: HELPDESK,
      stepId: one!.id,
      approver: { id: sofia.id, displayName: 'Sofia Rossi' },
      reviewResult: 'Approve',
      raiseDecision: recorder.raise,
      now: later,
    });
    expect(first).toMatchObject({ outcome: 'decided', approval: { status: 'InProgress' } });
    expect(recorder.calls[0]?.payload.stepId).toBe(one!.id);
    expect(await approvalMails(app, marcus.userPrincipalName, request.id)).toHaveLength(0);
    // The deadline of stage 1 finds its approval, without timing anything out.
    expect(
      await expireApproval(services, {
        approvalId: request.id,
        groupId: HELPDESK,
        stepId: one!.id,
        now: later,
      }),
    ).toMatchObject({ outcome: 'Decided', decision: { stepId: one!.id, reviewResult: 'Approve' } });

    const ref = { approvalId: request.id, groupId: HELPDESK, afterStepId: one!.id, now: later };
    const started = await startApprovalStage(services, ref);
    expect(started).toEqual({
      outcome: 'Started',
      stage: {
        approvalId: request.id,
        stepId: two!.id,
        stage: 2,
        stageCount: 2,
        expiresDateTime: '2026-03-02T22:00:00.000Z',
        escalationDateTime: '2026-03-02T10:30:00.000Z',
      },
    });
    expect(await startApprovalStage(services, { ...ref, now: new Date(later.getTime() + 60_000) })).toEqual(
      started,
    );
    expect(await approvalMails(app, marcus.userPrincipalName, request.id)).toHaveLength(1);

    const escalate = { approvalId: request.id, groupId: HELPDESK, stepId: two!.id };
    const at = new Date('2026-03-02T10:30:00Z');
    expect(await escalateApproval(services, { ...escalate, now: at })).toEqual({ escalated: true });
    expect(await escalateApproval(services, { ...escalate, now: at })).toEqual({ escalated: true });
    const toPriya = await approvalMails(app, priya.userPrincipalName, request.id);
    expect(toPriya).toHaveLength(1);

    // Priya decides from her own link; the stage-1 approvers can't decide stage 2.
    const bySofia = await decideApprovalStep(services, {
      approvalId: request.id,
      groupId: HELPDESK,
      stepId: two!.id,
      approver: { id: sofia.id, displayName: null },
      reviewResult: 'Approve',
      raiseDecision: recorder.raise,
      now: at,
    });
    expect(answered(bySofia)).toMatchObject({ status: 403, reason: 'notApprover' });
    const res = await submitDecision(
      services,
      new URLSearchParams({ token: tokenOf(linkIn(toPriya[0]!)), reviewResult: 'Deny', justification: 'No' }),
      null,
      recorder.raise,
    );
    expect(res.status).toBe(200);
    const stored = await repo().find(request.id, HELPDESK);
    expect(stored?.status).toBe('Denied');
    expect(recorder.calls.at(-1)?.payload).toMatchObject({ stepId: two!.id, reviewResult: 'Deny' });
    expect(await cancelApproval(services, { approvalId: request.id, groupId: HELPDESK })).toMatchObject({
      outcome: 'Decided',
      decision: { stepId: two!.id, reviewResult: 'Deny' },
    });
  });

  it('escapes everything the requester typed in the mail', async () => {
    const { request } = await openOliviaRequest({ request: { justification: HOSTILE } });
    const [mail] = await approvalMails(app, sofia.userPrincipalName, request.id);
    expect(mail?.html).not.toContain('<script>');
    expect(mail?.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.text).toContain(HOSTILE);
  });
});

describe('decideApprovalStep', () => {
  it('records the first decision, tells the orchestration, mails requester and approvers, and audits it', async () => {
    const { request, approval, stepId } = await openOliviaRequest();
    const recorder = raiseRecorder();
    const result = await decideApprovalStep(services, {
      approvalId: approval.id,
      stepId,
      approver: { id: sofia.id, displayName: sofia.displayName },
      reviewResult: 'Approve',
      justification: '  Looks right  ',
      raiseDecision: recorder.raise,
    });
    expect(result).toMatchObject({ outcome: 'decided', eventRaised: true });
    expect(recorder.calls).toEqual([
      {
        instanceId: requestInstanceId(request.id),
        eventName: REQUEST_EVENTS.approvalDecided,
        payload: {
          approvalId: approval.id,
          stepId,
          reviewResult: 'Approve',
          justification: 'Looks right',
          reviewedBy: { id: sofia.id, displayName: 'Sofia Rossi' },
          reviewedDateTime: NOW.toISOString(),
        },
      },
    ]);
    const stored = await repo().find(approval.id, HELPDESK);
    expect(stored).toMatchObject({ status: 'Approved', completedDateTime: NOW.toISOString() });
    expect(stored?.steps[0]).toMatchObject({
      status: 'Completed',
      reviewResult: 'Approve',
      justification: 'Looks right',
    });

    const toOlivia = await approvalMails(app, olivia.userPrincipalName, request.id);
    expect(toOlivia.map((m) => m.subject)).toEqual([
      'Your request for owner of Helpdesk Admin-Group was approved',
    ]);
    const toAdmin = await approvalMails(app, DEMO.adminUpn, request.id);
    expect(toAdmin.map((m) => m.subject)).toContain(
      "Olivia Carter's request for owner of Helpdesk Admin-Group was approved by Sofia Rossi",
    );
    const audit = await services.audit.query({ from: NOW, to: NOW, correlationId: request.id });
    expect(audit.items.find((e) => e.operationType === 'Approve')).toMatchObject({
      initiatedBy: { user: { id: sofia.id } },
      resultReason: 'Looks right',
    });

    // Later decisions are refused, naming who decided.
    const late = await decideApprovalStep(services, {
      approvalId: approval.id,
      groupId: HELPDESK,
      stepId,
      approver: { id: DEMO.admin, displayName: 'Morgan Blake (Admin)' },
      reviewResult: 'Deny',
      justification: 'no',
      raiseDecision: recorder.raise,
    });
    expect(answered(late)).toMatchObject({ outcome: 'refused', status: 409, reason: 'alreadyDecided' });
    expect(late.outcome === 'refused' && late.detail).toMatch(/already approved by Sofia Rossi/);
    expect(recorder.calls).toHaveLength(1);
  });

  it('lets exactly one of two simultaneous decisions win, every time', async () => {
    for (let round = 0; round < 5; round++) {
      const { approval, stepId } = await openOliviaRequest();
      const recorder = raiseRecorder();
      const decide = (id: string, name: string, reviewResult: 'Approve' | 'Deny') =>
        decideApprovalStep(services, {
          approvalId: approval.id,
          groupId: HELPDESK,
          stepId,
          approver: { id, displayName: name },
          reviewResult,
          justification: `${name} says ${reviewResult}`,
          raiseDecision: recorder.raise,
        });
      const results = await Promise.all([
        decide(sofia.id, 'Sofia Rossi', 'Approve'),
        decide(DEMO.admin, 'Morgan', 'Deny'),
      ]);
      const won = results.filter((r) => r.outcome === 'decided');
      const lost = results.filter((r) => r.outcome === 'refused');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      expect(answered(lost[0])).toMatchObject({ status: 409, reason: 'alreadyDecided' });
      expect(recorder.calls).toHaveLength(1);
      const stored = await repo().find(approval.id, HELPDESK);
      const winner = won[0]!.outcome === 'decided' ? won[0]!.decision : undefined;
      expect(stored?.steps[0]?.reviewResult).toBe(winner?.reviewResult);
      expect(stored?.status).toBe(winner?.reviewResult === 'Approve' ? 'Approved' : 'Denied');
    }
  });

  it('refuses the requester (admins included), non-approvers, a missing justification, and an expired step', async () => {
    const admin = { id: DEMO.admin };
    const byAdmin = newRequest(admin, HELPDESK, { start: NOW });
    await openApproval(services, {
      request: byAdmin,
      settings: ownersSettings({ justification: true }),
      now: NOW,
    });
    const stepId = (await repo().find(byAdmin.id, HELPDESK))!.steps[0]!.id;
    const recorder = raiseRecorder();
    const base = {
      approvalId: byAdmin.id,
      groupId: HELPDESK,
      stepId,
      raiseDecision: recorder.raise,
    } as const;

    const own = await decideApprovalStep(services, {
      ...base,
      approver: { id: DEMO.admin, displayName: null },
      reviewResult: 'Approve',
      justification: 'me',
    });
    expect(answered(own)).toMatchObject({ status: 403, reason: 'ownRequest' });
    const stranger = await decideApprovalStep(services, {
      ...base,
      approver: { id: olivia.id, displayName: null },
      reviewResult: 'Approve',
      justification: 'x',
    });
    expect(answered(stranger)).toMatchObject({ status: 403, reason: 'notApprover' });
    const noReason = await decideApprovalStep(services, {
      ...base,
      approver: { id: sofia.id, displayName: null },
      reviewResult: 'Approve',
      justification: '   ',
    });
    expect(answered(noReason)).toMatchObject({ status: 400, reason: 'justificationRequired' });
    const tooLate = await decideApprovalStep(services, {
      ...base,
      approver: { id: sofia.id, displayName: null },
      reviewResult: 'Approve',
      justification: 'ok',
      now: new Date(NOW.getTime() + 86_400_000),
    });
    expect(answered(tooLate)).toMatchObject({ status: 410, reason: 'expired' });
    expect(recorder.calls).toHaveLength(0);
    expect((await repo().find(byAdmin.id, HELPDESK))?.status).toBe('InProgress');
    const audit = await services.audit.query({
      from: NOW,
      to: NOW,
      correlationId: byAdmin.id,
      result: 'failure',
    });
    expect(audit.items.map((e) => e.additionalDetails.find((d) => d.key === 'reason')?.value).sort()).toEqual(
      ['notApprover', 'ownRequest'],
    );
  });

  it('keeps the decision when the orchestration cannot be told, and says so', async () => {
    const { approval, stepId } = await openOliviaRequest();
    let attempts = 0;
    const result = await decideApprovalStep(services, {
      approvalId: approval.id,
      groupId: HELPDESK,
      stepId,
      approver: { id: sofia.id, displayName: 'Sofia Rossi' },
      reviewResult: 'Deny',
      justification: 'Not this week',
      raiseDecision: () => {
        attempts++;
        return Promise.reject(new Error('task hub unavailable'));
      },
      raiseRetryDelaysMs: [1, 1, 1],
    });
    expect(result).toMatchObject({
      outcome: 'decided',
      eventRaised: false,
      eventError: 'task hub unavailable',
    });
    expect(attempts).toBe(4);
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('Denied');
    // The orchestration's timer still finds it.
    const expired = await expireApproval(services, {
      approvalId: approval.id,
      groupId: HELPDESK,
      now: new Date('2026-03-03T09:00:00Z'),
    });
    expect(expired).toMatchObject({
      outcome: 'Decided',
      decision: { reviewResult: 'Deny', justification: 'Not this week' },
    });
  });
});

describe('expireApproval and cancelApproval', () => {
  const expiry = new Date('2026-03-03T09:00:00Z');

  it('times out an undecided approval, once', async () => {
    const { approval, stepId } = await openOliviaRequest();
    expect(
      await expireApproval(services, { approvalId: approval.id, groupId: HELPDESK, now: expiry }),
    ).toEqual({ outcome: 'TimedOut' });
    expect(
      await expireApproval(services, { approvalId: approval.id, groupId: HELPDESK, now: expiry }),
    ).toEqual({ outcome: 'TimedOut' });
    const stored = await repo().find(approval.id, HELPDESK);
    expect(stored).toMatchObject({ status: 'TimedOut' });
    expect(stored?.steps[0]?.status).toBe('Expired');
    const late = await decideApprovalStep(services, {
      approvalId: approval.id,
      groupId: HELPDESK,
      stepId,
      approver: { id: sofia.id, displayName: null },
      reviewResult: 'Approve',
      raiseDecision: raiseRecorder().raise,
    });
    expect(answered(late)).toMatchObject({ status: 410, reason: 'expired' });
  });

  it('never loses a decision that races the timer: one outcome, agreed by both sides', async () => {
    for (let round = 0; round < 6; round++) {
      const { approval, stepId } = await openOliviaRequest();
      const [decided, expired] = await Promise.all([
        decideApprovalStep(services, {
          approvalId: approval.id,
          groupId: HELPDESK,
          stepId,
          approver: { id: sofia.id, displayName: 'Sofia Rossi' },
          reviewResult: 'Approve',
          raiseDecision: raiseRecorder().raise,
          now: new Date(expiry.getTime() - 1), // the last millisecond
        }),
        expireApproval(services, { approvalId: approval.id, groupId: HELPDESK, now: expiry }),
      ]);
      const stored = await repo().find(approval.id, HELPDESK);
      if (decided.outcome === 'decided') {
        expect(expired).toEqual({ outcome: 'Decided', decision: decided.decision });
        expect(stored?.status).toBe('Approved');
      } else {
        expect(answered(decided)).toMatchObject({ status: 410, reason: 'expired' });
        expect(expired).toEqual({ outcome: 'TimedOut' });
        expect(stored?.status).toBe('TimedOut');
      }
    }
  });

  it('cancels an open approval (links stop working, approvers told) but returns a decision made first', async () => {
    const { request, approval, stepId } = await openOliviaRequest();
    const token = tokenOf(linkIn((await approvalMails(app, sofia.userPrincipalName, request.id))[0]!));
    expect(await cancelApproval(services, { approvalId: approval.id, groupId: HELPDESK, now: NOW })).toEqual({
      outcome: 'Canceled',
    });
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('Canceled');
    const mails = await approvalMails(app, sofia.userPrincipalName, request.id);
    expect(mails.map((m) => m.subject)).toContain(
      "Canceled: Olivia Carter's request for owner of Helpdesk Admin-Group",
    );
    const res = await postDecision(app, { token, reviewResult: 'Approve', justification: 'ok' });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain('canceled');
    const late = await decideApprovalStep(services, {
      approvalId: approval.id,
      groupId: HELPDESK,
      stepId,
      approver: { id: sofia.id, displayName: null },
      reviewResult: 'Approve',
      raiseDecision: raiseRecorder().raise,
    });
    expect(answered(late)).toMatchObject({ status: 409, reason: 'canceled' });

    const second = await openOliviaRequest();
    await decideApprovalStep(services, {
      approvalId: second.approval.id,
      groupId: HELPDESK,
      stepId: second.stepId,
      approver: { id: sofia.id, displayName: 'Sofia Rossi' },
      reviewResult: 'Approve',
      raiseDecision: raiseRecorder().raise,
    });
    expect(
      await cancelApproval(services, { approvalId: second.approval.id, groupId: HELPDESK, now: NOW }),
    ).toMatchObject({
      outcome: 'Decided',
      decision: { reviewResult: 'Approve' },
    });
  });
});

describe('e-mail links', () => {
  it('GET shows the request and changes nothing; POST decides once; the link and the step then refuse', async () => {
    const { request, approval } = await openOliviaRequest({ request: { justification: HOSTILE } });
    const instanceId = await startWaitingInstance(app, request);
    const sofiaLink = linkIn((await approvalMails(app, sofia.userPrincipalName, request.id))[0]!);
    const adminLink = linkIn((await approvalMails(app, DEMO.adminUpn, request.id))[0]!);
    const local = (link: string) => link.replace(services.settings.PUBLIC_BASE_URL, app.rt.urls.origin);

    for (let i = 0; i < 3; i++) {
      const page = await fetch(local(sofiaLink));
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toBe(
        "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
      );
      expect(page.headers.get('cache-control')).toBe('no-store');
      expect(page.headers.get('referrer-policy')).toBe('no-referrer');
      const body = await page.text();
      expect(body).toContain('Olivia Carter');
      expect(body).toContain('Helpdesk Admin-Group');
      expect(body).toContain('INC-1234');
      expect(body).toContain('value="Approve"');
      expect(body).not.toContain('<script>');
      expect(body).toContain('&lt;script&gt;');
    }
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('InProgress');

    const decided = await postDecision(app, {
      token: tokenOf(sofiaLink),
      reviewResult: 'Approve',
      justification: 'Fine by me',
    });
    const body = await decided.text();
    expect(decided.status, body).toBe(200);
    expect(decided.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(body).toContain('Request approved');
    expect(await repo().find(approval.id, HELPDESK)).toMatchObject({
      status: 'Approved',
      steps: [
        {
          reviewResult: 'Approve',
          reviewedBy: { id: sofia.id, displayName: 'Sofia Rossi' },
          justification: 'Fine by me',
        },
      ],
    });
    expect(await eventsRaised(app, instanceId)).toEqual([REQUEST_EVENTS.approvalDecided]);

    const reused = await postDecision(app, {
      token: tokenOf(sofiaLink),
      reviewResult: 'Deny',
      justification: 'again',
    });
    expect(reused.status).toBe(409);
    expect(await reused.text()).toContain('already been used');
    // Nothing decided by the reused link: Sofia's approval stands, and the orchestration heard of it once.
    expect(await repo().find(approval.id, HELPDESK)).toMatchObject({
      status: 'Approved',
      steps: [{ reviewResult: 'Approve', reviewedBy: { id: sofia.id }, justification: 'Fine by me' }],
    });
    expect(await eventsRaised(app, instanceId)).toEqual([REQUEST_EVENTS.approvalDecided]);
    const decidedAudit = await services.audit.query({
      from: NOW,
      to: NOW,
      correlationId: request.id,
      result: 'success',
    });
    expect(
      decidedAudit.items.filter((e) => /^(Approve|Deny) request/.test(e.activityDisplayName)),
    ).toHaveLength(1);
    const reopened = await fetch(local(sofiaLink));
    expect(reopened.status).toBe(409);

    const other = await postDecision(app, {
      token: tokenOf(adminLink),
      reviewResult: 'Deny',
      justification: 'late',
    });
    expect(other.status).toBe(409);
    expect(await other.text()).toContain('already approved by Sofia Rossi');
    expect((await repo().find(approval.id, HELPDESK))?.steps[0]?.reviewResult).toBe('Approve');
    expect(await eventsRaised(app, instanceId)).toEqual([REQUEST_EVENTS.approvalDecided]);
  });

  it('refuses tampered, foreign and expired links, deciding nothing', async () => {
    const { request, approval, stepId } = await openOliviaRequest();
    const token = tokenOf(linkIn((await approvalMails(app, sofia.userPrincipalName, request.id))[0]!));
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: DEMO.admin })).toString('base64url');
    const flipped = signature.slice(0, -2) + (signature.endsWith('AA') ? 'BB' : 'AA');
    const otherKey = await signApprovalLink(Buffer.alloc(32, 7).toString('base64'), {
      approvalId: approval.id,
      stepId,
      groupId: HELPDESK,
      approverId: sofia.id,
      expiresDateTime: '2026-03-03T09:00:00Z',
      now: NOW,
    });
    for (const bad of [
      `${header}.${forged}.${signature}`,
      `${header}.${payload}.${flipped}`,
      otherKey.token,
      'garbage',
      '',
    ]) {
      const get = await fetch(`${app.rt.urls.api}/approvals/decide?token=${encodeURIComponent(bad)}`);
      expect(get.status).toBe(400);
      expect(await get.text()).toContain('not valid');
      const post = await postDecision(app, { token: bad, reviewResult: 'Approve', justification: 'x' });
      expect(post.status).toBe(400);
    }
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('InProgress');

    // Opened two days ago with a one-day step: the link expired yesterday.
    const old = await openOliviaRequest({ now: new Date(NOW.getTime() - 2 * 86_400_000) });
    const expiredLink = linkIn((await approvalMails(app, sofia.userPrincipalName, old.request.id))[0]!);
    const get = await fetch(`${app.rt.urls.api}/approvals/decide?token=${tokenOf(expiredLink)}`);
    expect(get.status).toBe(410);
    expect(await get.text()).toContain('expired');
    const post = await postDecision(app, {
      token: tokenOf(expiredLink),
      reviewResult: 'Approve',
      justification: 'x',
    });
    expect(post.status).toBe(410);
    expect((await repo().find(old.approval.id, HELPDESK))?.status).toBe('InProgress');
  });

  it('asks again when the justification is missing or the choice is not Approve/Deny, without using the link', async () => {
    const { request, approval } = await openOliviaRequest({ justification: true });
    await startWaitingInstance(app, request);
    const token = tokenOf(linkIn((await approvalMails(app, sofia.userPrincipalName, request.id))[0]!));
    const page = await (await fetch(`${app.rt.urls.api}/approvals/decide?token=${token}`)).text();
    expect(page).toMatch(/<textarea[^>]*required/);
    const missing = await postDecision(app, { token, reviewResult: 'Approve', justification: '  ' });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain('A justification is required');
    const weird = await postDecision(app, { token, reviewResult: 'Maybe', justification: 'x' });
    expect(weird.status).toBe(400);
    expect(await weird.text()).toContain('Choose Approve or Deny');
    const wrongType = await fetch(`${app.rt.urls.api}/approvals/decide`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token, reviewResult: 'Approve', justification: 'x' }),
    });
    expect(wrongType.status).toBe(415);
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('InProgress');
    const ok = await postDecision(app, {
      token,
      reviewResult: 'Deny',
      justification: 'Use the break-glass account',
    });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Request denied');
  });

  it('answers 503 (decision kept) when the request cannot be told', async () => {
    const { request, approval } = await openOliviaRequest(); // no orchestration instance waits for it
    const token = tokenOf(linkIn((await approvalMails(app, sofia.userPrincipalName, request.id))[0]!));
    const res = await postDecision(app, { token, reviewResult: 'Approve', justification: 'ok' });
    expect(res.status).toBe(503);
    expect(await res.text()).toContain('Your decision is recorded');
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('Approved');
  });

  it('with sign-in required, needs the approver signed in as well as the link', async () => {
    const { request, approval } = await openOliviaRequest();
    const token = tokenOf(linkIn((await approvalMails(app, sofia.userPrincipalName, request.id))[0]!));
    const strict = { ...services, settings: { ...services.settings, APPROVAL_REQUIRE_SIGN_IN: true } };
    const recorder = raiseRecorder();
    const form = (extra: Record<string, string> = {}) =>
      new URLSearchParams({ token, reviewResult: 'Approve', justification: 'ok', ...extra });

    const anonymous = await submitDecision(strict, form(), null, recorder.raise);
    expect(anonymous.status).toBe(401);
    const asAdmin = await submitDecision(
      strict,
      form(),
      `Bearer ${await app.token({ as: DEMO.adminUpn })}`,
      recorder.raise,
    );
    expect(asAdmin.status).toBe(403);
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('InProgress');
    const sofiaToken = await app.token({ as: sofia.userPrincipalName });
    const signedIn = await submitDecision(strict, form({ access_token: sofiaToken }), null, recorder.raise);
    expect(signedIn.status).toBe(200);
    expect(recorder.calls).toHaveLength(1);
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('Approved');
  });
});

describe('Graph-shaped API', () => {
  it('shows the approval to the requester, approvers, admins and auditors, and to nobody else', async () => {
    const { approval, stepId } = await openOliviaRequest();
    const asSofia = await app.json<{
      id: string;
      status: string;
      steps: { id: string; assignedToMe: boolean; status: string }[];
    }>(`${APPROVALS}/${approval.id}`, { as: sofia.userPrincipalName });
    expect(asSofia).toMatchObject({
      id: approval.id,
      status: 'InProgress',
      steps: [{ id: stepId, assignedToMe: true, status: 'InProgress' }],
    });
    const asOlivia = await app.json<{ steps: { assignedToMe: boolean }[] }>(`${APPROVALS}/${approval.id}`, {
      as: olivia.userPrincipalName,
    });
    expect(asOlivia.steps[0]?.assignedToMe).toBe(false);
    const steps = await app.json<{ value: { id: string }[] }>(`${APPROVALS}/${approval.id}/steps`, {
      as: DEMO.adminUpn,
    });
    expect(steps.value.map((s) => s.id)).toEqual([stepId]);
    const step = await app.json<{ id: string }>(`${APPROVALS}/${approval.id}/steps/${stepId}`, {
      as: 'daniel.kim@pimflow.example',
      roles: ['PimFlow.Auditor'],
    });
    expect(step.id).toBe(stepId);

    expect((await app.api(`${APPROVALS}/${approval.id}`, { as: 'daniel.kim@pimflow.example' })).status).toBe(
      404,
    );
    expect((await app.api(`${APPROVALS}/${approval.id}`)).status).toBe(401);
    expect((await app.api(`${APPROVALS}/not-a-guid`, { as: DEMO.adminUpn })).status).toBe(400);
  });

  it('PATCH decides as an approver (204), then refuses everyone else (409); self-approval refused even for admins', async () => {
    const { request, approval, stepId } = await openOliviaRequest();
    const instanceId = await startWaitingInstance(app, request);
    const patch = (as: string, body: unknown, roles?: string[]) =>
      app.api(`${APPROVALS}/${approval.id}/steps/${stepId}`, { as, roles, method: 'PATCH', body });

    for (const bad of [
      {},
      { reviewResult: 'Approved' },
      { reviewResult: 'Approve', extra: 1 },
      { reviewResult: 'Approve', justification: 'x'.repeat(1001) },
    ]) {
      expect((await patch(sofia.userPrincipalName, bad)).status).toBe(400);
    }
    expect((await patch('daniel.kim@pimflow.example', { reviewResult: 'Approve' })).status).toBe(404);
    expect(
      (await patch(olivia.userPrincipalName, { reviewResult: 'Approve' }, ['PimFlow.Admin'])).status,
    ).toBe(403);
    expect((await repo().find(approval.id, HELPDESK))?.status).toBe('InProgress');

    const [a, b] = await Promise.all([
      patch(DEMO.adminUpn, { reviewResult: 'Deny', justification: 'No change freeze exception' }, [
        'PimFlow.Admin',
      ]),
      patch(sofia.userPrincipalName, { reviewResult: 'Approve', justification: 'Fine' }),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    const loser = a.status === 409 ? a : b;
    expect(apiErrorMessage(await loser.json())).toMatch(/already (approved|denied) by/);
    expect(await eventsRaised(app, instanceId)).toEqual([REQUEST_EVENTS.approvalDecided]);
    const after = await app.json<{ status: string; steps: { status: string; assignedToMe: boolean }[] }>(
      `${APPROVALS}/${approval.id}`,
      { as: sofia.userPrincipalName },
    );
    expect(['Approved', 'Denied']).toContain(after.status);
    expect(after.steps[0]).toMatchObject({ status: 'Completed', assignedToMe: false });
  });

  it('refuses an admin approving their own request through the API, even when listed as an approver: nothing decided', async () => {
    const byAdmin = newRequest({ id: DEMO.admin }, HELPDESK, { start: NOW });
    await openApproval(services, { request: byAdmin, settings: ownersSettings(), now: NOW });
    const instanceId = await startWaitingInstance(app, byAdmin);
    const opened = (await repo().find(byAdmin.id, HELPDESK))!;
    const stepId = opened.steps[0]!.id;
    expect(opened.steps[0]!.approverIds).not.toContain(DEMO.admin); // the requester is left out when it opens
    const approveOwn = () =>
      app.api(`${APPROVALS}/${byAdmin.id}/steps/${stepId}`, {
        as: DEMO.adminUpn,
        roles: ['PimFlow.Admin'],
        method: 'PATCH',
        body: { reviewResult: 'Approve', justification: 'me' },
      });
    const res = await approveOwn();
    expect(res.status).toBe(403);
    expect(apiErrorMessage(await res.json())).toMatch(/own request/);

    // Even an approver list that names the requester (stale or hand-edited data) doesn't let them decide.
    await repo().replace(
      {
        ...opened,
        steps: opened.steps.map((step) =>
          step.id === stepId ? { ...step, approverIds: [...step.approverIds, DEMO.admin] } : step,
        ),
      },
      opened._etag,
    );
    const listed = await approveOwn();
    expect(listed.status).toBe(403);
    expect(apiErrorMessage(await listed.json())).toMatch(/own request/);

    // Nothing decided: the approval and its step are still open, the request's orchestration heard nothing, and
    // no decision is audited (the two refusals are, as failures).
    expect(await repo().find(byAdmin.id, HELPDESK)).toMatchObject({
      status: 'InProgress',
      completedDateTime: null,
      steps: [{ status: 'InProgress', reviewResult: 'NotReviewed', reviewedBy: null }],
    });
    expect(await eventsRaised(app, instanceId)).toEqual([]);
    const audit = await services.audit.query({ from: NOW, to: NOW, correlationId: byAdmin.id });
    const decisionsAudited = audit.items.filter((e) => /^(Approve|Deny) request/.test(e.activityDisplayName));
    expect(decisionsAudited.map((e) => e.result)).toEqual(['failure', 'failure']);
  });
});
