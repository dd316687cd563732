/**
 * The drift check's contract: its orchestration, its activities with their inputs, outputs and retry policy, and
 * the run's input. Shared by the orchestrator (orchestrations/drift-check.ts), the activities' registrations
 * (functions/drift-check.ts) and their implementation (drift-check.ts). Types and constants only.
 */
import type { ResourceType } from '../access/resource';
import { backoff, defineActivity } from '../durable/activity';

export const DRIFT_ORCHESTRATOR = 'DriftCheckOrchestrator';

/** Graph throttling or a Cosmos DB blip: a few tries, backing off from 5 s. */
const DRIFT_RETRY = backoff(5_000, 5);

/**
 * The resources under management, a page at a time: managed groups (by id), then managed directory roles (as
 * `directoryRole:{roleDefinitionId}`, domain/drift-subject.ts). Named for groups, which came first: the activity
 * and field names are in running orchestrations' histories.
 */
export interface ListGroupsInput {
  /** Where the list stands: opaque (a managed-groups continuation, or the roles' one with a prefix). */
  continuationToken: string | null;
  pageSize: number;
}

export interface ListGroupsOutput {
  /** Report keys: a group's id, or `directoryRole:{roleDefinitionId}`. */
  groupIds: string[];
  continuationToken: string | null;
}

export interface CheckGroupInput {
  runId: string;
  /** A report key from ListGroupsOutput. */
  groupId: string;
}

export interface DriftGroupResult {
  groupId: string;
  /** `directoryRole` for a role; absent for a group. */
  resourceType?: ResourceType;
  status: 'checked' | 'notManaged';
  differences: number;
  newDifferences: number;
  removed: number;
  removalFailed: number;
  mailed: boolean;
}

export const DriftActivity = {
  listGroups: defineActivity<ListGroupsInput, ListGroupsOutput>('DriftListManagedGroups', DRIFT_RETRY),
  checkGroup: defineActivity<CheckGroupInput, DriftGroupResult>('DriftCheckGroup', DRIFT_RETRY),
};

/** Groups and roles per orchestration episode: one page is fanned out, then the orchestration continues as new. */
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
  /** Directory roles checked; absent until a run checks one (and in runs started before roles). */
  roles?: number;
  differences: number;
  newDifferences: number;
  removed: number;
  /** Groups and roles whose check failed after its retries. */
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
