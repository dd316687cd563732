/**
 * What pimflow holds for one group, as the drift check reads it from the requests' store: every assignment
 * schedule, and the assignment requests whose grant may be under way (statuses in domain/grants-in-flight.ts).
 */
import type { Schedule } from '../../lifecycle/domain/schedule';
import type { PimStore } from '../../requests/adapters/pim-store';
import type { ScheduleRequest } from '../../requests/domain/schedule-request';
import { GRANTING } from '../domain/grants-in-flight';

export async function allAssignments(store: PimStore, groupId: string): Promise<Schedule[]> {
  const out: Schedule[] = [];
  let continuationToken: string | undefined;
  do {
    const page = await store.listSchedules({ groupId, kind: 'assignment', pageSize: 999, continuationToken });
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}

export async function grantingRequests(store: PimStore, groupId: string): Promise<ScheduleRequest[]> {
  const out: ScheduleRequest[] = [];
  let continuationToken: string | undefined;
  const statuses = GRANTING.map((_, i) => `@s${i}`).join(', ');
  const params = Object.fromEntries(GRANTING.map((s, i) => [`@s${i}`, s]));
  do {
    const page = await store.requests.queryPage(
      `SELECT * FROM c WHERE c.kind = 'assignment' AND c.status IN (${statuses})`,
      params,
      { partitionKey: groupId, pageSize: 999, continuationToken },
    );
    out.push(...page.items);
    continuationToken = page.continuationToken;
  } while (continuationToken);
  return out;
}
