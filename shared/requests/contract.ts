/**
 * The request orchestration's contract: its name and input, its activities (inputs, outputs, retry policies) and
 * the events it waits for, with their payloads. Shared by orchestrations/schedule-request.ts, the registrations in
 * functions/schedule-request-activities.ts and the implementation (request-activities.ts and the files it is made
 * of). Types and names only.
 *
 * Events are hints, never commands: the orchestration believes one only when Cosmos DB confirms it (see
 * docs/architecture.md, "Security notes").
 */
import { backoff, defineActivity, defineEvent } from '../durable/activity';
import type { AccessTarget } from '../access/access-provider';
import type { ApprovalDecision, EndAccessEvent, RequestStatus } from './domain/schedule-request';
import type { RequestWorkflowInput } from './domain/request-workflow';

export type { EndAccessEvent, RequestStatus } from './domain/schedule-request';
export type { RequestWorkflowInput, WorkflowAction } from './domain/request-workflow';

export const REQUEST_ORCHESTRATOR = 'ScheduleRequestOrchestrator';

/** The orchestration's input: ids only; what to carry out is read from the stored request. */
export interface RequestOrchestrationInput {
  requestId: string;
  groupId: string;
}

/** The request an activity works on (the orchestration's input). */
export type RequestRef = RequestOrchestrationInput;

/** Who did something, as the audit and Graph name a user. */
export interface Actor {
  id: string;
  displayName: string | null;
}

export interface LoadRequestInput extends RequestRef {
  /** The orchestration's own instance id: only `request-{id}` may run a request. */
  instanceId: string;
  /** Look again for a moment when the request is not stored yet (the POST stores it after the start). */
  poll?: boolean;
}

/** What the orchestration found when it looked for its request. */
export type LoadRequestResult =
  | { outcome: 'run'; workflow: RequestWorkflowInput; status: RequestStatus; cancelRequested: boolean }
  | { outcome: 'missing' }
  | { outcome: 'closed'; status: RequestStatus }
  | { outcome: 'refused'; reason: string };

export interface ReadDecisionInput extends RequestRef {
  approvalId: string;
  stepId: string;
}

export interface ConfirmEndInput extends RequestRef {
  /** As received: a hint whose fields may be missing (a raise without a payload arrives as null, sent as {}). */
  event: Partial<EndAccessEvent>;
}

/** An event the orchestration received, confirmed (or not) against Cosmos DB. */
export type ConfirmedEnd = { confirmed: true; by: Actor; alreadyRevoked: boolean } | { confirmed: false };
export type ConfirmedCancel = { confirmed: true; by: Actor } | { confirmed: false };

export interface SetRequestStatusInput extends RequestRef {
  status: RequestStatus;
  reason: string | null;
  /** The request is finished: its open-request slot is freed and the requester told. */
  completed: boolean;
}

export interface AccessChangeInput extends RequestRef {
  target: AccessTarget;
}

export type GrantResult = { granted: true } | { granted: false; reason: string };

/**
 * `refused`: a rule keeps the access (the last Global Administrator is never removed); the orchestration records it
 * and tries again after a pause. Null in histories recorded before refusals existed: revoked.
 */
export type RevokeResult = { revoked: true } | { revoked: false; refused: string } | null;

export interface RecordStartedInput extends RequestRef {
  input: RequestWorkflowInput;
}

export interface RecordEndedInput extends RequestRef {
  input: RequestWorkflowInput;
  reason: 'Expired' | 'Revoked';
  by: Actor | null;
}

export interface RevokeFailureInput extends RequestRef {
  target: AccessTarget;
  round: number;
  reason: string;
  /** A rule refused the removal (not a failure): the admins are told once. */
  refused?: boolean;
}

/** Grant and record: a few minutes with backoff (Graph throttling, replication); then the request fails. */
export const GRANT_RETRY = backoff(2_000, 8);
/** Revoke: retried within a round; the orchestration repeats rounds until Graph confirms. */
export const REVOKE_RETRY = backoff(2_000, 8);
/** Loading the request: Cosmos DB throttling or a blip. */
export const LOAD_RETRY = backoff(1_000, 5);

export const RequestActivity = {
  loadRequest: defineActivity<LoadRequestInput, LoadRequestResult>('LoadScheduleRequest', LOAD_RETRY),
  abandonRequest: defineActivity<RequestRef, void>('AbandonScheduleRequest'),
  readDecision: defineActivity<ReadDecisionInput, ApprovalDecision | null>('ReadApprovalDecision'),
  confirmCancel: defineActivity<RequestRef, ConfirmedCancel>('ConfirmCancelRequest'),
  confirmEnd: defineActivity<ConfirmEndInput, ConfirmedEnd>('ConfirmEndAccess'),
  setRequestStatus: defineActivity<SetRequestStatusInput, void>('SetRequestStatus'),
  grantAccess: defineActivity<AccessChangeInput, GrantResult>('GrantAccess', GRANT_RETRY),
  revokeAccess: defineActivity<AccessChangeInput, RevokeResult>('RevokeAccess', REVOKE_RETRY),
  recordStarted: defineActivity<RecordStartedInput, GrantResult>('RecordScheduleStarted', GRANT_RETRY),
  recordEnded: defineActivity<RecordEndedInput, void>('RecordScheduleEnded'),
  recordRevokeFailure: defineActivity<RevokeFailureInput, void>('RecordRevokeFailure'),
};

/** Payload of RequestEvent.cancel. */
export interface CancelRequestEvent {
  by: Actor;
}

/** Payload of RequestEvent.extend: the schedule's new end (a hint: the schedule document is read). */
export interface ExtendScheduleEvent {
  endDateTime: string;
  requestId: string;
}

export const RequestEvent = {
  /** The first (and only) decision of an approval step. */
  approvalDecided: defineEvent<ApprovalDecision>('ApprovalDecided'),
  /** The principal deactivated early, or an admin removed the assignment. */
  end: defineEvent<EndAccessEvent>('EndAccess'),
  /** The request was canceled before it was granted. */
  cancel: defineEvent<CancelRequestEvent>('CancelRequest'),
  /** An approved extension moved the schedule's end. */
  extend: defineEvent<ExtendScheduleEvent>('ExtendSchedule'),
};
