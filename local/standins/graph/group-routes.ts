/**
 * `/groups`, `/groups/{id}`, and its `members`, `owners` and `transitiveMembers` collections; reference writes
 * (`.../$ref`) are in membership-routes.ts.
 */
import { invalidObjectId, segmentNotFound } from './graph-errors';
import { addReference, removeReference, type Relation } from './membership-routes';
import { DIRECTORY_OBJECT_SPEC, directoryObjectView, groupView, KINDS, viewOf } from './object-views';
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
import type { TenantGroup } from './tenant-data';
import type { DirectoryObject } from './tenant-store';

const GROUP_SPEC: QuerySpec = {
  type: KINDS.group.type,
  selectable: KINDS.group.properties,
  filterable: {
    resource: 'Group',
    properties: new Set([
      'id',
      'displayName',
      'mail',
      'mailNickname',
      'mailEnabled',
      'securityEnabled',
      'isAssignableToRole',
    ]),
  },
};

export function groupRoutes(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const [, id, nav, item, ref, ...rest] = call.segments;
  if (id === undefined) return byMethod(call, { GET: () => listGroups(ctx, call) });
  if (!isGuid(id)) throw invalidObjectId(id);
  if (nav === undefined) return byMethod(call, { GET: () => getGroup(ctx, call, id) });
  if (nav !== 'members' && nav !== 'owners' && nav !== 'transitiveMembers') throw segmentNotFound(nav);
  if (item === undefined) return byMethod(call, { GET: () => listRelation(ctx, call, id, nav) });
  if (nav === 'transitiveMembers') throw segmentNotFound(item);
  if (item === '$ref' && ref === undefined) {
    return byMethod(call, { POST: () => addReference(ctx, call, findGroup(ctx, id), nav) });
  }
  if (ref === '$ref' && rest.length === 0) {
    return byMethod(call, { DELETE: () => removeReference(ctx, findGroup(ctx, id), nav, item) });
  }
  if (ref === undefined) return byMethod(call, {});
  throw segmentNotFound(ref);
}

function findGroup(ctx: GraphContext, id: string): TenantGroup {
  return found(ctx.store.group(id), id);
}

function listGroups(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const options = parseQuery(call.query, GROUP_SPEC);
  return listed(call, options, {
    items: ctx.store.groups(),
    path: 'groups',
    view: groupView,
    present: (g) => project(groupView(g), options.select, KINDS.group.defaults),
  });
}

function getGroup(ctx: GraphContext, call: GraphCall, id: string): GraphAnswer {
  const options = parseObjectQuery(call.query, GROUP_SPEC);
  return entity(call, 'groups', project(groupView(findGroup(ctx, id)), options.select, KINDS.group.defaults));
}

function listRelation(
  ctx: GraphContext,
  call: GraphCall,
  id: string,
  nav: Relation | 'transitiveMembers',
): GraphAnswer {
  const options = parseQuery(call.query, DIRECTORY_OBJECT_SPEC);
  const group = findGroup(ctx, id);
  const objects = nav === 'transitiveMembers' ? transitiveMembers(ctx, group) : resolve(ctx, group[nav]);
  return listed(call, options, {
    items: objects,
    path: `groups/${group.id}/${nav}`,
    context: 'directoryObjects',
    view: viewOf,
    present: (o) => directoryObjectView(o, options.select),
  });
}

/** Members of the group and of every group nested in it, each once (nested groups included, as in Graph). */
function transitiveMembers(ctx: GraphContext, root: TenantGroup): DirectoryObject[] {
  const seen = new Set<string>([root.id.toLowerCase()]);
  const out: DirectoryObject[] = [];
  const queue = [root];
  for (let group = queue.shift(); group; group = queue.shift()) {
    for (const member of resolve(ctx, group.members)) {
      const key = member.value.id.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(member);
      if (member.kind === 'group') queue.push(member.value);
    }
  }
  return out;
}

function resolve(ctx: GraphContext, ids: readonly string[]): DirectoryObject[] {
  return ids.flatMap((id) => ctx.store.object(id) ?? []);
}
