/**
 * An orchestration instance's status through the durable client, or undefined when there is none. The client
 * throws for an unknown id on some hosts and answers without a runtimeStatus on others: both mean "none".
 */
import type * as df from 'durable-functions';

export async function instanceStatus(
  client: df.DurableClient,
  instanceId: string,
): Promise<df.DurableOrchestrationStatus | undefined> {
  try {
    const status = await client.getStatus(instanceId);
    return status?.runtimeStatus ? status : undefined;
  } catch {
    return undefined;
  }
}

/** Statuses after which an instance never runs again (until restarted). */
export const ENDED_STATUSES: ReadonlySet<string> = new Set(['Completed', 'Failed', 'Terminated', 'Canceled']);
