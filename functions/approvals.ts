/**
 * Approvals, Graph-shaped, under /api/identityGovernance/privilegedAccess/group/assignmentApprovals:
 * GET {id} (with its steps), GET {id}/steps, GET {id}/steps/{stepId}, and PATCH {id}/steps/{stepId}
 * { reviewResult: Approve | Deny, justification } → 204, as Graph. Readable by the requester, the approvers, admins
 * and auditors (404 to anyone else: no hint that it exists); decided only by an approver who is not the requester.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import type { CallerPrincipal } from '../shared/auth/principal';
import { authenticate, refuseAppOnly } from '../shared/http/caller';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { problem } from '../shared/http/problem';
import { ApprovalRepository, type StoredApproval } from '../shared/approvals/approval';
import { decideApprovalStep } from '../shared/approvals/approval-service';
import { approvalStepView, approvalView, canReadApproval } from '../shared/approvals/http/approval-view';
import { getAppServices, type AppServices } from '../shared/composition-root';

const ROUTE = 'identityGovernance/privilegedAccess/group/assignmentApprovals';
const idSchema = z.guid({ message: 'must be an approval id (a GUID)' });
const stepIdSchema = z.string().min(1).max(100);

const stepPatchSchema = z
  .object({
    '@odata.type': z.string().optional(),
    reviewResult: z.enum(['Approve', 'Deny'], { message: "must be 'Approve' or 'Deny'" }),
    justification: z.string().max(1000).nullable().optional(),
  })
  .strict();

type Found =
  | { ok: true; services: AppServices; caller: CallerPrincipal; approval: StoredApproval }
  | { ok: false; response: HttpResponseInit };

/** The caller, and the approval if they may read it; 401, 400 or 404 otherwise. */
async function findReadable(request: HttpRequest): Promise<Found> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens);
  if (!auth.ok) return auth;
  const id = validate(idSchema, request.params.id, 'id');
  if (!id.ok) return id;
  const approval = await ApprovalRepository.of(services.database).find(id.value.toLowerCase());
  if (!approval || !canReadApproval(approval, auth.caller)) {
    return { ok: false, response: problem(404, `No approval ${id.value}`) };
  }
  return { ok: true, services, caller: auth.caller, approval };
}

export async function getApproval(request: HttpRequest): Promise<HttpResponseInit> {
  const found = await findReadable(request);
  if (!found.ok) return found.response;
  return { jsonBody: approvalView(found.approval, found.caller.objectId) };
}

export async function listApprovalSteps(request: HttpRequest): Promise<HttpResponseInit> {
  const found = await findReadable(request);
  if (!found.ok) return found.response;
  return {
    jsonBody: {
      '@odata.context': `${ROUTE}('${found.approval.id}')/steps`,
      value: found.approval.steps.map((s) => approvalStepView(found.approval, s, found.caller.objectId)),
    },
  };
}

export async function getApprovalStep(request: HttpRequest): Promise<HttpResponseInit> {
  const found = await findReadable(request);
  if (!found.ok) return found.response;
  const step = found.approval.steps.find((s) => s.id === request.params.stepId);
  if (!step) return problem(404, `The approval ${found.approval.id} has no step ${request.params.stepId}`);
  return { jsonBody: approvalStepView(found.approval, step, found.caller.objectId) };
}

export async function updateApprovalStep(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const found = await findReadable(request);
  if (!found.ok) return found.response;
  const appOnly = refuseAppOnly(found.caller, 'approve or deny requests');
  if (appOnly) return appOnly;
  const stepId = validate(stepIdSchema, request.params.stepId, 'stepId');
  if (!stepId.ok) return stepId.response;
  const body = await parseJsonBody(request, stepPatchSchema);
  if (!body.ok) return body.response;
  const { services, caller, approval } = found;
  const client = df.getClient(context);
  const result = await decideApprovalStep(services, {
    approvalId: approval.id,
    groupId: approval.groupId,
    stepId: stepId.value,
    approver: { id: caller.objectId, displayName: caller.displayName ?? null },
    reviewResult: body.value.reviewResult,
    justification: body.value.justification,
    raiseDecision: (id, name, payload) => client.raiseEvent(id, name, payload),
  });
  if (result.outcome === 'refused') return problem(result.status, result.detail, { reason: result.reason });
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

app.http('assignmentApprovalsGet', {
  route: `${ROUTE}/{id}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getApproval,
});
app.http('assignmentApprovalStepsList', {
  route: `${ROUTE}/{id}/steps`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: listApprovalSteps,
});
app.http('assignmentApprovalStepsGet', {
  route: `${ROUTE}/{id}/steps/{stepId}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: getApprovalStep,
});
app.http('assignmentApprovalStepsUpdate', {
  route: `${ROUTE}/{id}/steps/{stepId}`,
  methods: ['PATCH'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: updateApprovalStep,
});
