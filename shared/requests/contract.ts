/**
 * The request orchestration's contract: its name and input, its activities (inputs, outputs, retry policies) and
 * the events it waits for, with their payloads. Shared by orchestrations/schedule-request.ts, the registrations in
 * functions/schedule-request-activities.ts and the implementation (request-activities.ts). Types and names only.
 *
 * Events are hints, never commands: the orchestration believes one only when Cosmos DB confirms it (see
 * docs/architecture.md, "Security notes").
 */
import { backoff, defineActivity, defineEvent } from '../durable/activity';
import type { ApprovalDecision } from './domain/schedule-request';
import type { EndAccessEvent } from './domain/schedule-request';
import type { ExtendScheduleEvent } from '../lifecycle/lifecycle-activities';
import type { RequestActivities } from './request-activities';

export const REQUEST_ORCHESTRATOR = 'ScheduleRequestOrchestrator';

/** The orchestration's input: ids only; what to carry out is read from the stored request. */
export interface RequestOrchestrationInput {
  requestId: string;
  groupId: string;
}

type In<K extends keyof RequestActivities> = Parameters<RequestActivities[K]>[0];
type Out<K extends keyof RequestActivities> = Awaited<ReturnType<RequestActivities[K]>>;

/** Grant and record: a few minutes with backoff (Graph throttling, replication); then the request fails. */
export const GRANT_RETRY = backoff(2_000, 8);
/** Revoke: retried within a round; the orchestration repeats rounds until Graph confirms. */
export const REVOKE_RETRY = backoff(2_000, 8);
/** Loading the request: Cosmos DB throttling or a blip. */
export const LOAD_RETRY = backoff(1_000, 5);

export const RequestActivity = {
  loadRequest: defineActivity<In<'loadRequest'>, Out<'loadRequest'>>('LoadScheduleRequest', LOAD_RETRY),
  abandonRequest: defineActivity<In<'abandonRequest'>, Out<'abandonRequest'>>('AbandonScheduleRequest'),
  readDecision: defineActivity<In<'readDecision'>, Out<'readDecision'>>('ReadApprovalDecision'),
  confirmCancel: defineActivity<In<'confirmCancel'>, Out<'confirmCancel'>>('ConfirmCancelRequest'),
  confirmEnd: defineActivity<In<'confirmEnd'>, Out<'confirmEnd'>>('ConfirmEndAccess'),
  setRequestStatus: defineActivity<In<'setRequestStatus'>, Out<'setRequestStatus'>>('SetRequestStatus'),
  grantAccess: defineActivity<In<'grantAccess'>, Out<'grantAccess'>>('GrantAccess', GRANT_RETRY),
  revokeAccess: defineActivity<In<'revokeAccess'>, Out<'revokeAccess'>>('RevokeAccess', REVOKE_RETRY),
  recordStarted: defineActivity<In<'recordStarted'>, Out<'recordStarted'>>(
    'RecordScheduleStarted',
    GRANT_RETRY,
  ),
  recordEnded: defineActivity<In<'recordEnded'>, Out<'recordEnded'>>('RecordScheduleEnded'),
  recordRevokeFailure: defineActivity<In<'recordRevokeFailure'>, Out<'recordRevokeFailure'>>(
    'RecordRevokeFailure',
  ),
};

export const RequestEvent = {
  /** The first (and only) decision of an approval step. */
  approvalDecided: defineEvent<ApprovalDecision>('ApprovalDecided'),
  /** The principal deactivated early, or an admin removed the assignment. */
  end: defineEvent<EndAccessEvent>('EndAccess'),
  /** The request was canceled before it was granted. */
  cancel: defineEvent<{ by: { id: string; displayName: string | null } }>('CancelRequest'),
  /** An approved extension moved the schedule's end. */
  extend: defineEvent<ExtendScheduleEvent>('ExtendSchedule'),
};
