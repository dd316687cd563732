/**
 * Access in words, for mails and pages: "member of Finance" for a group, "the Helpdesk Administrator role" (and its
 * administrative unit) for a directory role, "the Contributor role on finance-rg" for an Azure role; and the facts a
 * notice lists about it. Names come from the directory and from Azure Resource Manager; an object they no longer
 * have (or that can't be read) is named by its id.
 */
import type { AzureRbac } from '../azure/azure-rbac';
import type { Directory } from '../directory/directory';
import { azureScopeKind, resourceTypeOf, type AzureScopeKind, type ResourceType } from './resource';

/** Where names come from: the directory, and ARM for Azure roles (ids are shown without it). */
export interface AccessNames {
  directory: Directory;
  azureRbac?: Pick<AzureRbac, 'getScope' | 'getRoleDefinition'>;
}

const SCOPE_KINDS: Record<AzureScopeKind, string> = {
  managementGroup: 'Management group',
  subscription: 'Subscription',
  resourceGroup: 'Resource group',
  resource: 'Resource',
};

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

export async function describeAccess(names: AccessNames, a: DescribedAccess): Promise<AccessDescription> {
  const { directory } = names;
  if (resourceTypeOf(a) === 'azureRole') return describeAzureRole(names, a);
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

async function describeAzureRole(names: AccessNames, a: DescribedAccess): Promise<AccessDescription> {
  const quietly = <T>(read: (() => Promise<T | null>) | undefined) =>
    read ? read().catch(() => null) : Promise.resolve(null);
  const rbac = names.azureRbac;
  const [role, scope] = await Promise.all([
    quietly(rbac && (() => rbac.getRoleDefinition(a.groupId, a.accessId))),
    quietly(rbac && (() => rbac.getScope(a.groupId))),
  ]);
  const name = role?.roleName ?? a.accessId;
  const kind = scope?.kind ?? azureScopeKind(a.groupId);
  const scopeName = scope?.displayName ?? a.groupId;
  return {
    name,
    phrase: `the ${name} role on ${scopeName}`,
    facts: [
      ['Role', name],
      ['Scope', kind ? `${SCOPE_KINDS[kind]} ${scopeName}` : scopeName],
    ],
  };
}
