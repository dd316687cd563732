/**
 * Grants that may be under way right now: an approved assignment request whose schedule isn't recorded yet and whose
 * window is open. They justify a membership (or role assignment, `groupId` its scope) the check may see before
 * pimflow records it.
 */
import type { ScheduleRequest } from '../../requests/domain/schedule-request';
import type { GrantInFlight } from './drift';

/** Request statuses of an approved assignment whose grant may be under way (its schedule not recorded yet). */
export const GRANTING: readonly ScheduleRequest['status'][] = [
  'Granted',
  'PendingProvisioning',
  'PendingScheduleCreation',
];

/** Clock skew allowed between a request's start and the check (as the grant itself allows). */
const IN_FLIGHT_SKEW_MS = 60_000;

/**
 * Only a grant that may be under way now: its window open. A request starting later (or already over) justifies no
 * membership today, so someone added outside pimflow meanwhile is still reported.
 */
export function grantsInFlight(
  granting: readonly Pick<
    ScheduleRequest,
    'groupId' | 'principalId' | 'accessId' | 'startDateTime' | 'endDateTime'
  >[],
  now: Date,
): (GrantInFlight & { groupId: string })[] {
  const t = now.getTime();
  return granting
    .filter(
      (r) =>
        Date.parse(r.startDateTime) <= t + IN_FLIGHT_SKEW_MS &&
        (r.endDateTime === null || Date.parse(r.endDateTime) > t),
    )
    .map((r) => ({ groupId: r.groupId, principalId: r.principalId, accessId: r.accessId }));
}
