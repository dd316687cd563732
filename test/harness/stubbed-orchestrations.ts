/**
 * The product's orchestrators (orchestrations/*.ts, from source) on the local durable engine with stub activities
 * in place of the real ones: the orchestration logic (paging, continue-as-new, fan-out, retries and fallbacks,
 * timers on a virtual clock) tested without Cosmos, Graph or mail. The runtime loads the test app
 * test/apps/stubbed-orchestrations/, which registers the orchestrators named here and one activity per stub.
 *
 *   const run = await startStubbedOrchestrations({
 *     orchestrations: ['drift-check'],
 *     stubs: [stub(DriftActivity.listGroups, (input) => ...), stub(DriftActivity.checkGroup, (input) => ...)],
 *     virtualClock: new Date('2026-03-02T09:00:00Z'),
 *   });
 *   const id = await run.start(DRIFT_ORCHESTRATOR, input);
 *   const status = await run.settled(id); // after run.rt.advance(...) for retries and timers
 *
 * One app per process (the runtime loads an app once): start it once per test file.
 */
import path from 'node:path';
import type { LocalRuntime } from '../../local/runtime';
import { ENDED_STATUSES } from '../../shared/durable/instance-status';
import type { Activity } from '../../shared/durable/activity';
import { durableFetch, startTestRuntime, waitFor } from '../helpers';

const ORCHESTRATIONS = path.resolve(__dirname, '..', '..', 'orchestrations');

/** A stub for one activity: its handler gets the activity's input and returns (or throws) in its place. */
export interface Stub {
  name: string;
  handler: (input: unknown) => unknown;
}

export function stub<I, O>(activity: Activity<I, O>, handler: (input: I) => O | Promise<O>): Stub {
  return { name: activity.name, handler: (input) => handler(input as I) };
}

export interface InstanceState {
  runtimeStatus: string;
  input: unknown;
  output: unknown;
  customStatus: unknown;
  historyEvents?: Record<string, unknown>[];
}

export interface StubbedOrchestrations {
  rt: LocalRuntime;
  /** Replaces an activity's stub (it must be one of those the app started with). */
  stub<I, O>(activity: Activity<I, O>, handler: (input: I) => O | Promise<O>): void;
  /** Every input an activity's stub was called with, in order (retries included). */
  calls<I, O>(activity: Activity<I, O>): I[];
  /** Starts an orchestration through the management API; returns its instance id. */
  start(orchestrator: string, input: unknown, instanceId?: string): Promise<string>;
  /** The instance's status once it has ended (Completed, Failed, Terminated). */
  settled(instanceId: string): Promise<InstanceState>;
  stop(): Promise<void>;
}

interface StubbedGlobal {
  pimflowStubbed?: {
    orchestrations: string[];
    activityNames: string[];
    call(name: string, input: unknown): unknown;
  };
}

export async function startStubbedOrchestrations(options: {
  /** Files under orchestrations/, without `.ts` (e.g. `drift-check`). */
  orchestrations: string[];
  /** One per activity the orchestrators call; an activity without one isn't registered. */
  stubs: Stub[];
  virtualClock?: Date;
}): Promise<StubbedOrchestrations> {
  const handlers = new Map(options.stubs.map((s) => [s.name, s.handler]));
  const inputs = new Map<string, unknown[]>();
  (globalThis as StubbedGlobal).pimflowStubbed = {
    orchestrations: options.orchestrations.map((name) => path.join(ORCHESTRATIONS, `${name}.ts`)),
    activityNames: [...handlers.keys()],
    call(name, input) {
      inputs.set(name, [...(inputs.get(name) ?? []), input]);
      return (handlers.get(name) as Stub['handler'])(input);
    },
  };
  const rt = await startTestRuntime('stubbed-orchestrations', { virtualClock: options.virtualClock });
  const status = async (instanceId: string, query = '') =>
    (await (
      await durableFetch(rt, `instances/${encodeURIComponent(instanceId)}${query}`)
    ).json()) as InstanceState;
  return {
    rt,
    stub(activity, handler) {
      if (!handlers.has(activity.name)) throw new Error(`${activity.name} was not stubbed at start`);
      handlers.set(activity.name, (input) => handler(input as never));
    },
    calls<I, O>(activity: Activity<I, O>): I[] {
      return (inputs.get(activity.name) ?? []) as I[];
    },
    async start(orchestrator, input, instanceId) {
      const res = await durableFetch(
        rt,
        `orchestrators/${orchestrator}${instanceId ? `/${instanceId}` : ''}`,
        {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(input),
        },
      );
      if (res.status !== 202) throw new Error(`start ${orchestrator} → ${res.status}: ${await res.text()}`);
      return ((await res.json()) as { id: string }).id;
    },
    async settled(instanceId) {
      await rt.waitForIdle();
      return waitFor(`${instanceId} to end`, async () => {
        const s = await status(instanceId, '?showHistory=true&showHistoryOutput=true');
        return ENDED_STATUSES.has(s.runtimeStatus) ? s : undefined;
      });
    },
    async stop() {
      await rt.stop();
      delete (globalThis as StubbedGlobal).pimflowStubbed;
    },
  };
}
