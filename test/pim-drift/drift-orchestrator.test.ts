/**
 * The drift check's orchestrator (orchestrations/drift-check.ts) on the local durable engine with stub activities:
 * one page of groups per episode, continued as new with the next page and the running totals; a group whose check
 * fails for good (after its retries, on the virtual clock) is counted as failed and skipped, the others still count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DRIFT_ORCHESTRATOR,
  DRIFT_PAGE_SIZE,
  DriftActivity,
  EMPTY_TOTALS,
  type DriftGroupResult,
  type DriftRunInput,
} from '../../shared/drift/contract';
import {
  startStubbedOrchestrations,
  stub,
  type StubbedOrchestrations,
} from '../harness/stubbed-orchestrations';

/** Three pages of managed groups, by continuation token. */
const PAGES: Record<string, { groupIds: string[]; continuationToken: string | null }> = {
  first: { groupIds: ['g1', 'g2', 'g3'], continuationToken: 'after-g3' },
  'after-g3': { groupIds: ['g4', 'broken'], continuationToken: 'after-broken' },
  'after-broken': { groupIds: ['g6'], continuationToken: null },
};

function checked(
  groupId: string,
  differences: number,
  newDifferences: number,
  removed: number,
): DriftGroupResult {
  return {
    groupId,
    status: 'checked',
    differences,
    newDifferences,
    removed,
    removalFailed: 0,
    mailed: false,
  };
}

const RESULTS: Record<string, DriftGroupResult> = {
  g1: checked('g1', 2, 1, 1),
  g2: checked('g2', 0, 0, 0),
  g3: { ...checked('g3', 0, 0, 0), status: 'notManaged' },
  g4: checked('g4', 3, 3, 0),
  g6: checked('g6', 1, 0, 0),
};

let run: StubbedOrchestrations;

beforeAll(async () => {
  run = await startStubbedOrchestrations({
    orchestrations: ['drift-check'],
    stubs: [
      stub(
        DriftActivity.listGroups,
        (input) => PAGES[input.continuationToken ?? 'first'] as (typeof PAGES)[string],
      ),
      stub(DriftActivity.checkGroup, (input) => {
        const result = RESULTS[input.groupId];
        if (!result) throw new Error(`Graph unavailable for ${input.groupId}`);
        return result;
      }),
    ],
    virtualClock: new Date('2026-03-02T02:00:00Z'),
  });
});
afterAll(async () => {
  await run?.stop();
});

describe('drift check orchestrator', () => {
  it('pages through the groups with continue-as-new and counts a group that fails for good', async () => {
    const input: DriftRunInput = {
      runId: 'drift-202603020200',
      startedDateTime: '2026-03-02T02:00:00.000Z',
      continuationToken: null,
      totals: EMPTY_TOTALS,
    };
    const id = await run.start(DRIFT_ORCHESTRATOR, input, input.runId);
    // The broken group's retries wait on durable timers: 5 tries in the fan-out, 5 more one by one.
    await run.rt.advance('PT10M');
    const status = await run.settled(id);

    expect(status.runtimeStatus).toBe('Completed');
    expect(status.output).toEqual({
      groups: 4,
      differences: 6,
      newDifferences: 4,
      removed: 1,
      failedGroups: 1,
    });
    expect(run.calls(DriftActivity.listGroups)).toEqual([
      { continuationToken: null, pageSize: DRIFT_PAGE_SIZE },
      { continuationToken: 'after-g3', pageSize: DRIFT_PAGE_SIZE },
      { continuationToken: 'after-broken', pageSize: DRIFT_PAGE_SIZE },
    ]);
    // The last episode started from the last page's token with the first two pages' totals...
    expect(status.input).toMatchObject({
      runId: input.runId,
      continuationToken: 'after-broken',
      totals: { groups: 3, differences: 5, newDifferences: 4, removed: 1, failedGroups: 1 },
    });
    // ...and its history holds that page only: one listing, one check.
    const scheduled = (status.historyEvents ?? []).filter((e) => e.EventType === 'TaskScheduled');
    expect(scheduled.map((e) => e.Name)).toEqual([
      DriftActivity.listGroups.name,
      DriftActivity.checkGroup.name,
    ]);

    const checks = run.calls(DriftActivity.checkGroup);
    expect(checks.every((c) => c.runId === input.runId)).toBe(true);
    const tries = (groupId: string) => checks.filter((c) => c.groupId === groupId).length;
    // All of its retries twice (in the fan-out, then alone); its page-mate again in the one-by-one fallback.
    expect(tries('broken')).toBe(2 * (DriftActivity.checkGroup.retry?.maxNumberOfAttempts ?? 0));
    expect([tries('g1'), tries('g4'), tries('g6')]).toEqual([1, 2, 1]);
  });
});
