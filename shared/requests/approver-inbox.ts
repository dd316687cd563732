/**
 * `filterByCurrentUser(on='approver')` on schedule requests: the requests waiting for the caller's decision (the
 * approver's inbox), read a page of approvals at a time (an approval's id is its request's), newest first. A page
 * may hold fewer requests than asked (approvals of the other kind, or filtered out) while more follow.
 */
import type { ResourceType } from '../access/resource';
import type { ApprovalRepository } from '../approvals/adapters/approval-repository';
import { awaitsDecisionBy } from '../approvals/domain/approval';
import type { Page, Stored } from '../storage/stored';
import type { ListFilter, PimStore } from './adapters/pim-store';
import type { ScheduleRequest } from './domain/schedule-request';

export interface ApproverInboxDeps {
  approvals: Pick<ApprovalRepository, 'listAwaiting'>;
  store: Pick<PimStore, 'requests'>;
}

export async function requestsAwaitingApprover(
  deps: ApproverInboxDeps,
  f: ListFilter & { approverId: string; resourceType: ResourceType },
): Promise<Page<Stored<ScheduleRequest>>> {
  const page = await deps.approvals.listAwaiting({
    approverId: f.approverId,
    resourceType: f.resourceType,
    pageSize: f.pageSize,
    continuationToken: f.continuationToken,
  });
  const requests = await Promise.all(
    page.items
      .filter((a) => awaitsDecisionBy(a, f.approverId))
      .map((a) => deps.store.requests.find(a.requestId, a.groupId)),
  );
  const items = requests.filter(
    (r): r is Stored<ScheduleRequest> =>
      r !== undefined &&
      r.kind === f.kind &&
      (f.groupId === undefined || r.groupId === f.groupId) &&
      (f.principalId === undefined || r.principalId === f.principalId) &&
      (f.accessId === undefined || r.accessId === f.accessId),
  );
  return { items, ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}) };
}
