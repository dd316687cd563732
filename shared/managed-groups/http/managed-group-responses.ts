/** The API's side of managed groups: the view of a group, and the status of each refusal. */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import { policyIdFor } from '../../policies/domain/policy';
import type { ManagedGroup } from '../domain/managed-group';
import type { ManageRefusal } from '../managed-groups';

const STATUS: Record<ManageRefusal['reason'], number> = {
  notInDirectory: 404,
  notManaged: 404,
  dynamicMembership: 400,
  distributionGroup: 400,
  alreadyManaged: 409,
};

export function refusalResponse(refusal: ManageRefusal): HttpResponseInit {
  return problem(STATUS[refusal.reason], refusal.detail);
}

/** The API's view of a managed group; the baseline lists only when asked (the single-group GET). */
export function managedGroupView(group: ManagedGroup, withBaseline: boolean): Record<string, unknown> {
  return {
    id: group.groupId,
    groupId: group.groupId,
    displayName: group.displayName,
    managedSince: group.managedSince,
    managedBy: group.managedBy,
    roles: group.settings.roles,
    removeMembersAddedOutsidePim: group.settings.removeMembersAddedOutsidePim ?? false,
    policyIds: Object.fromEntries(group.settings.roles.map((r) => [r, policyIdFor(group, r)])),
    baselineTakenAt: group.baselineTakenAt ?? null,
    ...(withBaseline && {
      baselineMembers: group.baselineMembers ?? null,
      baselineOwners: group.baselineOwners ?? null,
    }),
  };
}
