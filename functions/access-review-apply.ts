/**
 * `POST identityGovernance/accessReviews/definitions/{definitionId}/instances/{instanceId}/applyDecisions` (admins):
 * applies a completed instance's decisions — removes denied access through the PIM layer — by starting its apply
 * orchestration (`review-apply-{instanceId}`, the one auto-apply starts too, so there is never a second apply).
 * 204 (Graph's answer) when started or already applying; 409 when the instance isn't Completed (or is already
 * Applied). The instance's status (Applying, then Applied) tells how it goes.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { z } from 'zod';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { parseJsonBody, validate } from '../shared/http/json-body';
import { problem } from '../shared/http/problem';
import { applyOrchestrationId, REVIEW_ORCHESTRATORS, type ApplyInput } from '../shared/reviews/contract';
import { getAppServices } from '../shared/composition-root';

const ROUTE =
  'identityGovernance/accessReviews/definitions/{definitionId}/instances/{instanceId}/applyDecisions';
const paramsSchema = z.object({
  definitionId: z.guid({ message: 'must be an access review definition id (a GUID)' }),
  instanceId: z.guid({ message: 'must be an access review instance id (a GUID)' }),
});
/** Graph's applyDecisions takes no body: none, or an empty object. */
const bodySchema = z.strictObject({}).optional();
const RUNNING = new Set(['Pending', 'Running', 'ContinuedAsNew', 'Suspended']);

async function runtimeStatus(client: df.DurableClient, id: string): Promise<string | undefined> {
  try {
    return (await client.getStatus(id, { showInput: false }))?.runtimeStatus;
  } catch {
    return undefined;
  }
}

export async function applyDecisions(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const params = validate(paramsSchema, request.params, 'route');
  if (!params.ok) return params.response;
  const body = await parseJsonBody(request, bodySchema);
  if (!body.ok) return body.response;
  const { definitionId, instanceId } = params.value;

  const instance = await services.reviews.instances.find(instanceId, definitionId);
  if (!instance) return problem(404, `No access review instance ${instanceId} in definition ${definitionId}`);
  /** Graph answers applyDecisions with 204 No Content. */
  const accepted = (): HttpResponseInit => ({ status: 204 });
  const client = df.getClient(context);
  const orchestrationId = applyOrchestrationId(instance.id);
  switch (instance.status) {
    case 'Applied':
      return problem(
        409,
        `The decisions of this review were already applied (${instance.appliedDateTime ?? 'earlier'})`,
      );
    case 'Completed':
    case 'Applying':
      break;
    default:
      return problem(
        409,
        `The review is ${instance.status}; decisions can be applied only once it is Completed`,
      );
  }
  const current = await runtimeStatus(client, orchestrationId);
  if (current && RUNNING.has(current)) return accepted();
  const input: ApplyInput = {
    definitionId,
    instanceId,
    appliedBy: {
      id: auth.caller.objectId,
      displayName: auth.caller.displayName ?? null,
      userPrincipalName: auth.caller.userPrincipalName ?? null,
    },
  };
  try {
    // A finished apply orchestration (Failed, or Completed while the instance says Applying) is replaced.
    await client.startNew(REVIEW_ORCHESTRATORS.apply, { instanceId: orchestrationId, input });
  } catch (err) {
    // Started by someone else in between (auto-apply or a second call): that one applies.
    if (RUNNING.has((await runtimeStatus(client, orchestrationId)) ?? '')) return accepted();
    context.error(`Could not start the apply of ${instance.id}: ${String(err)}`);
    return problem(503, 'The apply could not be started; try again');
  }
  return accepted();
}

app.http('accessReviewInstanceApplyDecisions', {
  route: ROUTE,
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: applyDecisions,
});
