/** The health report `GET /api/health` answers: the app's version and whether each dependency answers. */
import type { Clock } from '../clock';

export interface DependencyCheck {
  name: string;
  /** Resolves if the dependency answers; rejects with the reason if not. */
  probe(): Promise<void>;
}

export interface DependencyStatus {
  status: 'up' | 'down';
  durationMs: number;
  error?: string;
}

export interface HealthReport {
  status: 'healthy' | 'unhealthy';
  version: string;
  checkedAt: string;
  dependencies: Record<string, DependencyStatus>;
}

/** Runs every probe in parallel, each bounded by `timeoutMs`, so one hung dependency can't hang the report. */
export async function checkHealth(
  version: string,
  checks: DependencyCheck[],
  clock: Clock,
  timeoutMs = 5_000,
): Promise<HealthReport> {
  const results = await Promise.all(
    checks.map(async (check): Promise<[string, DependencyStatus]> => {
      const started = performance.now();
      try {
        await withTimeout(check.probe(), timeoutMs, check.name);
        return [check.name, { status: 'up', durationMs: Math.round(performance.now() - started) }];
      } catch (err) {
        const error = err instanceof Error ? err.message : String(err);
        return [check.name, { status: 'down', durationMs: Math.round(performance.now() - started), error }];
      }
    }),
  );
  const dependencies = Object.fromEntries(results);
  const healthy = results.every(([, r]) => r.status === 'up');
  return {
    status: healthy ? 'healthy' : 'unhealthy',
    version,
    checkedAt: clock.now().toISOString(),
    dependencies,
  };
}

async function withTimeout<T>(work: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
