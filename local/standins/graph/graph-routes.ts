/**
 * Dispatches one Graph v1.0 request (on its own or inside `$batch`) to its handler and turns a GraphHttpError
 * into Graph's error answer. Handlers run synchronously against the store, so each request sees and leaves a
 * consistent directory.
 */
import { randomUUID } from 'node:crypto';
import { directoryRoutes } from './administrative-unit-routes';
import { errorBody, GraphHttpError, segmentNotFound } from './graph-errors';
import { groupRoutes } from './group-routes';
import { directoryObjectRoutes, servicePrincipalRoutes } from './object-routes';
import { roleManagementRoutes } from './role-routes';
import type { GraphAnswer, GraphCall, GraphContext } from './route-helpers';
import { userRoutes } from './user-routes';

const ROOTS: Record<string, (ctx: GraphContext, call: GraphCall) => GraphAnswer> = {
  users: userRoutes,
  groups: groupRoutes,
  servicePrincipals: servicePrincipalRoutes,
  directoryObjects: directoryObjectRoutes,
  directory: directoryRoutes,
  roleManagement: roleManagementRoutes,
};

export function handleGraphCall(ctx: GraphContext, call: GraphCall): GraphAnswer {
  try {
    const root = call.segments[0] ?? '';
    const handler = Object.hasOwn(ROOTS, root) ? ROOTS[root] : undefined;
    if (!handler) throw segmentNotFound(root);
    return handler(ctx, call);
  } catch (err) {
    if (err instanceof GraphHttpError) return errorAnswer(err, ctx.now());
    throw err;
  }
}

/** A request given by a URL relative to the version root, e.g. a `$batch` sub-request's `/users/{id}?$select=id`. */
export function handleRelativeCall(
  ctx: GraphContext,
  request: { method: string; url: string; body: unknown; baseUrl: string },
): GraphAnswer {
  const relative = request.url.replace(/^\/+/, '');
  const at = relative.indexOf('?');
  try {
    const segments = pathSegments(at < 0 ? relative : relative.slice(0, at));
    const query = new URLSearchParams(at < 0 ? '' : relative.slice(at + 1));
    return handleGraphCall(ctx, { ...request, segments, query });
  } catch (err) {
    if (err instanceof GraphHttpError) return errorAnswer(err, ctx.now());
    throw err;
  }
}

export function errorAnswer(err: GraphHttpError, now: Date, requestId: string = randomUUID()): GraphAnswer {
  return { status: err.status, headers: err.headers, body: errorBody(err.code, err.message, requestId, now) };
}

/** Splits `/a/b%20c/` into decoded segments; a malformed escape is Graph's 400. */
export function pathSegments(pathname: string): string[] {
  return pathname
    .split('/')
    .filter((s) => s !== '')
    .map((s) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new GraphHttpError(400, 'BadRequest', `Bad Request - Invalid URL segment '${s}'.`);
      }
    });
}
