/**
 * Access in words, for mails and pages: "member of Finance" for a group, "the Helpdesk Administrator role" (and its
 * administrative unit) for a directory role; and the facts a notice lists about it. Names come from the directory;
 * an object it no longer has is named by its id.
 */
import type { Directory } from '../directory/directory';
import { resourceTypeOf, type ResourceType } from './resource';

export interface AccessDescription {
  /** The group's or the role's display name. */
  name: string;
  /** "member of Finance", "the Helpdesk Administrator role", "... role in Paris office". */
  phrase: string;
  /** Rows for a notice's facts table. */
  facts: [string, string][];
}

export interface DescribedAccess {
  resourceType?: ResourceType;
  groupId: string;
  accessId: string;
}

export async function describeAccess(directory: Directory, a: DescribedAccess): Promise<AccessDescription> {
  if (resourceTypeOf(a) === 'group') {
    const name = (await directory.getGroup(a.groupId))?.displayName ?? a.groupId;
    return {
      name,
      phrase: `${a.accessId} of ${name}`,
      facts: [
        ['Group', name],
        ['Role', a.accessId],
      ],
    };
  }
  const unitId = a.groupId.startsWith('/administrativeUnits/') ? a.groupId.split('/')[2] : undefined;
  const [role, unit] = await Promise.all([
    directory.getRoleDefinition(a.accessId),
    unitId ? directory.getAdministrativeUnit(unitId) : Promise.resolve(null),
  ]);
  const name = role?.displayName ?? a.accessId;
  const scope = unitId ? (unit?.displayName ?? unitId) : null;
  return {
    name,
    phrase: `the ${name} role${scope ? ` in ${scope}` : ''}`,
    facts: [
      ['Role', name],
      ['Scope', scope ? `Administrative unit ${scope}` : 'Directory'],
    ],
  };
}
