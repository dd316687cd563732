/**
 * Approvals, Graph-shaped, under /api/identityGovernance/privilegedAccess/group/assignmentApprovals:
 * GET {id} (with its steps), GET {id}/steps, GET {id}/steps/{stepId}, and PATCH {id}/steps/{stepId}
 * { reviewResult: Approve | Deny, justification } → 204, as Graph. Handlers in shared/approvals/http/approval-api.ts.
 */
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import {
  APPROVALS_ROUTE as ROUTE,
  getApproval,
  getApprovalStep,
  listApprovalSteps,
  updateApprovalStep,
} from '../shared/approvals/http/approval-api';
import { getAppServices } from '../shared/composition-root';

app.http('assignmentApprovalsGet', {
  route: `${ROUTE}/{id}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request: HttpRequest) => getApproval(await getAppServices(), request),
});
app.http('assignmentApprovalStepsList', {
  route: `${ROUTE}/{id}/steps`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request: HttpRequest) => listApprovalSteps(await getAppServices(), request),
});
app.http('assignmentApprovalStepsGet', {
  route: `${ROUTE}/{id}/steps/{stepId}`,
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: async (request: HttpRequest) => getApprovalStep(await getAppServices(), request),
});
app.http('assignmentApprovalStepsUpdate', {
  route: `${ROUTE}/{id}/steps/{stepId}`,
  methods: ['PATCH'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: async (request: HttpRequest, context: InvocationContext) => {
    const client = df.getClient(context);
    return updateApprovalStep(await getAppServices(), request, (id, name, payload) =>
      client.raiseEvent(id, name, payload),
    );
  },
});
