/**
 * The reconciler's timer (`reconcileTimer` on `%RECONCILE_SCHEDULE%`, every few minutes): repairs what a crash
 * between a write and its orchestration step left behind (see shared/reconcile/reconcile.ts). It talks to the
 * orchestrations through the durable client only: statuses, starts with deterministic ids, and events.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import * as df from 'durable-functions';
import { getAppServices } from '../shared/composition-root';
import { reconcile, type OrchestrationControl } from '../shared/reconcile/reconcile';
import { raiseEvent } from './register-activity';

function controlOf(client: df.DurableClient): OrchestrationControl {
  return {
    async status(instanceId) {
      try {
        return String((await client.getStatus(instanceId, { showInput: false })).runtimeStatus);
      } catch (err) {
        // The client reports a missing instance as an error mentioning its 404; anything else is "can't tell".
        if (err instanceof Error && err.message.includes('HTTP 404')) return undefined;
        throw err;
      }
    },
    async start(name, instanceId, input) {
      await client.startNew(name, { instanceId, input });
    },
    async raise(instanceId, event, payload) {
      await raiseEvent(client, instanceId, event, payload);
    },
  };
}

export async function reconcileTimer(_timer: Timer, context: InvocationContext): Promise<void> {
  const pim = await getAppServices();
  const report = await reconcile(pim.reconcileDeps, controlOf(df.getClient(context)));
  const repaired =
    report.started +
    report.failed +
    report.decisionsResent +
    report.cancelsResent +
    report.endsResent +
    report.stopsResent;
  if (repaired > 0 || report.errors > 0) context.log(`Reconcile: ${JSON.stringify(report)}`);
}

app.timer('reconcileTimer', {
  schedule: '%RECONCILE_SCHEDULE%',
  extraInputs: [df.input.durableClient()],
  handler: reconcileTimer,
});
