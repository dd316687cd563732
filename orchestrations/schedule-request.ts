/**
 * One orchestration per schedule request (instance id from the request id): approval if the role requires it
 * (first decision wins; timeout after the stage's days), then wait for the start, grant the access and confirm it,
 * wait for the end or an early end, and revoke — retried until Graph confirms it, across restarts. Orchestrators
 * decide and wait; the activities do the I/O, idempotently.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { call, eventTask } from '../shared/durable/activity';
import { LifecycleActivity } from '../shared/lifecycle/contract';
import {
  REQUEST_ORCHESTRATOR,
  RequestActivity,
  RequestEvent,
  type GrantResult,
  type RequestOrchestrationInput,
  type RequestStatus,
} from '../shared/requests/contract';
import { runApproval } from './approval-flow';
import { runLifecycle } from './schedule-lifecycle';

/** Revoke rounds (each retried, RequestActivity.revokeAccess) repeat this far apart until Graph confirms. */
const REVOKE_ROUND_PAUSE_MS = 15 * 60_000;

/** How long the orchestration looks for its request before it concludes the POST died before storing it. */
const REQUEST_STORE_WAITS_MS = [30_000, 30_000, 60_000];

const scheduleRequestOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  // Only the ids are taken from the input: what to carry out is read from the stored request.
  const { requestId, groupId } = context.df.getInput<RequestOrchestrationInput>();
  const ref = { requestId, groupId };
  const setStatus = (status: RequestStatus, reason: string | null, completed: boolean) =>
    call(context, RequestActivity.setRequestStatus, { ...ref, status, reason, completed });

  // The POST starts this orchestration, then stores the request: look for it, a little longer each time.
  const load = (poll: boolean) =>
    call(context, RequestActivity.loadRequest, { ...ref, instanceId: context.df.instanceId, poll });
  let loaded = yield* load(true);
  for (const waitMs of REQUEST_STORE_WAITS_MS) {
    if (loaded.outcome !== 'missing') break;
    yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + waitMs));
    loaded = yield* load(false);
  }
  if (loaded.outcome === 'missing') {
    yield* call(context, RequestActivity.abandonRequest, ref);
    context.df.setCustomStatus('NotStored');
    return 'NotStored';
  }
  if (loaded.outcome !== 'run') {
    context.df.setCustomStatus(loaded.outcome === 'closed' ? loaded.status : 'Refused');
    return loaded.outcome === 'closed' ? loaded.status : 'Refused';
  }
  const input = loaded.workflow;
  if (loaded.cancelRequested) {
    yield* setStatus('Canceled', 'Canceled by the requester', true);
    return 'Canceled';
  }

  // Already approved (a restart by the reconciler after the approval) needs no second approval.
  const policy = loaded.status === 'Granted' ? null : input.approval;
  if (policy) {
    const approval = yield* runApproval(context, ref, policy);
    switch (approval.outcome) {
      case 'NoApprovers':
        yield* setStatus('Failed', 'Nobody but the requester can approve this request', true);
        return 'Failed';
      case 'Canceled':
        yield* setStatus('Canceled', 'Canceled by the requester', true);
        return 'Canceled';
      case 'TimedOut':
        yield* setStatus('TimedOut', 'Nobody decided in time', true);
        return 'TimedOut';
      case 'Denied':
        yield* setStatus('Denied', approval.decision.justification, true);
        return 'Denied';
      case 'Approved':
        yield* setStatus('Granted', approval.decision.justification, false);
    }
  }

  if (input.action === 'selfExtend' || input.action === 'adminExtend') {
    // An extension changes another schedule (and its orchestration's timers); this request then is done.
    context.df.setCustomStatus('Extending');
    const result = yield* call(context, LifecycleActivity.applyExtension, ref);
    if (!result.applied) {
      yield* setStatus('Failed', result.reason, true);
      return 'Failed';
    }
    yield* setStatus('Provisioned', null, true);
    return 'Provisioned';
  }

  const start = new Date(input.startDateTime);
  if (start > context.df.currentUtcDateTime) {
    context.df.setCustomStatus('WaitingForStart');
    const startTimer = context.df.createTimer(start);
    let canceled = eventTask(context, RequestEvent.cancel);
    for (;;) {
      if ((yield context.df.Task.any([startTimer, canceled])) !== canceled) break;
      // A cancel counts only when the request records it (POST .../cancel writes it first).
      const confirmed = yield* call(context, RequestActivity.confirmCancel, ref);
      if (confirmed.confirmed) {
        startTimer.cancel();
        yield* setStatus('Canceled', 'Canceled before it started', true);
        return 'Canceled';
      }
      canceled = eventTask(context, RequestEvent.cancel);
    }
  }

  const target = {
    resourceType: input.resourceType,
    resourceId: input.groupId,
    role: input.accessId,
    principalId: input.principalId,
  };
  if (input.kind === 'assignment') {
    context.df.setCustomStatus('Granting');
    let granted: GrantResult;
    try {
      granted = yield* call(context, RequestActivity.grantAccess, { ...ref, target });
    } catch (err) {
      yield* setStatus('Failed', `Granting access failed: ${errorMessage(err)}`, true);
      return 'Failed';
    }
    if (!granted.granted) {
      yield* setStatus('Failed', `Refused: ${granted.reason}`, true);
      return 'Failed';
    }
  }
  const recorded = yield* call(context, RequestActivity.recordStarted, { ...ref, input });
  if (!recorded.granted) {
    yield* setStatus('Failed', `Refused: ${recorded.reason}`, true);
    return 'Failed';
  }

  context.df.setCustomStatus('Active');
  const ended = yield* runLifecycle(context, input);
  const endedBy = ended?.by ?? null;

  if (input.kind === 'assignment' && !ended?.alreadyRevoked) {
    context.df.setCustomStatus('Revoking');
    // Guaranteed revoke: keep trying, in rounds, until Graph confirms the access is gone.
    for (let round = 1; ; round++) {
      let kept: { reason: string; refused?: boolean };
      try {
        const revoked = yield* call(context, RequestActivity.revokeAccess, { ...ref, target });
        if (revoked?.revoked !== false) break;
        // A rule keeps the access for now (the last Global Administrator): recorded, tried again later.
        kept = { reason: revoked.refused, refused: true };
      } catch (err) {
        kept = { reason: errorMessage(err) };
      }
      yield* call(context, RequestActivity.recordRevokeFailure, { ...ref, target, round, ...kept });
      yield context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + REVOKE_ROUND_PAUSE_MS));
    }
  }
  yield* call(context, RequestActivity.recordEnded, {
    ...ref,
    input,
    reason: endedBy ? 'Revoked' : 'Expired',
    by: endedBy,
  });
  context.df.setCustomStatus(endedBy ? 'Revoked' : 'Expired');
  return endedBy ? 'Revoked' : 'Expired';
};

function errorMessage(err: unknown): string {
  return err instanceof Error ? (err.message.split('\n')[0] ?? err.message) : String(err);
}

df.app.orchestration(REQUEST_ORCHESTRATOR, scheduleRequestOrchestrator);
