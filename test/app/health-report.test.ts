import { describe, expect, it } from 'vitest';
import { checkHealth } from '../../shared/health/health-report';

const clock = { now: () => new Date('2026-01-01T00:00:00Z') };

describe('checkHealth', () => {
  it('is unhealthy when a dependency fails or hangs, and says which and why', async () => {
    const report = await checkHealth(
      '1.2.3',
      [
        { name: 'ok', probe: async () => undefined },
        { name: 'broken', probe: async () => Promise.reject(new Error('connection refused')) },
        { name: 'hung', probe: () => new Promise(() => undefined) },
      ],
      clock,
      50,
    );
    expect(report.status).toBe('unhealthy');
    expect(report.version).toBe('1.2.3');
    expect(report.dependencies.ok?.status).toBe('up');
    expect(report.dependencies.broken).toMatchObject({ status: 'down', error: 'connection refused' });
    expect(report.dependencies.hung).toMatchObject({
      status: 'down',
      error: 'hung did not answer within 50 ms',
    });
  });
});
