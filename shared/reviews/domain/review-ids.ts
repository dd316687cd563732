/** The ids of an access review's documents, derived from what they are about (so a retried step creates nothing twice). */
import { guidFrom } from '../../deterministic-id';

/** The instance reviewing one role (a group's, or a directory role at a scope: `groupId` the scope, `accessId` the role) in one occurrence of a series. */
export function reviewInstanceId(
  definitionId: string,
  occurrence: number,
  groupId: string,
  accessId: string,
): string {
  return guidFrom(
    'pimflow-review-instance',
    definitionId,
    String(occurrence),
    groupId.toLowerCase(),
    accessId,
  );
}

/** The decision item of one schedule in one instance. */
export function reviewDecisionId(instanceId: string, scheduleId: string): string {
  return guidFrom('pimflow-review-decision', instanceId, scheduleId);
}

/**
 * What stands for the schedule of a directory role assignment made outside pimflow (it has none): a GUID derived
 * from Graph's assignment id, so its decision item's id derives from it as a schedule's does.
 */
export function outsideAssignmentKey(roleAssignmentId: string): string {
  return guidFrom('pimflow-directory-role-assignment', roleAssignmentId);
}

/**
 * What stands for the schedule of a user holding an Azure role through a group (the group's holding is expanded): a
 * GUID derived from the group's holding key and the member, so each member's item id derives from it.
 */
export function groupMemberKey(groupHoldingKey: string, memberId: string): string {
  return guidFrom('pimflow-azure-role-group-member', groupHoldingKey, memberId.toLowerCase());
}
