/**
 * The local runtime's Durable Task engine. It plays the Durable extension's part: it replays each orchestrator
 * through the SDK's own executor (history in, actions out), records what the orchestrator scheduled as history
 * events, runs activities, arms durable timers, starts sub-orchestrations and feeds results back, one event per
 * episode. Everything an instance needs to carry on after a crash is in its history in the task hub: work that
 * was scheduled but not finished is dispatched again at start (activities are at-least-once, as in Azure).
 */
import { randomUUID } from 'node:crypto';
import type { DueHandle, RuntimeClock } from '../clock';
import type { RegisteredFunction, RpcTypedData } from '../functions-core';
import type { FunctionInvoker } from '../invoker';
import { fromRpcTypedData, jsonData } from '../rpc-data';
import { IdleTracker, Semaphore } from '../semaphore';
import { EventType, finishedTaskIds, historyEvent, scheduledTasks, type HistoryEvent } from './history';
import {
  ConcurrencyError,
  isTerminal,
  TaskHubStore,
  type InboxMessage,
  type InstanceState,
  type RuntimeStatus,
} from './task-hub-store';

export interface EngineOptions {
  store: TaskHubStore;
  invoker: FunctionInvoker;
  clock: RuntimeClock;
  idle: IdleTracker;
  maxConcurrentActivities: number;
  maxConcurrentOrchestrations: number;
  /** Input data for a function's non-trigger inputs (the durableClient binding). */
  extraInputs: (fn: RegisteredFunction) => { name: string; data: RpcTypedData }[];
  /** The Azure Storage provider's defaults: timers longer than 6 days are split into 3-day sub-timers. */
  maximumShortTimerDuration?: string;
  longRunningTimerIntervalDuration?: string;
  log?: (message: string) => void;
}

export class InstanceExistsError extends Error {}
export class OrchestratorNotFoundError extends Error {}

type WorkItem =
  | { kind: 'start' }
  | { kind: 'event'; event: HistoryEvent; executionId?: string; inboxId?: string }
  | { kind: 'terminate' | 'suspend' | 'resume'; reason: string | null; inboxId: string };

interface LiveInstance {
  state: InstanceState;
  etag: string;
  history: HistoryEvent[];
  queue: WorkItem[];
  pumping: boolean;
  timers: Map<number, DueHandle>;
  retired: boolean;
  /** Queue items counted as in-flight work; a suspended instance's held items are not (it is idle). */
  counted: number;
  /** Items taken off the queue by the batch being processed, not yet committed. */
  inFlight: WorkItem[];
  /** Set while a caller awaits this instance's next commit (startNew, raiseEvent): its writes go first. */
  urgent: boolean;
}

/** Work an episode scheduled, dispatched once the episode is committed. */
type Dispatch =
  | { kind: 'activity'; id: number; name: string; input: unknown }
  | { kind: 'timer'; id: number; fireAt: Date }
  | { kind: 'child'; id: number; name: string; instanceId: string; input: unknown; version: string | null }
  | { kind: 'cancelTimer'; id: number };

interface EpisodeResult {
  events: HistoryEvent[];
  dispatch: Dispatch[];
  outcome: 'running' | 'completed' | 'failed' | 'continuedAsNew';
  output?: unknown;
  error?: string;
  customStatus?: unknown;
  continueAsNewInput?: unknown;
}

/** The SDK executor's view of a yielded task (durable-functions 3.x internals the extension's shim relies on too). */
interface SdkTask {
  id: number | string | false;
  action?: unknown;
  actionObj?: SdkAction | 'noOp';
  parent?: SdkTask & {
    isWaitingOnTimer?: boolean;
    attemptNumber?: number;
    retryOptions?: SdkRetryOptions;
    isCanceled?: boolean;
  };
}
interface SdkAction {
  actionType: number;
  functionName?: string;
  input?: unknown;
  instanceId?: string;
  version?: string;
  fireAt?: Date | string;
  isCanceled?: boolean;
  retryOptions?: SdkRetryOptions;
}
interface SdkExecutor {
  actions?: unknown[];
  openTasks?: Record<string, SdkTask>;
}
interface SdkRetryOptions {
  firstRetryIntervalInMilliseconds: number;
  maxNumberOfAttempts: number;
  backoffCoefficient?: number;
  maxRetryIntervalInMilliseconds?: number;
}

const UNSUPPORTED_ACTIONS: Record<number, string> = {
  7: 'callEntity',
  8: 'callHttp',
  9: 'signalEntity',
  13: 'lockEntities (critical sections)',
  14: 'releaseEntities',
};
const MAX_EPISODES_PER_COMMIT = 25;

export class OrchestrationEngine {
  private readonly live = new Map<string, LiveInstance>();
  private readonly activitySlots: Semaphore;
  private readonly orchestrationSlots: Semaphore;
  private stopping = false;
  private readonly log: (message: string) => void;

  constructor(private readonly options: EngineOptions) {
    this.activitySlots = new Semaphore(options.maxConcurrentActivities);
    this.orchestrationSlots = new Semaphore(options.maxConcurrentOrchestrations);
    this.log = options.log ?? (() => undefined);
  }

  private get store(): TaskHubStore {
    return this.options.store;
  }

  /** Loads every unfinished instance and dispatches what it was waiting for. */
  async recover(): Promise<number> {
    const unfinished = await this.store.listUnfinished();
    await Promise.all(unfinished.map((state) => this.loadLive(state.instanceId)));
    return unfinished.length;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    for (const inst of this.live.values()) for (const t of inst.timers.values()) t.cancel();
  }

  // ---------------------------------------------------------------------------------------------------------
  // Client operations (the management API calls these)

  async startNew(
    name: string,
    instanceId: string,
    input: unknown,
    version: string | null = null,
  ): Promise<InstanceState> {
    this.orchestratorFunction(name);
    const running = this.live.get(instanceId);
    if (running) throw instanceExists(running.state.runtimeStatus);
    const now = this.options.clock.now();
    const state: InstanceState = {
      instanceId,
      name,
      runtimeStatus: 'Pending',
      input: JSON.stringify(input ?? null),
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      executionId: randomUUID().replace(/-/g, ''),
      episode: 0,
      version,
      parentInstanceId: null,
      parentExecutionId: null,
      parentTaskId: null,
    };
    // Fast path: run the first episode now and create the instance with it in one write (an empty etag means
    // "create"), so the caller's 202 means the orchestration has really started.
    const inst = this.addLive(state, '', [], [{ kind: 'start' }], false);
    try {
      await this.runNow(inst);
      return state;
    } catch (err) {
      this.retire(inst);
      if (!(err instanceof ConcurrencyError)) throw err;
    }
    // The id is taken: refuse if that instance still runs, else replace the finished one.
    const stored = await this.store.getInstance(instanceId);
    if (stored && !isTerminal(stored.state.runtimeStatus)) throw instanceExists(stored.state.runtimeStatus);
    const etag = await this.store.createInstance(state, stored?.etag);
    this.addLive(state, etag, [], [{ kind: 'start' }]);
    return state;
  }

  /** 'accepted', or why not: the instance doesn't exist, or it has finished. */
  async raiseEvent(
    instanceId: string,
    eventName: string,
    input: unknown,
  ): Promise<'accepted' | 'notFound' | 'gone'> {
    const data = JSON.stringify(input ?? null);
    const inst = this.live.get(instanceId);
    if (inst && !inst.pumping && inst.queue.length === 0 && inst.state.runtimeStatus !== 'Suspended') {
      // Fast path for an idle instance: deliver the event in an episode and commit it before answering, one
      // write instead of an inbox message plus an episode.
      const now = this.options.clock.now();
      const item: WorkItem = {
        kind: 'event',
        event: historyEvent(EventType.EventRaised, now, { Name: eventName, Input: data }),
      };
      inst.queue.push(item);
      try {
        await this.runNow(inst);
        return 'accepted';
      } catch {
        // Not committed: take it back and use the durable inbox instead.
        const index = inst.queue.indexOf(item);
        if (index >= 0) inst.queue.splice(index, 1);
        this.countQueue(inst);
      }
    }
    return this.sendControl(instanceId, 'event', eventName, data);
  }

  async terminate(instanceId: string, reason: string | null): Promise<'accepted' | 'notFound' | 'gone'> {
    return this.sendControl(instanceId, 'terminate', null, reason);
  }

  async suspend(instanceId: string, reason: string | null): Promise<'accepted' | 'notFound' | 'gone'> {
    return this.sendControl(instanceId, 'suspend', null, reason);
  }

  async resume(instanceId: string, reason: string | null): Promise<'accepted' | 'notFound' | 'gone'> {
    return this.sendControl(instanceId, 'resume', null, reason);
  }

  async getInstance(instanceId: string): Promise<InstanceState | undefined> {
    const inst = this.live.get(instanceId);
    if (inst) return inst.state;
    return (await this.store.getInstance(instanceId))?.state;
  }

  async getHistory(instanceId: string): Promise<HistoryEvent[]> {
    const inst = this.live.get(instanceId);
    if (inst) return inst.history;
    const stored = await this.store.getInstance(instanceId);
    return stored ? this.store.loadHistory(instanceId, stored.state.executionId, stored.state.episode) : [];
  }

  /** Purges a finished instance; returns how many instances were deleted (0 or 1). */
  async purge(instanceId: string): Promise<number> {
    const state = await this.getInstance(instanceId);
    if (!state || !isTerminal(state.runtimeStatus)) return 0;
    await this.store.purge(instanceId);
    return 1;
  }

  // ---------------------------------------------------------------------------------------------------------
  // Instances in memory

  private orchestratorFunction(name: string): RegisteredFunction {
    const fn = this.options.invoker.find(name);
    if (!fn || triggerOf(fn)?.type !== 'orchestrationTrigger') {
      throw new OrchestratorNotFoundError(
        `The function '${name}' doesn't exist, is disabled, or is not an orchestrator function.`,
      );
    }
    return fn;
  }

  private async sendControl(
    instanceId: string,
    kind: InboxMessage['kind'],
    name: string | null,
    data: string | null,
  ): Promise<'accepted' | 'notFound' | 'gone'> {
    const state = await this.getInstance(instanceId);
    if (!state) return 'notFound';
    if (isTerminal(state.runtimeStatus)) return 'gone';
    const message = await this.store.appendInbox(instanceId, kind, name, data, this.options.clock.now());
    const inst = this.live.get(instanceId) ?? (await this.loadLive(instanceId));
    if (inst) this.enqueue(inst, inboxItem(message));
    return 'accepted';
  }

  private async loadLive(instanceId: string): Promise<LiveInstance | undefined> {
    const existing = this.live.get(instanceId);
    if (existing) return existing;
    const stored = await this.store.getInstance(instanceId);
    if (!stored || isTerminal(stored.state.runtimeStatus)) return undefined;
    const { state, etag } = stored;
    const [history, inbox] = await Promise.all([
      this.store.loadHistory(instanceId, state.executionId, state.episode),
      this.store.loadInbox(instanceId),
    ]);
    const again = this.live.get(instanceId);
    if (again) return again;
    const delivered = new Set(history.map((e) => e.MessageId).filter((id) => typeof id === 'string'));
    const items: WorkItem[] = [];
    if (history.length === 0) items.push({ kind: 'start' });
    const stale: string[] = [];
    for (const message of inbox) {
      if (delivered.has(message.id)) stale.push(message.id);
      else items.push(inboxItem(message));
    }
    const inst = this.addLive(state, etag, history, items);
    // Re-dispatch everything scheduled but not finished: the previous process may have died with it in flight.
    const finished = finishedTaskIds(history);
    const redo: Dispatch[] = [];
    for (const [id, e] of scheduledTasks(history)) {
      if (finished.has(id)) continue;
      redo.push(dispatchFromHistory(e));
    }
    this.dispatch(inst, redo);
    return inst;
  }

  private addLive(
    state: InstanceState,
    etag: string,
    history: HistoryEvent[],
    items: WorkItem[],
    pump = true,
  ): LiveInstance {
    const inst: LiveInstance = {
      state,
      etag,
      history,
      queue: [],
      pumping: false,
      timers: new Map(),
      retired: false,
      counted: 0,
      inFlight: [],
      urgent: false,
    };
    this.live.set(state.instanceId, inst);
    inst.queue.push(...items);
    this.countQueue(inst);
    if (pump) void this.pump(inst);
    return inst;
  }

  /** Hands a completion or event to an instance (dropped if it finished or moved on to a new execution). */
  private deliver(instanceId: string, executionId: string, event: HistoryEvent): void {
    const inst = this.live.get(instanceId);
    if (!inst || inst.retired || inst.state.executionId !== executionId) return;
    this.enqueue(inst, { kind: 'event', event, executionId });
  }

  private enqueue(inst: LiveInstance, item: WorkItem): void {
    inst.queue.push(item);
    this.countQueue(inst);
    void this.pump(inst);
  }

  /** Keeps the idle tracker's count of this instance's queue in step: all of it, or none while suspended. */
  private countQueue(inst: LiveInstance): void {
    const queued = this.hasRunnableWork(inst) ? inst.queue.length : 0;
    const shouldCount = inst.retired ? 0 : queued + inst.inFlight.length;
    while (inst.counted < shouldCount) {
      this.options.idle.begin();
      inst.counted++;
    }
    while (inst.counted > shouldCount) {
      this.options.idle.end();
      inst.counted--;
    }
  }

  private async pump(inst: LiveInstance): Promise<void> {
    if (inst.pumping || this.stopping) return;
    inst.pumping = true;
    try {
      while (!inst.retired && !this.stopping && this.hasRunnableWork(inst)) {
        await this.orchestrationSlots.acquire();
        try {
          await this.processBatch(inst);
        } catch (err) {
          if (err instanceof ConcurrencyError) {
            // Someone else wrote this instance (a second runtime on the same hub?): reload and carry on.
            this.log(`Instance ${inst.state.instanceId}: ${err.message}; reloading`);
            this.retire(inst);
            await this.loadLive(inst.state.instanceId);
          } else {
            this.log(`Instance ${inst.state.instanceId}: episode failed, retrying: ${errorText(err)}`);
            await new Promise((resolve) => setTimeout(resolve, 500));
          }
        } finally {
          this.orchestrationSlots.release();
        }
      }
    } finally {
      inst.pumping = false;
      this.countQueue(inst);
    }
  }

  /** Processes the instance's queue now, for a caller that must know it committed; errors propagate. */
  private async runNow(inst: LiveInstance): Promise<void> {
    inst.pumping = true;
    inst.urgent = true;
    try {
      await this.orchestrationSlots.acquire();
      try {
        await this.processBatch(inst);
      } finally {
        this.orchestrationSlots.release();
      }
    } finally {
      inst.pumping = false;
      inst.urgent = false;
      this.countQueue(inst);
    }
    if (inst.queue.length > 0) void this.pump(inst);
  }

  private hasRunnableWork(inst: LiveInstance): boolean {
    if (inst.state.runtimeStatus !== 'Suspended') return inst.queue.length > 0;
    return inst.queue.some((item) => item.kind === 'resume' || item.kind === 'terminate');
  }

  private retire(inst: LiveInstance): void {
    inst.retired = true;
    for (const t of inst.timers.values()) t.cancel();
    inst.timers.clear();
    inst.queue = [];
    this.countQueue(inst);
    if (this.live.get(inst.state.instanceId) === inst) this.live.delete(inst.state.instanceId);
  }

  // ---------------------------------------------------------------------------------------------------------
  // Episodes

  /** Runs queued items as episodes and commits them in one write; on failure the items go back on the queue. */
  private async processBatch(inst: LiveInstance): Promise<void> {
    try {
      await this.runBatch(inst);
    } catch (err) {
      inst.queue.unshift(...inst.inFlight);
      throw err;
    } finally {
      inst.inFlight = [];
      this.countQueue(inst);
    }
  }

  private async runBatch(inst: LiveInstance): Promise<void> {
    let state: InstanceState = { ...inst.state };
    let history = inst.history;
    const rows: { episode: number; events: HistoryEvent[] }[] = [];
    const consumed: string[] = [];
    const taken = inst.inFlight;
    const dispatch: Dispatch[] = [];
    let dropExecutionId: string | undefined;
    let finished: Set<number> | undefined;

    while (taken.length < MAX_EPISODES_PER_COMMIT && !isTerminal(state.runtimeStatus) && !dropExecutionId) {
      const index =
        state.runtimeStatus === 'Suspended'
          ? inst.queue.findIndex((item) => item.kind === 'resume' || item.kind === 'terminate')
          : 0;
      const item = index >= 0 ? inst.queue[index] : undefined;
      if (!item) break;
      inst.queue.splice(index, 1);
      taken.push(item);
      if ('inboxId' in item && item.inboxId) consumed.push(item.inboxId);

      const now = this.options.clock.now();
      let events: HistoryEvent[];
      if (item.kind === 'terminate') {
        events = [
          historyEvent(EventType.OrchestratorStarted, now),
          historyEvent(EventType.ExecutionTerminated, now, {
            Input: item.reason ?? '',
            MessageId: item.inboxId,
          }),
          historyEvent(EventType.OrchestratorCompleted, now),
        ];
        state = {
          ...state,
          runtimeStatus: 'Terminated',
          output: JSON.stringify(item.reason ?? ''),
          lastUpdatedTime: now,
        };
      } else if (item.kind === 'suspend' || item.kind === 'resume') {
        const suspend = item.kind === 'suspend';
        if (suspend === (state.runtimeStatus === 'Suspended')) continue;
        events = [
          historyEvent(suspend ? EventType.ExecutionSuspended : EventType.ExecutionResumed, now, {
            Reason: item.reason,
            MessageId: item.inboxId,
          }),
        ];
        state = { ...state, runtimeStatus: suspend ? 'Suspended' : 'Running', lastUpdatedTime: now };
      } else {
        let newEvents: HistoryEvent[];
        if (item.kind === 'start') {
          if (history.length > 0) continue;
          newEvents = [this.executionStartedEvent(state, now)];
        } else {
          const delivery = item as Extract<WorkItem, { kind: 'event' }>;
          finished ??= finishedTaskIds(history);
          const id = completionId(delivery.event);
          if (id !== undefined && finished.has(id)) continue; // a duplicate (redelivery after a crash)
          newEvents = [
            delivery.inboxId ? { ...delivery.event, MessageId: delivery.inboxId } : delivery.event,
          ];
          if (id !== undefined) finished.add(id);
        }
        const result = await this.runEpisode(state, history, newEvents, now);
        events = result.events;
        dispatch.push(...result.dispatch);
        const customStatus =
          result.customStatus === undefined ? state.customStatus : JSON.stringify(result.customStatus);
        if (result.outcome === 'running') {
          state = { ...state, runtimeStatus: 'Running', customStatus, lastUpdatedTime: now };
        } else if (result.outcome === 'completed') {
          const output = JSON.stringify(result.output ?? null);
          events.push(
            historyEvent(EventType.ExecutionCompleted, now, {
              OrchestrationStatus: 'Completed',
              Result: output,
            }),
          );
          state = { ...state, runtimeStatus: 'Completed', output, customStatus, lastUpdatedTime: now };
        } else if (result.outcome === 'failed') {
          const message = `Orchestrator function '${state.name}' failed: ${result.error ?? 'unknown error'}`;
          events.push(
            historyEvent(EventType.ExecutionCompleted, now, {
              OrchestrationStatus: 'Failed',
              Result: message,
            }),
          );
          state = {
            ...state,
            runtimeStatus: 'Failed',
            output: JSON.stringify(message),
            customStatus,
            lastUpdatedTime: now,
          };
        } else {
          // continueAsNew: a fresh execution with the new input; events not yet delivered carry over.
          dropExecutionId = state.executionId;
          state = {
            ...state,
            runtimeStatus: 'Running',
            input: JSON.stringify(result.continueAsNewInput ?? null),
            output: null,
            customStatus,
            executionId: randomUUID().replace(/-/g, ''),
            episode: 0,
            lastUpdatedTime: now,
          };
          dispatch.length = 0;
          rows.length = 0;
          history = [];
          continue;
        }
      }
      state = { ...state, episode: state.episode + 1 };
      rows.push({ episode: state.episode, events });
      history = [...history, ...events];
    }

    if (taken.length === 0) return;
    const etag = await this.store.commit(state, inst.etag, rows, consumed, dropExecutionId, inst.urgent);
    const oldExecutionId = inst.state.executionId;
    inst.state = state;
    inst.etag = etag;
    inst.history = history;
    inst.inFlight = [];
    this.countQueue(inst);

    if (dropExecutionId) {
      for (const t of inst.timers.values()) t.cancel();
      inst.timers.clear();
      this.enqueue(inst, { kind: 'start' });
      this.log(`Instance ${state.instanceId} continued as new (was execution ${oldExecutionId})`);
      return;
    }
    if (isTerminal(state.runtimeStatus)) {
      this.retire(inst);
      this.notifyParent(state);
      return;
    }
    this.dispatch(inst, dispatch);
  }

  private executionStartedEvent(state: InstanceState, now: Date): HistoryEvent {
    return historyEvent(EventType.ExecutionStarted, now, {
      Name: state.name,
      Input: state.input,
      Version: state.version ?? '',
      OrchestrationInstance: { InstanceId: state.instanceId, ExecutionId: state.executionId },
      ParentInstance: state.parentInstanceId
        ? {
            OrchestrationInstance: {
              InstanceId: state.parentInstanceId,
              ExecutionId: state.parentExecutionId,
            },
            TaskScheduleId: state.parentTaskId,
          }
        : null,
    });
  }

  /** One orchestrator invocation: replay the history plus the new events, then read what it scheduled. */
  private async runEpisode(
    state: InstanceState,
    history: HistoryEvent[],
    newEvents: HistoryEvent[],
    now: Date,
  ): Promise<EpisodeResult> {
    const events: HistoryEvent[] = [historyEvent(EventType.OrchestratorStarted, now), ...newEvents];
    const fullHistory = [...history, ...events];
    const done = (outcome: EpisodeResult['outcome'], extra: Partial<EpisodeResult>): EpisodeResult => {
      events.push(historyEvent(EventType.OrchestratorCompleted, now));
      return { events, dispatch: [], outcome, ...extra };
    };

    let fn: RegisteredFunction;
    try {
      fn = this.orchestratorFunction(state.name);
    } catch (err) {
      return done('failed', { error: errorText(err) });
    }
    const trigger = triggerOf(fn);
    const binding = {
      history: fullHistory,
      input: state.input === null ? null : (JSON.parse(state.input) as unknown),
      instanceId: state.instanceId,
      isReplaying: false,
      parentInstanceId: state.parentInstanceId,
      upperSchemaVersion: 2,
      upperSchemaVersionNew: 2,
      longRunningTimerIntervalDuration: this.options.longRunningTimerIntervalDuration ?? '3.00:00:00',
      maximumShortTimerDuration: this.options.maximumShortTimerDuration ?? '6.00:00:00',
      defaultHttpAsyncRequestSleepTimeMillseconds: 30000,
    };
    let orchestratorState: OrchestratorState;
    let context: unknown;
    try {
      const result = await this.options.invoker.invoke(fn, {
        inputData: [
          { name: trigger?.name ?? 'context', data: { string: JSON.stringify(binding) } },
          ...this.options.extraInputs(fn),
        ],
      });
      orchestratorState = fromRpcTypedData(result.response.returnValue) as OrchestratorState;
      context = result.context;
    } catch (err) {
      const failed = parseOutOfProcFailure(err);
      return done('failed', { error: failed?.error ?? errorText(err), customStatus: failed?.customStatus });
    }
    if (
      !orchestratorState ||
      typeof orchestratorState !== 'object' ||
      !Array.isArray(orchestratorState.actions)
    ) {
      return done('failed', {
        error:
          'The orchestrator returned no orchestration state (is it registered with df.app.orchestration?)',
      });
    }

    const unsupported = flattenActions(orchestratorState.actions).find(
      (a) => UNSUPPORTED_ACTIONS[a.actionType],
    );
    if (unsupported) {
      return done('failed', {
        error: `${UNSUPPORTED_ACTIONS[unsupported.actionType]} is not supported by pimflow's local runtime (durable entities and the HTTP action are not emulated).`,
      });
    }

    // Replay rules, as DTFx checks them: every action history says was scheduled must be scheduled again, in the
    // same place, with the same name. Each schedule event remembers the index of its action for this.
    const executor = (context as { df?: { taskOrchestratorExecutor?: SdkExecutor } }).df
      ?.taskOrchestratorExecutor;
    const liveActions = flattenActions(executor?.actions ?? []);
    const scheduled = scheduledTasks(fullHistory);
    for (const e of scheduled.values()) {
      if (typeof e.ActionIndex !== 'number') continue;
      const action = liveActions[e.ActionIndex];
      if (!action || !sameAction(e, action)) return done('failed', { error: nonDeterminismMessage(e) });
    }

    // Record and dispatch what is new: tasks the SDK gave an id that history has not seen.
    const openTasks = executor?.openTasks ?? {};
    const dispatch: Dispatch[] = [];
    const isDone = orchestratorState.isDone;
    for (const [key, task] of Object.entries(openTasks)) {
      const id = Number(key);
      if (!Number.isInteger(id)) continue;
      const work = this.classify(task, id, state, now);
      if (scheduled.has(id)) {
        if (work.kind === 'timer' && work.canceled) dispatch.push({ kind: 'cancelTimer', id });
        continue;
      }
      if (isDone || (work.kind === 'timer' && work.canceled)) continue;
      if (work.kind === 'unsupported') return done('failed', { error: work.reason });
      const ownIndex = liveActions.indexOf(task.actionObj as SdkAction);
      const actionIndex = ownIndex >= 0 ? ownIndex : liveActions.indexOf(task.parent?.actionObj as SdkAction);
      events.push(scheduleEvent(work, id, now, actionIndex));
      dispatch.push(work);
    }
    events.push(historyEvent(EventType.OrchestratorCompleted, now));

    const continueAsNew = flattenActions(orchestratorState.actions).find((a) => a.actionType === 4);
    if (isDone && continueAsNew) {
      const input =
        typeof continueAsNew.input === 'string'
          ? (JSON.parse(continueAsNew.input) as unknown)
          : continueAsNew.input;
      return {
        events,
        dispatch: [],
        outcome: 'continuedAsNew',
        continueAsNewInput: input,
        customStatus: orchestratorState.customStatus,
      };
    }
    if (isDone) {
      return {
        events,
        dispatch: [],
        outcome: 'completed',
        output: orchestratorState.output,
        customStatus: orchestratorState.customStatus,
      };
    }
    return { events, dispatch, outcome: 'running', customStatus: orchestratorState.customStatus };
  }

  private classify(
    task: SdkTask,
    id: number,
    state: InstanceState,
    now: Date,
  ):
    | (Exclude<Dispatch, { kind: 'cancelTimer' }> & { canceled?: boolean })
    | { kind: 'unsupported'; id: number; reason: string } {
    const action = task.actionObj;
    if (action === 'noOp' || action === undefined) {
      const retry = task.parent;
      if (retry?.retryOptions && typeof retry.actionObj === 'object') {
        if (retry.isWaitingOnTimer) {
          return {
            kind: 'timer',
            id,
            fireAt: new Date(now.getTime() + retryDelay(retry.retryOptions, retry.attemptNumber ?? 2)),
          };
        }
        return this.classifyAction(retry.actionObj, id, state);
      }
      return {
        kind: 'unsupported',
        id,
        reason: 'The orchestrator yielded a task the local runtime does not know.',
      };
    }
    if (action.actionType === 5) {
      return {
        kind: 'timer',
        id,
        fireAt: new Date(action.fireAt as string | Date),
        canceled: action.isCanceled === true || task.parent?.isCanceled === true,
      };
    }
    return this.classifyAction(action, id, state);
  }

  private classifyAction(
    action: SdkAction,
    id: number,
    state: InstanceState,
  ): Exclude<Dispatch, { kind: 'cancelTimer' }> | { kind: 'unsupported'; id: number; reason: string } {
    switch (action.actionType) {
      case 0:
      case 1:
        return {
          kind: 'activity',
          id,
          name: action.functionName ?? '',
          // The SDK JSON-encodes string inputs of activities (Utils.processInput); the extension decodes them.
          input: typeof action.input === 'string' ? (JSON.parse(action.input) as unknown) : action.input,
        };
      case 2:
      case 3:
        return {
          kind: 'child',
          id,
          name: action.functionName ?? '',
          instanceId: action.instanceId || `${state.executionId}:${id}`,
          input: action.input,
          version: action.version ?? null,
        };
      default:
        return {
          kind: 'unsupported',
          id,
          reason: `${UNSUPPORTED_ACTIONS[action.actionType] ?? `Action type ${action.actionType}`} is not supported by pimflow's local runtime.`,
        };
    }
  }

  // ---------------------------------------------------------------------------------------------------------
  // Dispatching work

  private dispatch(inst: LiveInstance, work: Dispatch[]): void {
    const { instanceId, executionId } = inst.state;
    for (const w of work) {
      switch (w.kind) {
        case 'activity':
          this.runActivity(instanceId, executionId, w.id, w.name, w.input);
          break;
        case 'timer': {
          inst.timers.get(w.id)?.cancel();
          const handle = this.options.clock.at(w.fireAt, () => {
            inst.timers.delete(w.id);
            this.deliver(
              instanceId,
              executionId,
              historyEvent(EventType.TimerFired, this.options.clock.now(), {
                TimerId: w.id,
                FireAt: w.fireAt.toISOString(),
              }),
            );
          });
          inst.timers.set(w.id, handle);
          break;
        }
        case 'cancelTimer':
          inst.timers.get(w.id)?.cancel();
          inst.timers.delete(w.id);
          break;
        case 'child':
          this.options.idle.begin();
          this.startChild(inst.state, w)
            .catch((err) => this.log(`Starting sub-orchestration ${w.instanceId} failed: ${errorText(err)}`))
            .finally(() => this.options.idle.end());
          break;
      }
    }
  }

  private runActivity(
    instanceId: string,
    executionId: string,
    taskId: number,
    name: string,
    input: unknown,
  ): void {
    this.options.idle.begin();
    void (async () => {
      await this.activitySlots.acquire();
      let completion: HistoryEvent;
      try {
        if (this.stopping) return;
        const fn = this.options.invoker.find(name);
        if (!fn || triggerOf(fn)?.type !== 'activityTrigger') {
          throw new Error(
            `The function '${name}' doesn't exist, is disabled, or is not an activity function.`,
          );
        }
        const trigger = triggerOf(fn);
        const result = await this.options.invoker.invoke(fn, {
          inputData: [
            { name: trigger?.name ?? 'input', data: jsonData(input) },
            ...this.options.extraInputs(fn),
          ],
        });
        const output = fromRpcTypedData(result.response.returnValue);
        completion = historyEvent(EventType.TaskCompleted, this.options.clock.now(), {
          TaskScheduledId: taskId,
          Result: JSON.stringify(output ?? null),
        });
      } catch (err) {
        const error = err instanceof Error ? err : new Error(String(err));
        completion = historyEvent(EventType.TaskFailed, this.options.clock.now(), {
          TaskScheduledId: taskId,
          Reason: `Activity function '${name}' failed: ${error.message}`,
          Details: JSON.stringify({ name: error.name, message: error.message, stack: error.stack }),
        });
      } finally {
        this.activitySlots.release();
      }
      this.deliver(instanceId, executionId, completion);
    })().finally(() => this.options.idle.end());
  }

  private async startChild(parent: InstanceState, w: Extract<Dispatch, { kind: 'child' }>): Promise<void> {
    const stored = await this.store.getInstance(w.instanceId);
    if (stored) {
      const child = stored.state;
      if (
        child.parentInstanceId === parent.instanceId &&
        child.parentTaskId === w.id &&
        child.parentExecutionId === parent.executionId
      ) {
        // Already created by an earlier attempt at this dispatch: report it if it has finished, else it runs on.
        if (isTerminal(child.runtimeStatus)) this.notifyParent(child);
        else await this.loadLive(w.instanceId);
        return;
      }
      if (!isTerminal(child.runtimeStatus)) {
        this.deliver(
          parent.instanceId,
          parent.executionId,
          historyEvent(EventType.SubOrchestrationInstanceFailed, this.options.clock.now(), {
            TaskScheduledId: w.id,
            Reason: `An Orchestration instance with the status ${child.runtimeStatus} already exists.`,
            Details: '',
          }),
        );
        return;
      }
    }
    const now = this.options.clock.now();
    const state: InstanceState = {
      instanceId: w.instanceId,
      name: w.name,
      runtimeStatus: 'Pending',
      input: JSON.stringify(w.input ?? null),
      output: null,
      customStatus: null,
      createdTime: now,
      lastUpdatedTime: now,
      executionId: randomUUID().replace(/-/g, ''),
      episode: 0,
      version: w.version,
      parentInstanceId: parent.instanceId,
      parentExecutionId: parent.executionId,
      parentTaskId: w.id,
    };
    const etag = await this.store.createInstance(state, stored?.etag);
    this.addLive(state, etag, [], [{ kind: 'start' }]);
  }

  private notifyParent(child: InstanceState): void {
    if (!child.parentInstanceId || child.parentExecutionId === null || child.parentTaskId === null) return;
    const now = this.options.clock.now();
    const event =
      child.runtimeStatus === 'Completed'
        ? historyEvent(EventType.SubOrchestrationInstanceCompleted, now, {
            TaskScheduledId: child.parentTaskId,
            Result: child.output ?? 'null',
          })
        : historyEvent(EventType.SubOrchestrationInstanceFailed, now, {
            TaskScheduledId: child.parentTaskId,
            Reason:
              child.runtimeStatus === 'Failed'
                ? (JSON.parse(child.output ?? '""') as string)
                : `Sub-orchestration '${child.name}' (${child.instanceId}) was ${child.runtimeStatus.toLowerCase()}.`,
            Details: '',
          });
    const parentId = child.parentInstanceId;
    const parentExecution = child.parentExecutionId;
    if (this.live.has(parentId)) this.deliver(parentId, parentExecution, event);
    else {
      this.options.idle.begin();
      void this.loadLive(parentId)
        .then(() => this.deliver(parentId, parentExecution, event))
        .catch((err) => this.log(`Notifying parent ${parentId} failed: ${errorText(err)}`))
        .finally(() => this.options.idle.end());
    }
  }
}

interface OrchestratorState {
  isDone: boolean;
  actions: unknown[];
  output?: unknown;
  error?: string;
  customStatus?: unknown;
}

function instanceExists(status: RuntimeStatus): InstanceExistsError {
  return new InstanceExistsError(`An Orchestration instance with the status ${status} already exists.`);
}

function triggerOf(fn: RegisteredFunction): { name: string; type: string } | undefined {
  for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
    if (
      binding.direction === 'in' &&
      typeof binding.type === 'string' &&
      binding.type.toLowerCase().endsWith('trigger')
    ) {
      return { name, type: binding.type };
    }
  }
  return undefined;
}

function inboxItem(message: InboxMessage): WorkItem {
  if (message.kind === 'event') {
    return {
      kind: 'event',
      inboxId: message.id,
      event: historyEvent(EventType.EventRaised, message.createdTime, {
        Name: message.name,
        Input: message.data,
      }),
    };
  }
  return { kind: message.kind, reason: message.data, inboxId: message.id };
}

function completionId(e: HistoryEvent): number | undefined {
  if (e.EventType === EventType.TimerFired) return e.TimerId as number;
  if ('TaskScheduledId' in e) return e.TaskScheduledId as number;
  return undefined;
}

/** `ActionIndex` (ours; the SDK ignores it) is where the action sits in the orchestrator's action list. */
function scheduleEvent(
  work: Exclude<Dispatch, { kind: 'cancelTimer' }>,
  id: number,
  now: Date,
  actionIndex: number,
): HistoryEvent {
  const common = { EventId: id, ...(actionIndex >= 0 ? { ActionIndex: actionIndex } : {}) };
  switch (work.kind) {
    case 'activity':
      return historyEvent(EventType.TaskScheduled, now, {
        ...common,
        Name: work.name,
        Input: JSON.stringify(work.input ?? null),
      });
    case 'timer':
      return historyEvent(EventType.TimerCreated, now, { ...common, FireAt: work.fireAt.toISOString() });
    case 'child':
      return historyEvent(EventType.SubOrchestrationInstanceCreated, now, {
        ...common,
        Name: work.name,
        InstanceId: work.instanceId,
        Input: JSON.stringify(work.input ?? null),
        Version: work.version ?? '',
      });
  }
}

function dispatchFromHistory(e: HistoryEvent): Dispatch {
  switch (e.EventType) {
    case EventType.TaskScheduled:
      return {
        kind: 'activity',
        id: e.EventId,
        name: e.Name as string,
        input: JSON.parse(e.Input as string) as unknown,
      };
    case EventType.TimerCreated:
      return { kind: 'timer', id: e.EventId, fireAt: new Date(e.FireAt as string) };
    default:
      return {
        kind: 'child',
        id: e.EventId,
        name: e.Name as string,
        instanceId: e.InstanceId as string,
        input: JSON.parse(e.Input as string) as unknown,
        version: (e.Version as string) || null,
      };
  }
}

/** DTFx's NonDeterministicOrchestrationException text, so the failure reads as it would in Azure. */
function nonDeterminismMessage(e: HistoryEvent): string {
  const what =
    e.EventType === EventType.TaskScheduled
      ? `an activity task with sequence ID ${e.EventId} and name '${String(e.Name)}'`
      : e.EventType === EventType.TimerCreated
        ? `a durable timer with sequence ID ${e.EventId}`
        : `a sub-orchestration with sequence ID ${e.EventId} and name '${String(e.Name)}'`;
  return (
    `Non-Deterministic workflow detected: A previous execution of this orchestration scheduled ${what}, but the ` +
    `current replay execution hasn't (yet?) scheduled this task. Was a change made to the orchestrator code after ` +
    `this instance had already started running?`
  );
}

function sameAction(previous: HistoryEvent, action: SdkAction): boolean {
  switch (previous.EventType) {
    case EventType.TaskScheduled:
      return (action.actionType === 0 || action.actionType === 1) && action.functionName === previous.Name;
    case EventType.SubOrchestrationInstanceCreated:
      return (action.actionType === 2 || action.actionType === 3) && action.functionName === previous.Name;
    default:
      // A timer's action, or the retried call a retry timer belongs to.
      return action.actionType === 5 || action.actionType === 1 || action.actionType === 3;
  }
}

/** DTFx's RetryInterceptor: first · backoff^(attempt−1), capped; immediate once attempts are used up. */
function retryDelay(options: SdkRetryOptions, nextAttempt: number): number {
  if (nextAttempt > options.maxNumberOfAttempts) return 0;
  const failedAttempt = nextAttempt - 1;
  const delay =
    options.firstRetryIntervalInMilliseconds * Math.pow(options.backoffCoefficient ?? 1, failedAttempt - 1);
  return Math.min(delay, options.maxRetryIntervalInMilliseconds ?? Number.MAX_SAFE_INTEGER);
}

function flattenActions(actions: unknown[]): SdkAction[] {
  const out: SdkAction[] = [];
  const walk = (a: unknown): void => {
    if (Array.isArray(a)) a.forEach(walk);
    else if (a && typeof a === 'object') {
      const action = a as SdkAction & { compoundActions?: unknown[] };
      if (action.compoundActions) action.compoundActions.forEach(walk);
      else out.push(action);
    }
  };
  walk(actions);
  return out;
}

/** The SDK throws `"<returned>\n\n$OutOfProcData$:" + JSON(state)` when user code throws; the extension parses it. */
function parseOutOfProcFailure(err: unknown): { error?: string; customStatus?: unknown } | undefined {
  const message = err instanceof Error ? err.message : String(err);
  const label = '$OutOfProcData$:';
  const at = message.indexOf(label);
  if (at < 0) return undefined;
  try {
    const state = JSON.parse(message.slice(at + label.length)) as { error?: string; customStatus?: unknown };
    return state;
  } catch {
    return undefined;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
