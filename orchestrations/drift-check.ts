/**
 * One drift check over every resource under management — managed groups, then managed directory roles — (instance
 * id per run: `drift-<timer occurrence>` or from `POST driftChecks`). Each episode takes one page of resources,
 * checks them in parallel (one activity per resource, retried; the activity knows a group from a role), then
 * continues as new with the next page and the running totals — so the history stays one page long however many
 * there are. A resource whose check still fails after its retries is counted and skipped; the next run checks it
 * again.
 */
import * as df from 'durable-functions';
import type { OrchestrationContext, OrchestrationHandler } from 'durable-functions';
import { activityTask, all, call } from '../shared/durable/activity';
import {
  DRIFT_ORCHESTRATOR,
  DRIFT_PAGE_SIZE,
  DriftActivity,
  type DriftGroupResult,
  type DriftRunInput,
  type DriftRunTotals,
} from '../shared/drift/contract';

const driftCheckOrchestrator: OrchestrationHandler = function* (context: OrchestrationContext) {
  const input = context.df.getInput<DriftRunInput>();
  const page = yield* call(context, DriftActivity.listGroups, {
    continuationToken: input.continuationToken,
    pageSize: DRIFT_PAGE_SIZE,
  });

  const check = (groupId: string) =>
    activityTask(context, DriftActivity.checkGroup, { runId: input.runId, groupId });
  let results: (DriftGroupResult | null)[];
  try {
    results = yield* all(context, page.groupIds.map(check));
  } catch {
    // Some group failed for good: check them one by one (finished ones return at once) and skip the failures.
    results = [];
    for (const groupId of page.groupIds) {
      try {
        results.push(yield* call(context, DriftActivity.checkGroup, { runId: input.runId, groupId }));
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
    // Counted by kind for the run's totals; the work is the same.
    if (r.resourceType === 'directoryRole') totals.roles = (totals.roles ?? 0) + 1;
    else totals.groups++;
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

df.app.orchestration(DRIFT_ORCHESTRATOR, driftCheckOrchestrator);
