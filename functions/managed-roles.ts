/**
 * Microsoft Entra roles under management (a pimflow resource; Graph has none), docs/api/managed-roles.md:
 * - `POST managedRoles` { roleDefinitionId, removeAssignmentsMadeOutsidePim? } (admins): 201 with the managed role
 *   and its baseline; 404 no such role; 400 the role is disabled; 409 already managed
 * - `GET managedRoles` (admins, auditors): by display name, paged (`$top`, `@odata.nextLink`)
 * - `GET managedRoles/{roleDefinitionId}` (admins, auditors): with the baseline
 * - `PATCH managedRoles/{roleDefinitionId}` { removeAssignmentsMadeOutsidePim } (admins): 200 with the managed role
 * - `DELETE managedRoles/{roleDefinitionId}` (admins): 204
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { locationOf } from '../shared/http/location';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import { managedRoleView, roleRefusalResponse } from '../shared/managed-roles/http/managed-role-responses';
import {
  bringRoleUnderManagement,
  removeRoleFromManagement,
  updateManagedRoleSettings,
} from '../shared/managed-roles/managed-roles';
import { getAppServices } from '../shared/composition-root';

const bodySchema = z.strictObject({
  roleDefinitionId: z.guid(),
  removeAssignmentsMadeOutsidePim: z.boolean().optional(),
});
const roleIdSchema = z.guid();
const patchSchema = z
  .strictObject({ removeAssignmentsMadeOutsidePim: z.boolean() })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'name at least one setting to change' });

const READERS = [APP_ROLES.admin, APP_ROLES.auditor];

export async function addManagedRole(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, bodySchema);
  if (!body.ok) return body.response;
  const { roleDefinitionId, ...settings } = body.value;
  const result = await bringRoleUnderManagement(services, roleDefinitionId, auth.caller, settings);
  if (!result.ok) return roleRefusalResponse(result);
  return {
    status: 201,
    headers: { location: locationOf(request.url, result.role.roleDefinitionId) },
    jsonBody: managedRoleView(result.role, services.settings.AUTH_TENANT_ID, true),
  };
}

export async function listManagedRoles(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, READERS);
  if (!auth.ok) return auth.response;
  return pagedList(request, {
    context: '$metadata#managedRoles',
    load: ({ top, skipToken }) =>
      services.managedRoles.listAll({ pageSize: top, continuationToken: skipToken }),
    view: (r) => managedRoleView(r, services.settings.AUTH_TENANT_ID, false),
  });
}

export async function getManagedRole(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, READERS);
  if (!auth.ok) return auth.response;
  const id = validate(roleIdSchema, request.params.roleDefinitionId, 'roleDefinitionId');
  if (!id.ok) return id.response;
  const roleDefinitionId = id.value.toLowerCase();
  const role = await services.managedRoles.find(roleDefinitionId);
  if (!role) return problem(404, `The role ${roleDefinitionId} is not under management`);
  return { jsonBody: managedRoleView(role, services.settings.AUTH_TENANT_ID, true) };
}

export async function updateManagedRole(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(roleIdSchema, request.params.roleDefinitionId, 'roleDefinitionId');
  if (!id.ok) return id.response;
  const body = await parseJsonBody(request, patchSchema);
  if (!body.ok) return body.response;
  const result = await updateManagedRoleSettings(services, id.value, body.value, auth.caller);
  if (!result.ok) return roleRefusalResponse(result);
  return { jsonBody: managedRoleView(result.role, services.settings.AUTH_TENANT_ID, false) };
}

export async function deleteManagedRole(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(roleIdSchema, request.params.roleDefinitionId, 'roleDefinitionId');
  if (!id.ok) return id.response;
  const result = await removeRoleFromManagement(services, id.value, auth.caller);
  if (!result.ok) return roleRefusalResponse(result);
  return { status: 204 };
}

const anon = { authLevel: 'anonymous' as const };
const ONE = 'managedRoles/{roleDefinitionId}';
app.http('managedRolesAdd', { ...anon, route: 'managedRoles', methods: ['POST'], handler: addManagedRole });
app.http('managedRolesList', { ...anon, route: 'managedRoles', methods: ['GET'], handler: listManagedRoles });
app.http('managedRoleGet', { ...anon, route: ONE, methods: ['GET'], handler: getManagedRole });
app.http('managedRoleUpdate', { ...anon, route: ONE, methods: ['PATCH'], handler: updateManagedRole });
app.http('managedRoleDelete', { ...anon, route: ONE, methods: ['DELETE'], handler: deleteManagedRole });
