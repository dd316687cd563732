/**
 * Azure scopes under management (a pimflow resource; ARM has none), docs/api/managed-azure-scopes.md:
 * - `POST managedAzureScopes` { scope, removeAssignmentsMadeOutsidePim? } (admins): 201 with the managed scope and
 *   its baseline; 400 not an Azure scope; 404 ARM has no such scope; 409 already managed
 * - `GET managedAzureScopes` (admins, auditors): by scope, paged (`$top`, `@odata.nextLink`)
 * - `GET managedAzureScopes/{id}` (admins, auditors): with the baseline
 * - `PATCH managedAzureScopes/{id}` { removeAssignmentsMadeOutsidePim } (admins): 200 with the managed scope
 * - `DELETE managedAzureScopes/{id}` (admins): 204
 * `{id}` is the managed scope's GUID (a hash of the normalized scope: scopes contain slashes).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { azureScopeSchema } from '../shared/access/resource';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { locationOf } from '../shared/http/location';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { pagedList } from '../shared/http/paged-list';
import { problem } from '../shared/http/problem';
import {
  managedAzureScopeView,
  scopeRefusalResponse,
} from '../shared/managed-azure/http/managed-scope-responses';
import {
  bringAzureScopeUnderManagement,
  removeAzureScopeFromManagement,
  updateManagedAzureScopeSettings,
} from '../shared/managed-azure/managed-azure-scopes';
import { getAppServices } from '../shared/composition-root';

const bodySchema = z.strictObject({
  // As ARM takes it: any casing, a trailing slash or not.
  scope: z
    .string()
    .transform((s) => s.replace(/\/+$/, ''))
    .pipe(azureScopeSchema),
  removeAssignmentsMadeOutsidePim: z.boolean().optional(),
});
const idSchema = z.guid({ message: 'must be a managed Azure scope id (a GUID)' });
const patchSchema = z
  .strictObject({ removeAssignmentsMadeOutsidePim: z.boolean() })
  .partial()
  .refine((p) => Object.keys(p).length > 0, { message: 'name at least one setting to change' });

const READERS = [APP_ROLES.admin, APP_ROLES.auditor];

export async function addManagedAzureScope(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, bodySchema);
  if (!body.ok) return body.response;
  const { scope, ...settings } = body.value;
  const result = await bringAzureScopeUnderManagement(services, scope, auth.caller, settings);
  if (!result.ok) return scopeRefusalResponse(result);
  return {
    status: 201,
    headers: { location: locationOf(request.url, result.scope.id) },
    jsonBody: managedAzureScopeView(result.scope, true),
  };
}

export async function listManagedAzureScopes(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, READERS);
  if (!auth.ok) return auth.response;
  return pagedList(request, {
    context: '$metadata#managedAzureScopes',
    load: ({ top, skipToken }) =>
      services.managedAzureScopes.listAll({ pageSize: top, continuationToken: skipToken }),
    view: (s) => managedAzureScopeView(s, false),
  });
}

export async function getManagedAzureScope(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, READERS);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const scope = await services.managedAzureScopes.find(id.value);
  if (!scope) return problem(404, `No managed Azure scope ${id.value}`);
  return { jsonBody: managedAzureScopeView(scope, true) };
}

export async function updateManagedAzureScope(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const body = await parseJsonBody(request, patchSchema);
  if (!body.ok) return body.response;
  const result = await updateManagedAzureScopeSettings(services, id.value, body.value, auth.caller);
  if (!result.ok) return scopeRefusalResponse(result);
  return { jsonBody: managedAzureScopeView(result.scope, false) };
}

export async function deleteManagedAzureScope(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const result = await removeAzureScopeFromManagement(services, id.value, auth.caller);
  if (!result.ok) return scopeRefusalResponse(result);
  return { status: 204 };
}

const anon = { authLevel: 'anonymous' as const };
const ALL = 'managedAzureScopes';
const ONE = 'managedAzureScopes/{id}';
app.http('managedAzureScopesAdd', { ...anon, route: ALL, methods: ['POST'], handler: addManagedAzureScope });
app.http('managedAzureScopesList', {
  ...anon,
  route: ALL,
  methods: ['GET'],
  handler: listManagedAzureScopes,
});
app.http('managedAzureScopeGet', { ...anon, route: ONE, methods: ['GET'], handler: getManagedAzureScope });
app.http('managedAzureScopeUpdate', {
  ...anon,
  route: ONE,
  methods: ['PATCH'],
  handler: updateManagedAzureScope,
});
app.http('managedAzureScopeDelete', {
  ...anon,
  route: ONE,
  methods: ['DELETE'],
  handler: deleteManagedAzureScope,
});
