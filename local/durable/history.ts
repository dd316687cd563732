/**
 * DurableTask history events as the Durable extension hands them to a Node orchestrator (PascalCase, numeric
 * EventType). See ../shared/reference/durable-protocol.md §2.
 */
export const EventType = {
  ExecutionStarted: 0,
  ExecutionCompleted: 1,
  ExecutionFailed: 2,
  ExecutionTerminated: 3,
  TaskScheduled: 4,
  TaskCompleted: 5,
  TaskFailed: 6,
  SubOrchestrationInstanceCreated: 7,
  SubOrchestrationInstanceCompleted: 8,
  SubOrchestrationInstanceFailed: 9,
  TimerCreated: 10,
  TimerFired: 11,
  OrchestratorStarted: 12,
  OrchestratorCompleted: 13,
  EventSent: 14,
  EventRaised: 15,
  ContinueAsNew: 16,
  GenericEvent: 17,
  HistoryState: 18,
  ExecutionSuspended: 19,
  ExecutionResumed: 20,
} as const;

export type EventTypeValue = (typeof EventType)[keyof typeof EventType];

export const EVENT_TYPE_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(EventType).map(([name, value]) => [value, name]),
);

export interface HistoryEvent {
  EventType: EventTypeValue;
  EventId: number;
  IsPlayed: boolean;
  Timestamp: string;
  [field: string]: unknown;
}

export function historyEvent(
  type: EventTypeValue,
  at: Date,
  fields: Record<string, unknown> = {},
): HistoryEvent {
  return { EventType: type, EventId: -1, IsPlayed: false, Timestamp: at.toISOString(), ...fields };
}

/** Ids of tasks that history shows as finished (completed, failed or fired). */
export function finishedTaskIds(history: readonly HistoryEvent[]): Set<number> {
  const ids = new Set<number>();
  for (const e of history) {
    if (
      e.EventType === EventType.TaskCompleted ||
      e.EventType === EventType.TaskFailed ||
      e.EventType === EventType.SubOrchestrationInstanceCompleted ||
      e.EventType === EventType.SubOrchestrationInstanceFailed
    ) {
      ids.add(e.TaskScheduledId as number);
    } else if (e.EventType === EventType.TimerFired) {
      ids.add(e.TimerId as number);
    }
  }
  return ids;
}

/** The events that scheduled work, by the id the SDK gave the task. */
export function scheduledTasks(history: readonly HistoryEvent[]): Map<number, HistoryEvent> {
  const byId = new Map<number, HistoryEvent>();
  for (const e of history) {
    if (
      e.EventType === EventType.TaskScheduled ||
      e.EventType === EventType.TimerCreated ||
      e.EventType === EventType.SubOrchestrationInstanceCreated
    ) {
      byId.set(e.EventId, e);
    }
  }
  return byId;
}
