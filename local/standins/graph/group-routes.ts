/**
 * `/groups`, `/groups/{id}`, and its `members`, `owners` and `transitiveMembers` collections; reference writes
 * (`.../$ref`) are in membership-routes.ts.
 */
import { invalidObjectId, notFound, segmentNotFound } from './graph-errors';
import { addReference, removeReference, type Relation } from './membership-routes';
import { DIRECTORY_OBJECT_PROPERTIES, directoryObjectView, groupView, KINDS } from './object-views';
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

const MEMBER_SPEC: QuerySpec = {
  type: 'microsoft.graph.directoryObject',
  selectable: DIRECTORY_OBJECT_PROPERTIES,
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

export function findGroup(ctx: GraphContext, id: string): TenantGroup {
  const group = ctx.store.group(id);
  if (!group) throw notFound(id);
  return group;
}

function listGroups(ctx: GraphContext, call: GraphCall): GraphAnswer {
  const options = parseQuery(call.query, GROUP_SPEC);
  const { filter } = options;
  const groups = ctx.store.groups().filter((g) => !filter || filter(groupView(g)));
  const { value, nextLink: link } = page(groups, options, (offset) =>
    nextLink(call.baseUrl, 'groups', call.query, offset),
  );
  return collection(
    call,
    'groups',
    value.map((g) => project(groupView(g), options.select, KINDS.group.defaults)),
    link,
  );
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
  const options = parseQuery(call.query, MEMBER_SPEC);
  const group = findGroup(ctx, id);
  const objects = nav === 'transitiveMembers' ? transitiveMembers(ctx, group) : resolve(ctx, group[nav]);
  const { value, nextLink: link } = page(objects, options, (offset) =>
    nextLink(call.baseUrl, `groups/${group.id}/${nav}`, call.query, offset),
  );
  return collection(
    call,
    'directoryObjects',
    value.map((o) => directoryObjectView(o, options.select)),
    link,
  );
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
