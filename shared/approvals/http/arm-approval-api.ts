/**
 * Approvals of Azure role activations as ARM shapes them (`Microsoft.Authorization/roleAssignmentApprovals`,
 * api-version 2021-01-01-preview) over the approvals core: GET `/providers/Microsoft.Authorization/
 * roleAssignmentApprovals/{id}` (its `stages`), GET `.../stages/{stageId}`, PUT `.../stages/{stageId}`
 * `{ properties: { reviewResult: 'Approve' | 'Deny', justification } }` → 200 with the stage, and GET
 * `roleAssignmentApprovals?$filter=asApprover()` (the approver's inbox). An approval's stages are the core's steps.
 * Errors as problems naming ARM's code (the edge writes ARM's shape).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { resourceTypeOf } from '../../access/resource';
import type { CallerPrincipal } from '../../auth/principal';
import { graphEnum } from '../../graph-enum';
import { refuseAppOnly } from '../../http/caller';
import { parseJsonBody } from '../../http/json-body';
import { problem } from '../../http/problem';
import type { ApprovalServices, RaiseDecision } from '../approval-services';
import { decideApprovalStep } from '../decide-approval';
import { awaitsDecisionBy, type Approval, type ApprovalStep } from '../domain/approval';
import { approvalStepView, canReadApproval } from './approval-view';
import { refusalStatus } from './refusal-status';

const APPROVALS = '/providers/Microsoft.Authorization/roleAssignmentApprovals';

const stagePutSchema = z.object({
  properties: z.object({
    reviewResult: graphEnum(['Approve', 'Deny'], { message: "must be 'Approve' or 'Deny'" }),
    justification: z.string().max(1000).nullable().optional(),
  }),
});

function armStage(approval: Approval, step: ApprovalStep, callerId: string) {
  const v = approvalStepView(approval, step, callerId);
  return {
    id: `${APPROVALS}/${approval.id}/stages/${step.id}`,
    name: step.id,
    type: 'Microsoft.Authorization/roleAssignmentApprovals/stages',
    properties: {
      displayName: v.displayName,
      status: v.status,
      reviewResult: v.reviewResult,
      assignedToMe: v.assignedToMe,
      reviewedBy: v.reviewedBy,
      reviewedDateTime: v.reviewedDateTime,
      justification: v.justification,
    },
  };
}

export function armApprovalView(approval: Approval, callerId: string) {
  return {
    id: `${APPROVALS}/${approval.id}`,
    name: approval.id,
    type: 'Microsoft.Authorization/roleAssignmentApprovals',
    properties: { stages: approval.steps.map((s) => armStage(approval, s, callerId)) },
  };
}

const notFound = (what: string) =>
  problem(404, `${what} was not found`, { code: 'RoleAssignmentApprovalNotFound' });

/** An Azure role approval the caller may read, by id. */
async function readable(services: ApprovalServices, id: string | undefined, caller: CallerPrincipal) {
  if (!id || !z.guid().safeParse(id).success) return undefined;
  const approval = await services.approvals.find(id.toLowerCase());
  if (!approval || resourceTypeOf(approval) !== 'azureRole' || !canReadApproval(approval, caller))
    return undefined;
  return approval;
}

export async function getArmApproval(
  services: ApprovalServices,
  caller: CallerPrincipal,
  id: string | undefined,
  stageId?: string,
): Promise<HttpResponseInit> {
  const approval = await readable(services, id, caller);
  if (!approval) return notFound(`The approval '${id ?? ''}'`);
  if (stageId === undefined) return { jsonBody: armApprovalView(approval, caller.objectId) };
  const step = approval.steps.find((s) => s.id === stageId);
  if (!step) return notFound(`The stage '${stageId}' of approval '${approval.id}'`);
  return { jsonBody: armStage(approval, step, caller.objectId) };
}

/** The approvals waiting for the caller's decision (`$filter=asApprover()`). */
export async function listArmApprovalsAwaitingCaller(
  services: ApprovalServices,
  caller: CallerPrincipal,
): Promise<HttpResponseInit> {
  const me = caller.objectId;
  const items: Approval[] = [];
  let token: string | undefined;
  do {
    const page = await services.approvals.listAwaiting({
      approverId: me,
      resourceType: 'azureRole',
      pageSize: 100,
      ...(token ? { continuationToken: token } : {}),
    });
    items.push(...page.items.filter((a) => awaitsDecisionBy(a, me)));
    token = page.continuationToken;
  } while (token && items.length < 1000);
  return { jsonBody: { value: items.map((a) => armApprovalView(a, me)) } };
}

/** PUT a stage's decision: 200 with the stage as decided. */
export async function putArmApprovalStage(
  services: ApprovalServices,
  request: HttpRequest,
  caller: CallerPrincipal,
  id: string | undefined,
  stageId: string | undefined,
  raiseDecision: RaiseDecision,
): Promise<HttpResponseInit> {
  const approval = await readable(services, id, caller);
  if (!approval) return notFound(`The approval '${id ?? ''}'`);
  const appOnly = refuseAppOnly(caller, 'approve or deny requests');
  if (appOnly) return appOnly;
  const step = approval.steps.find((s) => s.id === stageId);
  if (!step) return notFound(`The stage '${stageId ?? ''}' of approval '${approval.id}'`);
  const body = await parseJsonBody(request, stagePutSchema);
  if (!body.ok) return body.response;
  const result = await decideApprovalStep(services, {
    approvalId: approval.id,
    groupId: approval.groupId,
    stepId: step.id,
    approver: { id: caller.objectId, displayName: caller.displayName ?? null },
    reviewResult: body.value.properties.reviewResult,
    justification: body.value.properties.justification,
    raiseDecision,
  });
  if (result.outcome === 'refused')
    return problem(refusalStatus(result.reason), result.detail, {
      code:
        result.reason === 'notApprover' || result.reason === 'ownRequest'
          ? 'AuthorizationFailed'
          : 'InvalidRequest',
    });
  const decided = (await services.approvals.find(approval.id)) ?? approval;
  const stage = decided.steps.find((s) => s.id === step.id) ?? step;
  return { jsonBody: armStage(decided, stage, caller.objectId) };
}
