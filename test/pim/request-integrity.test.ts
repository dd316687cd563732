/**
 * What stored state allows (shared/requests/domain/request-integrity.ts), as pure functions: the checks GrantAccess,
 * RecordScheduleStarted, ApplyExtension and ReadApprovalDecision make before they act on an orchestration's word.
 */
import { describe, expect, it } from 'vitest';
import type { Approval, ApprovalStep } from '../../shared/approvals/domain/approval';
import {
  recordedDecision,
  whyNotApproved,
  whyNotGrantable,
} from '../../shared/requests/domain/request-integrity';
import type { ScheduleRequest } from '../../shared/requests/domain/schedule-request';

const NOW = new Date('2026-03-02T09:00:00.000Z');
const GROUP = 'e3d4b516-8621-440b-a7a2-58d0c8c710af';
const PRINCIPAL = 'c781603a-5b4b-40c2-ab94-17a11192cd60';
const APPROVER = '0b6f6d1a-1c7e-4c39-9d5b-3f0b1b6a9a11';
const ESCALATION = '5a1e0c9b-7d0a-4c77-8f3e-2b9b8f7d1e22';
const ADMIN = 'c1aa92a1-3b8e-47a9-b756-6f6490a3d1ed';
const MIN = 60_000;
const at = (ms: number) => new Date(NOW.getTime() + ms).toISOString();

function request(over: Partial<ScheduleRequest> = {}): ScheduleRequest {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    groupId: GROUP,
    kind: 'assignment',
    action: 'selfActivate',
    accessId: 'owner',
    principalId: PRINCIPAL,
    justification: 'incident',
    ticketInfo: null,
    scheduleInfo: { startDateTime: at(0), expiration: { type: 'afterDuration', duration: 'PT1H' } },
    startDateTime: at(0),
    endDateTime: at(60 * MIN),
    isValidationOnly: false,
    targetScheduleId: '11111111-1111-4111-8111-111111111111',
    approvalId: '11111111-1111-4111-8111-111111111111',
    status: 'Granted',
    createdBy: { user: { id: PRINCIPAL, displayName: 'Grace' } },
    createdDateTime: at(0),
    completedDateTime: null,
    orchestrationInstanceId: 'request-11111111-1111-4111-8111-111111111111',
    workflow: { action: 'selfActivate', approval: { kind: 'activation' }, activatedUsing: null },
    ...over,
  };
}

function step(over: Partial<ApprovalStep> = {}): ApprovalStep {
  return {
    id: 'step-1',
    displayName: null,
    status: 'Completed',
    reviewResult: 'Approve',
    reviewedBy: { id: APPROVER, displayName: 'Sofia' },
    reviewedDateTime: at(-MIN),
    justification: 'ok',
    approverIds: [APPROVER],
    expiresDateTime: at(24 * 60 * MIN),
    isApproverJustificationRequired: false,
    notifiedApproverIds: [APPROVER],
    escalation: null,
    ...over,
  };
}

function approval(over: Partial<Approval> = {}, steps: ApprovalStep[] = [step()]): Approval {
  return {
    id: '11111111-1111-4111-8111-111111111111',
    requestId: '11111111-1111-4111-8111-111111111111',
    groupId: GROUP,
    requesterId: PRINCIPAL,
    accessId: 'owner',
    status: 'Approved',
    createdDateTime: at(-2 * MIN),
    completedDateTime: at(-MIN),
    steps,
    usedLinkIds: [],
    request: {
      action: 'selfActivate',
      principalDisplayName: 'Grace',
      groupDisplayName: 'Helpdesk',
      justification: 'incident',
      ticketNumber: null,
      ticketSystem: null,
      startDateTime: at(0),
      endDateTime: at(60 * MIN),
    },
    ...over,
  } as Approval;
}

const target = { resourceId: GROUP, role: 'owner' as const, principalId: PRINCIPAL };
const grant = (r: ScheduleRequest | undefined, a: Approval | undefined, now = NOW) =>
  whyNotGrantable(r, a, { now, target });

describe('whyNotGrantable', () => {
  it('allows an approved request in its window, for the access it names (ids in any case)', () => {
    expect(grant(request(), approval())).toBeNull();
    expect(
      whyNotGrantable(request(), approval(), {
        now: NOW,
        target: { ...target, resourceId: GROUP.toUpperCase(), principalId: PRINCIPAL.toUpperCase() },
      }),
    ).toBeNull();
    // No approval needed: no approval document either.
    const open = request({ status: 'PendingProvisioning', approvalId: null, workflow: undefined });
    expect(grant(open, undefined)).toBeNull();
  });

  it('refuses a request that is not stored, or not on its way', () => {
    expect(grant(undefined, approval())).toBe('No such request is stored');
    for (const status of [
      'PendingApproval',
      'Denied',
      'Canceled',
      'Provisioned',
      'Revoked',
      'Failed',
    ] as const) {
      expect(grant(request({ status }), approval()), status).toBe(`The request is ${status}`);
    }
    for (const status of ['PendingProvisioning', 'PendingScheduleCreation', 'Granted'] as const) {
      expect(grant(request({ status }), approval()), status).toBeNull();
    }
  });

  it('refuses access the request does not name', () => {
    const why = 'The access asked for is not the access the request names';
    const other = { ...target };
    expect(
      whyNotGrantable(request(), approval(), {
        now: NOW,
        target: { ...other, role: 'member' },
      }),
    ).toBe(why);
    expect(
      whyNotGrantable(request(), approval(), {
        now: NOW,
        target: { ...other, principalId: ADMIN },
      }),
    ).toBe(why);
    expect(
      whyNotGrantable(request(), approval(), {
        now: NOW,
        target: { ...other, resourceId: ADMIN },
      }),
    ).toBe(why);
    expect(grant(request({ kind: 'eligibility' }), approval())).toBe(why);
    // Without a target (an eligibility's schedule), the kind doesn't matter.
    expect(whyNotGrantable(request({ kind: 'eligibility' }), approval(), { now: NOW })).toBeNull();
  });

  it('refuses outside the window, allowing a minute of clock skew at the start', () => {
    expect(grant(request({ startDateTime: at(MIN) }), approval())).toBeNull();
    expect(grant(request({ startDateTime: at(MIN + 1) }), approval())).toBe(
      'The request has not started yet',
    );
    expect(grant(request({ endDateTime: at(1) }), approval())).toBeNull();
    expect(grant(request({ endDateTime: at(0) }), approval())).toBe('The request has ended');
    expect(grant(request({ endDateTime: null }), approval())).toBeNull();
  });

  it('needs the approval when the request names one, or its workflow asks for one', () => {
    expect(whyNotGrantable(request(), undefined, { now: NOW, target })).toBe('The request has no approval');
    const noId = request({ approvalId: null });
    expect(whyNotGrantable(noId, undefined, { now: NOW, target })).toBe('The request has no approval');
  });
});

describe('whyNotApproved', () => {
  it('needs the request’s own approval, Approved, every stage approved', () => {
    expect(whyNotApproved(request(), approval())).toBeNull();
    expect(whyNotApproved(request(), approval({ requestId: 'other' }))).toBe('The request has no approval');
    for (const status of ['InProgress', 'Denied', 'TimedOut', 'Canceled'] as const) {
      expect(whyNotApproved(request(), approval({ status })), status).toBe(`Its approval is ${status}`);
    }
    const unapproved = 'A stage of its approval is not approved';
    expect(
      whyNotApproved(
        request(),
        approval({}, [
          step(),
          step({ id: 's2', status: 'NotStarted', reviewResult: 'NotReviewed', reviewedBy: null }),
        ]),
      ),
    ).toBe(unapproved);
    expect(whyNotApproved(request(), approval({}, [step({ status: 'InProgress' })]))).toBe(unapproved);
    expect(whyNotApproved(request(), approval({}, [step({ reviewResult: 'Deny' })]))).toBe(unapproved);
  });

  it('needs each stage decided by its approver, never by the requester', () => {
    expect(whyNotApproved(request(), approval({}, [step({ reviewedBy: null })]))).toBe(
      'A stage of its approval records no approver',
    );
    expect(
      whyNotApproved(request(), approval({}, [step({ reviewedBy: { id: ADMIN, displayName: 'Admin' } })])),
    ).toBe('A stage of its approval was decided by someone who is not its approver');
    // The requester, even when listed as an approver (and whoever created the request for them).
    const self = step({
      approverIds: [APPROVER, PRINCIPAL],
      reviewedBy: { id: PRINCIPAL.toUpperCase(), displayName: null },
    });
    expect(whyNotApproved(request(), approval({}, [self]))).toBe(
      'A stage of its approval was decided by the requester',
    );
    const creator = step({ approverIds: [APPROVER, ADMIN], reviewedBy: { id: ADMIN, displayName: null } });
    const byAdmin = request({ createdBy: { user: { id: ADMIN, displayName: 'Admin' } } });
    expect(whyNotApproved(byAdmin, approval({}, [creator]))).toBe(
      'A stage of its approval was decided by the requester',
    );
    expect(whyNotApproved(request(), approval({}, [creator]))).toBeNull();
    // The approval's requester and the request's principal are each checked (they agree in practice).
    const byApprovalRequester = step({
      approverIds: [APPROVER, ESCALATION],
      reviewedBy: { id: ESCALATION, displayName: null },
    });
    expect(whyNotApproved(request(), approval({ requesterId: ESCALATION }, [byApprovalRequester]))).toBe(
      'A stage of its approval was decided by the requester',
    );
    expect(whyNotApproved(request(), approval({ requesterId: ADMIN }, [self]))).toBe(
      'A stage of its approval was decided by the requester',
    );
  });

  it('counts escalation approvers only once the stage escalated', () => {
    const escalation = {
      afterMinutes: 60,
      approverIds: [ESCALATION],
      dueDateTime: at(-30 * MIN),
      escalatedDateTime: null as string | null,
      notifiedApproverIds: [],
    };
    const by = { id: ESCALATION, displayName: 'Escalation' };
    expect(whyNotApproved(request(), approval({}, [step({ reviewedBy: by, escalation })]))).toBe(
      'A stage of its approval was decided by someone who is not its approver',
    );
    const escalated = { ...escalation, escalatedDateTime: at(-10 * MIN) };
    expect(
      whyNotApproved(request(), approval({}, [step({ reviewedBy: by, escalation: escalated })])),
    ).toBeNull();
  });
});

describe('recordedDecision', () => {
  it('returns the step’s decision as recorded, by an allowed approver', () => {
    expect(recordedDecision(approval(), 'step-1', request())).toEqual({
      approvalId: '11111111-1111-4111-8111-111111111111',
      stepId: 'step-1',
      reviewResult: 'Approve',
      justification: 'ok',
      reviewedBy: { id: APPROVER, displayName: 'Sofia' },
      reviewedDateTime: at(-MIN),
    });
    const denied = recordedDecision(
      approval({ status: 'Denied' }, [step({ reviewResult: 'Deny', reviewedDateTime: null })]),
      'step-1',
      request(),
    );
    expect(denied).toMatchObject({ reviewResult: 'Deny', reviewedDateTime: at(-MIN) });
    const noDates = approval({ completedDateTime: null }, [step({ reviewedDateTime: null })]);
    expect(recordedDecision(noDates, 'step-1', request())?.reviewedDateTime).toBe(at(-2 * MIN));
  });

  it('returns nothing the approval does not record: a forged event', () => {
    expect(recordedDecision(undefined, 'step-1', request())).toBeUndefined();
    expect(recordedDecision(approval(), 'step-1', undefined)).toBeUndefined();
    expect(recordedDecision(approval(), 'step-2', request())).toBeUndefined();
    const pending = step({
      status: 'InProgress',
      reviewResult: 'NotReviewed',
      reviewedBy: null,
      reviewedDateTime: null,
    });
    expect(
      recordedDecision(approval({ status: 'InProgress' }, [pending]), 'step-1', request()),
    ).toBeUndefined();
    expect(
      recordedDecision(approval({}, [step({ reviewResult: 'NotReviewed' })]), 'step-1', request()),
    ).toBeUndefined();
    const byOutsider = step({ reviewedBy: { id: ADMIN, displayName: 'Admin' } });
    expect(recordedDecision(approval({}, [byOutsider]), 'step-1', request())).toBeUndefined();
  });
});
