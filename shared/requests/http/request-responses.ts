/** The answers of the request endpoints, from the services' outcomes: Graph's shapes and problem details. */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import type { CreateOutcome } from '../create-request';
import type { Refusal, RefusalCode } from '../domain/submit-outcome';
import type { ScheduleRequest } from '../domain/schedule-request';
import { requestView } from './request-view';

const STATUS: Record<RefusalCode, number> = {
  invalid: 400,
  stepUp: 401,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  unavailable: 503,
};

/** A refusal as a problem; a step-up carries the claims challenge the client signs in again with. */
export function refusalResponse(r: Refusal): HttpResponseInit {
  return problem(
    STATUS[r.code],
    r.reason,
    {},
    r.claims
      ? { 'www-authenticate': `Bearer realm="pimflow", error="insufficient_claims", claims="${r.claims}"` }
      : {},
  );
}

/**
 * POST ...ScheduleRequests: 201 for a new request (with its location) or an end, 200 for one already made; the
 * request in the API's view (groups' by default).
 */
export function createResponse(
  outcome: CreateOutcome,
  requestUrl: string,
  view: (r: ScheduleRequest) => Record<string, unknown> = requestView,
): HttpResponseInit {
  switch (outcome.outcome) {
    case 'refused':
      return refusalResponse(outcome);
    case 'validated':
    case 'existing':
      return { status: 200, jsonBody: view(outcome.request) };
    case 'ended':
      return { status: 201, jsonBody: view(outcome.request) };
    case 'created':
      return {
        status: 201,
        headers: { location: `${requestUrl.replace(/\/$/, '')}/${outcome.request.id}` },
        jsonBody: view(outcome.request),
      };
  }
}
