/**
 * Typed activities and events for contracts and orchestrators. A contract declares each activity once —
 * `defineActivity<Input, Output>('GrantAccess', backoff(2_000, 8))` — and the orchestrator calls it with
 * `const result = yield* call(context, Activities.grant, input)`: the input is checked by the compiler and the
 * result is the output type, so no orchestrator casts what an activity returns. The functions that register the
 * activity use the same definition (`registerActivity`, functions/register-activity.ts).
 *
 * Pure: imports only durable-functions (its RetryOptions and types), so orchestrators may import it.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, Task } from 'durable-functions';

/** How Durable retries a failed activity: the first wait, doubling (by default) up to a cap, a number of tries. */
export interface RetryPolicy {
  readonly firstRetryIntervalMs: number;
  readonly maxNumberOfAttempts: number;
  readonly backoffCoefficient: number;
  readonly maxRetryIntervalMs: number;
}

/** Exponential backoff: `firstMs`, then twice as long each time, at most a minute apart, `attempts` tries. */
export function backoff(firstMs: number, attempts: number, maxMs = 60_000): RetryPolicy {
  return {
    firstRetryIntervalMs: firstMs,
    maxNumberOfAttempts: attempts,
    backoffCoefficient: 2,
    maxRetryIntervalMs: maxMs,
  };
}

/** An activity's name, its retry policy, and (as types only) its input and output. */
export interface Activity<I, O> {
  readonly name: string;
  readonly retry: RetryPolicy | undefined;
  /** Never set: carries the types. */
  readonly types?: { input: I; output: O };
}

export function defineActivity<I, O>(name: string, retry?: RetryPolicy): Activity<I, O> {
  return { name, retry };
}

export type InputOf<A> = A extends Activity<infer I, unknown> ? I : never;
export type OutputOf<A> = A extends Activity<unknown, infer O> ? O : never;

/** A task whose result has a known type (for Task.all / Task.any). */
export interface TypedTask<T> extends Task {
  readonly types?: { result: T };
}

/** Schedules the activity (with its retry policy, or `retry` when given) and returns its task. */
export function activityTask<I, O>(
  context: OrchestrationContext,
  activity: Activity<I, O>,
  input: I,
  retry: RetryPolicy | undefined = activity.retry,
): TypedTask<O> {
  return retry
    ? context.df.callActivityWithRetry(activity.name, retryOptions(retry), input)
    : context.df.callActivity(activity.name, input);
}

/** Calls the activity and returns its output: `const r = yield* call(context, Activities.x, input)`. */
export function* call<I, O>(
  context: OrchestrationContext,
  activity: Activity<I, O>,
  input: I,
  retry?: RetryPolicy,
): Generator<Task, O, unknown> {
  return (yield activityTask(context, activity, input, retry ?? activity.retry)) as O;
}

/** The result of a completed typed task (Task.any's winner, or one of Task.all's). */
export function resultOf<T>(task: TypedTask<T>): T {
  return task.result as T;
}

/** Runs tasks together and returns their outputs in order. */
export function* all<T>(context: OrchestrationContext, tasks: TypedTask<T>[]): Generator<Task, T[], unknown> {
  return (yield context.df.Task.all(tasks)) as T[];
}

/** An external event's name and (as a type only) its payload. Events are hints: see docs/architecture.md. */
export interface DurableEvent<P> {
  readonly name: string;
  readonly types?: { payload: P };
}

export function defineEvent<P>(name: string): DurableEvent<P> {
  return { name };
}

/** Waits for the event; its task's result is the payload. */
export function eventTask<P>(context: OrchestrationContext, event: DurableEvent<P>): TypedTask<P> {
  return context.df.waitForExternalEvent(event.name);
}

function retryOptions(policy: RetryPolicy): df.RetryOptions {
  const options = new df.RetryOptions(policy.firstRetryIntervalMs, policy.maxNumberOfAttempts);
  options.backoffCoefficient = policy.backoffCoefficient;
  options.maxRetryIntervalInMilliseconds = policy.maxRetryIntervalMs;
  return options;
}
