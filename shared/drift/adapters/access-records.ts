/**
 * What pimflow holds for one resource, as the drift check reads it from the requests' store: every current
 * assignment schedule, and the assignment requests whose grant may be under way (statuses in
 * domain/grants-in-flight.ts). A group's are in its partition; a directory role's are spread over its scopes'
 * partitions (`groupId` the scope), found by the role (`accessId`, a role definition id no group role shares).
 */
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { PimStore } from '../../requests/adapters/pim-store';
import type { ScheduleRequest } from '../../requests/domain/schedule-request';
import { GRANTING } from '../domain/grants-in-flight';

/** A group's (by its id) or a directory role's at every scope (by the role definition id). */
export type HeldBy = { groupId: string } | { roleDefinitionId: string };

export async function allAssignments(store: PimStore, of: HeldBy): Promise<Schedule[]> {
  const filter = 'groupId' in of ? { groupId: of.groupId } : { accessId: of.roleDefinitionId };
  const out: Schedule[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.listSchedules({
      ...filter,
      kind: 'assignment',
      pageSize: 999,
      continuationToken,
    });
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

export async function grantingRequests(store: PimStore, of: HeldBy): Promise<ScheduleRequest[]> {
  const out: ScheduleRequest[] = [];
  let continuationToken: string | undefined;
  const statuses = GRANTING.map((_, i) => `@s${i}`).join(', ');
  const params: Record<string, string> = Object.fromEntries(GRANTING.map((s, i) => [`@s${i}`, s]));
  const byRole = 'roleDefinitionId' in of;
  if (byRole) params['@accessId'] = of.roleDefinitionId;
  do {
    const page = await store.requests.queryPage(
      `SELECT * FROM c WHERE c.kind = 'assignment' AND c.status IN (${statuses})${byRole ? ' AND c.accessId = @accessId' : ''}`,
      params,
      byRole
        ? { crossPartition: true, pageSize: 999, continuationToken }
        : { partitionKey: of.groupId, pageSize: 999, continuationToken },
    );
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}
