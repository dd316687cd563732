/**
 * Time for the local runtime. The real clock fires due work with `setTimeout`; the virtual clock stands still
 * until a test calls `advance()`, which walks through everything due on the way, in order, waiting for the app to
 * go idle after each step. Both share one due-work queue (durable timers and timer-trigger schedules).
 */
import { parseDuration } from './duration';

export type DueCallback = () => void | Promise<void>;

interface DueEntry {
  at: number;
  seq: number;
  callback: DueCallback;
  cancelled: boolean;
}

export interface DueHandle {
  cancel(): void;
}

/** A binary min-heap on (at, seq), with lazy deletion of cancelled entries. */
class DueHeap {
  private readonly items: DueEntry[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): DueEntry | undefined {
    while (this.items[0]?.cancelled) this.pop();
    return this.items[0];
  }

  push(entry: DueEntry): void {
    const items = this.items;
    items.push(entry);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(items[i] as DueEntry, items[parent] as DueEntry)) break;
      [items[i], items[parent]] = [items[parent] as DueEntry, items[i] as DueEntry];
      i = parent;
    }
  }

  pop(): DueEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let smallest = i;
        if (l < items.length && before(items[l] as DueEntry, items[smallest] as DueEntry)) smallest = l;
        if (r < items.length && before(items[r] as DueEntry, items[smallest] as DueEntry)) smallest = r;
        if (smallest === i) break;
        [items[i], items[smallest]] = [items[smallest] as DueEntry, items[i] as DueEntry];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: DueEntry, b: DueEntry): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

const MAX_TIMEOUT_MS = 2 ** 31 - 1;

export class RuntimeClock {
  private readonly heap = new DueHeap();
  private seq = 0;
  private virtualNow: number;
  private timeout: NodeJS.Timeout | undefined;
  private stopped = false;
  private advancing = false;
  private drainScheduled = false;
  /** Resolves when the app has no work in flight; set by the runtime. */
  waitForIdle: () => Promise<void> = () => Promise.resolve();

  constructor(
    readonly virtual: boolean,
    start: Date = new Date(),
  ) {
    this.virtualNow = start.getTime();
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.virtual ? this.virtualNow : Date.now();
  }

  /** Runs `callback` once at `at` (or as soon as possible if that is past). */
  at(at: Date | number, callback: DueCallback): DueHandle {
    const entry: DueEntry = {
      at: typeof at === 'number' ? at : at.getTime(),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.heap.push(entry);
    this.rearm();
    if (this.virtual && !this.advancing && entry.at <= this.virtualNow) this.scheduleVirtualDrain();
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /**
   * Virtual clock only: moves time forward by an ISO 8601 duration or milliseconds, firing all due work. With
   * `step`, time moves in steps of that size and everything due within a step fires together at its end (then the
   * app goes idle): much faster over long spans with many timers, at the price of firing up to a step late and out
   * of order within the step. Benchmarks use it; tests keep the exact order.
   */
  async advance(by: string | number, options: { step?: string | number } = {}): Promise<Date> {
    if (!this.virtual) throw new Error('advance() needs a runtime started with a virtual clock');
    const target = this.virtualNow + (typeof by === 'number' ? by : parseDuration(by));
    const step = options.step === undefined ? undefined : toMs(options.step);
    if (step !== undefined) return this.advanceInSteps(target, step);
    this.advancing = true;
    try {
      await this.waitForIdle();
      for (;;) {
        const next = this.heap.peek();
        if (!next || next.at > target) break;
        this.heap.pop();
        if (next.at > this.virtualNow) this.virtualNow = next.at;
        await this.fire(next);
        await this.waitForIdle();
      }
      this.virtualNow = Math.max(this.virtualNow, target);
    } finally {
      this.advancing = false;
    }
    await this.waitForIdle();
    return this.now();
  }

  private async advanceInSteps(target: number, step: number): Promise<Date> {
    if (!(step > 0)) throw new Error('advance(): step must be positive');
    this.advancing = true;
    try {
      await this.waitForIdle();
      while (this.virtualNow < target) {
        this.virtualNow = Math.min(this.virtualNow + step, target);
        // Fire what is due by now, again until nothing is (work may schedule more within the step).
        for (;;) {
          const due: DueEntry[] = [];
          for (let next = this.heap.peek(); next && next.at <= this.virtualNow; next = this.heap.peek()) {
            this.heap.pop();
            due.push(next);
          }
          if (due.length === 0) break;
          await Promise.all(due.map((entry) => this.fire(entry)));
          await this.waitForIdle();
        }
      }
    } finally {
      this.advancing = false;
    }
    await this.waitForIdle();
    return this.now();
  }

  stop(): void {
    this.stopped = true;
    if (this.timeout) clearTimeout(this.timeout);
  }

  private async fire(entry: DueEntry): Promise<void> {
    if (entry.cancelled) return;
    try {
      await entry.callback();
    } catch (err) {
      console.error('Due work failed:', err);
    }
  }

  /**
   * Virtual clock: work already due when it is scheduled (a timer that fell due while the runtime was down, a
   * zero-delay retry) fires now, without waiting for the next advance().
   */
  private scheduleVirtualDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      if (this.advancing || this.stopped) return;
      for (;;) {
        const next = this.heap.peek();
        if (!next || next.at > this.virtualNow) break;
        this.heap.pop();
        void this.fire(next);
      }
    });
  }

  /** Real clock: keeps one setTimeout armed for the earliest entry. */
  private rearm(): void {
    if (this.virtual || this.stopped) return;
    if (this.timeout) clearTimeout(this.timeout);
    const next = this.heap.peek();
    if (!next) return;
    const delay = Math.min(MAX_TIMEOUT_MS, Math.max(0, next.at - Date.now()));
    this.timeout = setTimeout(() => this.drainDue(), delay);
    this.timeout.unref();
  }

  private drainDue(): void {
    this.timeout = undefined;
    const now = Date.now();
    for (;;) {
      const next = this.heap.peek();
      if (!next || next.at > now) break;
      this.heap.pop();
      void this.fire(next);
    }
    this.rearm();
  }
}

/**
 * Virtual clock only: makes `Date` (and so the app's clock, `jose`, SDK signatures...) read the virtual time, since
 * app code must stay unchanged. `setTimeout` and `performance.now()` keep real time.
 */
export function installVirtualDate(clock: RuntimeClock): () => void {
  const RealDate = Date;
  const nowMs = () => clock.nowMs();
  class VirtualDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(nowMs());
      else super(...(args as [string | number]));
    }
    static override now(): number {
      return nowMs();
    }
  }
  globalThis.Date = VirtualDate as DateConstructor;
  return () => {
    globalThis.Date = RealDate;
  };
}

function toMs(by: string | number): number {
  return typeof by === 'number' ? by : parseDuration(by);
}
