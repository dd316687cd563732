/**
 * Graph's review scopes, read into pimflow's (which the reviews run on), for the queries Graph documents that name
 * something pimflow manages. Accepted:
 *
 * - a group's members: `/groups/{id}/transitiveMembers` or `/groups/{id}/members`, optionally narrowed to users
 *   (`/microsoft.graph.user`) and with `$count=true` — the group's `member` role, eligible and active (as Entra
 *   reviews a PIM for Groups group). Relative (`./members`, `./transitiveMembers`) when `instanceEnumerationScope`
 *   names the group (`/groups/{id}`), as Graph's tutorial writes it;
 * - a privileged role's assignments: the queries of domain/graph-role-scope.ts;
 * - an Azure resource role (`queryType: ARM`): `{scope}/providers/Microsoft.Authorization/roleDefinitions/{id}` —
 *   everyone holding the role at that ARM scope, eligible and active, users (groups expanded);
 * - `#microsoft.graph.principalResourceMembershipsScope` with `principalScopes` all `/users` (users) and
 *   `resourceScopes` each a group (`/groups/{id}`, or its members as above) or a role
 *   (`/roleManagement/directory/roleDefinitions/{id}`): one role per resource, one instance each;
 * - `#microsoft.graph.accessReviewInactiveUsersQueryScope` (as the scope, or as a principal scope): only users
 *   inactive for `inactiveDuration`.
 *
 * Refused, with the supported list: guest-only filters (`userType eq 'Guest'`: pimflow doesn't keep a user's
 * type), enumerations of many groups (`/groups?$filter=...`: pimflow reviews the groups it manages, named), specific
 * principals, applications, access packages and teams. Pure.
 */
import { z } from 'zod';
import {
  graphRoleQueryScopeSchema,
  inactiveDays,
  parseAzureRoleQuery,
  parseGraphRoleScope,
} from './graph-role-scope';
import type { ReviewScope } from './review-definition';
import { eitherShape } from './reviewed-role';

export const graphQueryScopeSchema = graphRoleQueryScopeSchema;
export type GraphQueryScope = z.infer<typeof graphQueryScopeSchema>;

export const principalResourceMembershipsScopeSchema = z.strictObject({
  '@odata.type': z.literal('#microsoft.graph.principalResourceMembershipsScope'),
  principalScopes: z.array(graphQueryScopeSchema).min(1).max(10),
  resourceScopes: z.array(graphQueryScopeSchema).min(1).max(50),
});
type PrincipalResourceMembershipsScope = z.infer<typeof principalResourceMembershipsScopeSchema>;

/** Graph's scope, as written: a query scope or a principalResourceMembershipsScope. */
export const graphScopeSchema = eitherShape(
  (v) => v['@odata.type'] === '#microsoft.graph.principalResourceMembershipsScope',
  graphQueryScopeSchema,
  principalResourceMembershipsScopeSchema,
);
export type GraphScope = z.infer<typeof graphScopeSchema>;

/** A scope written as Graph's (a query, or typed `#microsoft.graph.*`) rather than ours. */
export function isGraphScope(v: Record<string, unknown>): boolean {
  const type = v['@odata.type'];
  return typeof type === 'string'
    ? type.startsWith('#microsoft.graph.')
    : 'query' in v || 'principalScopes' in v;
}

const GUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const VERSION = '(?:/(?:v1\\.0|beta))?';
/** `/groups/{id}/members` (or transitiveMembers, or relative `./members`), `/microsoft.graph.user`, a query string. */
const GROUP_MEMBERS = new RegExp(
  `^(?:${VERSION}/groups/(${GUID})|\\.)/(members|transitiveMembers)(/microsoft\\.graph\\.user)?/?(?:\\?(.*))?$`,
);
const GROUP = new RegExp(`^${VERSION}/groups/(${GUID})/?$`);
const ROLE_DEFINITION = new RegExp(`^${VERSION}/roleManagement/directory/roleDefinitions/(${GUID})$`);
const USERS = new RegExp(`^${VERSION}/users/?(?:\\?(.*))?$`);

export const SUPPORTED_SCOPES =
  "supported: /groups/{id}/members or /groups/{id}/transitiveMembers (optionally /microsoft.graph.user), the privileged role queries (/roleManagement/directory/roleDefinitions/{id}, roleAssignmentScheduleInstances or roleEligibilityScheduleInstances with $filter=roleDefinitionId eq '{id}'), an Azure resource role ({scope}/providers/Microsoft.Authorization/roleDefinitions/{id}, queryType ARM), #microsoft.graph.principalResourceMembershipsScope with principalScopes /users and resourceScopes /groups/{id}, /roleManagement/directory/roleDefinitions/{id} or an Azure resource role, or pimflow's #pimflow.groupRoleReviewScope";

type Refused = { error: string };
const ALL_TYPES: ReviewScope['principalTypes'] = ['user', 'group', 'servicePrincipal'];

/** Graph's scope (and instanceEnumerationScope) as pimflow's scope, or why pimflow can't review it. */
export function readGraphScope(
  scope: GraphScope,
  enumeration: GraphQueryScope | null,
): ReviewScope | Refused {
  if ('principalScopes' in scope) {
    if (enumeration)
      return {
        error: 'instanceEnumerationScope goes with a query scope, not with principalResourceMembershipsScope',
      };
    return readMemberships(scope);
  }
  const inactive = inactiveDays(scope);
  if (inactive !== null && typeof inactive === 'object') return inactive;
  const enumeratedGroup = enumeration ? readEnumeration(enumeration) : undefined;
  if (enumeratedGroup && typeof enumeratedGroup === 'object') return enumeratedGroup;

  const members = readGroupMembers(scope.query, enumeratedGroup);
  if (members) {
    if ('error' in members) return members;
    return { ...members, assignmentTypes: 'both', inactiveDurationInDays: inactive };
  }
  if (enumeration)
    return {
      error: `${unsupported(scope.query)}: with instanceEnumerationScope /groups/{id}, the scope is ./members or ./transitiveMembers`,
    };
  if (/^(?:\/(?:v1\.0|beta))?\/roleManagement\//.test(scope.query)) {
    return parseGraphRoleScope(scope);
  }
  const azure = parseAzureRoleQuery(scope.query);
  if (azure) {
    if ('error' in azure) return azure;
    // Everyone holding the role at the scope, eligible and active; security groups expanded to their users.
    return {
      roles: [azure],
      assignmentTypes: 'both',
      principalTypes: ['user'],
      inactiveDurationInDays: inactive,
    };
  }
  return { error: unsupported(scope.query) };
}

function unsupported(query: string): string {
  return `Unsupported scope query "${query}"; ${SUPPORTED_SCOPES}`;
}

/** `/groups/{id}`: the one group an instanceEnumerationScope may name. */
function readEnumeration(e: GraphQueryScope): string | Refused {
  const group = GROUP.exec(e.query)?.[1];
  if (group) return group.toLowerCase();
  return {
    error: `Unsupported instanceEnumerationScope query "${e.query}": pimflow reviews groups under management, each named: use /groups/{id}, or list the groups' roles in a #pimflow.groupRoleReviewScope`,
  };
}

/** A group members query: the group's member role and which principals, undefined when it isn't one. */
function readGroupMembers(
  query: string,
  enumeratedGroup: string | undefined,
): Pick<ReviewScope, 'roles' | 'principalTypes'> | Refused | undefined {
  const m = GROUP_MEMBERS.exec(query);
  if (!m) return undefined;
  const [, groupId, , usersOnly, queryString] = m;
  const group = groupId?.toLowerCase() ?? enumeratedGroup;
  if (!group)
    return { error: `The relative scope query "${query}" needs instanceEnumerationScope /groups/{id}` };
  if (enumeratedGroup && group !== enumeratedGroup)
    return {
      error: `The scope query "${query}" names another group than instanceEnumerationScope (${enumeratedGroup})`,
    };
  const problem = queryStringProblem(query, queryString);
  if (problem) return problem;
  return {
    roles: [{ groupId: group, accessId: 'member' }],
    principalTypes: usersOnly ? ['user'] : ALL_TYPES,
  };
}

/** Only `$count=true` may come with a members or users query: pimflow can't filter on anything else. */
function queryStringProblem(query: string, queryString: string | undefined): Refused | undefined {
  if (!queryString) return undefined;
  const params = new URLSearchParams(queryString);
  for (const [key, value] of params) {
    if (key === '$count' && value === 'true') continue;
    if (key === '$filter' && /userType\s+eq/i.test(value))
      return {
        error: `Unsupported scope query "${query}": pimflow reviews everyone holding the role and doesn't tell guests from members (no userType filter); leave the $filter out`,
      };
    return { error: `Unsupported scope query "${query}": ${key} is not supported here; ${SUPPORTED_SCOPES}` };
  }
  return undefined;
}

function readMemberships(scope: PrincipalResourceMembershipsScope): ReviewScope | Refused {
  let inactive: number | null = null;
  for (const p of scope.principalScopes) {
    const users = USERS.exec(p.query);
    if (!users)
      return {
        error: `Unsupported principalScopes query "${p.query}": pimflow reviews principals by the roles they hold; use /users`,
      };
    const problem = queryStringProblem(p.query, users[1]);
    if (problem) return problem;
    const days = inactiveDays(p);
    if (days !== null && typeof days === 'object') return days;
    if (days !== null) inactive = days;
  }
  const roles: ReviewScope['roles'] = [];
  for (const r of scope.resourceScopes) {
    const role = ROLE_DEFINITION.exec(r.query)?.[1];
    const group = GROUP.exec(r.query)?.[1];
    const azure = role || group ? undefined : parseAzureRoleQuery(r.query);
    if (azure && 'error' in azure) return azure;
    const members = role || group || azure ? undefined : readGroupMembers(r.query, undefined);
    if (members && 'error' in members) return members;
    if (azure) roles.push(azure);
    else if (role) roles.push({ roleDefinitionId: role.toLowerCase(), directoryScopeId: '/' });
    else if (group) roles.push({ groupId: group.toLowerCase(), accessId: 'member' });
    else if (members) roles.push(...members.roles);
    else
      return {
        error: `Unsupported resourceScopes query "${r.query}": use /groups/{id} (its members), /roleManagement/directory/roleDefinitions/{id} or an Azure role ({scope}/providers/Microsoft.Authorization/roleDefinitions/{id})`,
      };
  }
  return { roles, assignmentTypes: 'both', principalTypes: ['user'], inactiveDurationInDays: inactive };
}
