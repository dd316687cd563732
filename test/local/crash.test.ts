/**
 * SIGKILLs a real child runtime again and again while orchestrations are mid-flight, restarts it, and checks that
 * every instance completes correctly: activities in flight run again, timers that fell due while it was down fire,
 * raised events are never lost, and a step whose completion was recorded never runs again.
 * CRASH_REPEATS=10 repeats the whole scenario (npm run test:crash).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChildRuntime } from '../../bench/child-runtime';
import { TEST_APPS, testStorage, uniqueHub, waitFor } from '../helpers';

const APP = path.join(TEST_APPS, 'durable-basics');
const INSTANCES = 12;
const repeats = Number(process.env.CRASH_REPEATS ?? 1);

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('crash safety', () => {
  for (let run = 1; run <= repeats; run++) {
    it(`finishes every instance correctly across SIGKILLs (run ${run}/${repeats})`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-crash-'));
      const log = path.join(dir, 'steps.log');
      // Its own port, state dir (the host keys: the Durable API needs a key, as in Azure) and task hub.
      const runtime = await ChildRuntime.create({
        appDir: APP,
        storage: testStorage(),
        name: 'crash',
        env: { BASICS_HUB: uniqueHub('Crash'), CRASH_LOG: log },
      });
      try {
        await runtime.start();
        const ids = Array.from({ length: INSTANCES }, (_, i) => `crash-${run}-${i}`);
        for (const id of ids) {
          const res = await runtime.durableFetch(`orchestrators/CrashWorkflow/${id}`, {
            method: 'POST',
            body: JSON.stringify({ ms: 150 + (ids.indexOf(id) % 4) * 50 }),
          });
          expect(res.status).toBe(202);
        }
        // Half the approvals arrive early (buffered until the orchestrator waits), half after the last crash.
        const early = ids.filter((_, i) => i % 2 === 0);
        const kills = [350, 700, 1200];
        for (const [k, delay] of kills.entries()) {
          await new Promise((resolve) => setTimeout(resolve, delay));
          if (k === 1) {
            for (const id of early) {
              const res = await runtime.durableFetch(`instances/${id}/raiseEvent/Go`, {
                method: 'POST',
                body: JSON.stringify({ early: id }),
              });
              expect(res.status).toBe(202);
            }
          }
          await runtime.restart();
        }
        await waitFor(
          'every instance to wait for its approval',
          async () => {
            const pending = ids.filter((id) => !early.includes(id));
            const statuses = await Promise.all(
              pending.map(async (id) =>
                json<{ historyEvents: { EventType: string; Name?: string }[] }>(
                  await runtime.durableFetch(`instances/${id}?showHistory=true`),
                ),
              ),
            );
            const waiting = statuses.every(
              (s) => s.historyEvents.filter((e) => e.EventType === 'TaskCompleted').length === 5,
            );
            return waiting ? true : undefined;
          },
          30_000,
        );
        for (const id of ids.filter((i) => !early.includes(i))) {
          await runtime.durableFetch(`instances/${id}/raiseEvent/Go`, {
            method: 'POST',
            body: JSON.stringify({ late: id }),
          });
        }
        const finals = await waitFor(
          'every instance to complete',
          async () => {
            const all = await Promise.all(
              ids.map(async (id) =>
                json<{ runtimeStatus: string; output: unknown; historyEvents: Record<string, unknown>[] }>(
                  await runtime.durableFetch(`instances/${id}?showHistory=true&showHistoryOutput=true`),
                ),
              ),
            );
            return all.every((s) => s.runtimeStatus === 'Completed') ? all : undefined;
          },
          30_000,
        );

        const executions = readFileSync(log, 'utf8')
          .trim()
          .split('\n')
          .map((line) => JSON.parse(line) as { instanceId: string; step: number; startedAt: number });
        // The kills must have hit work in flight, or this test proves nothing.
        expect(executions.length).toBeGreaterThan(ids.length * 5);
        finals.forEach((s, i) => {
          const id = ids[i] as string;
          expect(s.output).toEqual({
            steps: [0, 1, 2, 3, 4],
            approval: early.includes(id) ? { early: id } : { late: id },
          });
          // A step may run again only if it had not completed (at-least-once), never after its completion.
          const scheduled = new Map<number, number>();
          for (const e of s.historyEvents) {
            if (e.EventType === 'TaskScheduled')
              scheduled.set(e.EventId as number, (e.Input as { step: number }).step);
          }
          for (const e of s.historyEvents.filter((h) => h.EventType === 'TaskCompleted')) {
            const step = scheduled.get(e.ScheduledId as number) as number;
            const completedAt = Date.parse(e.Timestamp as string);
            const runs = executions.filter((x) => x.instanceId === id && x.step === step);
            expect(runs.length).toBeGreaterThanOrEqual(1);
            expect(runs.filter((x) => x.startedAt > completedAt)).toEqual([]);
          }
        });
      } finally {
        await runtime.dispose();
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
