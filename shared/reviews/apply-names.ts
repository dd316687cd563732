/**
 * Names and shapes shared by the apply orchestration (orchestrations/access-review-apply.ts), its activities
 * (apply-activities.ts) and the applyDecisions endpoint. No I/O here: the orchestration imports it.
 */

export const APPLY_ACTIVITIES = {
  /** Completed → Applying (or go on with an apply already Applying); says whether to proceed. */
  begin: 'AccessReviewBeginApply',
  /** Applies up to APPLY_CHUNK_SIZE denied items that are still `New`. */
  chunk: 'AccessReviewApplyChunk',
  /** Applying → Applied, with appliedDateTime. */
  finish: 'AccessReviewFinishApply',
} as const;

/** Items per ApplyChunk: 25 `$batch` requests of removals, 500 item writes; the orchestration's history stays short. */
export const APPLY_CHUNK_SIZE = 500;

export interface AppliedBy {
  id: string;
  displayName: string | null;
  userPrincipalName?: string | null;
}

/** The apply orchestration's input: the instance orchestration's `{ definitionId, instanceId }`, plus the admin. */
export interface ApplyInput {
  definitionId: string;
  instanceId: string;
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
