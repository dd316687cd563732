/**
 * PIM for Microsoft Entra roles, Graph-shaped, under /api/roleManagement/directory/: the body of
 * roleAssignmentScheduleRequests / roleEligibilityScheduleRequests (unifiedRole...ScheduleRequest) mapped onto the
 * core's request — `resourceType: 'directoryRole'`, `groupId` the directory scope, `accessId` the role definition
 * (../../access/resource.ts) — and the views back. See docs/api/entra-roles.md.
 */
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { directoryScopeSchema } from '../../access/resource';
import { APP_ROLES, type CallerPrincipal } from '../../auth/principal';
import { problem } from '../../http/problem';
import type { RequestBody } from '../domain/request-body';
import { requestActionSchema, scheduleInfoSchema, ticketInfoSchema } from '../domain/schedule-request';
import type { ResourceApi, StoredFilters } from './resource-api';
import {
  ROLE_INSTANCE_PROPERTIES,
  ROLE_REQUEST_PROPERTIES,
  ROLE_SCHEDULE_PROPERTIES,
  roleInstanceView,
  roleRequestView,
  roleScheduleView,
} from './role-views';

export const roleRequestBodySchema = z
  .strictObject({
    action: requestActionSchema,
    principalId: z.guid({ message: 'must be a principal id (a GUID)' }),
    roleDefinitionId: z.guid({
      message: 'must be a role definition id (a GUID; the template id of a built-in role)',
    }),
    directoryScopeId: directoryScopeSchema.optional(),
    appScopeId: z.string().max(256).nullable().optional(),
    justification: z.string().max(500).nullable().optional(),
    ticketInfo: ticketInfoSchema.nullable().optional(),
    scheduleInfo: scheduleInfoSchema.optional(),
    isValidationOnly: z.boolean().optional(),
    targetScheduleId: z.string().nullable().optional(),
  })
  .superRefine((b, ctx) => {
    // Graph: directoryScopeId or appScopeId. pimflow governs directory scopes only; appScopeId '/' (tenant-wide)
    // is the same as directoryScopeId '/'.
    if (b.directoryScopeId !== undefined && b.appScopeId != null)
      ctx.addIssue({
        code: 'custom',
        path: ['appScopeId'],
        message: 'give directoryScopeId or appScopeId, not both',
      });
    else if (b.directoryScopeId === undefined && b.appScopeId == null)
      ctx.addIssue({
        code: 'custom',
        path: ['directoryScopeId'],
        message: "is required: '/' (the whole directory) or '/administrativeUnits/{id}'",
      });
    else if (b.directoryScopeId === undefined && b.appScopeId !== '/')
      ctx.addIssue({
        code: 'custom',
        path: ['appScopeId'],
        message: "app-specific scopes are not supported: use directoryScopeId (or appScopeId '/')",
      });
  })
  .transform(({ roleDefinitionId, directoryScopeId, appScopeId: _app, ...rest }): RequestBody => ({
    ...rest,
    resourceType: 'directoryRole',
    // Ids compare in lower case (as managed roles store them); the path keeps Graph's spelling.
    groupId: (directoryScopeId ?? '/').replace(/[0-9a-f-]+$/i, (id) => id.toLowerCase()),
    accessId: roleDefinitionId.toLowerCase(),
  }));

/** Directory roles have no owners: admins and auditors list everyone's, anyone else only their own. */
async function mayListRoles(
  _canManageGroup: unknown,
  caller: CallerPrincipal,
  filters: StoredFilters,
): Promise<HttpResponseInit | undefined> {
  if (caller.roles.includes(APP_ROLES.admin) || caller.roles.includes(APP_ROLES.auditor)) return undefined;
  if (filters.principalId === caller.objectId) return undefined;
  return problem(
    403,
    `Filter on principalId eq '${caller.objectId}' (your own) or use filterByCurrentUser(on='principal'): only PimFlow.Admin and PimFlow.Auditor list everyone's Microsoft Entra role assignments`,
  );
}

const capitalized = (s: string) => `${s[0]?.toUpperCase() ?? ''}${s.slice(1)}`;

export const ROLE_API: ResourceApi = {
  resourceType: 'directoryRole',
  base: 'roleManagement/directory',
  collection: (kind, what) => `role${capitalized(kind)}${what}`,
  context: (kind, what) => `roleManagement/directory/role${capitalized(kind)}${what}`,
  bodySchema: roleRequestBodySchema,
  filterFields: { principalId: 'principalId', roleDefinitionId: 'accessId', directoryScopeId: 'groupId' },
  requestView: roleRequestView,
  scheduleView: roleScheduleView,
  instanceView: roleInstanceView,
  properties: {
    ScheduleRequests: ROLE_REQUEST_PROPERTIES,
    Schedules: ROLE_SCHEDULE_PROPERTIES,
    ScheduleInstances: ROLE_INSTANCE_PROPERTIES,
  },
  resourceExpansion: 'roleDefinition',
  mayList: mayListRoles,
};
