/** `/servicePrincipals`, `/servicePrincipals/{id}` and `/directoryObjects/{id}`. */
import { invalidObjectId, notFound, segmentNotFound } from './graph-errors';
import {
  DIRECTORY_OBJECT_PROPERTIES,
  directoryObjectView,
  KINDS,
  servicePrincipalView,
} from './object-views';
import { nextLink, page, parseObjectQuery, parseQuery, project, type QuerySpec } from './odata-query';
import {
  byMethod,
  collection,
  entity,
  isGuid,
  type GraphAnswer,
  type GraphCall,
  type GraphContext,
} from './route-helpers';

const SERVICE_PRINCIPAL_SPEC: QuerySpec = {
  type: KINDS.servicePrincipal.type,
  selectable: KINDS.servicePrincipal.properties,
  filterable: { resource: 'ServicePrincipal', properties: new Set(['id', 'appId', 'displayName']) },
};

const DIRECTORY_OBJECT_SPEC: QuerySpec = {
  type: 'microsoft.graph.directoryObject',
  selectable: DIRECTORY_OBJECT_PROPERTIES,
};

export function servicePrincipalRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const [, id, nav] = call.segments;
  if (nav !== undefined) throw segmentNotFound(nav);
  if (id === undefined) return byMethod(call, { GET: () => listServicePrincipals(ctx, call) });
  if (!isGuid(id)) throw invalidObjectId(id);
  return byMethod(call, {
    GET: () => {
      const options = parseObjectQuery(call.query, SERVICE_PRINCIPAL_SPEC);
      const sp = ctx.store.servicePrincipal(id);
      if (!sp) throw notFound(id);
      const view = project(servicePrincipalView(sp), options.select, KINDS.servicePrincipal.defaults);
      return entity(call, 'servicePrincipals', view);
    },
  });
}

export function directoryObjectRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const [, id, nav] = call.segments;
  if (nav !== undefined) throw segmentNotFound(nav);
  if (id === undefined) return byMethod(call, {});
  if (!isGuid(id)) throw invalidObjectId(id);
  return byMethod(call, {
    GET: () => {
      const options = parseObjectQuery(call.query, DIRECTORY_OBJECT_SPEC);
      const object = ctx.store.object(id);
      if (!object) throw notFound(id);
      return entity(call, 'directoryObjects', directoryObjectView(object, options.select));
    },
  });
}

function listServicePrincipals(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const options = parseQuery(call.query, SERVICE_PRINCIPAL_SPEC);
  const { filter } = options;
  const all = ctx.store.servicePrincipals().filter((p) => !filter || filter(servicePrincipalView(p)));
  const { value, nextLink: link } = page(all, options, (offset) =>
    nextLink(call.baseUrl, 'servicePrincipals', call.query, offset),
  );
  return collection(
    call,
    'servicePrincipals',
    value.map((p) => project(servicePrincipalView(p), options.select, KINDS.servicePrincipal.defaults)),
    link,
  );
}
