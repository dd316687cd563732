/**
 * Runs the app's timer triggers on their NCRONTAB schedules, on the runtime's clock. Like the host, it keeps each
 * timer's schedule status (last and next occurrence) in storage, so an occurrence missed while the app was down
 * runs at start with `isPastDue`; `runOnStartup` runs once at start; a timer never overlaps itself (the next
 * occurrence is computed when a run finishes).
 */
import { TableClient, type TableEntity } from '@azure/data-tables';
import type { RuntimeClock } from './clock';
import type { RegisteredFunction, RpcTypedData } from './functions-core';
import type { FunctionInvoker } from './invoker';
import { parseTimerSchedule, type TimerSchedule } from './ncrontab';
import type { IdleTracker } from './semaphore';

interface TimerFunction {
  fn: RegisteredFunction;
  triggerName: string;
  schedule: TimerSchedule;
  runOnStartup: boolean;
  useMonitor: boolean;
  running: boolean;
}

interface ScheduleStatus {
  last: Date | null;
  next: Date | null;
}

/** A run later than this after its occurrence counts as past due. */
const PAST_DUE_TOLERANCE_MS = 1_000;

export class TimerHost {
  private readonly timers: TimerFunction[] = [];
  private readonly status: TableClient;
  private stopped = false;

  constructor(
    functions: Iterable<RegisteredFunction>,
    private readonly invoker: FunctionInvoker,
    private readonly clock: RuntimeClock,
    private readonly idle: IdleTracker,
    connectionString: string,
    hubName: string,
    resolveSetting: (value: string) => string,
    private readonly extraInputs: (fn: RegisteredFunction) => { name: string; data: RpcTypedData }[],
    private readonly log: (message: string) => void,
  ) {
    for (const fn of functions) {
      for (const [name, binding] of Object.entries(fn.metadata.bindings)) {
        if (binding.type !== 'timerTrigger') continue;
        const expression = resolveSetting(String(binding.schedule ?? ''));
        this.timers.push({
          fn,
          triggerName: name,
          schedule: parseTimerSchedule(expression),
          runOnStartup: binding.runOnStartup === true,
          useMonitor: binding.useMonitor !== false,
          running: false,
        });
      }
    }
    this.status = TableClient.fromConnectionString(connectionString, `${hubName}Timers`, {
      allowInsecureConnection: true,
    });
  }

  describe(): string[] {
    return this.timers.map((t) => `  ${t.fn.metadata.name}: timerTrigger ${t.schedule.expression}`);
  }

  async start(): Promise<void> {
    if (this.timers.length === 0) return;
    await this.status.createTable();
    for (const timer of this.timers) {
      const now = this.clock.now();
      const status = timer.useMonitor ? await this.readStatus(timer) : { last: null, next: null };
      if (status.next && status.next.getTime() < now.getTime() - PAST_DUE_TOLERANCE_MS) {
        // An occurrence fell due while the app was down: run it now, past due, as the host does.
        this.run(timer, status.next, status);
      } else if (timer.runOnStartup) {
        this.run(timer, now, status);
      } else {
        this.arm(
          timer,
          status.next && status.next > now ? status.next : timer.schedule.next(now),
          status.last,
        );
      }
    }
  }

  stop(): void {
    this.stopped = true;
  }

  private arm(timer: TimerFunction, next: Date, last: Date | null): void {
    if (this.stopped) return;
    const status = { last, next };
    if (timer.useMonitor)
      void this.writeStatus(timer, status).catch((err) => this.log(`Timer status not saved: ${String(err)}`));
    this.clock.at(next, () => this.run(timer, next, status));
  }

  private run(timer: TimerFunction, occurrence: Date, status: ScheduleStatus): void {
    if (this.stopped || timer.running) return;
    timer.running = true;
    this.idle.begin();
    const started = this.clock.now();
    const info = {
      Schedule: { AdjustForDST: true },
      ScheduleStatus: status.next
        ? {
            Last: (status.last ?? occurrence).toISOString(),
            Next: status.next.toISOString(),
            LastUpdated: started.toISOString(),
          }
        : null,
      IsPastDue: started.getTime() - occurrence.getTime() > PAST_DUE_TOLERANCE_MS,
    };
    void this.invoker
      .invoke(timer.fn, {
        inputData: [
          { name: timer.triggerName, data: { json: JSON.stringify(info) } },
          ...this.extraInputs(timer.fn),
        ],
      })
      .catch((err) =>
        this.log(
          `[${timer.fn.metadata.name}] Executed with an error: ${err instanceof Error ? err.message : String(err)}`,
        ),
      )
      .finally(() => {
        timer.running = false;
        this.arm(timer, timer.schedule.next(this.clock.now()), occurrence);
        this.idle.end();
      });
  }

  private async readStatus(timer: TimerFunction): Promise<ScheduleStatus> {
    try {
      const e = await this.status.getEntity<TableEntity>('timers', timer.fn.metadata.name.toLowerCase());
      return {
        last: e.Last ? new Date(e.Last as string) : null,
        next: e.Next ? new Date(e.Next as string) : null,
      };
    } catch {
      return { last: null, next: null };
    }
  }

  private async writeStatus(timer: TimerFunction, status: ScheduleStatus): Promise<void> {
    await this.status.upsertEntity(
      {
        partitionKey: 'timers',
        rowKey: timer.fn.metadata.name.toLowerCase(),
        Last: status.last?.toISOString() ?? '',
        Next: status.next?.toISOString() ?? '',
      },
      'Replace',
    );
  }
}
