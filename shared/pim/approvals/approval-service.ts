/**
 * The approval of a request, from opening to its end: `openApproval` (the request orchestration's activity calls it),
 * `decideApprovalStep` (the API and the e-mail link page), `expireApproval` (the orchestration's timer fired) and
 * `cancelApproval` (the requester canceled). Every change is an ETag-guarded write of the approval document, so the
 * first decision wins — exactly one, even when two arrive at the same instant — and a decision written just before
 * the timer fired is never lost: `expireApproval` finds it and returns it instead of timing out.
 */
import { randomUUID } from 'node:crypto';
import type { Database } from '@azure/cosmos';
import { SYSTEM_ACTOR, userActor } from '../../audit/audit-entry';
import type { AuditWriter } from '../../audit/audit-log';
import type { Clock } from '../../clock';
import type { Settings } from '../../config';
import type { Directory, DirectoryUser } from '../../directory/directory';
import { GraphError } from '../../directory/graph-error';
import type { Mailer } from '../../mail/mailer';
import { approvalCanceled } from '../../mail/templates/approval-canceled';
import { approvalDecided } from '../../mail/templates/approval-decided';
import { approvalRequest } from '../../mail/templates/approval-request';
import { formatUtc } from '../../mail/templates/approval-format';
import { AlreadyExistsError, ConcurrencyConflictError, NotFoundError } from '../../storage/errors';
import {
  REQUEST_EVENTS,
  requestInstanceId,
  type ApprovalDecision,
  type ScheduleRequest,
} from '../requests/schedule-request';
import type { Approver, RoleSettings } from '../role-settings';
import {
  ApprovalRepository,
  currentStep,
  type Approval,
  type ApprovalStep,
  type StoredApproval,
} from './approval';
import { approvalLinkUrl, signApprovalLink } from './approval-link';

/** What the approval functions use; `getServices()`'s result fits as is. */
export interface ApprovalServices {
  settings: Pick<Settings, 'APPROVAL_LINK_SIGNING_KEY' | 'PUBLIC_BASE_URL' | 'APPROVAL_REQUIRE_SIGN_IN'>;
  clock: Clock;
  directory: Directory;
  mailer: Mailer;
  database: Database;
  audit: AuditWriter;
  /** Where problems that must not fail the operation (a mail not sent) are reported. Default: console.warn. */
  log?: (message: string) => void;
}

/** The fields of a request an approval needs. */
export type ApprovalRequestInput = Pick<
  ScheduleRequest,
  | 'id'
  | 'groupId'
  | 'accessId'
  | 'principalId'
  | 'action'
  | 'justification'
  | 'ticketInfo'
  | 'startDateTime'
  | 'endDateTime'
  | 'createdBy'
>;

export type OpenApprovalResult =
  { approvalId: string; approverIds: string[]; expiresDateTime: string } | { noApprovers: true };

/** Sends an event to the request's orchestration: the HTTP functions pass one built on the durable client. */
export type RaiseDecision = (
  instanceId: string,
  eventName: string,
  payload: ApprovalDecision,
) => Promise<void>;

export type RefusalReason =
  | 'notFound'
  | 'notApprover'
  | 'ownRequest'
  | 'alreadyDecided'
  | 'expired'
  | 'canceled'
  | 'justificationRequired'
  | 'justificationTooLong'
  | 'linkUsed';

export interface DecideRefused {
  outcome: 'refused';
  status: 400 | 403 | 404 | 409 | 410;
  reason: RefusalReason;
  detail: string;
}

export interface DecideDone {
  outcome: 'decided';
  decision: ApprovalDecision;
  approval: Approval;
  /** False when the orchestration could not be told after retries: the decision stands (answer 503). */
  eventRaised: boolean;
  eventError?: string;
}

export type DecideResult = DecideDone | DecideRefused;

export interface DecideInput {
  approvalId: string;
  /** The approval's group (its partition), when known; otherwise it is found by id alone. */
  groupId?: string;
  stepId: string;
  approver: { id: string; displayName: string | null };
  reviewResult: 'Approve' | 'Deny';
  justification?: string | null;
  raiseDecision: RaiseDecision;
  /** Deciding through an e-mail link: its id, recorded as used in the same write as the decision. */
  linkId?: string;
  /** Defaults to the services' clock. */
  now?: Date;
  /** Waits between attempts to raise the event (default 200, 500, 1000 ms: four attempts). */
  raiseRetryDelaysMs?: readonly number[];
}

export type ExpireApprovalResult =
  { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };
export type CancelApprovalResult =
  { outcome: 'Canceled' } | { outcome: 'TimedOut' } | { outcome: 'Decided'; decision: ApprovalDecision };

const DAY_MS = 86_400_000;
const MAX_WRITE_ATTEMPTS = 8;
/** ACS takes at most 50 recipients per message. */
const MAX_RECIPIENTS = 50;
const MAIL_CONCURRENCY = 4;
const MAX_JUSTIFICATION = 1000;

// ---------------------------------------------------------------------------------------------------------
// Open

/**
 * Opens the approval of a request: resolves the approvers from the role settings (users; transitive user members of
 * groups; the group's owners) minus the requester, creates the approval with its one step in progress until
 * `now + approvalStageTimeOutInDays`, mails each approver their own link, and audits it. Idempotent: run again
 * (a retried activity), it finds the approval, creates nothing, and mails only approvers not mailed yet.
 * `{ noApprovers: true }` when nobody but the requester could approve: the request can't proceed.
 */
export async function openApproval(
  services: ApprovalServices,
  input: { request: ApprovalRequestInput; settings: RoleSettings; now: Date },
): Promise<OpenApprovalResult> {
  const { request, settings, now } = input;
  const repo = ApprovalRepository.of(services.database);
  let approval = await repo.find(request.id, request.groupId);
  if (!approval) {
    const excluded = new Set([request.principalId, request.createdBy.user.id]);
    const [approverIds, principal, group] = await Promise.all([
      resolveApprovers(
        services.directory,
        settings.activation.approvers,
        request.groupId,
        excluded,
        log(services),
      ),
      services.directory.getUser(request.principalId),
      services.directory.getGroup(request.groupId),
    ]);
    if (approverIds.length === 0) {
      await services.audit.record({
        id: `${request.id}:approval:no-approvers`,
        activityDateTime: now,
        activityDisplayName: `Approval could not be requested: nobody but the requester can approve (PIM ${request.accessId})`,
        category: 'Approval',
        operationType: 'Request',
        result: 'failure',
        resultReason: 'No approver other than the requester',
        initiatedBy: SYSTEM_ACTOR,
        targetResources: [
          { id: request.id, type: 'Request' },
          { id: request.groupId, type: 'Group' },
        ],
        groupId: request.groupId,
        principalId: request.principalId,
        correlationId: request.id,
        details: { accessId: request.accessId },
      });
      return { noApprovers: true };
    }
    const step: ApprovalStep = {
      id: randomUUID(),
      displayName: null,
      status: 'InProgress',
      reviewResult: 'NotReviewed',
      reviewedBy: null,
      reviewedDateTime: null,
      justification: null,
      approverIds,
      expiresDateTime: new Date(
        now.getTime() + settings.activation.approvalStageTimeOutInDays * DAY_MS,
      ).toISOString(),
      isApproverJustificationRequired: settings.activation.isApproverJustificationRequired,
      notifiedApproverIds: [],
    };
    try {
      approval = await repo.create({
        id: request.id,
        groupId: request.groupId,
        requestId: request.id,
        requesterId: request.principalId,
        accessId: request.accessId,
        status: 'InProgress',
        createdDateTime: now.toISOString(),
        completedDateTime: null,
        request: {
          action: request.action,
          principalDisplayName: principal?.displayName ?? null,
          groupDisplayName: group?.displayName ?? null,
          justification: request.justification,
          ticketNumber: request.ticketInfo?.ticketNumber ?? null,
          ticketSystem: request.ticketInfo?.ticketSystem ?? null,
          startDateTime: request.startDateTime,
          endDateTime: request.endDateTime,
          createdById: request.createdBy.user.id,
        },
        steps: [step],
        usedLinkIds: [],
      });
    } catch (err) {
      if (!(err instanceof AlreadyExistsError)) throw err;
      approval = await repo.find(request.id, request.groupId); // a concurrent run created it first
      if (!approval) throw new Error(`Approval ${request.id} exists and then doesn't`, { cause: err });
    }
  }
  const step = approval.steps[0] as ApprovalStep;
  await services.audit.record({
    id: `${approval.id}:approval:requested`,
    activityDateTime: new Date(approval.createdDateTime),
    activityDisplayName: `Approval requested (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Request',
    result: 'success',
    resultReason: approval.request.justification ?? '',
    initiatedBy: userActor(approval.requesterId, approval.request.principalDisplayName),
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: {
      accessId: approval.accessId,
      approverIds: step.approverIds.join(','),
      expiresDateTime: step.expiresDateTime,
      justification: approval.request.justification,
      ticketNumber: approval.request.ticketNumber,
    },
  });
  if (approval.status === 'InProgress') await mailApprovers(services, repo, approval, now);
  return { approvalId: approval.id, approverIds: step.approverIds, expiresDateTime: step.expiresDateTime };
}

/**
 * User ids of the approvers: listed users, transitive user members of listed groups, and for `groupOwners` the
 * group's owners (users). Disabled accounts and `excluded` (the requester) are left out. A listed user or group that
 * no longer exists is skipped (and logged); other directory failures throw, so the activity can be retried.
 */
export async function resolveApprovers(
  directory: Directory,
  approvers: readonly Approver[],
  groupId: string,
  excluded: ReadonlySet<string>,
  logger: (message: string) => void = () => undefined,
): Promise<string[]> {
  const candidates: string[] = [];
  const missingIsEmpty = async (what: string, list: () => Promise<{ id: string; type: string }[]>) => {
    try {
      return await list();
    } catch (err) {
      if (err instanceof GraphError && err.status === 404) {
        logger(`Approver ${what} no longer exists; skipped`);
        return [];
      }
      throw err;
    }
  };
  for (const approver of approvers) {
    if (approver.type === 'user') candidates.push(approver.id);
    else {
      const principals =
        approver.type === 'groupMembers'
          ? await missingIsEmpty(`group ${approver.id}`, () => directory.listTransitiveMembers(approver.id))
          : await missingIsEmpty(`owners of ${groupId}`, () => directory.listGroupOwners(groupId));
      for (const p of principals) if (p.type === 'user') candidates.push(p.id);
    }
  }
  const unique = [...new Set(candidates.map((id) => id.toLowerCase()))].filter((id) => !hasId(excluded, id));
  if (unique.length === 0) return [];
  const users = await directory.getUsers(unique);
  return unique.filter((id) => {
    const user = users[id];
    if (!user) logger(`Approver ${id} no longer exists; skipped`);
    return user !== null && user !== undefined && user.accountEnabled;
  });
}

function hasId(set: ReadonlySet<string>, id: string): boolean {
  for (const value of set) if (value.toLowerCase() === id.toLowerCase()) return true;
  return false;
}

/** Mails every approver of the current step not mailed yet their own link, then records them as mailed. */
async function mailApprovers(
  services: ApprovalServices,
  repo: ApprovalRepository,
  approval: StoredApproval,
  now: Date,
): Promise<void> {
  const step = currentStep(approval);
  if (!step) return;
  const pending = step.approverIds.filter((id) => !step.notifiedApproverIds.includes(id));
  if (pending.length === 0) return;
  const users = await services.directory.getUsers(pending);
  const done: string[] = [];
  await forEachLimited(pending, MAIL_CONCURRENCY, async (approverId) => {
    const user = users[approverId] ?? null;
    const address = addressOf(user);
    if (!address) {
      log(services)(`Approver ${approverId} of approval ${approval.id} has no e-mail address; not mailed`);
      done.push(approverId); // nothing to send, ever: don't try again
      return;
    }
    const { token } = await signApprovalLink(services.settings.APPROVAL_LINK_SIGNING_KEY, {
      approvalId: approval.id,
      stepId: step.id,
      groupId: approval.groupId,
      approverId,
      expiresDateTime: step.expiresDateTime,
      now,
    });
    try {
      await services.mailer.send({
        to: [address],
        ...approvalRequest({
          approverName: user?.displayName ?? null,
          requesterName: requesterName(approval),
          groupName: groupName(approval),
          accessId: approval.accessId,
          justification: approval.request.justification,
          ticketNumber: approval.request.ticketNumber,
          ticketSystem: approval.request.ticketSystem,
          startDateTime: approval.request.startDateTime,
          endDateTime: approval.request.endDateTime,
          expiresDateTime: step.expiresDateTime,
          isApproverJustificationRequired: step.isApproverJustificationRequired,
          reviewUrl: approvalLinkUrl(services.settings.PUBLIC_BASE_URL, token),
          requestId: approval.requestId,
        }),
      });
      done.push(approverId);
    } catch (err) {
      // Not recorded as mailed: a re-run tries again. The approver can still decide through the API.
      log(services)(`Approval mail to ${approverId} for ${approval.id} not sent: ${message(err)}`);
    }
  });
  if (done.length > 0) {
    await update(repo, approval.id, approval.groupId, (a) => {
      const s = a.steps.find((x) => x.id === step.id);
      if (!s) return undefined;
      const notified = [...new Set([...s.notifiedApproverIds, ...done])];
      if (notified.length === s.notifiedApproverIds.length) return undefined;
      return {
        ...a,
        steps: a.steps.map((x) => (x.id === s.id ? { ...s, notifiedApproverIds: notified } : x)),
      };
    });
  }
}

// ---------------------------------------------------------------------------------------------------------
// Decide

/**
 * Records an approver's decision on a step. The approver must be one of the step's approvers and not the requester
 * (403, admins included); the step must be in progress (409 when already decided or canceled) and not expired (410);
 * a justification is required where the role settings say so (400). The write is ETag-guarded: of two decisions at
 * the same instant exactly one is written, and the other is refused (409 "already approved by X"). Then the
 * decision is audited, raised to the request's orchestration (retried; if it still fails the decision stands and
 * `eventRaised` is false: answer 503 — the orchestration also reads the approval when its timer fires), and the
 * requester and all approvers are mailed.
 */
export async function decideApprovalStep(
  services: ApprovalServices,
  input: DecideInput,
): Promise<DecideResult> {
  const now = input.now ?? services.clock.now();
  const justification = normalizeJustification(input.justification);
  if (justification !== null && justification.length > MAX_JUSTIFICATION) {
    return refuse(
      400,
      'justificationTooLong',
      `The justification is longer than ${MAX_JUSTIFICATION} characters.`,
    );
  }
  const repo = ApprovalRepository.of(services.database);
  let saved: StoredApproval | undefined;
  let decidedStep: ApprovalStep | undefined;
  for (let attempt = 0; attempt < MAX_WRITE_ATTEMPTS && !saved; attempt++) {
    const approval = await repo.find(input.approvalId, input.groupId);
    if (!approval) return refuse(404, 'notFound', `No approval ${input.approvalId}.`);
    const step = approval.steps.find((s) => s.id === input.stepId);
    if (!step) return refuse(404, 'notFound', `The approval ${approval.id} has no step ${input.stepId}.`);
    const refusal = whyNotDecidable(approval, step, input, justification, now);
    if (refusal) {
      if (refusal.reason === 'ownRequest' || refusal.reason === 'notApprover') {
        await auditRefusal(services, approval, input, refusal, now);
      }
      return refusal;
    }
    decidedStep = {
      ...step,
      status: 'Completed',
      reviewResult: input.reviewResult,
      reviewedBy: { id: input.approver.id, displayName: input.approver.displayName },
      reviewedDateTime: now.toISOString(),
      justification,
    };
    const next: Approval = {
      ...approval,
      status: input.reviewResult === 'Approve' ? 'Approved' : 'Denied',
      completedDateTime: now.toISOString(),
      steps: approval.steps.map((s) => (s.id === step.id ? (decidedStep as ApprovalStep) : s)),
      usedLinkIds: input.linkId ? [...approval.usedLinkIds, input.linkId] : approval.usedLinkIds,
    };
    try {
      saved = await repo.replace(next, approval._etag);
    } catch (err) {
      if (!(err instanceof ConcurrencyConflictError)) throw err;
      // Changed since read (another decision, a timeout, a mail record): read again and re-check.
    }
  }
  if (!saved || !decidedStep) throw new Error(`Approval ${input.approvalId} keeps changing; try again`);

  const decision = decisionOf(saved, decidedStep);
  await services.audit.record({
    id: `${saved.id}:${decidedStep.id}:decided`,
    activityDateTime: now,
    activityDisplayName: `${input.reviewResult === 'Approve' ? 'Approve' : 'Deny'} request (PIM ${saved.accessId})`,
    category: 'Approval',
    operationType: input.reviewResult === 'Approve' ? 'Approve' : 'Deny',
    result: 'success',
    resultReason: justification ?? '',
    initiatedBy: userActor(input.approver.id, input.approver.displayName),
    targetResources: [
      { id: saved.id, type: 'Approval' },
      { id: saved.requestId, type: 'Request' },
      { id: saved.groupId, type: 'Group', displayName: saved.request.groupDisplayName },
      { id: saved.requesterId, type: 'Principal', displayName: saved.request.principalDisplayName },
    ],
    groupId: saved.groupId,
    principalId: saved.requesterId,
    correlationId: saved.requestId,
    details: {
      accessId: saved.accessId,
      stepId: decidedStep.id,
      reviewResult: input.reviewResult,
      justification,
      via: input.linkId ? 'e-mail link' : 'API',
      linkId: input.linkId,
    },
  });

  let eventError: string | undefined;
  const delays = input.raiseRetryDelaysMs ?? [200, 500, 1000];
  for (let attempt = 0; ; attempt++) {
    try {
      await input.raiseDecision(requestInstanceId(saved.requestId), REQUEST_EVENTS.approvalDecided, decision);
      eventError = undefined;
      break;
    } catch (err) {
      eventError = message(err);
      const delay = delays[attempt];
      if (delay === undefined) break;
      await sleep(delay);
    }
  }
  if (eventError !== undefined) {
    log(services)(
      `Decision on ${saved.id} recorded, but the request's orchestration was not told: ${eventError}`,
    );
  }

  await mailDecision(services, saved, decidedStep);
  return eventError === undefined
    ? { outcome: 'decided', decision, approval: saved, eventRaised: true }
    : { outcome: 'decided', decision, approval: saved, eventRaised: false, eventError };
}

/**
 * Why `approver` can't decide `step` now (a refusal), or undefined if they can. `justification` undefined skips the
 * justification check: the confirmation page asks this before anyone typed one.
 */
export function whyNotDecidable(
  approval: Approval,
  step: ApprovalStep,
  input: { approver: { id: string }; linkId?: string },
  justification: string | null | undefined,
  now: Date,
): DecideRefused | undefined {
  if (input.linkId && approval.usedLinkIds.includes(input.linkId)) {
    return refuse(
      409,
      'linkUsed',
      `This link has already been used. ${describeOutcome(approval, step)}`.trim(),
    );
  }
  const approverId = input.approver.id.toLowerCase();
  if (
    approverId === approval.requesterId.toLowerCase() ||
    approverId === approval.request.createdById.toLowerCase()
  ) {
    return refuse(403, 'ownRequest', 'Nobody approves their own request, administrators included.');
  }
  if (!step.approverIds.some((id) => id.toLowerCase() === approverId)) {
    return refuse(403, 'notApprover', 'You are not an approver of this request.');
  }
  if (approval.status === 'Canceled') {
    return refuse(409, 'canceled', 'The request was canceled: there is nothing left to decide.');
  }
  if (step.reviewResult !== 'NotReviewed' && step.reviewedBy) {
    return refuse(409, 'alreadyDecided', describeOutcome(approval, step));
  }
  if (
    step.status === 'Expired' ||
    approval.status === 'TimedOut' ||
    now.getTime() >= Date.parse(step.expiresDateTime)
  ) {
    return refuse(
      410,
      'expired',
      `The time to decide ended at ${formatUtc(step.expiresDateTime)}: the request can no longer be approved or denied.`,
    );
  }
  if (step.status !== 'InProgress' || approval.status !== 'InProgress') {
    return refuse(
      409,
      'alreadyDecided',
      `The approval is ${approval.status}: there is nothing left to decide.`,
    );
  }
  if (justification !== undefined && step.isApproverJustificationRequired && !justification) {
    return refuse(
      400,
      'justificationRequired',
      'A justification is required to approve or deny this request.',
    );
  }
  return undefined;
}

function describeOutcome(approval: Approval, step: ApprovalStep): string {
  if (step.reviewResult !== 'NotReviewed' && step.reviewedBy) {
    const verb = step.reviewResult === 'Approve' ? 'approved' : 'denied';
    const when = step.reviewedDateTime ? ` at ${formatUtc(step.reviewedDateTime)}` : '';
    return `The request was already ${verb} by ${step.reviewedBy.displayName ?? step.reviewedBy.id}${when}.`;
  }
  if (approval.status === 'Canceled') return 'The request was canceled.';
  if (approval.status === 'TimedOut') return 'Nobody decided in time: the request expired.';
  return '';
}

function refuse(status: DecideRefused['status'], reason: RefusalReason, detail: string): DecideRefused {
  return { outcome: 'refused', status, reason, detail };
}

async function auditRefusal(
  services: ApprovalServices,
  approval: Approval,
  input: DecideInput,
  refusal: DecideRefused,
  now: Date,
): Promise<void> {
  await services.audit.record({
    id: `${approval.id}:refused:${randomUUID()}`,
    activityDateTime: now,
    activityDisplayName: `${input.reviewResult === 'Approve' ? 'Approve' : 'Deny'} request refused (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: input.reviewResult === 'Approve' ? 'Approve' : 'Deny',
    result: 'failure',
    resultReason: refusal.detail,
    initiatedBy: userActor(input.approver.id, input.approver.displayName),
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: { reason: refusal.reason, via: input.linkId ? 'e-mail link' : 'API' },
  });
}

/** Tells the requester, and (in one message per 50) every approver, how the request was decided. */
async function mailDecision(
  services: ApprovalServices,
  approval: Approval,
  step: ApprovalStep,
): Promise<void> {
  const reviewResult = step.reviewResult === 'Approve' ? 'Approve' : 'Deny';
  try {
    const ids = [...new Set([approval.requesterId, ...step.approverIds])];
    const users = await services.directory.getUsers(ids);
    const common = {
      reviewResult,
      reviewerName: step.reviewedBy?.displayName ?? step.reviewedBy?.id ?? 'An approver',
      requesterName: requesterName(approval),
      groupName: groupName(approval),
      accessId: approval.accessId,
      justification: step.justification,
      reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
      startDateTime: approval.request.startDateTime,
      endDateTime: approval.request.endDateTime,
      requestId: approval.requestId,
    } as const;
    const sends: Promise<unknown>[] = [];
    const requester = addressOf(users[approval.requesterId] ?? null);
    if (requester) {
      sends.push(
        services.mailer.send({ to: [requester], ...approvalDecided({ ...common, audience: 'requester' }) }),
      );
    }
    const approverAddresses = step.approverIds.map((id) => addressOf(users[id] ?? null)).filter(isString);
    for (const to of chunks([...new Set(approverAddresses)], MAX_RECIPIENTS)) {
      sends.push(services.mailer.send({ to, ...approvalDecided({ ...common, audience: 'approvers' }) }));
    }
    const results = await Promise.allSettled(sends);
    for (const r of results) {
      if (r.status === 'rejected')
        log(services)(`Decision mail for ${approval.id} not sent: ${message(r.reason)}`);
    }
  } catch (err) {
    log(services)(`Decision mails for ${approval.id} not sent: ${message(err)}`);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Expire and cancel

/**
 * The orchestration's timer fired: marks the approval TimedOut (its open step Expired) — unless a decision was
 * written first, whose event may still be on its way or lost: then that decision is returned, and the request
 * proceeds on it. Idempotent.
 */
export async function expireApproval(
  services: Pick<ApprovalServices, 'database' | 'audit' | 'clock'>,
  input: { approvalId: string; groupId: string; now?: Date },
): Promise<ExpireApprovalResult> {
  const now = input.now ?? services.clock.now();
  const repo = ApprovalRepository.of(services.database);
  const result = await update(repo, input.approvalId, input.groupId, (a) =>
    a.status !== 'InProgress'
      ? undefined
      : {
          ...a,
          status: 'TimedOut',
          completedDateTime: now.toISOString(),
          steps: a.steps.map((s) => (s.status === 'InProgress' ? { ...s, status: 'Expired' } : s)),
        },
  );
  const decided = decisionIfAny(result.approval);
  if (decided) return { outcome: 'Decided', decision: decided };
  if (result.changed) {
    await services.audit.record({
      id: `${result.approval.id}:approval:timed-out`,
      activityDateTime: now,
      activityDisplayName: `Approval timed out: nobody decided in time (PIM ${result.approval.accessId})`,
      category: 'Approval',
      operationType: 'Expire',
      result: 'timeout',
      resultReason: 'Nobody decided in time',
      initiatedBy: SYSTEM_ACTOR,
      targetResources: [
        { id: result.approval.id, type: 'Approval' },
        { id: result.approval.requestId, type: 'Request' },
        { id: result.approval.groupId, type: 'Group', displayName: result.approval.request.groupDisplayName },
      ],
      groupId: result.approval.groupId,
      principalId: result.approval.requesterId,
      correlationId: result.approval.requestId,
      details: { accessId: result.approval.accessId },
    });
  }
  // A canceled approval has no decision either: for the orchestration that is "nothing was approved".
  return { outcome: 'TimedOut' };
}

/**
 * The requester canceled the request: marks the approval Canceled so its links stop working, and tells the
 * approvers — unless it was already decided (the decision is returned) or timed out. Idempotent.
 */
export async function cancelApproval(
  services: ApprovalServices,
  input: { approvalId: string; groupId: string; now?: Date; by?: { id: string; displayName: string | null } },
): Promise<CancelApprovalResult> {
  const now = input.now ?? services.clock.now();
  const repo = ApprovalRepository.of(services.database);
  const result = await update(repo, input.approvalId, input.groupId, (a) =>
    a.status !== 'InProgress'
      ? undefined
      : {
          ...a,
          status: 'Canceled',
          completedDateTime: now.toISOString(),
          steps: a.steps.map((s) => (s.status === 'InProgress' ? { ...s, status: 'Completed' } : s)),
        },
  );
  const approval = result.approval;
  const decided = decisionIfAny(approval);
  if (decided) return { outcome: 'Decided', decision: decided };
  if (approval.status === 'TimedOut') return { outcome: 'TimedOut' };
  await services.audit.record({
    id: `${approval.id}:approval:canceled`,
    activityDateTime: approval.completedDateTime ? new Date(approval.completedDateTime) : now,
    activityDisplayName: `Approval canceled with its request (PIM ${approval.accessId})`,
    category: 'Approval',
    operationType: 'Cancel',
    result: 'success',
    resultReason: 'Canceled by the requester',
    initiatedBy: input.by
      ? userActor(input.by.id, input.by.displayName)
      : userActor(approval.requesterId, approval.request.principalDisplayName),
    targetResources: [
      { id: approval.id, type: 'Approval' },
      { id: approval.requestId, type: 'Request' },
      { id: approval.groupId, type: 'Group', displayName: approval.request.groupDisplayName },
    ],
    groupId: approval.groupId,
    principalId: approval.requesterId,
    correlationId: approval.requestId,
    details: { accessId: approval.accessId },
  });
  if (result.changed) {
    try {
      const step = approval.steps[0] as ApprovalStep;
      const users = await services.directory.getUsers(step.notifiedApproverIds);
      const addresses = [
        ...new Set(step.notifiedApproverIds.map((id) => addressOf(users[id] ?? null)).filter(isString)),
      ];
      for (const to of chunks(addresses, MAX_RECIPIENTS)) {
        await services.mailer.send({
          to,
          ...approvalCanceled({
            requesterName: requesterName(approval),
            groupName: groupName(approval),
            accessId: approval.accessId,
            startDateTime: approval.request.startDateTime,
            endDateTime: approval.request.endDateTime,
            requestId: approval.requestId,
          }),
        });
      }
    } catch (err) {
      log(services)(`Cancel notice for ${approval.id} not sent: ${message(err)}`);
    }
  }
  return { outcome: 'Canceled' };
}

// ---------------------------------------------------------------------------------------------------------
// Helpers

/** The decision recorded on the approval, if any (the first decided step). */
export function decisionIfAny(approval: Approval): ApprovalDecision | undefined {
  const step = approval.steps.find((s) => s.reviewResult !== 'NotReviewed' && s.reviewedBy);
  return step ? decisionOf(approval, step) : undefined;
}

function decisionOf(approval: Approval, step: ApprovalStep): ApprovalDecision {
  return {
    approvalId: approval.id,
    stepId: step.id,
    reviewResult: step.reviewResult === 'Approve' ? 'Approve' : 'Deny',
    justification: step.justification,
    reviewedBy: { id: step.reviewedBy?.id ?? '', displayName: step.reviewedBy?.displayName ?? null },
    reviewedDateTime: step.reviewedDateTime ?? approval.completedDateTime ?? approval.createdDateTime,
  };
}

/** Applies `change` with the ETag, re-reading on conflict; `changed` false when `change` returned undefined. */
async function update(
  repo: ApprovalRepository,
  id: string,
  groupId: string,
  change: (a: Approval) => Approval | undefined,
): Promise<{ approval: StoredApproval; changed: boolean }> {
  try {
    const { document, changed } = await repo.documents.update(id, groupId, change, MAX_WRITE_ATTEMPTS);
    return { approval: document, changed };
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new Error(`No approval ${id} in group ${groupId}`, { cause: err });
    throw err;
  }
}

function normalizeJustification(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').replace(/\r\n/g, '\n').trim();
  return trimmed === '' ? null : trimmed;
}

export function requesterName(approval: Approval): string {
  return approval.request.principalDisplayName ?? approval.requesterId;
}

export function groupName(approval: Approval): string {
  return approval.request.groupDisplayName ?? approval.groupId;
}

function addressOf(user: DirectoryUser | null): string | undefined {
  if (!user || !user.accountEnabled) return undefined;
  return user.mail ?? user.userPrincipalName ?? undefined;
}

function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function forEachLimited<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function log(services: Pick<ApprovalServices, 'log'>): (message: string) => void {
  return services.log ?? ((m) => console.warn(m));
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
