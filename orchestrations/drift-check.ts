/**
 * One drift check over every managed group (instance id per run: `drift-<timer occurrence>` or from
 * `POST driftChecks`). Each episode takes one page of managed groups, checks them in parallel (one activity per
 * group, retried), then continues as new with the next page and the running totals — so the history stays one
 * page long however many groups there are. A group whose check still fails after its retries is counted and
 * skipped; the next run checks it again.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import {
  DRIFT_ACTIVITIES as A,
  DRIFT_ORCHESTRATOR,
  DRIFT_PAGE_SIZE,
  type DriftRunInput,
  type DriftRunTotals,
} from '../shared/drift/drift-names';
import type { DriftGroupResult } from '../shared/drift/drift-check';

const RETRY = retry(5_000, 5);

const driftCheckOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<DriftRunInput>();
  const page = (yield context.df.callActivityWithRetry(A.listGroups, RETRY, {
    continuationToken: input.continuationToken,
    pageSize: DRIFT_PAGE_SIZE,
  })) as { groupIds: string[]; continuationToken: string | null };

  const check = (groupId: string) =>
    context.df.callActivityWithRetry(A.checkGroup, RETRY, { runId: input.runId, groupId });
  let results: (DriftGroupResult | null)[];
  try {
    results = (yield context.df.Task.all(page.groupIds.map(check))) as DriftGroupResult[];
  } catch {
    // Some group failed for good: check them one by one (finished ones return at once) and skip the failures.
    results = [];
    for (const groupId of page.groupIds) {
      try {
        results.push((yield check(groupId)) as DriftGroupResult);
      } catch {
        results.push(null);
      }
    }
  }

  const totals: DriftRunTotals = { ...input.totals };
  for (const r of results) {
    if (!r) {
      totals.failedGroups++;
      continue;
    }
    if (r.status !== 'checked') continue;
    totals.groups++;
    totals.differences += r.differences;
    totals.newDifferences += r.newDifferences;
    totals.removed += r.removed;
  }
  context.df.setCustomStatus(totals);
  if (page.continuationToken) {
    context.df.continueAsNew({ ...input, continuationToken: page.continuationToken, totals });
    return undefined;
  }
  return totals;
};

function retry(firstMs: number, attempts: number): df.RetryOptions {
  const options = new df.RetryOptions(firstMs, attempts);
  options.backoffCoefficient = 2;
  options.maxRetryIntervalInMilliseconds = 60_000;
  return options;
}

df.app.orchestration(DRIFT_ORCHESTRATOR, driftCheckOrchestrator);
