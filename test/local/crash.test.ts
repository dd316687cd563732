/**
 * SIGKILLs a real child runtime again and again while orchestrations are mid-flight, restarts it, and checks that
 * every instance completes correctly: activities in flight run again, timers that fell due while it was down fire,
 * raised events are never lost, and a step whose completion was recorded never runs again.
 * CRASH_REPEATS=10 repeats the whole scenario (npm run test:crash).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readHostKeys } from '../../local/keys';
import { freePorts, TEST_APPS, testStorage, uniqueHub, waitFor, withKey } from '../helpers';

const CLI = path.resolve(__dirname, '../../dist/local/cli.js');
const APP = path.join(TEST_APPS, 'durable-basics');
const INSTANCES = 12;
const repeats = Number(process.env.CRASH_REPEATS ?? 1);

let child: ChildProcess | undefined;
afterEach(() => {
  child?.kill('SIGKILL');
});

async function startChild(env: Record<string, string>): Promise<string> {
  const proc = spawn(process.execPath, [CLI, APP], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child = proc;
  let output = '';
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return new Promise((resolve, reject) => {
    proc.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const api = /^api: (\S+)$/m.exec(output)?.[1];
      if (api && output.includes('\nready')) resolve(api.replace(/\/api$/, ''));
    });
    proc.on('exit', (code) => reject(new Error(`runtime exited (${code}) before it was ready:\n${output}`)));
  });
}

async function json<T>(res: Response): Promise<T> {
  return (await res.json()) as T;
}

describe('crash safety', () => {
  for (let run = 1; run <= repeats; run++) {
    it(`finishes every instance correctly across SIGKILLs (run ${run}/${repeats})`, async () => {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-crash-'));
      const log = path.join(dir, 'steps.log');
      const [port] = await freePorts(1);
      const env = {
        PORT: String(port),
        // The host keys land here; the Durable API needs the extension's system key, as in Azure.
        PIMFLOW_LOCAL_DIR: dir,
        BASICS_HUB: uniqueHub('Crash'),
        CRASH_LOG: log,
        AzureWebJobsStorage: testStorage(),
      };
      try {
        let origin = await startChild(env);
        const durable = () => `${origin}/runtime/webhooks/durabletask`;
        const { durable: key } = readHostKeys(path.join(dir, 'secrets'));
        // Every call below carries the key.
        const fetch = (url: string, init: RequestInit = {}) => globalThis.fetch(url, withKey(init, key));
        const ids = Array.from({ length: INSTANCES }, (_, i) => `crash-${run}-${i}`);
        for (const id of ids) {
          const res = await fetch(`${durable()}/orchestrators/CrashWorkflow/${id}`, {
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
              const res = await fetch(`${durable()}/instances/${id}/raiseEvent/Go`, {
                method: 'POST',
                body: JSON.stringify({ early: id }),
              });
              expect(res.status).toBe(202);
            }
          }
          child?.kill('SIGKILL');
          await new Promise((resolve) => child?.once('exit', resolve));
          origin = await startChild(env);
        }
        await waitFor(
          'every instance to wait for its approval',
          async () => {
            const pending = ids.filter((id) => !early.includes(id));
            const statuses = await Promise.all(
              pending.map(async (id) =>
                json<{ historyEvents: { EventType: string; Name?: string }[] }>(
                  await fetch(`${durable()}/instances/${id}?showHistory=true`),
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
          await fetch(`${durable()}/instances/${id}/raiseEvent/Go`, {
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
                  await fetch(`${durable()}/instances/${id}?showHistory=true&showHistoryOutput=true`),
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
        child?.kill('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
