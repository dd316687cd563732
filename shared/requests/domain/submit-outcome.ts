/**
 * What submitting a schedule request comes to, as the HTTP edge (shared/requests/http/submit-response.ts) turns it
 * into an answer: start the request's orchestration and then store the request (`start`; the slot is taken), tell a
 * running one to end (`end`; the end request is stored), answer with a request stored earlier by the same POST
 * (`existing`: a client retrying after a lost answer), a request only validated, or a refusal saying why.
 */
import type { RuleFailure } from './request-rules';
import type { ScheduleRequest } from './schedule-request';

/**
 * Why a request (or a cancel) is refused: the ask is wrong, needs a fresh sign-in, isn't the caller's to make,
 * names nothing, clashes with what is stored, or could not be started now (try again).
 */
export type RefusalCode = 'invalid' | 'stepUp' | 'forbidden' | 'notFound' | 'conflict' | 'unavailable';

export interface Refusal {
  outcome: 'refused';
  code: RefusalCode;
  reason: string;
  /** `stepUp`: the claims challenge the client signs in again with. */
  claims?: string;
}

export type SubmitResult =
  | { outcome: 'start'; request: ScheduleRequest }
  | {
      outcome: 'end';
      request: ScheduleRequest;
      targetInstanceId: string;
      by: { id: string; displayName: string | null };
    }
  | { outcome: 'existing'; request: ScheduleRequest }
  | { outcome: 'validated'; request: ScheduleRequest }
  | Refusal;

export function refused(code: RefusalCode, reason: string): Refusal {
  return { outcome: 'refused', code, reason };
}

/** A request rule's failure as a refusal: a step-up carries its claims challenge. */
export function fromRule(f: RuleFailure): Refusal {
  return f.kind === 'stepUp'
    ? { outcome: 'refused', code: 'stepUp', reason: f.detail, claims: f.claims }
    : refused('invalid', f.detail);
}
