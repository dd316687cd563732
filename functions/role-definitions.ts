/**
 * `GET /api/roleManagement/directory/roleDefinitions` and `.../roleDefinitions/{id}`: the directory's Microsoft
 * Entra roles (unifiedRoleDefinition), read from Graph through the directory port, so people can name the role they
 * ask for. `$filter` on displayName, id, templateId (`eq`, joined by `and`); any signed-in user, apps with a pimflow
 * app role.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { authenticate } from '../shared/http/caller';
import { validate } from '../shared/http/json-body';
import { checkQueryOptions, collection, ODataError, parseFilter } from '../shared/http/odata';
import { collectionContext, withEntityContext } from '../shared/http/odata-shape';
import { problem } from '../shared/http/problem';
import { getAppServices } from '../shared/composition-root';
import { roleDefinitionView } from '../shared/requests/http/role-views';

const ROUTE = 'roleManagement/directory/roleDefinitions';
const FILTER_FIELDS = ['displayName', 'id', 'templateId'] as const;
type FilterField = (typeof FILTER_FIELDS)[number];
const idSchema = z.guid({ message: 'must be a role definition id (a GUID)' });

/** `$filter` as field → value; an ODataError names what isn't supported. */
function filtersOf(request: HttpRequest): Partial<Record<FilterField, string>> {
  checkQueryOptions(request, ['$filter']);
  const filters: Partial<Record<FilterField, string>> = {};
  for (const clause of parseFilter(request.query.get('$filter'))) {
    const field = FILTER_FIELDS.find((f) => f === clause.field);
    if (!field)
      throw new ODataError(`$filter on "${clause.field}" is not supported; use ${FILTER_FIELDS.join(', ')}`);
    if (clause.op !== 'eq' || !clause.quoted)
      throw new ODataError(`$filter on "${clause.field}" supports only ${clause.field} eq 'value'`);
    filters[field] = clause.value;
  }
  return filters;
}

async function list(request: HttpRequest): Promise<HttpResponseInit> {
  const pim = await getAppServices();
  const auth = await authenticate(request, pim.tokens);
  if (!auth.ok) return auth.response;
  let filters: Partial<Record<FilterField, string>>;
  try {
    filters = filtersOf(request);
  } catch (err) {
    if (err instanceof ODataError) return problem(400, err.message);
    throw err;
  }
  const definitions = await pim.directory.listRoleDefinitions();
  const matching = definitions.filter((d) =>
    Object.entries(filters).every(([field, value]) =>
      // Graph compares ids case-insensitively; display names as given.
      field === 'displayName'
        ? d.displayName === value
        : d[field as 'id' | 'templateId'].toLowerCase() === value.toLowerCase(),
    ),
  );
  return {
    jsonBody: collection(collectionContext(request, ROUTE), matching.map(roleDefinitionView)),
  };
}

async function get(request: HttpRequest): Promise<HttpResponseInit> {
  const pim = await getAppServices();
  const auth = await authenticate(request, pim.tokens);
  if (!auth.ok) return auth.response;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id.response;
  const definition = await pim.directory.getRoleDefinition(id.value);
  if (!definition) {
    // Graph's code for a directory object that isn't there.
    return problem(404, `No role definition ${id.value} in the directory`, {
      code: 'Request_ResourceNotFound',
    });
  }
  return { jsonBody: withEntityContext(request, ROUTE, roleDefinitionView(definition)) };
}

app.http('roleDefinitionsList', { route: ROUTE, methods: ['GET'], authLevel: 'anonymous', handler: list });
app.http('roleDefinitionsGet', {
  route: `${ROUTE}/{id}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: get,
});
