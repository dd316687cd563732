/** `/servicePrincipals`, `/servicePrincipals/{id}` and `/directoryObjects/{id}`. */
import { invalidObjectId, segmentNotFound } from './graph-errors';
import { DIRECTORY_OBJECT_SPEC, directoryObjectView, KINDS, servicePrincipalView } from './object-views';
import { parseObjectQuery, parseQuery, project, type QuerySpec } from './odata-query';
import {
  byMethod,
  entity,
  found,
  isGuid,
  listed,
  type GraphAnswer,
  type GraphCall,
  type GraphContext,
} from './route-helpers';

const SERVICE_PRINCIPAL_SPEC: QuerySpec = {
  type: KINDS.servicePrincipal.type,
  selectable: KINDS.servicePrincipal.properties,
  filterable: { resource: 'ServicePrincipal', properties: new Set(['id', 'appId', 'displayName']) },
};

export function servicePrincipalRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  return flatRoutes(call, {
    list: () => {
      const options = parseQuery(call.query, SERVICE_PRINCIPAL_SPEC);
      return listed(call, options, {
        items: ctx.store.servicePrincipals(),
        path: 'servicePrincipals',
        view: servicePrincipalView,
        present: (p) => project(servicePrincipalView(p), options.select, KINDS.servicePrincipal.defaults),
      });
    },
    get: (id) => {
      const options = parseObjectQuery(call.query, SERVICE_PRINCIPAL_SPEC);
      const sp = found(ctx.store.servicePrincipal(id), id);
      const view = project(servicePrincipalView(sp), options.select, KINDS.servicePrincipal.defaults);
      return entity(call, 'servicePrincipals', view);
    },
  });
}

export function directoryObjectRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  return flatRoutes(call, {
    get: (id) => {
      const options = parseObjectQuery(call.query, DIRECTORY_OBJECT_SPEC);
      const object = found(ctx.store.object(id), id);
      return entity(call, 'directoryObjects', directoryObjectView(object, options.select));
    },
  });
}

/** `/{root}` (GET by `list`, if given) and `/{root}/{id}` (GET by `get`, the id a GUID), nothing below them. */
function flatRoutes(
  call: GraphCall,
  handlers: { list?: () => GraphAnswer; get: (id: string) => GraphAnswer },
): GraphAnswer {
  const [, id, nav] = call.segments;
  if (nav !== undefined) throw segmentNotFound(nav);
  if (id === undefined) return byMethod(call, handlers.list ? { GET: handlers.list } : {});
  if (!isGuid(id)) throw invalidObjectId(id);
  return byMethod(call, { GET: () => handlers.get(id) });
}
