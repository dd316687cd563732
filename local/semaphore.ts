/** Limits how many of something run at once (host.json's concurrency settings). */
export class Semaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(readonly limit: number) {
    this.available = limit;
  }

  async acquire(): Promise<void> {
    if (this.available > 0) {
      this.available--;
      return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.available++;
  }
}

/** Counts outstanding work so callers (the virtual clock, tests, shutdown) can wait until nothing is in flight. */
export class IdleTracker {
  private count = 0;
  private waiters: (() => void)[] = [];

  get busy(): number {
    return this.count;
  }

  begin(): void {
    this.count++;
  }

  end(): void {
    this.count--;
    if (this.count === 0) {
      const waiters = this.waiters;
      this.waiters = [];
      // Let microtasks settle first, so work that chains new work is seen before we call it idle.
      setImmediate(() => {
        if (this.count === 0) for (const w of waiters) w();
        else this.waiters.push(...waiters);
      });
    }
  }

  async idle(): Promise<void> {
    if (this.count === 0) {
      await new Promise((resolve) => setImmediate(resolve));
      if (this.count === 0) return;
    }
    await new Promise<void>((resolve) => this.waiters.push(resolve));
  }
}

/**
 * Bounds how many storage requests are in flight, letting urgent ones (a caller is waiting on its HTTP answer)
 * overtake background ones. At saturation, latency is queueing; this keeps the queue in our hands, where it can be
 * ordered, rather than in the storage emulator's.
 */
export class PriorityLimiter {
  private available: number;
  private readonly urgent: (() => void)[] = [];
  private readonly normal: (() => void)[] = [];

  constructor(limit: number) {
    this.available = limit;
  }

  async run<T>(urgent: boolean, work: () => Promise<T>): Promise<T> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => (urgent ? this.urgent : this.normal).push(resolve));
    try {
      return await work();
    } finally {
      const next = this.urgent.shift() ?? this.normal.shift();
      if (next) next();
      else this.available++;
    }
  }
}
