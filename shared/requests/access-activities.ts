/**
 * The request orchestration's activities that change access and record it: grant (only what the stored request
 * and its approval allow), revoke, the schedule's start and end (schedule document, request status, audit, notice),
 * and a failed revoke round. Idempotent: a retried or re-run activity (after a crash) leaves one outcome.
 */
import type { Schedule } from '../lifecycle/domain/schedule';
import type {
  AccessChangeInput,
  GrantResult,
  RecordEndedInput,
  RevokeResult,
  RecordStartedInput,
  RevokeFailureInput,
} from './contract';
import { accessEndedRecord, accessStartedRecord, revokeFailedRecord } from './domain/audit-records';
import { whyNotGrantable } from './domain/request-integrity';
import { scheduleFrom } from './domain/request-workflow';
import { approvalOf, auditRefusal, type RequestActivityDeps } from './request-activity-deps';
import { createRequestNotifier, createRemovalKeptNotifier, EXPIRED_REASON } from './request-notices';
import { AccessRemovalRefusedError } from '../access/access-provider';

export function createAccessActivities(d: RequestActivityDeps) {
  const notify = createRequestNotifier(d);
  const notifyKept = createRemovalKeptNotifier(d);
  return {
    /** Grants only what the stored request (and its approval) allows; a refusal is audited and not retried. */
    async grantAccess(a: AccessChangeInput): Promise<GrantResult> {
      const request = await d.store.requests.find(a.requestId, a.groupId);
      const why = request
        ? whyNotGrantable(request, await approvalOf(d, request), { now: d.clock.now(), target: a.target })
        : 'No such request is stored';
      if (why) {
        await auditRefusal(d, a, `grant of ${a.target.role} to group`, why, a.target.principalId, {
          principalId: a.target.principalId,
          accessId: a.target.role,
        });
        return { granted: false, reason: why };
      }
      await d.access.grant(a.target);
      return { granted: true };
    },

    /**
     * Removes the access; `refused` when a rule keeps it (the last Global Administrator, a managed subscription's
     * last Owner), not retried here.
     */
    async revokeAccess(a: AccessChangeInput): Promise<RevokeResult> {
      try {
        await d.access.revoke(a.target);
      } catch (err) {
        if (err instanceof AccessRemovalRefusedError) return { revoked: false, refused: err.message };
        throw err;
      }
      return { revoked: true };
    },

    async recordStarted(a: RecordStartedInput): Promise<GrantResult> {
      const now = d.clock.now();
      if (a.input.kind === 'eligibility') {
        // No Graph grant comes first for an eligibility: this is where stored state must allow it.
        const stored = await d.store.requests.find(a.requestId, a.groupId);
        if (stored?.status !== 'Provisioned') {
          const why = stored
            ? whyNotGrantable(stored, await approvalOf(d, stored), { now })
            : 'No such request is stored';
          if (why) {
            await auditRefusal(d, a, `eligible ${a.input.accessId} of group`, why, a.input.principalId, {
              principalId: a.input.principalId,
              accessId: a.input.accessId,
            });
            return { granted: false, reason: why };
          }
        }
      }
      const schedule = scheduleFrom(a.input, 'Provisioned', now.toISOString());
      const existing = await d.store.schedules.find(schedule.id, schedule.groupId);
      if (!existing) await d.store.schedules.create(schedule);
      const { document: request } = await d.store.requests.update(a.requestId, a.groupId, (r) =>
        r.status === 'Provisioned'
          ? undefined
          : { ...r, status: 'Provisioned', completedDateTime: r.completedDateTime ?? now.toISOString() },
      );
      await d.store.locks.release(a.groupId, request.principalId, request.accessId, a.requestId);
      await d.audit.record(accessStartedRecord(a, a.input, request, now));
      const action = a.input.action;
      await notify(
        request,
        action === 'selfActivate'
          ? 'Activated'
          : action === 'selfRenew' || action === 'adminRenew'
            ? 'Renewed'
            : 'Assigned',
        request.justification,
      );
      return { granted: true };
    },

    async recordEnded(a: RecordEndedInput): Promise<void> {
      const now = d.clock.now();
      let ended: Schedule | undefined;
      if (await d.store.schedules.find(a.requestId, a.groupId)) {
        ended = (
          await d.store.schedules.update(a.requestId, a.groupId, (s) =>
            s.status === a.reason
              ? undefined
              : { ...s, status: a.reason, modifiedDateTime: now.toISOString() },
          )
        ).document;
      }
      const request = await d.store.requests.get(a.requestId, a.groupId);
      await d.audit.record(accessEndedRecord(a, a.input, a.reason, a.by, now));
      await notify(
        request,
        'Ended',
        a.reason === 'Expired' ? EXPIRED_REASON : 'Ended early',
        ended?.endDateTime ?? request.endDateTime,
      );
    },

    async recordRevokeFailure(a: RevokeFailureInput): Promise<void> {
      await d.audit.record(revokeFailedRecord(a, a.target, a.round, a.reason, d.clock.now(), a.refused));
      // The admins hear of a kept last Global Administrator once (its removal is retried quietly after).
      if (a.refused && a.round === 1) await notifyKept(a, a.reason);
    },
  };
}
