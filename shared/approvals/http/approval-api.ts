/**
 * The Graph-shaped approval API's handlers (routes in functions/approvals.ts): read an approval and its steps, and
 * decide a step. Readable by the requester, the approvers, admins and auditors (404 to anyone else: no hint that
 * it exists); decided only by an approver who is not the requester. Refusals answer with refusal-status.ts.
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { graphEnum } from '../../graph-enum';
import type { CallerPrincipal } from '../../auth/principal';
import type { TokenValidator } from '../../auth/token-validator';
import { authenticate, refuseAppOnly } from '../../http/caller';
import { parseJsonBody, validate } from '../../http/json-body';
import { currentUserOn } from '../../http/current-user';
import { pagedList } from '../../http/paged-list';
import { collectionContext, withEntityContext } from '../../http/odata-shape';
import { problem } from '../../http/problem';
import type { ResourceType } from '../../access/resource';
import type { ApprovalServices, RaiseDecision } from '../approval-services';
import { decideApprovalStep } from '../decide-approval';
import { awaitsDecisionBy, type StoredApproval } from '../domain/approval';
import { approvalStepView, approvalView, canReadApproval } from './approval-view';
import { refusalStatus } from './refusal-status';

export const APPROVALS_ROUTE = 'identityGovernance/privilegedAccess/group/assignmentApprovals';
export const ROLE_APPROVALS_ROUTE = 'roleManagement/directory/roleAssignmentApprovals';

export interface ApprovalApiServices extends ApprovalServices {
  tokens: TokenValidator;
}

/** The approvals collection a request was sent to (groups' or directory roles'), for its `@odata.context`. */
function approvalsOf(request: HttpRequest): string {
  return new URL(request.url).pathname.toLowerCase().includes(ROLE_APPROVALS_ROUTE.toLowerCase())
    ? ROLE_APPROVALS_ROUTE
    : APPROVALS_ROUTE;
}

const idSchema = z.guid({ message: 'must be an approval id (a GUID)' });
const stepIdSchema = z.string().min(1).max(100);

const stepPatchSchema = z
  .object({
    '@odata.type': z.string().optional(),
    reviewResult: graphEnum(['Approve', 'Deny'], { message: "must be 'Approve' or 'Deny'" }),
    justification: z.string().max(1000).nullable().optional(),
  })
  .strict();

type Found =
  { ok: true; caller: CallerPrincipal; approval: StoredApproval } | { ok: false; response: HttpResponseInit };

/** The caller, and the approval if they may read it; 401, 400 or 404 otherwise. */
async function findReadable(services: ApprovalApiServices, request: HttpRequest): Promise<Found> {
  const auth = await authenticate(request, services.tokens);
  if (!auth.ok) return auth;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id;
  const approval = await services.approvals.find(id.value.toLowerCase());
  if (!approval || !canReadApproval(approval, auth.caller)) {
    return { ok: false, response: problem(404, `No approval ${id.value}`) };
  }
  return { ok: true, caller: auth.caller, approval };
}

export async function getApproval(
  services: ApprovalApiServices,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const found = await findReadable(services, request);
  if (!found.ok) return found.response;
  return {
    jsonBody: withEntityContext(
      request,
      approvalsOf(request),
      approvalView(found.approval, found.caller.objectId),
    ),
  };
}

/**
 * `filterByCurrentUser(on='approver')`: the approvals waiting for the caller's decision (the approver's inbox), of
 * one resource type, newest first; the only `on` Graph offers on approvals.
 */
export async function listApprovalsAwaitingCaller(
  services: ApprovalApiServices,
  request: HttpRequest,
  resourceType: ResourceType,
): Promise<HttpResponseInit> {
  const on = currentUserOn(request, ['approver'] as const);
  if (!on.ok) return on.response;
  const auth = await authenticate(request, services.tokens, [], {
    userOnly: "list the approvals waiting for them (filterByCurrentUser(on='approver'))",
  });
  if (!auth.ok) return auth.response;
  const me = auth.caller.objectId;
  const route = resourceType === 'group' ? APPROVALS_ROUTE : ROLE_APPROVALS_ROUTE;
  return pagedList(request, {
    context: `$metadata#${route}`,
    load: async (query) => {
      const page = await services.approvals.listAwaiting({
        approverId: me,
        resourceType,
        pageSize: query.top,
        continuationToken: query.skipToken,
      });
      return { ...page, items: page.items.filter((a) => awaitsDecisionBy(a, me)) };
    },
    view: (a) => approvalView(a, me),
  });
}

export async function listApprovalSteps(
  services: ApprovalApiServices,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const found = await findReadable(services, request);
  if (!found.ok) return found.response;
  return {
    jsonBody: {
      '@odata.context': collectionContext(request, `${approvalsOf(request)}('${found.approval.id}')/steps`),
      value: found.approval.steps.map((s) => approvalStepView(found.approval, s, found.caller.objectId)),
    },
  };
}

export async function getApprovalStep(
  services: ApprovalApiServices,
  request: HttpRequest,
): Promise<HttpResponseInit> {
  const found = await findReadable(services, request);
  if (!found.ok) return found.response;
  const step = found.approval.steps.find((s) => s.id === request.params.stepId);
  if (!step) return problem(404, `The approval ${found.approval.id} has no step ${request.params.stepId}`);
  return {
    jsonBody: withEntityContext(
      request,
      `${approvalsOf(request)}('${found.approval.id}')/steps`,
      approvalStepView(found.approval, step, found.caller.objectId),
    ),
  };
}

/** PATCH { reviewResult: Approve | Deny, justification } → 204, as Graph; 503 when the request wasn't told yet. */
export async function updateApprovalStep(
  services: ApprovalApiServices,
  request: HttpRequest,
  raiseDecision: RaiseDecision,
): Promise<HttpResponseInit> {
  const found = await findReadable(services, request);
  if (!found.ok) return found.response;
  const appOnly = refuseAppOnly(found.caller, 'approve or deny requests');
  if (appOnly) return appOnly;
  const stepId = validate(stepIdSchema, request.params.stepId, 'stepId');
  if (!stepId.ok) return stepId.response;
  const body = await parseJsonBody(request, stepPatchSchema);
  if (!body.ok) return body.response;
  const { caller, approval } = found;
  const result = await decideApprovalStep(services, {
    approvalId: approval.id,
    groupId: approval.groupId,
    stepId: stepId.value,
    approver: { id: caller.objectId, displayName: caller.displayName ?? null },
    reviewResult: body.value.reviewResult,
    justification: body.value.justification,
    raiseDecision,
  });
  if (result.outcome === 'refused') {
    return problem(refusalStatus(result.reason), result.detail, { reason: result.reason });
  }
  if (!result.eventRaised) {
    return problem(
      503,
      'Your decision is recorded, but the request could not be told right away; it acts on the decision at the latest when the approval step expires. Do not decide again.',
      { reason: 'decisionRecordedEventPending' },
      { 'retry-after': '60' },
    );
  }
  return { status: 204 };
}
