/**
 * The approval's mails: each approver's own link (recorded as mailed, so a re-run mails nobody twice), the decision
 * to the requester and the approvers, and the cancel notice to whoever was mailed a link. Every send has an
 * idempotency key from what it is about, so a re-run after a crash is the same ACS operation. A mail that can't be
 * sent is logged, never fails the approval: approvers can still decide through the API.
 */
import { chunks, forEachLimited } from '../batching';
import type { DirectoryUser } from '../directory/directory';
import { mailAddressOf } from '../directory/mail-address';
import { mailIdFor } from '../mail/mail-id';
import { approvalCanceled } from '../mail/templates/approval-canceled';
import { approvalDecided } from '../mail/templates/approval-decided';
import { approvalRequest } from '../mail/templates/approval-request';
import { errorMessage } from '../retry';
import type { ApprovalServices } from './approval-services';
import { warn } from './approval-services';
import {
  activeEscalationApproverIds,
  groupName,
  notifiedIds,
  requesterName,
  stageLabel,
  type Approval,
  type ApprovalStep,
} from './domain/approval';

/** ACS takes at most 50 recipients per message. */
const MAX_RECIPIENTS = 50;
const MAIL_CONCURRENCY = 4;

/**
 * Mails every approver of `step` not mailed yet their own link (`escalation`: its escalation approvers), then
 * records them as mailed.
 */
export async function mailApprovers(
  services: ApprovalServices,
  approval: Approval,
  step: ApprovalStep,
  which: 'approvers' | 'escalation',
  now: Date,
): Promise<void> {
  const expiresDateTime = step.expiresDateTime;
  if (step.status !== 'InProgress' || !expiresDateTime) return;
  const escalation = which === 'escalation' ? step.escalation : undefined;
  if (which === 'escalation' && !escalation?.escalatedDateTime) return;
  const listed = escalation ? escalation.approverIds : step.approverIds;
  const notified = escalation ? escalation.notifiedApproverIds : step.notifiedApproverIds;
  const pending = listed.filter((id) => !notified.includes(id));
  if (pending.length === 0) return;
  const users = await services.directory.getUsers(pending);
  const done: string[] = [];
  await forEachLimited(pending, MAIL_CONCURRENCY, async (approverId) => {
    const user = users[approverId] ?? null;
    const address = mailAddressOf(user);
    if (!address) {
      warn(services)(`Approver ${approverId} of approval ${approval.id} has no e-mail address; not mailed`);
      done.push(approverId); // nothing to send, ever: don't try again
      return;
    }
    const reviewUrl = await services.approvalLinks.linkFor({
      approvalId: approval.id,
      stepId: step.id,
      groupId: approval.groupId,
      approverId,
      expiresDateTime,
      now,
    });
    try {
      await services.mailer.send({
        to: [address],
        // One ACS operation per approver, step and audience: a re-run after a crash before `notified` was
        // recorded is the same send, not a second mail.
        idempotencyKey: mailIdFor('approval-request', approval.id, step.id, which, approverId),
        ...approvalRequest({
          approverName: user?.displayName ?? null,
          requesterName: requesterName(approval),
          groupName: groupName(approval),
          accessId: approval.accessId,
          resourceType: approval.resourceType,
          action: approval.request.action,
          justification: approval.request.justification,
          ticketNumber: approval.request.ticketNumber,
          ticketSystem: approval.request.ticketSystem,
          startDateTime: approval.request.startDateTime,
          endDateTime: approval.request.endDateTime,
          expiresDateTime,
          isApproverJustificationRequired: step.isApproverJustificationRequired,
          reviewUrl,
          requestId: approval.requestId,
          stage: stageLabel(approval, step),
          escalation: escalation ? { afterMinutes: escalation.afterMinutes } : null,
        }),
      });
      done.push(approverId);
    } catch (err) {
      // Not recorded as mailed: a re-run tries again. The approver can still decide through the API.
      warn(services)(`Approval mail to ${approverId} for ${approval.id} not sent: ${errorMessage(err)}`);
    }
  });
  if (done.length > 0)
    await recordMailed(services, approval, step.id, escalation ? 'escalation' : 'approvers', done);
}

/** Adds `done` to the step's mailed approvers (or escalation approvers). */
async function recordMailed(
  services: ApprovalServices,
  approval: Approval,
  stepId: string,
  which: 'approvers' | 'escalation',
  done: string[],
): Promise<void> {
  await services.approvals.update(approval.id, approval.groupId, (a) => {
    const s = a.steps.find((x) => x.id === stepId);
    if (!s) return undefined;
    let changed: ApprovalStep;
    if (which === 'escalation') {
      if (!s.escalation) return undefined;
      const all = [...new Set([...s.escalation.notifiedApproverIds, ...done])];
      if (all.length === s.escalation.notifiedApproverIds.length) return undefined;
      changed = { ...s, escalation: { ...s.escalation, notifiedApproverIds: all } };
    } else {
      const all = [...new Set([...s.notifiedApproverIds, ...done])];
      if (all.length === s.notifiedApproverIds.length) return undefined;
      changed = { ...s, notifiedApproverIds: all };
    }
    return { ...a, steps: a.steps.map((x) => (x.id === s.id ? changed : x)) };
  });
}

/** Tells the requester, and (in one message per 50) every approver, how the request was decided. */
export async function mailDecision(
  services: ApprovalServices,
  approval: Approval,
  step: ApprovalStep,
): Promise<void> {
  const reviewResult = step.reviewResult === 'Approve' ? 'Approve' : 'Deny';
  const approverIds = [...step.approverIds, ...activeEscalationApproverIds(step)];
  try {
    const ids = [...new Set([approval.requesterId, ...approverIds])];
    const users = await services.directory.getUsers(ids);
    const common = {
      reviewResult,
      reviewerName: step.reviewedBy?.displayName ?? step.reviewedBy?.id ?? 'An approver',
      requesterName: requesterName(approval),
      groupName: groupName(approval),
      accessId: approval.accessId,
      resourceType: approval.resourceType,
      justification: step.justification,
      reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
      startDateTime: approval.request.startDateTime,
      endDateTime: approval.request.endDateTime,
      requestId: approval.requestId,
      action: approval.request.action,
      stage: stageLabel(approval, step),
      continues: approval.status === 'InProgress',
    } as const;
    const sends: Promise<unknown>[] = [];
    const requester = mailAddressOf(users[approval.requesterId]);
    if (requester) {
      sends.push(
        services.mailer.send({
          to: [requester],
          idempotencyKey: mailIdFor('approval-decided', approval.id, step.id, 'requester'),
          ...approvalDecided({ ...common, audience: 'requester' }),
        }),
      );
    }
    chunks(addressesOf(users, approverIds), MAX_RECIPIENTS).forEach((to, i) => {
      sends.push(
        services.mailer.send({
          to,
          idempotencyKey: mailIdFor('approval-decided', approval.id, step.id, 'approvers', String(i)),
          ...approvalDecided({ ...common, audience: 'approvers' }),
        }),
      );
    });
    const results = await Promise.allSettled(sends);
    for (const r of results) {
      if (r.status === 'rejected')
        warn(services)(`Decision mail for ${approval.id} not sent: ${errorMessage(r.reason)}`);
    }
  } catch (err) {
    warn(services)(`Decision mails for ${approval.id} not sent: ${errorMessage(err)}`);
  }
}

/** Tells everyone who was mailed a link (in one message per 50) that the request was canceled. */
export async function mailCancelNotice(services: ApprovalServices, approval: Approval): Promise<void> {
  try {
    const notified = [...new Set(approval.steps.flatMap(notifiedIds))];
    const users = await services.directory.getUsers(notified);
    for (const [i, to] of chunks(addressesOf(users, notified), MAX_RECIPIENTS).entries()) {
      await services.mailer.send({
        to,
        idempotencyKey: mailIdFor('approval-canceled', approval.id, String(i)),
        ...approvalCanceled({
          requesterName: requesterName(approval),
          groupName: groupName(approval),
          accessId: approval.accessId,
          resourceType: approval.resourceType,
          startDateTime: approval.request.startDateTime,
          endDateTime: approval.request.endDateTime,
          requestId: approval.requestId,
        }),
      });
    }
  } catch (err) {
    warn(services)(`Cancel notice for ${approval.id} not sent: ${errorMessage(err)}`);
  }
}

/** The distinct addresses of `ids` that can be mailed, in order. */
function addressesOf(users: Record<string, DirectoryUser | null>, ids: string[]): string[] {
  return [...new Set(ids.map((id) => mailAddressOf(users[id])).filter((a): a is string => a !== undefined))];
}
