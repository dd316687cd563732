/**
 * Local runtime benchmark (issue 2): 2,000 orchestrations of 3 chained activities, a 1-second timer and an
 * external event, 200 in flight, on Azurite. Measures completed orchestrations per second and the latency from
 * raiseEvent (over the management API) to the next activity starting. Also the cold start of the product app
 * to its first /api/health answer.
 */
import os from 'node:os';
import path from 'node:path';
import { startRuntime } from '../local/runtime';
import { ChildApp, startStorage } from './child-app';
import { percentile, printTable, type BenchRow } from './table';

const TOTAL = Number(process.env.BENCH_ORCHESTRATIONS ?? 2000);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 200);

interface BenchGlobal {
  pimflowBench?: { onActivity(name: string, input: { id: string; step: number }): void };
}

export async function runLocalRuntimeBench(): Promise<void> {
  const azurite = await startStorage(); // on free ports, as is everything below
  try {
    const coldStartMs = await measureColdStart(azurite.connectionString);
    const rows = await runOrchestrations(azurite.connectionString);
    printTable(
      `Local runtime: ${TOTAL} orchestrations, ${IN_FLIGHT} in flight (Azurite, ${os.cpus().length} cores)`,
      [
        ...rows,
        {
          metric: 'npm start: spawn to first /api/health 200 (ms)',
          value: coldStartMs,
          target: '≤ 15000',
          ok: coldStartMs <= 15_000,
        },
      ],
    );
  } finally {
    await azurite.stop();
  }
}

async function runOrchestrations(connectionString: string): Promise<BenchRow[]> {
  const rt = await startRuntime({
    appDir: path.join(__dirname, '..', '..', 'bench', 'apps', 'durable-bench'),
    port: 0,
    storageConnectionString: connectionString,
    hubName: `Bench${Date.now()}`,
    log: () => undefined,
  });
  const raisedAt = new Map<string, number>();
  const latencies: number[] = [];
  const finished = new Map<string, () => void>();
  (globalThis as BenchGlobal).pimflowBench = {
    onActivity: (_name, input) => {
      if (input.step !== 3) return;
      const t0 = raisedAt.get(input.id);
      if (t0 !== undefined) latencies.push(performance.now() - t0);
    },
  };
  const durable = rt.urls.durable;
  const key = { 'x-functions-key': rt.keys.durable };

  const runOne = async (i: number): Promise<void> => {
    const id = `bench-${i}`;
    const start = await fetch(`${durable}/orchestrators/BenchWorkflow/${id}`, {
      method: 'POST',
      headers: key,
      body: '{}',
    });
    if (start.status !== 202) throw new Error(`start ${id}: ${start.status}`);
    // Wait (reading the engine's committed state, no HTTP) until the orchestrator is waiting for the event.
    for (;;) {
      const state = await rt.engine.getInstance(id);
      if (state?.customStatus === '"waiting"') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    raisedAt.set(id, performance.now());
    const raised = await fetch(`${durable}/instances/${id}/raiseEvent/Approval`, {
      method: 'POST',
      headers: key,
      body: '{"ok":true}',
    });
    if (raised.status !== 202) throw new Error(`raise ${id}: ${raised.status}`);
    for (;;) {
      const state = await rt.engine.getInstance(id);
      if (state?.runtimeStatus === 'Completed') return;
      if (state?.runtimeStatus === 'Failed') throw new Error(`${id} failed: ${state.output}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };

  const started = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < TOTAL) await runOne(next++);
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
  const seconds = (performance.now() - started) / 1000;
  finished.clear();
  await rt.stop();
  const perSecond = TOTAL / seconds;
  const p50 = percentile(latencies, 50);
  const p99 = percentile(latencies, 99);
  return [
    { metric: 'orchestrations completed', value: TOTAL },
    { metric: 'wall time (s)', value: seconds },
    { metric: 'completed orchestrations / s', value: perSecond, target: '≥ 100', ok: perSecond >= 100 },
    { metric: 'raiseEvent → next activity start, p50 (ms)', value: p50 },
    { metric: 'raiseEvent → next activity start, p99 (ms)', value: p99, target: '≤ 100', ok: p99 <= 100 },
  ];
}

async function measureColdStart(storage: string): Promise<number> {
  // Its own state dir and free ports for the API and the stand-ins (bench/child-app.ts).
  const app = await ChildApp.create({ storage, name: 'bench-cold' });
  const started = performance.now();
  const starting = app.start();
  try {
    for (;;) {
      try {
        const res = await fetch(`${app.urls.api}/health`);
        if (res.status === 200) return performance.now() - started;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 60_000)
        throw new Error('the app did not answer /api/health within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    // Let it go before the next measurement starts: it would otherwise compete for the CPU.
    await starting.catch(() => undefined);
    await app.dispose();
  }
}
