/**
 * Groups under management (a pimflow resource; Graph has none):
 * - `POST managedGroups` { groupId } (admins): 201 with the managed group; 404 no such group; 409 already managed
 * - `GET managedGroups` (admins, auditors): by display name, paged (`$top`, `@odata.nextLink`)
 * - `GET managedGroups/{groupId}` (admins, auditors, the group's active owners): with the baseline
 * - `PATCH managedGroups/{groupId}` { removeMembersAddedOutsidePim } (admins): 200 with the managed group
 * - `DELETE managedGroups/{groupId}` (admins): 204
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { locationOf } from '../shared/http/location';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import { authorizeGroup } from '../shared/managed-groups/http/authorize-group';
import { managedGroupView, refusalResponse } from '../shared/managed-groups/http/managed-group-responses';
import {
  bringUnderManagement,
  removeFromManagement,
  updateManagedGroupSettings,
} from '../shared/managed-groups/managed-groups';
import { getAppServices } from '../shared/composition-root';

const bodySchema = z.strictObject({ groupId: z.guid() });
const groupIdSchema = z.guid();
const patchSchema = z
  .strictObject({ removeMembersAddedOutsidePim: z.boolean() })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'name at least one setting to change' });

export async function addManagedGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, bodySchema);
  if (!body.ok) return body.response;
  const result = await bringUnderManagement(services, body.value.groupId, auth.caller);
  if (!result.ok) return refusalResponse(result);
  return {
    status: 201,
    headers: { location: locationOf(request.url, result.group.groupId) },
    jsonBody: managedGroupView(result.group, true),
  };
}

export async function listManagedGroups(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin, APP_ROLES.auditor]);
  if (!auth.ok) return auth.response;
  return pagedList(request, {
    context: '$metadata#managedGroups',
    load: ({ top, skipToken }) =>
      services.managedGroups.listAll({ pageSize: top, continuationToken: skipToken }),
    view: (g) => managedGroupView(g, false),
  });
}

export async function getManagedGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens);
  if (!auth.ok) return auth.response;
  const id = validate(groupIdSchema, request.params.groupId, 'groupId');
  if (!id.ok) return id.response;
  const groupId = id.value.toLowerCase();
  const denied = await authorizeGroup(services, auth.caller, groupId, 'read');
  if (denied) return denied;
  const group = await services.managedGroups.find(groupId);
  if (!group) return problem(404, `The group ${groupId} is not under management`);
  return { jsonBody: managedGroupView(group, true) };
}

export async function updateManagedGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(groupIdSchema, request.params.groupId, 'groupId');
  if (!id.ok) return id.response;
  const body = await parseJsonBody(request, patchSchema);
  if (!body.ok) return body.response;
  const result = await updateManagedGroupSettings(services, id.value, body.value, auth.caller);
  if (!result.ok) return refusalResponse(result);
  return { jsonBody: managedGroupView(result.group, false) };
}

export async function deleteManagedGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(groupIdSchema, request.params.groupId, 'groupId');
  if (!id.ok) return id.response;
  const result = await removeFromManagement(services, id.value, auth.caller);
  if (!result.ok) return refusalResponse(result);
  return { status: 204 };
}

const anon = { authLevel: 'anonymous' as const };
app.http('managedGroupsAdd', {
  ...anon,
  route: 'managedGroups',
  methods: ['POST'],
  handler: addManagedGroup,
});
app.http('managedGroupsList', {
  ...anon,
  route: 'managedGroups',
  methods: ['GET'],
  handler: listManagedGroups,
});
app.http('managedGroupGet', {
  ...anon,
  route: 'managedGroups/{groupId}',
  methods: ['GET'],
  handler: getManagedGroup,
});
app.http('managedGroupUpdate', {
  ...anon,
  route: 'managedGroups/{groupId}',
  methods: ['PATCH'],
  handler: updateManagedGroup,
});
app.http('managedGroupDelete', {
  ...anon,
  route: 'managedGroups/{groupId}',
  methods: ['DELETE'],
  handler: deleteManagedGroup,
});
