/**
 * Approvals, Graph-shaped, under /api/identityGovernance/privilegedAccess/group/assignmentApprovals (and, for
 * Entra roles, /api/roleManagement/directory/roleAssignmentApprovals):
 * GET filterByCurrentUser(on='approver') (the approver's inbox), GET {id} (with its steps), GET {id}/steps, GET {id}/steps/{stepId}, and PATCH {id}/steps/{stepId}
 * { reviewResult: Approve | Deny, justification } → 204, as Graph. Handlers in shared/approvals/http/approval-api.ts.
 */
import { app, type HttpRequest, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import {
  APPROVALS_ROUTE as ROUTE,
  ROLE_APPROVALS_ROUTE,
  getApproval,
  getApprovalStep,
  listApprovalsAwaitingCaller,
  listApprovalSteps,
  updateApprovalStep,
} from '../shared/approvals/http/approval-api';
import { getAppServices } from '../shared/composition-root';
import type { ResourceType } from '../shared/access/resource';
import { BY_CURRENT_USER } from '../shared/http/current-user';

/** The four approval routes under one base: groups' `assignmentApprovals`, Entra roles' `roleAssignmentApprovals`. */
function registerApprovalRoutes(name: string, route: string, resourceType: ResourceType): void {
  // Named to sort before ...Get (shared/http/current-user.ts).
  app.http(`${name}ByCurrentUser`, {
    route: `${route}/${BY_CURRENT_USER}`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async (request: HttpRequest) =>
      listApprovalsAwaitingCaller(await getAppServices(), request, resourceType),
  });
  app.http(`${name}Get`, {
    route: `${route}/{id}`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async (request: HttpRequest) => getApproval(await getAppServices(), request),
  });
  app.http(`${name.replace(/s$/, '')}StepsList`, {
    route: `${route}/{id}/steps`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async (request: HttpRequest) => listApprovalSteps(await getAppServices(), request),
  });
  app.http(`${name.replace(/s$/, '')}StepsGet`, {
    route: `${route}/{id}/steps/{stepId}`,
    methods: ['GET'],
    authLevel: 'anonymous',
    handler: async (request: HttpRequest) => getApprovalStep(await getAppServices(), request),
  });
  app.http(`${name.replace(/s$/, '')}StepsUpdate`, {
    route: `${route}/{id}/steps/{stepId}`,
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
}

registerApprovalRoutes('assignmentApprovals', ROUTE, 'group');
// Graph's approvals of Entra role activations (roleManagement/directory/roleAssignmentApprovals, beta): same shape.
registerApprovalRoutes('roleAssignmentApprovals', ROLE_APPROVALS_ROUTE, 'directoryRole');
