/**
 * Graph's query scopes for reviews of privileged roles, read into pimflow's scope (what the reviews run on; the
 * definition answers the scope as written, domain/graph-query-scope.ts). The queries Graph documents for Microsoft
 * Entra roles:
 *
 * - `/roleManagement/directory/roleAssignmentScheduleInstances?$expand=principal&$filter=(isof(principal,'microsoft.graph.user') and roleDefinitionId eq '{role}')`
 *   — active assignments (optionally `assignmentType eq 'Assigned'`: pimflow reviews assigned and activated alike);
 * - `/roleManagement/directory/roleEligibilityScheduleInstances?...` (the same filter) — eligible assignments;
 * - `/roleManagement/directory/roleDefinitions/{role}` — everyone holding the role, eligible and active (users and
 *   role-assignable groups, the portal's "Users and Groups").
 *
 * `isof(principal, ...)` names the principal types (`microsoft.graph.user`, `.group`, `.servicePrincipal`, joined by
 * `or`); none named: all three. `#microsoft.graph.accessReviewInactiveUsersQueryScope` adds `inactiveDuration`
 * (`P{n}D`, 1–730 days): only users inactive that long. Pure.
 */
import { z } from 'zod';
import { azureScopeKind } from '../../access/resource';

export const graphRoleQueryScopeSchema = z.strictObject({
  /** Graph's examples sometimes leave it out: a query scope. */
  '@odata.type': z
    .enum(['#microsoft.graph.accessReviewQueryScope', '#microsoft.graph.accessReviewInactiveUsersQueryScope'])
    .optional(),
  query: z.string().min(1).max(1000),
  /** Graph's query types: `MicrosoftGraph`, or `ARM` for an Azure resource role's query. */
  queryType: z.enum(['MicrosoftGraph', 'ARM']).optional(),
  queryRoot: z.string().nullable().optional(),
  inactiveDuration: z.string().optional(),
});
export type GraphRoleQueryScope = z.infer<typeof graphRoleQueryScopeSchema>;

type PrincipalType = 'user' | 'group' | 'servicePrincipal';

export interface ParsedRoleScope {
  roles: { roleDefinitionId: string; directoryScopeId: string }[];
  assignmentTypes: 'eligible' | 'active' | 'both';
  principalTypes: PrincipalType[];
  inactiveDurationInDays: number | null;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ROLE_DEFINITION = new RegExp(`^/(?:v1\\.0/|beta/)?roleManagement/directory/roleDefinitions/(${GUID})$`);
const INSTANCES = new RegExp(
  `^/(?:v1\\.0/|beta/)?roleManagement/directory/(roleAssignmentScheduleInstances|roleEligibilityScheduleInstances)\\?(.+)$`,
);
const ROLE_TERM = new RegExp(`roleDefinitionId eq '(${GUID})'`, 'g');
const SCOPE_TERM = /directoryScopeId eq '(\/(?:administrativeUnits\/[0-9a-fA-F-]{36})?)'/g;
const ISOF_TERM = /isof\(principal,\s*'microsoft\.graph\.(user|group|servicePrincipal)'\)/g;
const ASSIGNED_TERM = /assignmentType eq '(?:Assigned|Activated)'/g;

/** Graph's query scope for a privileged role as pimflow's scope, or why it isn't one pimflow reviews. */
export function parseGraphRoleScope(s: GraphRoleQueryScope): ParsedRoleScope | { error: string } {
  const inactive = inactiveDays(s);
  if (inactive !== null && typeof inactive === 'object') return inactive;
  const whole = ROLE_DEFINITION.exec(s.query);
  if (whole?.[1])
    return {
      roles: [{ roleDefinitionId: whole[1].toLowerCase(), directoryScopeId: '/' }],
      assignmentTypes: 'both',
      principalTypes: ['user', 'group'],
      inactiveDurationInDays: inactive,
    };
  const m = INSTANCES.exec(s.query);
  const params = m?.[2] ? new URLSearchParams(m[2]) : undefined;
  const filter = params?.get('$filter');
  if (!m || !filter || ![...params!.keys()].every((k) => k === '$filter' || k === '$expand'))
    return { error: unsupported(s.query) };
  const roles = [...filter.matchAll(ROLE_TERM)].map((r) => (r[1] ?? '').toLowerCase());
  const scopes = [...filter.matchAll(SCOPE_TERM)].map((r) => r[1] ?? '/');
  const types = [...new Set([...filter.matchAll(ISOF_TERM)].map((r) => r[1] as PrincipalType))];
  const rest = filter
    .replace(ROLE_TERM, '')
    .replace(SCOPE_TERM, '')
    .replace(ISOF_TERM, '')
    .replace(ASSIGNED_TERM, '')
    .replace(/\b(and|or)\b|[()\s]/g, '');
  if (roles.length !== 1 || scopes.length > 1 || rest !== '')
    return {
      error: `${unsupported(s.query)}: the $filter names one roleDefinitionId, and isof(principal, ...)`,
    };
  return {
    roles: [{ roleDefinitionId: roles[0] ?? '', directoryScopeId: scopes[0] ?? '/' }],
    assignmentTypes: m[1] === 'roleEligibilityScheduleInstances' ? 'eligible' : 'active',
    principalTypes: types.length > 0 ? types : ['user', 'group', 'servicePrincipal'],
    inactiveDurationInDays: inactive,
  };
}

export function inactiveDays(
  s: Pick<GraphRoleQueryScope, '@odata.type' | 'inactiveDuration'>,
): number | null | { error: string } {
  const inactiveScope = s['@odata.type'] === '#microsoft.graph.accessReviewInactiveUsersQueryScope';
  if (!inactiveScope)
    return s.inactiveDuration === undefined
      ? null
      : { error: 'inactiveDuration belongs to #microsoft.graph.accessReviewInactiveUsersQueryScope' };
  const days = /^P(\d{1,3})D$/.exec(s.inactiveDuration ?? '')?.[1];
  const n = Number(days);
  if (!days || n < 1 || n > 730)
    return {
      error: `inactiveDuration must be P1D to P730D (days inactive), not "${s.inactiveDuration ?? ''}"`,
    };
  return n;
}

/**
 * An Azure resource role's query, as Graph's scope takes it with `queryType: ARM`: the role definition at the ARM
 * scope reviewed, `{scope}/providers/Microsoft.Authorization/roleDefinitions/{roleGuid}` (the scope a management
 * group, subscription, resource group or resource). Undefined when the query isn't one.
 */
export function parseAzureRoleQuery(
  query: string,
): { roleDefinitionId: string; azureScope: string } | { error: string } | undefined {
  const m = AZURE_ROLE_QUERY.exec(query);
  if (!m?.[1] || !m[2]) return undefined;
  if (!azureScopeKind(m[1]))
    return {
      error: `The scope query "${query}" names no Azure scope: use {scope}/providers/Microsoft.Authorization/roleDefinitions/{id} with a management group, subscription, resource group or resource`,
    };
  return { roleDefinitionId: m[2].toLowerCase(), azureScope: m[1] };
}

const AZURE_ROLE_QUERY = new RegExp(
  `^(/.+?)/providers/Microsoft\\.Authorization/roleDefinitions/(${GUID})$`,
  'i',
);

function unsupported(query: string): string {
  return `Unsupported scope query "${query}": use /roleManagement/directory/roleAssignmentScheduleInstances or roleEligibilityScheduleInstances?$expand=principal&$filter=(... roleDefinitionId eq '{id}'), or /roleManagement/directory/roleDefinitions/{id}`;
}
