/** The containers of PIM requests and schedules; both partitioned by group, since every request names its group. */
import type { ContainerSpec } from '../../storage/ensure-database';

export const scheduleRequestsContainer: ContainerSpec = {
  id: 'scheduleRequests',
  partitionKeyPath: '/groupId',
};
export const schedulesContainer: ContainerSpec = { id: 'schedules', partitionKeyPath: '/groupId' };
/** One document per open request of a principal for a group role: creating it is how "at most one" is enforced. */
export const requestLocksContainer: ContainerSpec = { id: 'requestLocks', partitionKeyPath: '/groupId' };
