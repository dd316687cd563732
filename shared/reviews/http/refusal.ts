/** A review service's refusal as an answer: its reason as the status, its detail as the problem's. */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import type { Refusal, RefusalReason } from '../domain/refusal';

export const REFUSAL_STATUS: Record<RefusalReason, 400 | 403 | 404 | 409 | 503> = {
  invalid: 400,
  forbidden: 403,
  notFound: 404,
  conflict: 409,
  unavailable: 503,
};

export function refusalResponse(r: Pick<Refusal, 'reason' | 'detail'>): HttpResponseInit {
  return problem(REFUSAL_STATUS[r.reason], r.detail);
}
