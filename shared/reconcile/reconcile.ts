/**
 * The reconciler (timer `%RECONCILE_SCHEDULE%`, every few minutes): where the API wrote state and then had to start
 * or tell an orchestration, a crash in between must not leave the state with nothing behind it. It finds
 * - open requests whose orchestration is missing (started here, with the request's deterministic instance id) or
 *   ended without finishing them (marked Failed, so their open-request slot is freed and they can be asked again);
 * - decisions recorded on an approval that the request's orchestration has not acted on (the event re-sent);
 * - cancels and ends recorded but not confirmed by the orchestration (re-sent);
 * - access review instances whose stop was recorded while they still run (re-sent);
 * and repairs them idempotently: events are hints that the orchestrations check against Cosmos DB, so a second
 * one changes nothing. Every repair is audited once (deterministic ids).
 */
import type { AuditWriter } from '../audit/domain/audit-record';
import type { Clock } from '../clock';
import type { Approval } from '../approvals/domain/approval';
import type { DurableEvent } from '../durable/activity';
import type { PimStore } from '../requests/adapters/pim-store';
import { ReviewEvent } from '../reviews/contract';
import {
  REQUEST_ORCHESTRATOR,
  RequestEvent,
  type EndAccessEvent,
  type RequestOrchestrationInput,
} from '../requests/contract';
import type { RequestActivities } from '../requests/request-activities';
import { recordedDecision } from '../requests/domain/request-integrity';
import type { ScheduleRequest } from '../requests/domain/schedule-request';
import { reconciledRecord, type RepairSubject } from './domain/audit-records';

/**
 * An open request younger than this is left alone: its POST may still be storing it, and its orchestration waits
 * up to two minutes for it (orchestrations/schedule-request.ts).
 */
export const REQUEST_GRACE_MS = 3 * 60_000;
/** A write whose event is younger than this is left alone: the event is probably on its way. */
export const EVENT_GRACE_MS = 60_000;
const PAGE = 100;

/** The orchestration runtime as the reconciler needs it (the durable client, in functions/reconcile.ts). */
export interface OrchestrationControl {
  /** The instance's runtime status; undefined when there is no such instance. Throws when it can't tell. */
  status(instanceId: string): Promise<string | undefined>;
  start(name: string, instanceId: string, input: RequestOrchestrationInput): Promise<void>;
  raise<P>(instanceId: string, event: DurableEvent<P>, payload: P): Promise<void>;
}

/** A review instance whose stop is recorded while it runs (see shared/reviews/stop-instance.ts). */
export interface StoppingReview {
  id: string;
  definitionId: string;
  groupId: string;
  orchestrationId: string;
  stoppedBy: { id: string; displayName: string | null };
}

export interface ReconcileDeps {
  store: PimStore;
  approvals: { find(id: string, groupId: string): Promise<Approval | undefined> };
  requestActivities: Pick<RequestActivities, 'setRequestStatus'>;
  /** Review instances InProgress whose stop is recorded, a page at a time. */
  stoppingReviews(
    pageSize: number,
    continuationToken?: string,
  ): Promise<{ items: StoppingReview[]; continuationToken?: string }>;
  audit: AuditWriter;
  clock: Clock;
  log?: (message: string) => void;
}

export interface ReconcileReport {
  checked: number;
  started: number;
  failed: number;
  decisionsResent: number;
  cancelsResent: number;
  endsResent: number;
  stopsResent: number;
  errors: number;
}

const TERMINAL = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);

export async function reconcile(d: ReconcileDeps, control: OrchestrationControl): Promise<ReconcileReport> {
  const now = d.clock.now();
  const report: ReconcileReport = {
    checked: 0,
    started: 0,
    failed: 0,
    decisionsResent: 0,
    cancelsResent: 0,
    endsResent: 0,
    stopsResent: 0,
    errors: 0,
  };
  const guarded = async (what: string, work: () => Promise<void>) => {
    try {
      await work();
    } catch (err) {
      report.errors++;
      d.log?.(`Reconcile: ${what}: ${err instanceof Error ? err.message : String(err)}`);
    }
  };
  const eventDue = (at: string | null | undefined) =>
    at !== null && at !== undefined && now.getTime() - Date.parse(at) >= EVENT_GRACE_MS;

  let token: string | undefined;
  do {
    const page = await d.store.openRequestsBefore(new Date(now.getTime() - REQUEST_GRACE_MS), PAGE, token);
    for (const request of page.items) {
      report.checked++;
      await guarded(`request ${request.id}`, () => reconcileRequest(request));
    }
    token = page.continuationToken;
  } while (token);

  do {
    const page = await d.store.undeliveredEndsBefore(new Date(now.getTime() - EVENT_GRACE_MS), PAGE, token);
    for (const end of page.items) await guarded(`end request ${end.id}`, () => resendEnd(end));
    token = page.continuationToken;
  } while (token);

  do {
    const page = await d.stoppingReviews(PAGE, token);
    for (const review of page.items) {
      await guarded(`review instance ${review.id}`, async () => {
        const status = await control.status(review.orchestrationId);
        if (status === undefined || TERMINAL.has(status)) return;
        await control.raise(review.orchestrationId, ReviewEvent.stopInstance, { by: review.stoppedBy });
        report.stopsResent++;
        await audited(`reconcile:review-instance:${review.id}:stop`, 'Resent the stop of an access review', {
          groupId: review.groupId,
          correlationId: review.id,
          details: { definitionId: review.definitionId, instanceId: review.id },
        });
      });
    }
    token = page.continuationToken;
  } while (token);

  return report;

  async function reconcileRequest(request: ScheduleRequest): Promise<void> {
    const instanceId = request.orchestrationInstanceId;
    const status = await control.status(instanceId);
    if (status === undefined) {
      await control.start(REQUEST_ORCHESTRATOR, instanceId, {
        requestId: request.id,
        groupId: request.groupId,
      });
      report.started++;
      await audited(`reconcile:${request.id}:started`, 'Started the missing orchestration of a request', {
        ...about(request),
        details: { instanceId, status: request.status },
      });
      return;
    }
    if (TERMINAL.has(status)) {
      // Its orchestration ended without finishing it: nothing will carry it out. Failed frees the slot.
      await d.requestActivities.setRequestStatus({
        requestId: request.id,
        groupId: request.groupId,
        status: 'Failed',
        reason: `Its orchestration ended (${status}) before the request finished; ask again`,
        completed: true,
      });
      report.failed++;
      await audited(`reconcile:${request.id}:failed`, 'Closed a request its orchestration left open', {
        ...about(request),
        details: { instanceId, runtimeStatus: status, status: request.status },
      });
      return;
    }
    if (request.cancelRequested && eventDue(request.cancelRequested.dateTime)) {
      await control.raise(instanceId, RequestEvent.cancel, { by: request.cancelRequested.by });
      report.cancelsResent++;
      await audited(`reconcile:${request.id}:cancel`, 'Resent the cancel of a request', about(request));
      return;
    }
    if (
      (request.status === 'PendingApproval' || request.status === 'PendingAdminDecision') &&
      request.approvalId
    ) {
      const approval = await d.approvals.find(request.approvalId, request.groupId);
      const step = approval && undeliveredStep(approval);
      const decision =
        step && eventDue(step.reviewedDateTime) && recordedDecision(approval, step.id, request);
      if (!decision) return;
      await control.raise(instanceId, RequestEvent.approvalDecided, decision);
      report.decisionsResent++;
      await audited(`reconcile:${request.id}:decision:${step.id}`, 'Resent an approval decision', {
        ...about(request),
        details: { approvalId: decision.approvalId, stepId: step.id, reviewResult: decision.reviewResult },
      });
    }
  }

  async function resendEnd(end: ScheduleRequest): Promise<void> {
    const target = end.targetScheduleId
      ? await d.store.findSchedule(end.targetScheduleId, end.groupId)
      : undefined;
    if (!target || !['Scheduled', 'Provisioned'].includes(target.status)) {
      // Nothing left to end (it ended some other way): nothing to deliver.
      await d.store.markEndDelivered(end.id, end.groupId, now);
      return;
    }
    const status = await control.status(end.orchestrationInstanceId);
    if (status === undefined || TERMINAL.has(status)) {
      d.log?.(
        `Reconcile: end request ${end.id}: the orchestration of schedule ${target.id} is ${status ?? 'gone'}`,
      );
      return;
    }
    const event: EndAccessEvent = {
      by: { id: end.createdBy.user.id, displayName: end.createdBy.user.displayName ?? null },
      endRequestId: end.id,
    };
    await control.raise(end.orchestrationInstanceId, RequestEvent.end, event);
    report.endsResent++;
    await audited(`reconcile:${end.id}:end`, 'Resent the end of an assignment', {
      ...about(end),
      details: { scheduleId: target.id },
    });
  }

  async function audited(id: string, what: string, about: RepairSubject): Promise<void> {
    await d.audit.record(reconciledRecord(id, what, about, now));
  }
}

function about(r: ScheduleRequest) {
  return { groupId: r.groupId, principalId: r.principalId, correlationId: r.id };
}

/**
 * The decided step whose event the orchestration hasn't acted on: the decision that ended the approval, or a stage
 * approved while the next stage has not started (the orchestration starts it when it hears the decision).
 */
function undeliveredStep(approval: Approval) {
  const decided = approval.steps.filter((s) => s.reviewResult !== 'NotReviewed' && s.reviewedBy);
  const last = decided[decided.length - 1];
  if (!last) return undefined;
  if (approval.status === 'Approved' || approval.status === 'Denied') return last;
  const next = approval.steps[approval.steps.indexOf(last) + 1];
  return approval.status === 'InProgress' && next?.status === 'NotStarted' ? last : undefined;
}
