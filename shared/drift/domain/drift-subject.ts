/**
 * What a drift report is about: a managed group, or a managed directory role. Reports are kept in one container
 * partitioned by `/groupId`; a role's report is keyed `directoryRole:{roleDefinitionId}` there. A key with a
 * prefix (rather than the bare role definition id) can never equal a group's object id, reads as what it is in
 * the container and in logs, and lets the drift check's one list of "resources under management" carry groups and
 * roles alike (a group's key is its id, as it always was, so its report and its existing documents don't move).
 */
import type { ResourceType } from '../../access/resource';

const ROLE_PREFIX = 'directoryRole:';
const GUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';
export const ROLE_REPORT_KEY = new RegExp(`^${ROLE_PREFIX}${GUID}$`);

export function roleReportKey(roleDefinitionId: string): string {
  return `${ROLE_PREFIX}${roleDefinitionId.toLowerCase()}`;
}

/** The report key of a resource under management: a group id, or `directoryRole:{roleDefinitionId}`. */
export function parseReportKey(
  key: string,
): { resourceType: 'group'; groupId: string } | { resourceType: 'directoryRole'; roleDefinitionId: string } {
  const lowered = key.toLowerCase();
  return lowered.startsWith(ROLE_PREFIX.toLowerCase())
    ? { resourceType: 'directoryRole', roleDefinitionId: lowered.slice(ROLE_PREFIX.length) }
    : { resourceType: 'group', groupId: lowered };
}

/** A checked resource as its report, audit records and mail name it. */
export interface DriftSubject {
  resourceType: ResourceType;
  /** The report's key (its `groupId`): the group's id, or roleReportKey. */
  reportKey: string;
  /** The group's id, or the role definition's id. */
  id: string;
  displayName: string;
  /** The resource's setting: remove access granted outside pimflow. */
  removesOutsideAccess: boolean;
}
