/**
 * The request orchestrations through the durable client, as creating and canceling a request needs them
 * (shared/requests/create-request.ts `RequestOrchestrations`): shared by every request API (Graph-shaped in
 * schedule-requests.ts, ARM-shaped in azure-roles.ts). Registers nothing.
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { REQUEST_ORCHESTRATOR, type RequestOrchestrationInput } from '../shared/requests/contract';
import type { RequestOrchestrations } from '../shared/requests/create-request';
import type { ScheduleRequest } from '../shared/requests/domain/schedule-request';
import { instanceStatus } from '../shared/durable/instance-status';
import { raiseEvent } from './register-activity';

/** The request orchestrations through the durable client (the function needs `df.input.durableClient()`). */
export function orchestrationsOf(context: InvocationContext): RequestOrchestrations {
  const client = df.getClient(context);
  return {
    start: (r) => startRequestOrchestration(client, r, context),
    raise: (instanceId, event, payload) => raiseEvent(client, instanceId, event, payload),
  };
}

/** Starts `request-{id}` with the request's ids; one already running (a retried POST started it) will do. */
async function startRequestOrchestration(
  client: df.DurableClient,
  r: ScheduleRequest,
  context: InvocationContext,
): Promise<boolean> {
  try {
    await client.startNew(REQUEST_ORCHESTRATOR, {
      instanceId: r.orchestrationInstanceId,
      input: { requestId: r.id, groupId: r.groupId } satisfies RequestOrchestrationInput,
    });
    return true;
  } catch (err) {
    const status = await instanceStatus(client, r.orchestrationInstanceId);
    if (status && ['Pending', 'Running'].includes(status.runtimeStatus)) return true;
    context.error(`Could not start request ${r.id}: ${String(err)}`);
    return false;
  }
}
