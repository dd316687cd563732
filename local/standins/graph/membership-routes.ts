/**
 * Reference writes on a group: `POST /groups/{id}/members/$ref` (and owners) with
 * `{"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}`, and
 * `DELETE /groups/{id}/members/{memberId}/$ref`, with Graph's answers for duplicates, unknown objects and the
 * last owner.
 */
import { badRequest, invalidObjectId, notFound } from './graph-errors';
import {
  isGuid,
  noContent,
  replicated,
  type GraphAnswer,
  type GraphCall,
  type GraphContext,
} from './route-helpers';
import type { TenantGroup } from './tenant-data';

export type Relation = 'members' | 'owners';

/** Any host and version: only the path names the object. */
const ODATA_ID = /^https?:\/\/[^/]+\/[^/]+\/(?:directoryObjects|users|groups|servicePrincipals)\/([^/?#]+)$/;

export function addReference(
  ctx: GraphContext,
  call: GraphCall,
  group: TenantGroup,
  relation: Relation,
): GraphAnswer {
  const id = referencedId(call.body);
  if (!replicated(ctx, group.createdDateTime)) throw notFound(group.id);
  const object = ctx.store.object(id);
  if (!object || !replicated(ctx, object.value.createdDateTime)) throw notFound(id);
  if (relation === 'owners' && object.kind === 'group') {
    throw badRequest('Groups cannot be owners of a group: only users and service principals can.');
  }
  if (relation === 'members' && object.kind === 'group') {
    if (object.value.id === group.id) throw badRequest('A group cannot be a member of itself.');
    if (group.isAssignableToRole) throw badRequest('Groups cannot be nested in a role-assignable group.');
  }
  const list = group[relation];
  if (list.some((m) => m.toLowerCase() === id.toLowerCase())) {
    throw badRequest(
      `One or more added object references already exist for the following modified properties: '${relation}'.`,
    );
  }
  ctx.store.change(() => list.push(object.value.id));
  return noContent();
}

export function removeReference(
  ctx: GraphContext,
  group: TenantGroup,
  relation: Relation,
  memberId: string,
): GraphAnswer {
  if (!isGuid(memberId)) throw invalidObjectId(memberId);
  const list = group[relation];
  const index = list.findIndex((m) => m.toLowerCase() === memberId.toLowerCase());
  if (index < 0) throw notFound(memberId);
  if (relation === 'owners' && list.length === 1) {
    throw badRequest('The group must have at least one owner, hence this owner cannot be removed.');
  }
  ctx.store.change(() => list.splice(index, 1));
  return noContent();
}

function referencedId(body: unknown): string {
  const raw = body && typeof body === 'object' ? (body as Record<string, unknown>)['@odata.id'] : undefined;
  if (typeof raw !== 'string') {
    throw badRequest(
      'The request body must be {"@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}"}.',
    );
  }
  const id = ODATA_ID.exec(raw)?.[1];
  if (!id || !isGuid(decodeURIComponent(id))) throw invalidObjectId(raw);
  return decodeURIComponent(id);
}
