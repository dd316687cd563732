/** Timer triggers on the runtime's clock: NCRONTAB schedules, %settings%, runOnStartup, isPastDue, no overlap. */
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalRuntime } from '../../local/runtime';
import { startTestRuntime, uniqueHub, waitFor } from '../helpers';

interface Run {
  name: string;
  at: string;
  isPastDue: boolean;
}
const runs = (): Run[] => (globalThis as unknown as { pimflowTimerRuns: Run[] }).pimflowTimerRuns;
const runsOf = (name: string) => runs().filter((r) => r.name === name);

let rt: LocalRuntime | undefined;
afterEach(async () => {
  await rt?.stop();
  rt = undefined;
  runs().length = 0;
});

const YEARLY = '0 0 0 1 1 *';

describe('timer triggers', () => {
  it('fires every schedule due as the virtual clock moves, and runs runOnStartup once at start', async () => {
    rt = await startTestRuntime('timers', {
      virtualClock: new Date('2026-03-02T08:59:55Z'),
      settings: { DAILY_SCHEDULE: '0 0 9 * * *', SLOW_SCHEDULE: YEARLY },
    });
    await rt.waitForIdle();
    expect(runsOf('DailyAtNine').map((r) => [r.at, r.isPastDue])).toEqual([
      ['2026-03-02T08:59:55.000Z', false],
    ]);
    await rt.advance('PT65S');
    expect(runsOf('DailyAtNine').map((r) => r.at)).toEqual([
      '2026-03-02T08:59:55.000Z',
      '2026-03-02T09:00:00.000Z',
    ]);
    expect(runsOf('EveryTenSeconds').map((r) => r.at.slice(11, 19))).toEqual([
      '09:00:00',
      '09:00:10',
      '09:00:20',
      '09:00:30',
      '09:00:40',
      '09:00:50',
      '09:01:00',
    ]);
    await rt.advance('P1D');
    expect(
      runsOf('DailyAtNine')
        .map((r) => r.at)
        .at(-1),
    ).toBe('2026-03-03T09:00:00.000Z');
    expect(runsOf('DailyAtNine').every((r) => !r.isPastDue)).toBe(true);
  });

  it('runs an occurrence missed while the app was down at start, with isPastDue', async () => {
    const hubName = uniqueHub('Timers');
    const settings = { DAILY_SCHEDULE: '0 0 9 * * *', SLOW_SCHEDULE: YEARLY };
    rt = await startTestRuntime('timers', {
      hubName,
      virtualClock: new Date('2026-03-02T08:00:00Z'),
      settings,
    });
    await rt.stop();
    runs().length = 0;
    // Down over 09:00; back at 10:00.
    rt = await startTestRuntime('timers', {
      hubName,
      virtualClock: new Date('2026-03-02T10:00:00Z'),
      settings,
    });
    await rt.waitForIdle();
    expect(runsOf('DailyAtNine')).toEqual([
      { name: 'DailyAtNine', at: '2026-03-02T10:00:00.000Z', isPastDue: true },
    ]);
  });

  it('never overlaps runs of one timer', async () => {
    rt = await startTestRuntime('timers', {
      settings: { DAILY_SCHEDULE: YEARLY, SLOW_SCHEDULE: '* * * * * *' },
    });
    await waitFor(
      'three slow runs',
      async () => (runsOf('SlowEverySecondDone').length >= 2 ? true : undefined),
      15_000,
    );
    const events = runs()
      .filter((r) => r.name.startsWith('SlowEverySecond'))
      .map((r) => r.name);
    // Strictly alternating start, done, start, done...
    events.forEach((name, i) => expect(name).toBe(i % 2 === 0 ? 'SlowEverySecond' : 'SlowEverySecondDone'));
  });

  it('fails at start with a clear message for a bad schedule or a missing setting', async () => {
    await expect(
      startTestRuntime('timers', { settings: { DAILY_SCHEDULE: '0 0 25 * * *', SLOW_SCHEDULE: YEARLY } }),
    ).rejects.toThrow(/hour/);
    delete process.env.SLOW_SCHEDULE;
    await expect(startTestRuntime('timers', { settings: { DAILY_SCHEDULE: YEARLY } })).rejects.toThrow(
      /SLOW_SCHEDULE/,
    );
  });
});
