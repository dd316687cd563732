/**
 * Reading and canceling one request: who may see it (admins and auditors, its principal and requester, the group's
 * managers) and who may cancel it (its requester, or an admin), while it hasn't started.
 */
import { APP_ROLES, type CallerPrincipal } from '../auth/principal';
import type { Clock } from '../clock';
import { resourceTypeOf, type ResourceType } from '../access/resource';
import type { PimStore } from './adapters/pim-store';
import { RequestEvent, type CancelRequestEvent } from './contract';
import type { RequestKind } from './domain/request-body';
import { OPEN_STATUSES, requestInstanceId, type ScheduleRequest } from './domain/schedule-request';
import { refused, type Refusal } from './domain/submit-outcome';
import type { RequestOrchestrations } from './create-request';

export interface RequestAccessDeps {
  store: PimStore;
  clock: Clock;
  canManageGroup(caller: CallerPrincipal, groupId: string): Promise<boolean>;
}

/**
 * The request `id` of this kind, if the caller may see it through this resource type's API (a group route never
 * shows a directory role's request, nor the other way round).
 */
export async function findVisibleRequest(
  deps: RequestAccessDeps,
  kind: RequestKind,
  id: string,
  caller: CallerPrincipal,
  resourceType: ResourceType = 'group',
): Promise<ScheduleRequest | undefined> {
  const found = await deps.store.findRequest(id);
  if (!found || found.kind !== kind || resourceTypeOf(found) !== resourceType) return undefined;
  return (await mayRead(deps, caller, found)) ? found : undefined;
}

async function mayRead(
  deps: Pick<RequestAccessDeps, 'canManageGroup'>,
  caller: CallerPrincipal,
  r: { principalId: string; groupId: string; createdBy: { user: { id: string } } },
): Promise<boolean> {
  if (caller.roles.includes(APP_ROLES.admin) || caller.roles.includes(APP_ROLES.auditor)) return true;
  if (caller.kind !== 'user') return false; // apps read by their roles only
  if (r.principalId === caller.objectId || r.createdBy.user.id === caller.objectId) return true;
  return deps.canManageGroup(caller, r.groupId);
}

/**
 * Cancels a visible request that hasn't started: the cancel is written first, then the orchestration is told (it
 * confirms the cancel against the request, and the reconciler re-sends it if the event was lost).
 */
export async function cancelRequest(
  deps: RequestAccessDeps,
  orchestrations: Pick<RequestOrchestrations, 'raise'>,
  found: ScheduleRequest,
  caller: CallerPrincipal,
): Promise<{ outcome: 'canceled' } | Refusal> {
  // Being the requester is a person's authority; an app cancels only as an admin.
  const isRequester = caller.kind === 'user' && found.createdBy.user.id === caller.objectId;
  if (!isRequester && !caller.roles.includes(APP_ROLES.admin))
    return refused('forbidden', 'Only the requester or an admin can cancel a request');
  if (!OPEN_STATUSES.includes(found.status))
    return refused(
      'conflict',
      `The request is ${found.status}; only a request that hasn't started can be canceled`,
    );
  const event: CancelRequestEvent = { by: { id: caller.objectId, displayName: caller.displayName ?? null } };
  const marked = await deps.store.markCancelRequested(found.id, found.groupId, event.by, deps.clock.now());
  if (!marked) return refused('conflict', 'The request has already finished');
  try {
    await orchestrations.raise(requestInstanceId(found.id), RequestEvent.cancel, event);
  } catch {
    return refused('conflict', 'The request has already finished');
  }
  return { outcome: 'canceled' };
}
