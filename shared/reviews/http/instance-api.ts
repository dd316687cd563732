/**
 * What the instance and decision endpoints share: the route's definition and instance, the caller, and who may do
 * what. Admins manage (stop, reset, reviewers, reminders) and, with auditors, read everything; a reviewer reads the
 * instance and the items they review, and decides those (nobody else decides).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { CallerPrincipal } from '../../auth/principal';
import { authenticate } from '../../http/caller';
import { validate } from '../../http/json-body';
import { problem } from '../../http/problem';
import type { Stored } from '../../storage/stored';
import type { ReviewDefinition } from '../domain/review-definition';
import type { ReviewInstance } from '../domain/review-instance';
import type { TokenValidator } from '../../auth/token-validator';
import type { ReviewStore } from '../adapters/review-store';
import { callerAccess } from '../domain/reviewer-access';

export const INSTANCES_ROUTE = 'identityGovernance/accessReviews/definitions/{definitionId}/instances';

/** filterByCurrentUser's only `on` on reviews: what the caller reviews (their inbox). */
export const REVIEWS_ON = ['reviewer'] as const;
export const REVIEWS_USER_ONLY = "list the reviews they take part in (filterByCurrentUser(on='reviewer'))";

const guid = (what: string) => z.guid({ message: `must be ${what} (a GUID)` });
const routeSchema = z.object({
  definitionId: guid('a definition id'),
  instanceId: guid('an instance id').optional(),
  decisionId: guid('a decision id').optional(),
});

export interface CallerView {
  caller: CallerPrincipal;
  isAdmin: boolean;
  /** Admins and auditors read every item. */
  readsAll: boolean;
}

export type Resolved<T> = ({ ok: true } & T) | { ok: false; response: HttpResponseInit };

/** What resolving a route needs; the functions pass their services (all of them come back as `s`). */
export interface InstanceApiServices {
  tokens: TokenValidator;
  reviews: ReviewStore;
}

export interface ResolvedDefinition<S extends InstanceApiServices = InstanceApiServices> extends CallerView {
  s: S;
  definition: Stored<ReviewDefinition>;
  params: { definitionId: string; instanceId?: string; decisionId?: string };
}

export interface ResolvedInstance<
  S extends InstanceApiServices = InstanceApiServices,
> extends ResolvedDefinition<S> {
  instance: Stored<ReviewInstance>;
  /** The caller reviews at least one item of the instance. */
  isReviewer: boolean;
}

/** The caller and the definition named in the route (401/400/404 otherwise). */
export async function resolveDefinition<S extends InstanceApiServices>(
  s: S,
  request: HttpRequest,
): Promise<Resolved<ResolvedDefinition<S>>> {
  const auth = await authenticate(request, s.tokens);
  if (!auth.ok) return auth;
  const params = validate(routeSchema, request.params, 'route');
  if (!params.ok) return params;
  const p = {
    definitionId: params.value.definitionId.toLowerCase(),
    instanceId: params.value.instanceId?.toLowerCase(),
    decisionId: params.value.decisionId?.toLowerCase(),
  };
  const definition = await s.reviews.definitions.find(p.definitionId, p.definitionId);
  if (!definition)
    return { ok: false, response: problem(404, `No access review definition ${p.definitionId}`) };
  return { ok: true, s, caller: auth.caller, ...callerAccess(auth.caller), definition, params: p };
}

/**
 * The caller, the definition and the instance named in the route. `need`: `read` (admins, auditors, the instance's
 * reviewers), `admin` (admins only). 403 for a caller without the right; 404 for an unknown instance.
 */
export async function resolveInstance<S extends InstanceApiServices>(
  s: S,
  request: HttpRequest,
  need: 'read' | 'admin',
): Promise<Resolved<ResolvedInstance<S>>> {
  const r = await resolveDefinition(s, request);
  if (!r.ok) return r;
  const instanceId = r.params.instanceId;
  if (!instanceId) return { ok: false, response: problem(400, 'The route names no instance') };
  const instance = await r.s.reviews.instances.find(instanceId, r.definition.id);
  if (!instance)
    return {
      ok: false,
      response: problem(404, `No instance ${instanceId} of access review ${r.definition.id}`),
    };
  if (need === 'admin' && !r.isAdmin)
    return { ok: false, response: problem(403, 'Only admins (PimFlow.Admin) manage access reviews') };
  // Reviewing is a person's: an app-only caller is never a reviewer, whatever its service principal's id.
  const isReviewer = r.caller.kind === 'user' && (await reviewsAny(r.s, instance.id, r.caller.objectId));
  if (need === 'read' && !r.readsAll && !isReviewer)
    return {
      ok: false,
      response: problem(403, 'Only admins, auditors and the reviewers of this review can see it'),
    };
  return { ...r, instance, isReviewer };
}

async function reviewsAny(s: InstanceApiServices, instanceId: string, userId: string): Promise<boolean> {
  return s.reviews.reviewsAny(instanceId, userId.toLowerCase());
}
