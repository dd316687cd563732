/**
 * Applying an access review instance's decisions (the activities of orchestrations/access-review-apply.ts): each
 * denied item's access is removed through the PIM layer — the Graph membership or ownership in bulk (`$batch`, 20
 * per request, throttled sub-requests resent after Retry-After), then the schedule is ended by its own orchestration
 * (RequestEvent.end with `alreadyRevoked`, so it records the end without calling Graph again), or in Cosmos when
 * that orchestration is gone. A denied eligibility ends too, with any activation that came from it.
 *
 * The item's `applyResult` is the truth: a chunk (apply-chunk.ts) picks only denied items still `New`, marks them
 * attempted before it touches anything, and records the result with an ETag-guarded write. A re-run after a crash at
 * any instant redoes at most the unrecorded part: removing a membership that is already gone is a no-op in Graph
 * ('unchanged'), an end event to an ended schedule changes nothing, audit ids are deterministic. Items that aren't
 * Deny are not touched (their applyResult stays `New`: applying did nothing to them). A directory role's items are
 * applied by apply-role-chunk.ts: the role assignment removed through the access port, schedules ended the same way.
 */
import type { AccessProvider } from '../access/access-provider';
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Directory } from '../directory/directory';
import type { Mailer } from '../mail/mailer';
import { mailAdminsOfLeftItems } from './apply-left-to-admins';
import type { PimStore } from '../requests/adapters/pim-store';
import type { EndAccessEvent } from '../requests/domain/schedule-request';
import { applyChunk } from './apply-chunk';
import type {
  ApplyChunkInput,
  ApplyChunkResult,
  ApplyInput,
  BeginApplyResult,
  FinishApplyResult,
} from './contract';
import { applyFinishedRecord, applyStartedRecord } from './domain/decision-audit-records';
import type { ReviewStore } from './adapters/review-store';

export interface ApplyDeps {
  reviews: ReviewStore;
  store: PimStore;
  directory: Directory;
  /** Removes directory role assignments (resourceType directoryRole); group removals go through `directory` in bulk. */
  access: AccessProvider;
  audit: AuditWriter;
  clock: Clock;
  /** Mails the admins the denials left to them (access through a group, Azure roles). */
  mailer: Mailer;
  settings: { ADMIN_NOTIFICATION_RECIPIENTS: readonly string[] };
  /** Items handled per chunk (default APPLY_CHUNK_SIZE); smaller in tests. */
  chunkSize?: number;
  log?: (message: string) => void;
}

/**
 * Sends RequestEvent.end to a schedule's orchestration: 'accepted', or 'gone' when that orchestration no longer
 * exists or has finished (the caller then records the end itself).
 */
export type RaiseEnd = (orchestrationId: string, payload: EndAccessEvent) => Promise<'accepted' | 'gone'>;

export function createApplyActivities(d: ApplyDeps) {
  return {
    /** Completed → Applying; Applying goes on (a resumed or repeated apply); anything else doesn't proceed. */
    async beginApply(a: ApplyInput): Promise<BeginApplyResult> {
      const found = await d.reviews.instances.find(a.instanceId, a.definitionId);
      if (!found) return { proceed: false, status: 'NotFound' };
      const { document } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'Completed' ? { ...i, status: 'Applying' } : undefined,
      );
      if (document.status !== 'Applying') return { proceed: false, status: document.status };
      await d.audit.record(applyStartedRecord(document, a.appliedBy, d.clock.now()));
      return { proceed: true };
    },

    applyChunk(a: ApplyChunkInput, raise: RaiseEnd): Promise<ApplyChunkResult> {
      return applyChunk(d, a, raise);
    },

    /**
     * Applying → Applied with appliedDateTime (idempotent), audited; first, the admins are mailed the denials left
     * to them (once per instance: the mail's id derives from it).
     */
    async finishApply(a: ApplyInput): Promise<FinishApplyResult> {
      const applying = await d.reviews.instances.find(a.instanceId, a.definitionId);
      if (applying?.status === 'Applying') await mailAdminsOfLeftItems(d, applying);
      const now = d.clock.now().toISOString();
      const { document } = await d.reviews.instances.update(a.instanceId, a.definitionId, (i) =>
        i.status === 'Applying' ? { ...i, status: 'Applied', appliedDateTime: now } : undefined,
      );
      if (document.status === 'Applied')
        await d.audit.record(
          applyFinishedRecord(document, a.appliedBy, new Date(document.appliedDateTime ?? now)),
        );
      return { status: document.status, appliedDateTime: document.appliedDateTime };
    },
  };
}

export type ApplyActivities = ReturnType<typeof createApplyActivities>;
