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
import { parseJsonBody, validate } from '../shared/http/json-body';
import { problem } from '../shared/http/problem';
import { authorizeGroup } from '../shared/managed-groups/authorization';
import {
  bringUnderManagement,
  managedGroupView,
  removeFromManagement,
  updateManagedGroupSettings,
  type ManagedGroupDeps,
} from '../shared/managed-groups/managed-groups';
import {
  checkQueryOptions,
  collection,
  nextLink,
  ODataError,
  parseSkipToken,
  parseTop,
} from '../shared/http/odata';
import { policyServiceFor } from '../shared/policies/policy-service';
import { getAppServices, type AppServices } from '../shared/composition-root';
import { DriftStore } from '../shared/drift/adapters/drift-store';

const bodySchema = z.strictObject({ groupId: z.guid() });
const groupIdSchema = z.guid();
const patchSchema = z
  .strictObject({ removeMembersAddedOutsidePim: z.boolean() })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'name at least one setting to change' });

function deps(services: AppServices): ManagedGroupDeps {
  return {
    ...services,
    policies: policyServiceFor(services),
    driftReports: new DriftStore(services.database.container('driftReports')),
  };
}

export async function addManagedGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, bodySchema);
  if (!body.ok) return body.response;
  const result = await bringUnderManagement(deps(services), body.value.groupId, auth.caller);
  if (!result.ok) return problem(result.status, result.detail);
  return {
    status: 201,
    headers: { location: new URL(result.group.groupId, withSlash(request.url)).toString() },
    jsonBody: managedGroupView(result.group, true),
  };
}

export async function listManagedGroups(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin, APP_ROLES.auditor]);
  if (!auth.ok) return auth.response;
  let top: number;
  let continuationToken: string | undefined;
  try {
    checkQueryOptions(request, ['$top', '$skiptoken']);
    top = parseTop(request, 100, 999);
    continuationToken = parseSkipToken(request);
  } catch (err) {
    if (err instanceof ODataError) return problem(400, err.message);
    throw err;
  }
  let page;
  try {
    page = await services.managedGroups.listAll({ pageSize: top, continuationToken });
  } catch (err) {
    if (continuationToken !== undefined && isBadRequest(err)) {
      return problem(400, '$skiptoken is not one this API issued');
    }
    throw err;
  }
  return {
    jsonBody: collection(
      '$metadata#managedGroups',
      page.items.map((g) => managedGroupView(g, false)),
      nextLink(request, page.continuationToken),
    ),
  };
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
  const result = await updateManagedGroupSettings(deps(services), id.value, body.value, auth.caller);
  if (!result.ok) return problem(result.status, result.detail);
  return { jsonBody: managedGroupView(result.group, false) };
}

export async function deleteManagedGroup(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(groupIdSchema, request.params.groupId, 'groupId');
  if (!id.ok) return id.response;
  const result = await removeFromManagement(deps(services), id.value, auth.caller);
  if (!result.ok) return problem(result.status, result.detail);
  return { status: 204 };
}

function withSlash(url: string): string {
  const u = new URL(url);
  u.search = '';
  if (!u.pathname.endsWith('/')) u.pathname += '/';
  return u.toString();
}

function isBadRequest(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 400 || code === '400';
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
