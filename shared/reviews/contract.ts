/**
 * The access reviews' contract: the three orchestrations (series, instance, apply) with their inputs and ids, their
 * activities with inputs, outputs and retry policies, and the stop events with their payloads. Shared by the
 * orchestrators (orchestrations/access-review-*.ts), the registrations (functions/access-review-*-activities.ts) and
 * the implementations (series-activities.ts, instance-activities.ts, apply-activities.ts). Types and names only.
 *
 * Events are hints, never commands: an orchestration believes a stop only with the stop recorded in Cosmos DB.
 */
import { backoff, defineActivity, defineEvent } from '../durable/activity';

export const REVIEW_ORCHESTRATORS = {
  /** Eternal per definition: waits for each occurrence, fans out its instances, continues as new. */
  series: 'AccessReviewSeriesOrchestrator',
  /** Per instance: start (snapshot, reviewers, mails), midpoint reminder, completion, auto-apply. */
  instance: 'AccessReviewInstanceOrchestrator',
  /** Per instance: applies its decisions in chunks, resumable. Started by auto-apply or applyDecisions. */
  apply: 'AccessReviewApplyOrchestrator',
} as const;

export function seriesInstanceId(definitionId: string): string {
  return `review-series-${definitionId}`;
}

export function instanceOrchestrationId(instanceId: string): string {
  return `review-instance-${instanceId}`;
}

export function applyOrchestrationId(instanceId: string): string {
  return `review-apply-${instanceId}`;
}

/** Who stopped a review or a series. */
export interface StopPayload {
  by: { id: string; displayName: string | null };
}

export const ReviewEvent = {
  /** To an instance orchestration: stop now (final). */
  stopInstance: defineEvent<StopPayload>('StopReview'),
  /** To the series orchestration: the definition was deleted or its series ended. */
  stopSeries: defineEvent<StopPayload>('StopSeries'),
};

// ---------------------------------------------------------------------------------------------------------------
// Series

/** The series orchestration's input: which definition, and which occurrence (0 first) this episode runs. */
export interface SeriesInput {
  definitionId: string;
  occurrence: number;
}

export type PlanResult =
  | { kind: 'end' }
  | { kind: 'occurrence'; startDateTime: string; endDateTime: string; instances: { instanceId: string }[] };

export interface StartOccurrenceInput extends SeriesInput {
  instanceIds: string[];
}

export type StartOccurrenceResult = { proceed: true } | { proceed: false };

/** What a series orchestration returns when it ends. */
export interface SeriesOutput {
  occurrences: number;
}

/** Series steps: Cosmos DB throttling or a blip, backing off from 2 s. */
const SERIES_RETRY = backoff(2_000, 8);

export const SeriesActivity = {
  plan: defineActivity<SeriesInput, PlanResult>('AccessReviewSeriesPlanOccurrence', SERIES_RETRY),
  start: defineActivity<StartOccurrenceInput, StartOccurrenceResult>(
    'AccessReviewSeriesStartOccurrence',
    SERIES_RETRY,
  ),
};

// ---------------------------------------------------------------------------------------------------------------
// Instance

/** The instance orchestration's input (and the apply's, without the admin). */
export interface InstanceRef {
  definitionId: string;
  instanceId: string;
}

/** A multi-stage instance's stage as its orchestration sees it. */
export interface LoadedStage {
  stageId: string;
  startDateTime: string;
  endDateTime: string;
  status: string;
}

export type LoadedInstance =
  | { found: false }
  | {
      found: true;
      status: string;
      startDateTime: string;
      endDateTime: string;
      stopped: boolean;
      /** A multi-stage review's stages, in order; absent for a single-stage review. */
      stages?: LoadedStage[];
    };

/** Closes stage `from` of a multi-stage instance and moves the items its decisions send on into stage `to`. */
export interface AdvanceStageInput extends InstanceRef {
  from: string;
  to: string;
}

export interface AdvanceStageResult {
  /** Items moved by this call (a page at most). */
  moved: number;
  /** Call again: more items may be left to move. */
  more: boolean;
}

export interface StageRef extends InstanceRef {
  stageId: string;
}

export interface SnapshotPageInput extends InstanceRef {
  cursor: string | null;
}

export interface SnapshotPageResult {
  /** Items written by this call (0 for a page already written). */
  written: number;
  /** Schedules left out by the scope (principal kinds, inactive users only) or whose principal no longer exists. */
  skipped: number;
  /** Pass back for the next page; null when the snapshot is complete. */
  cursor: string | null;
}

export interface MailReviewersInput extends InstanceRef {
  kind: 'start' | 'reminder';
  /** The last reviewer id mailed by the previous call; null for the first. */
  after: string | null;
  /** Reminders: send even if reminderNotificationsEnabled is off (an admin's sendReminder). */
  force?: boolean;
  /** Reminders: what names this round in the mails' ids (`midpoint`, or the time of an admin's sendReminder). */
  round?: string;
  /** Start: only reviewers not contacted yet (reviewers added to a running instance). */
  onlyNew?: boolean;
  /** Multi-stage reviews: the stage whose reviewers are mailed (default: the one in progress). */
  stageId?: string;
}

export interface MailReviewersResult {
  mailed: number;
  /** Pass back as `after` for the next chunk; null when every reviewer is done. */
  after: string | null;
}

export interface CloseInstanceInput extends InstanceRef {
  stoppedBy: StopPayload['by'] | null;
}

export interface InstanceStatusResult {
  status: string;
}

export interface DefaultDecisionsResult {
  updated: number;
  more: boolean;
}

export interface DecisionCounts {
  total: number;
  approved: number;
  denied: number;
  dontKnow: number;
  notReviewed: number;
  defaulted: number;
}

export interface NotifyCompletionResult {
  autoApply: boolean;
  counts: DecisionCounts;
}

/** Instance steps: Cosmos DB throttling or a blip, backing off from 2 s. */
const STEP_RETRY = backoff(2_000, 10);
/** Mails are retried for about 10 minutes; after that the review goes on without them. */
const MAIL_RETRY = backoff(5_000, 8, 5 * 60_000);

export const InstanceActivity = {
  load: defineActivity<InstanceRef, LoadedInstance>('ReviewInstanceLoad', STEP_RETRY),
  snapshotPage: defineActivity<SnapshotPageInput, SnapshotPageResult>(
    'ReviewInstanceSnapshotPage',
    STEP_RETRY,
  ),
  begin: defineActivity<InstanceRef, InstanceStatusResult>('ReviewInstanceBegin', STEP_RETRY),
  mailReviewers: defineActivity<MailReviewersInput, MailReviewersResult>(
    'ReviewInstanceMailReviewers',
    MAIL_RETRY,
  ),
  close: defineActivity<CloseInstanceInput, InstanceStatusResult>('ReviewInstanceClose', STEP_RETRY),
  /** Multi-stage: closes a stage and moves a page of its items on; called until `more` is false. */
  advanceStage: defineActivity<AdvanceStageInput, AdvanceStageResult>(
    'ReviewInstanceAdvanceStage',
    STEP_RETRY,
  ),
  /** Multi-stage: the next stage InProgress, its reviewers the instance's. */
  beginStage: defineActivity<StageRef, InstanceStatusResult>('ReviewInstanceBeginStage', STEP_RETRY),
  applyDefaultDecisions: defineActivity<InstanceRef, DefaultDecisionsResult>(
    'ReviewInstanceApplyDefaultDecisions',
    STEP_RETRY,
  ),
  notifyCompletion: defineActivity<InstanceRef, NotifyCompletionResult>(
    'ReviewInstanceNotifyCompletion',
    MAIL_RETRY,
  ),
};

// ---------------------------------------------------------------------------------------------------------------
// Apply

/** Items per ApplyChunk: 25 `$batch` requests of removals, 500 item writes; the orchestration's history stays short. */
export const APPLY_CHUNK_SIZE = 500;

export interface AppliedBy {
  id: string;
  displayName: string | null;
  userPrincipalName?: string | null;
}

/** The apply orchestration's input: the instance orchestration's `{ definitionId, instanceId }`, plus the admin. */
export interface ApplyInput extends InstanceRef {
  /** The admin who called applyDecisions; absent or null for auto-apply. */
  appliedBy?: AppliedBy | null;
}

export interface ApplyChunkInput extends ApplyInput {
  /** Throttled items are recorded as failures instead of being left for another round. */
  finalAttempt?: boolean;
}

export type BeginApplyResult = { proceed: true } | { proceed: false; status: string };

export interface ApplyChunkResult {
  /** Items whose applyResult this chunk recorded. */
  applied: number;
  /** Of those, AppliedWithUnknownFailure. */
  failed: number;
  /** Denied items still `New` after this chunk, as far as it can tell (throttled ones, and unread pages). */
  remaining: number;
  /** Set when Graph throttled (or was unavailable for) some removals: wait this long before the next chunk. */
  retryAfterMs: number | null;
}

export interface FinishApplyResult {
  status: string;
  appliedDateTime: string | null;
}

/** Apply steps: Graph throttling or a Cosmos DB blip, backing off from 2 s. */
const APPLY_RETRY = backoff(2_000, 8);

export const ApplyActivity = {
  /** Completed → Applying (or go on with an apply already Applying); says whether to proceed. */
  begin: defineActivity<ApplyInput, BeginApplyResult>('AccessReviewBeginApply', APPLY_RETRY),
  /** Applies up to APPLY_CHUNK_SIZE denied items that are still `New`. */
  chunk: defineActivity<ApplyChunkInput, ApplyChunkResult>('AccessReviewApplyChunk', APPLY_RETRY),
  /** Applying → Applied, with appliedDateTime. */
  finish: defineActivity<ApplyInput, FinishApplyResult>('AccessReviewFinishApply', APPLY_RETRY),
};
