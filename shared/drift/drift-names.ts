/** Names of the drift check's orchestration and activities: shared by the orchestrator and their registrations. */
export const DRIFT_ORCHESTRATOR = 'DriftCheckOrchestrator';

export const DRIFT_ACTIVITIES = {
  listGroups: 'DriftListManagedGroups',
  checkGroup: 'DriftCheckGroup',
} as const;

/** Groups per orchestration episode: one page is fanned out, then the orchestration continues as new. */
export const DRIFT_PAGE_SIZE = 50;

/** The orchestration's input: the run, and where in the list of managed groups it stands. */
export interface DriftRunInput {
  runId: string;
  /** ISO 8601: when the run started (the timer's occurrence, or the POST). */
  startedDateTime: string;
  continuationToken: string | null;
  totals: DriftRunTotals;
}

export interface DriftRunTotals {
  groups: number;
  differences: number;
  newDifferences: number;
  removed: number;
  failedGroups: number;
}

export const EMPTY_TOTALS: DriftRunTotals = {
  groups: 0,
  differences: 0,
  newDifferences: 0,
  removed: 0,
  failedGroups: 0,
};

/** One run's instance id. A timer run's comes from its occurrence (to the minute), so a re-fired timer starts none. */
export function driftRunInstanceId(occurrence: Date): string {
  return `drift-${occurrence.toISOString().slice(0, 16).replace(/[-:]/g, '')}`;
}
