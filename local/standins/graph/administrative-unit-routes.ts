/** `/directory/administrativeUnits` and `/directory/administrativeUnits/{id}`: the scopes a directory role may have. */
import { invalidObjectId, segmentNotFound } from './graph-errors';
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
import type { TenantAdministrativeUnit } from './tenant-data';

const PATH = 'directory/administrativeUnits';
const PROPERTIES = ['id', 'description', 'displayName', 'isMemberManagementRestricted', 'visibility'];
const SPEC: QuerySpec = {
  type: 'microsoft.graph.administrativeUnit',
  selectable: new Set(PROPERTIES),
  filterable: { resource: 'AdministrativeUnit', properties: new Set(['id', 'displayName']) },
};

export function directoryRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const [, collection, id, nav] = call.segments;
  if (collection !== 'administrativeUnits') throw segmentNotFound(collection ?? 'directory');
  if (nav !== undefined) throw segmentNotFound(nav);
  if (id === undefined) {
    return byMethod(call, {
      GET: () => {
        const options = parseQuery(call.query, SPEC);
        return listed(call, options, {
          items: ctx.store.administrativeUnits(),
          path: PATH,
          view: unitView,
          present: (u) => project(unitView(u), options.select, PROPERTIES),
        });
      },
    });
  }
  if (!isGuid(id)) throw invalidObjectId(id);
  return byMethod(call, {
    GET: () => {
      const options = parseObjectQuery(call.query, SPEC);
      const unit = found(ctx.store.administrativeUnit(id), id);
      return entity(call, PATH, project(unitView(unit), options.select, PROPERTIES));
    },
  });
}

function unitView(u: TenantAdministrativeUnit): Record<string, unknown> {
  return {
    id: u.id,
    description: u.description,
    displayName: u.displayName,
    isMemberManagementRestricted: false,
    visibility: u.visibility,
  };
}
