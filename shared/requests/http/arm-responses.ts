/**
 * The answers of PIM for Azure resources' routes: problems that name ARM's error code (the edge turns them into
 * `{ error: { code, message } }`: shared/http/arm-error.ts), and the core's refusals in ARM's codes.
 */
import type { HttpResponseInit } from '@azure/functions';
import { problem } from '../../http/problem';
import type { RequestAction } from '../domain/schedule-request';
import type { Refusal } from '../domain/submit-outcome';
import type { ArmError } from './arm-path';

export function armProblem(e: ArmError, headers: Record<string, string> = {}): HttpResponseInit {
  return problem(e.status, e.message, { code: e.code }, headers);
}

/** A problem written elsewhere (body validation, authentication) under ARM's code for it. */
export function withArmCode(response: HttpResponseInit, code: string): HttpResponseInit {
  if (typeof response.body !== 'string') return response;
  try {
    const body = JSON.parse(response.body) as Record<string, unknown>;
    return { ...response, body: JSON.stringify({ ...body, code: body.code ?? code }) };
  } catch {
    return response;
  }
}

const ENDS_OR_CHANGES: readonly RequestAction[] = [
  'adminRemove',
  'selfDeactivate',
  'adminExtend',
  'selfExtend',
  'adminRenew',
  'selfRenew',
];

/**
 * A refusal of the core as ARM words it: a rule of the role's settings (duration, justification, ticket, MFA) is
 * `RoleAssignmentRequestPolicyValidationFailed`; naming an assignment that doesn't exist `RoleAssignmentDoesNotExist`;
 * an open request or an assignment already held `RoleAssignmentExists` / `PendingRoleAssignmentRequest`; not the
 * caller's to ask `AuthorizationFailed`. A step-up keeps its 401 and claims challenge.
 */
export function armRefusal(r: Refusal, action?: RequestAction): HttpResponseInit {
  switch (r.code) {
    case 'invalid':
      return armProblem({
        status: 400,
        code: 'RoleAssignmentRequestPolicyValidationFailed',
        message: r.reason,
      });
    case 'stepUp':
      return armProblem(
        { status: 401, code: 'RoleAssignmentRequestAcrsValidationFailed', message: r.reason },
        r.claims
          ? {
              'www-authenticate': `Bearer realm="pimflow", error="insufficient_claims", claims="${r.claims}"`,
            }
          : {},
      );
    case 'forbidden':
      return armProblem({ status: 403, code: 'AuthorizationFailed', message: r.reason });
    case 'notFound':
      return armProblem({
        status: action && ENDS_OR_CHANGES.includes(action) ? 404 : 400,
        code: action && ENDS_OR_CHANGES.includes(action) ? 'RoleAssignmentDoesNotExist' : 'InvalidRequest',
        message: r.reason,
      });
    case 'conflict':
      return armProblem({
        status: 409,
        code: /open request/i.test(r.reason) ? 'PendingRoleAssignmentRequest' : 'RoleAssignmentExists',
        message: r.reason,
      });
    case 'unavailable':
      return armProblem({ status: 503, code: 'ServiceUnavailable', message: r.reason });
  }
}
