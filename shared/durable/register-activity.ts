/**
 * Registers an activity under its contract's name, with a handler typed by the contract: what the orchestrator
 * sends is the handler's input, what the handler returns is what the orchestrator gets. (Orchestration inputs and
 * events are not a security boundary: handlers check stored state before they act.)
 */
import * as df from 'durable-functions';
import type { Activity } from './activity';

export function registerActivity<I, O>(activity: Activity<I, O>, handler: (input: I) => Promise<O>): void {
  df.app.activity(activity.name, { handler: (input: I) => handler(input) });
}

/** A typed client-side event raise: `raise(client, instanceId, Events.cancel, payload)`. */
export function raiseEvent<P>(
  client: df.DurableClient,
  instanceId: string,
  event: { readonly name: string; readonly types?: { payload: P } },
  payload: P,
): Promise<void> {
  return client.raiseEvent(instanceId, event.name, payload);
}
