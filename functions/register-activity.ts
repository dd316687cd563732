/**
 * Registers an activity under its contract's name, with a handler typed by the contract: what the orchestrator
 * sends is the handler's input, what the handler returns is what the orchestrator gets. (Orchestration inputs and
 * events are not a security boundary: handlers check stored state before they act.) `durableClient: true` binds
 * the durable client, for an activity that raises an event itself (`df.getClient(context)`).
 */
import type { InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import type { Activity, DurableEvent } from '../shared/durable/activity';

export function registerActivity<I, O>(
  activity: Activity<I, O>,
  handler: (input: I, context: InvocationContext) => Promise<O>,
  options: { durableClient?: boolean } = {},
): void {
  df.app.activity(activity.name, {
    ...(options.durableClient ? { extraInputs: [df.input.durableClient()] } : {}),
    handler: (input: I, context: InvocationContext) => handler(input, context),
  });
}

/** A typed event raise: `raiseEvent(client, instanceId, RequestEvent.cancel, { by })`. */
export function raiseEvent<P>(
  client: df.DurableClient,
  instanceId: string,
  event: DurableEvent<P>,
  payload: P,
): Promise<void> {
  return client.raiseEvent(instanceId, event.name, payload);
}
