/**
 * One chunk of an apply for a directory or Azure role's instance (apply-chunk.ts hands it the page): a denied item
 * loses the role. An item of a pimflow schedule — an assignment, or an eligibility with its live activations — has
 * the role assignment removed through the access port (resourceType directoryRole or azureRole), then its schedules
 * are ended through
 * their request orchestrations with `alreadyRevoked`, as group reviews do. An assignment made outside pimflow
 * (`roleAssignmentId`) is removed through the access port alone. A removal the port refuses — Graph's error, or the
 * guard that never removes the last Global Administrator or Privileged Role Administrator — is recorded on the
 * item as AppliedWithUnknownFailure with the reason (and audited); throttling leaves the item for another round.
 * A role-assignable group is one principal: denying it removes the group's assignment, never its members'.
 *
 * Azure roles: a user who holds the role through a security group (an expanded group's member) is not removed from
 * the group — the group may carry other access, in Azure or elsewhere (seed 000's note 2) — nor is the group's
 * assignment removed (its other members keep their access): the item is recorded `ApplyNotSupported` (Graph's value
 * for a decision pimflow can't carry out), audited, listed with `$filter=applyResult eq 'ApplyNotSupported'` and
 * mailed to the admins once the apply finishes (apply-activities.ts), who decide what to do with the group.
 */
import type { AccessProvider, AccessTarget } from '../access/access-provider';
import { AccessNotConfirmedError } from '../access/access-provider';
import { resourceTypeOf } from '../access/resource';
import { AzureRbacError } from '../azure/azure-rbac';
import { GraphError } from '../directory/graph-error';
import type { EndAccessEvent } from '../requests/domain/schedule-request';
import type { Schedule } from '../lifecycle/domain/schedule';
import type { Page, Stored } from '../storage/stored';
import type { ApplyDeps, RaiseEnd } from './apply-activities';
import {
  alreadyEnded,
  endSchedulesOf,
  LIVE,
  markAttempted,
  recordAll,
  TRANSIENT,
  type Plan,
} from './apply-steps';
import type { ApplyChunkInput, ApplyChunkResult } from './contract';
import type { ReviewDecision } from './domain/review-decision';
import type { ReviewInstance } from './domain/review-instance';
import { liveActivationsFrom } from './adapters/live-activations';
import { mapLimit } from './parallel';

/** Role removals at a time: each is a Graph call and a check, unlike the groups' `$batch`. */
const PARALLEL_REVOKES = 10;

export async function applyRoleItems(
  d: ApplyDeps,
  a: ApplyChunkInput,
  instance: ReviewInstance,
  page: Page<Stored<ReviewDecision>>,
  when: { at: string; by: EndAccessEvent['by'] },
  raise: RaiseEnd,
): Promise<ApplyChunkResult> {
  const target = (principalId: string): AccessTarget => ({
    resourceType: resourceTypeOf(instance),
    resourceId: instance.groupId,
    role: instance.accessId,
    principalId,
  });
  const plans = await mapLimit(page.items, PARALLEL_REVOKES, (item) => planOf(d, instance, item, target));

  await markAttempted(d, instance, plans, when.at);
  await mapLimit(
    plans.filter((p) => !p.outcome),
    PARALLEL_REVOKES,
    async (p) => {
      if (p.removePrincipal) {
        const failure = await revoke(d.access, target(p.removePrincipal), a.finalAttempt === true);
        if (failure === 'retry') {
          p.retry = true;
          return;
        }
        if (failure) {
          p.outcome = { result: 'AppliedWithUnknownFailure', reason: failure };
          return;
        }
      }
      p.outcome = { result: 'AppliedSuccessfully', reason: 'Role assignment removed' };
    },
  );

  await endSchedulesOf(d, instance, plans, when.by, raise);
  return recordAll(d, instance, plans, a.appliedBy ?? null, when.at, page.continuationToken);
}

/** What a denied item means now: which schedules end with it and whether a role assignment goes. */
async function planOf(
  d: ApplyDeps,
  instance: ReviewInstance,
  item: Stored<ReviewDecision>,
  target: (principalId: string) => AccessTarget,
): Promise<Plan> {
  const principalId = item.principal.id;
  if (item.accessThroughGroup)
    return { item, ends: [], removePrincipal: null, outcome: throughGroupOutcome(item.accessThroughGroup) };
  if (item.roleAssignmentId) {
    // Made outside pimflow: the directory is the only record of it.
    const held = await d.access.verify(target(principalId));
    return held
      ? { item, ends: [], removePrincipal: principalId }
      : { item, ends: [], removePrincipal: null, outcome: alreadyEnded(item, undefined) };
  }
  const schedule = await d.store.schedules.find(item.scheduleId, instance.groupId);
  if (!schedule || !LIVE.includes(schedule.status))
    return { item, ends: [], removePrincipal: null, outcome: alreadyEnded(item, schedule) };
  if (schedule.kind === 'assignment')
    return {
      item,
      ends: [schedule],
      removePrincipal: schedule.status === 'Provisioned' ? principalId : null,
    };
  const fromIt: Stored<Schedule>[] =
    (await liveActivationsFrom(d.store, instance, new Set([schedule.id]))).get(schedule.id) ?? [];
  return {
    item,
    ends: [schedule, ...fromIt],
    removePrincipal: fromIt.some((s) => s.status === 'Provisioned') ? principalId : null,
  };
}

/** Removes the role assignment: undefined when done, 'retry' when Graph said later, otherwise why it was refused. */
async function revoke(
  access: AccessProvider,
  target: AccessTarget,
  finalAttempt: boolean,
): Promise<string | 'retry' | undefined> {
  try {
    await access.revoke(target);
    return undefined;
  } catch (err) {
    const transient =
      ((err instanceof GraphError || err instanceof AzureRbacError) && TRANSIENT.has(err.status)) ||
      err instanceof AccessNotConfirmedError;
    if (transient && !finalAttempt) return 'retry';
    const why = err instanceof Error ? err.message : String(err);
    return `The role assignment was not removed: ${why}`;
  }
}

/** A denial of access held through a group: left to an admin, with why. */
export function throughGroupOutcome(group: {
  id: string;
  displayName: string | null;
}): NonNullable<Plan['outcome']> {
  return {
    result: 'ApplyNotSupported',
    reason: `Holds the role through the group ${group.displayName ?? group.id} (${group.id}): pimflow doesn't remove members from a group that may carry other access; an admin must act`,
  };
}
