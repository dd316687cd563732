/**
 * A function app on the local runtime in a child process, for tests and scripts that SIGKILL it and start it again:
 * `ChildRuntime` runs `node dist/local/cli.js <app>` on a free port picked once, with its own state dir
 * (PIMFLOW_LOCAL_DIR: host keys, stand-ins' state) and task hub. The crash helper: `kill()` (SIGKILL, at the
 * moment the caller chooses) and `start()` again on the same port, state and task hub; `restart()` does both.
 * The virtual clock too: a start value, `advance()` through the runtime's admin endpoint, and a restart that goes
 * on from the furthest time the app may have seen (an advance cut short by a kill counts as done).
 *
 * Every call to the runtime's admin and management endpoints (`/admin/*`, `/runtime/webhooks/durabletask/*`) goes
 * through `adminFetch()`, with the master key from the child's state dir.
 * The product app with its stand-ins, an API client and the stand-ins' state is `ChildApp` (bench/child-app.ts).
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseDuration } from '../local/duration';
import { readHostKeys } from '../local/keys';
import { freePorts, startChildProcess, type RunningChild } from './child-process';

export { freePorts } from './child-process';

/** The repository root (the app): the nearest folder up with host.json and package.json (source or dist/). */
export const REPO_ROOT = findRoot(__dirname);

export interface ChildRuntimeOptions {
  /** The function app's folder (package.json, host.json); the product app by default. */
  appDir?: string;
  /** AzureWebJobsStorage: vitest's Azurite (`testStorage()`) or `startStorage()`'s. */
  storage: string;
  /** The task hub (PIMFLOW_TASK_HUB); a unique one by default. */
  hub?: string;
  /** The runtime's state dir (PIMFLOW_LOCAL_DIR); a new temporary one by default (removed by `dispose()`). */
  localDir?: string;
  /** Prefix of the temporary state dir's name. */
  name?: string;
  /** Start value of the virtual clock; without it the app runs on real time. */
  virtualClock?: Date;
  /** More environment for the child. */
  env?: Record<string, string>;
  /** Append each start's output to `<localDir>/child-<n>.log`. */
  keepLogs?: boolean;
  /** How long a start may take before it counts as failed (default 90 s). */
  readyTimeoutMs?: number;
}

export interface InstanceStatus {
  /** The management API's HTTP status: 200, or 404 when there is no such instance. */
  status: number;
  body: {
    name?: string;
    instanceId?: string;
    runtimeStatus?: string;
    customStatus?: unknown;
    input?: unknown;
    output?: unknown;
    createdTime?: string;
    lastUpdatedTime?: string;
    historyEvents?: Record<string, unknown>[];
  } | null;
}

export class ChildRuntime {
  readonly hub: string;
  readonly localDir: string;
  readonly appDir: string;
  readonly port: number;
  /** The HTTPS port (`PIMFLOW_HTTPS_PORT`): the runtime serves the API over HTTPS there too. */
  readonly httpsPort: number;
  readonly origin: string;
  /** Start-up times (spawn → `ready`), ms, one per start. */
  readonly startTimesMs: number[] = [];
  kills = 0;
  /** The `<name>: <url>` lines the last start printed (api, durable, keys, and the stand-ins' for the app). */
  endpoints: Record<string, string> = {};

  private child: RunningChild | undefined;
  private ready = false;
  private lastOutput = '';
  private virtualNow: number | undefined;
  private waiters: (() => void)[] = [];
  private readonly ownsDir: boolean;

  constructor(
    protected readonly options: ChildRuntimeOptions,
    ports: { http: number; https: number },
    /** Environment every start gets (after the runtime's own, before `options.env`). */
    private readonly extraEnv: Record<string, string> = {},
  ) {
    this.appDir = options.appDir ?? REPO_ROOT;
    this.port = ports.http;
    this.httpsPort = ports.https;
    this.origin = `http://localhost:${ports.http}`;
    this.hub = options.hub ?? `Child${randomBytes(6).toString('hex')}`;
    this.ownsDir = options.localDir === undefined;
    this.localDir =
      options.localDir ?? mkdtempSync(path.join(os.tmpdir(), `pimflow-${options.name ?? 'child'}-`));
    mkdirSync(this.localDir, { recursive: true });
    this.virtualNow = options.virtualClock?.getTime();
  }

  /** A runtime for `options.appDir` on a free port; it starts with `start()`. */
  static async create(options: ChildRuntimeOptions): Promise<ChildRuntime> {
    const [http, https] = (await freePorts(2)) as [number, number];
    return new ChildRuntime(options, { http, https });
  }

  get running(): boolean {
    const proc = this.child?.process;
    return this.ready && proc !== undefined && proc.exitCode === null && proc.signalCode === null;
  }

  get pid(): number | undefined {
    return this.child?.process.pid;
  }

  /** The virtual time the harness knows the app has reached (or may have: see the header). */
  get now(): Date | undefined {
    return this.virtualNow === undefined ? undefined : new Date(this.virtualNow);
  }

  /** The last ~256 KB of the current (or last) child's stdout and stderr. */
  get log(): string {
    return this.child?.output() ?? this.lastOutput;
  }

  /**
   * Starts the app and waits for `ready`; returns the start-up time in ms. With a virtual clock it starts at
   * `virtualNow`, by default where the clock is known to be (see `now`).
   */
  async start(virtualNow?: Date): Promise<number> {
    const current = this.child?.process;
    if (current && current.exitCode === null && current.signalCode === null)
      throw new Error('ChildRuntime.start(): already running; kill() first');
    if (virtualNow) this.virtualNow = virtualNow.getTime();
    this.resetCaches();
    const n = this.startTimesMs.length + 1;
    const logFile = this.options.keepLogs ? path.join(this.localDir, `child-${n}.log`) : undefined;
    if (logFile) {
      const clock = this.virtualNow === undefined ? 'real clock' : new Date(this.virtualNow).toISOString();
      appendFileSync(logFile, `# start ${n}, ${clock}\n`);
    }
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(this.port),
      PIMFLOW_HTTPS_PORT: String(this.httpsPort),
      AzureWebJobsStorage: this.options.storage,
      PIMFLOW_TASK_HUB: this.hub,
      PIMFLOW_LOCAL_DIR: this.localDir,
      ...this.extraEnv,
      ...this.options.env,
    };
    if (this.virtualNow !== undefined) env.PIMFLOW_VIRTUAL_CLOCK = new Date(this.virtualNow).toISOString();
    else delete env.PIMFLOW_VIRTUAL_CLOCK;
    this.ready = false;
    this.child = undefined;
    const began = performance.now();
    const child = await startChildProcess({
      script: path.join(REPO_ROOT, 'dist/local/cli.js'),
      args: [this.appDir],
      env,
      ready: /^ready$/m,
      timeoutMs: this.options.readyTimeoutMs,
      onOutput: logFile ? (text) => appendFileSync(logFile, text) : undefined,
    }).catch((err: unknown) => {
      this.lastOutput = err instanceof Error ? err.message : String(err);
      throw err;
    });
    const ms = performance.now() - began;
    this.child = child;
    child.process.once('exit', () => {
      if (this.child === child) {
        this.ready = false;
        this.lastOutput = child.output();
      }
    });
    this.endpoints = Object.fromEntries(
      [...child.output().matchAll(/^([a-z-]+): (\S+)$/gm)].map((m) => [m[1] as string, m[2] as string]),
    );
    this.startTimesMs.push(ms);
    this.ready = true;
    for (const wake of this.waiters.splice(0)) wake();
    return ms;
  }

  /** Resolves once the app is up (at once if it is). */
  whenRunning(): Promise<void> {
    if (this.running) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** SIGKILL, and wait for the process to be gone. */
  async kill(): Promise<void> {
    const child = this.child;
    this.ready = false;
    if (!child || child.process.exitCode !== null || child.process.signalCode !== null) return;
    this.kills++;
    await child.kill();
  }

  /** A crash: SIGKILL now, then start again on the same port, state and task hub; returns the start-up time. */
  async restart(virtualNow?: Date): Promise<number> {
    await this.kill();
    return this.start(virtualNow);
  }

  /** Kills the app (if up) and removes the state dir it made. */
  async dispose(options: { keepState?: boolean } = {}): Promise<void> {
    await this.kill();
    if (this.ownsDir && !options.keepState) rmSync(this.localDir, { recursive: true, force: true });
  }

  /** Drops what a subclass caches that a restart or a clock move makes stale (tokens). */
  protected resetCaches(): void {}

  // ---- The runtime's admin and management endpoints ----

  /**
   * Every call to `/admin/*` and `/runtime/webhooks/durabletask/*` comes here (path from the origin, e.g.
   * `/admin/pimflow/clock`), with the master key (it opens both; the runtime made the keys in its state dir on
   * first start).
   */
  adminFetch(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    const { master } = readHostKeys(path.join(this.localDir, 'secrets'));
    const headers = new Headers(init.headers);
    headers.set('x-functions-key', master);
    return fetch(`${this.origin}${pathAndQuery}`, {
      signal: AbortSignal.timeout(120_000),
      ...init,
      headers,
    });
  }

  /** The Durable management API (`/runtime/webhooks/durabletask/<pathAndQuery>`), through `adminFetch()`. */
  durableFetch(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    return this.adminFetch(`/runtime/webhooks/durabletask/${pathAndQuery.replace(/^\//, '')}`, init);
  }

  /** An orchestration instance's status from the Durable management API (404: no such instance). */
  async instance(
    instanceId: string,
    options: { showHistory?: boolean; showHistoryOutput?: boolean; showInput?: boolean } = {},
  ): Promise<InstanceStatus> {
    const query = new URLSearchParams();
    for (const [key, on] of Object.entries(options)) if (on) query.set(key, 'true');
    const res = await this.durableFetch(`instances/${encodeURIComponent(instanceId)}?${query.toString()}`);
    const text = await res.text();
    try {
      return { status: res.status, body: text ? (JSON.parse(text) as InstanceStatus['body']) : null };
    } catch {
      return { status: res.status, body: { customStatus: text } };
    }
  }

  /** The app's virtual time, as the runtime says. */
  async clock(): Promise<Date> {
    const res = await this.adminFetch('/admin/pimflow/clock');
    if (res.status !== 200) throw new Error(`GET clock → ${res.status}: ${await res.text()}`);
    const now = new Date(((await res.json()) as { now: string }).now);
    this.virtualNow = Math.max(this.virtualNow ?? 0, now.getTime());
    return now;
  }

  /**
   * Moves the virtual clock (ISO 8601 duration or ms), firing everything due on the way; resolves when the app is
   * idle again. If the app dies meanwhile this rejects, and the next `start()` goes on from the target.
   */
  async advance(by: string | number): Promise<Date> {
    if (this.virtualNow === undefined) throw new Error('ChildRuntime.advance(): no virtual clock');
    const ms = typeof by === 'number' ? by : parseDuration(by);
    this.virtualNow += ms;
    this.resetCaches();
    const duration = typeof by === 'string' ? by : `PT${ms / 1000}S`;
    const res = await this.adminFetch(`/admin/pimflow/clock?advance=${encodeURIComponent(duration)}`, {
      method: 'POST',
    });
    if (res.status !== 200) throw new Error(`POST clock?advance=${by} → ${res.status}: ${await res.text()}`);
    const now = new Date(((await res.json()) as { now: string }).now);
    this.virtualNow = Math.max(this.virtualNow, now.getTime());
    return now;
  }
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'host.json')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No app root (host.json, package.json) above ${from}`);
  }
}
