/**
 * The product app in a child process (`node dist/local/cli.js`), for tests and scripts that SIGKILL it and start it
 * again: crash tests (test/pim/crash.test.ts, test/pim-lifecycle/crash-notices.test.ts,
 * test/reviews/apply-crash.test.ts) and `npm run chaos` (bench/chaos.ts).
 *
 * - Free ports for the API and every stand-in, picked once and kept across restarts.
 * - `start()` waits for the CLI's `ready` line; `kill()` is SIGKILL; `start()` again reuses the state dir (the
 *   stand-ins' state, `.local/` of the runtime) and the task hub.
 * - The virtual clock: a start value, `advance()` through the runtime's admin endpoint, and a restart that goes on
 *   from the furthest time the app may have seen (an advance cut short by a kill counts as done: time moved on).
 * - Tokens for demo users, API calls, the Graph stand-in's saved state (groups' members, read from its file, so it
 *   works while the app is down), mail from the mailbox, audit through the API, instance status from the Durable
 *   management API.
 *
 * Every call to the runtime's admin and management endpoints (`/admin/*`, `/runtime/webhooks/durabletask/*`) goes
 * through `adminFetch()`: when the runtime requires keys for them, that is the one place to add one.
 *
 * The parent process must already trust the stand-ins' local CA (NODE_EXTRA_CA_CERTS naming a
 * `pimflow-local-ca.pem`): vitest's global setup does it, and bench scripts call `trustLocalCa()` first. The child
 * inherits it; otherwise the CLI would re-run itself to trust one, and a SIGKILL would hit only its launcher.
 */
import { readHostKeys } from '../local/keys';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { ensureAzurite } from '../local/azurite';
import { DEMO_ADMIN_UPN, DEMO_TENANT_ID } from '../local/dev-environment';
import { parseDuration } from '../local/duration';

/** The repository root (the app): the nearest folder up with host.json and package.json (source or dist/). */
export const REPO_ROOT = findRoot(__dirname);

/** The Cosmos DB emulator's published well-known key (the stand-in's; public, not a secret). */
export const COSMOS_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export const DEMO_ADMIN = { as: DEMO_ADMIN_UPN, roles: ['PimFlow.Admin'] };

/** `count` distinct free TCP ports on 127.0.0.1 (all held open together while picking, so none repeats). */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    const ports: number[] = [];
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
      ports.push((server.address() as net.AddressInfo).port);
    }
    return ports;
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** An Azurite of one's own on free ports, for scripts (tests use vitest's: `testStorage()`). */
export async function startStorage(): Promise<{ connectionString: string; stop(): Promise<void> }> {
  const location = mkdtempSync(path.join(os.tmpdir(), 'pimflow-child-azurite-'));
  const [blobPort, queuePort, tablePort] = (await freePorts(3)) as [number, number, number];
  const azurite = await ensureAzurite({ location, blobPort, queuePort, tablePort });
  return {
    connectionString: azurite.connectionString,
    async stop() {
      await azurite.stop();
      rmSync(location, { recursive: true, force: true });
    },
  };
}

/** Whether `fetch` failed for want of an answer (the process died, or isn't listening yet). */
export function isConnectionError(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError' || err.name === 'AbortError') return true;
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const code = cause?.code ?? '';
  return (
    err.message === 'fetch failed' ||
    ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET', 'UND_ERR_CLOSED'].includes(code) ||
    /other side closed|socket hang up/i.test(cause?.message ?? '')
  );
}

export interface ChildAppOptions {
  /** AzureWebJobsStorage: vitest's Azurite (`testStorage()`) or `startStorage()`'s. */
  storage: string;
  /** The task hub; a unique one by default. */
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

export interface ApiCall {
  method?: string;
  /** A demo user (UPN or object id) to call as; omit for no token. */
  as?: string;
  roles?: string[];
  amr?: string[];
  acrs?: string[];
  body?: unknown;
  headers?: Record<string, string>;
  /** Give up after this long (default 60 s): a call never hangs a script. */
  timeoutMs?: number;
}

export interface MailMessage {
  id: string;
  from: string;
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  html: string;
  text: string;
  receivedDateTime: string;
}

export interface AuditRecord {
  id: string;
  category: string;
  correlationId: string;
  result: string;
  resultReason?: string;
  activityDisplayName: string;
  activityDateTime: string;
  groupId?: string;
  principalId?: string;
}

export interface SavedTenant {
  users: { id: string; userPrincipalName: string; displayName: string; accountEnabled?: boolean }[];
  groups: { id: string; displayName: string; members: string[]; owners: string[] }[];
}

export interface InstanceStatus {
  /** The management API's HTTP status: 200, or 404 when there is no such instance. */
  status: number;
  body: {
    name?: string;
    instanceId?: string;
    runtimeStatus?: string;
    customStatus?: unknown;
    output?: unknown;
    createdTime?: string;
    lastUpdatedTime?: string;
    historyEvents?: unknown[];
  } | null;
}

export class ChildApp {
  readonly hub: string;
  readonly localDir: string;
  readonly urls: {
    origin: string;
    api: string;
    durable: string;
    graph: string;
    mail: string;
    mailbox: string;
    token: string;
    cosmos: string;
  };
  /** Start-up times (spawn → `ready`), ms, one per start. */
  readonly startTimesMs: number[] = [];
  kills = 0;

  private child: ChildProcess | undefined;
  private ready = false;
  private output = '';
  private virtualNow: number | undefined;
  private readonly tokens = new Map<string, string>();
  private waiters: (() => void)[] = [];
  private readonly ownsDir: boolean;

  private constructor(
    private readonly options: ChildAppOptions,
    readonly ports: { api: number; cosmos: number; graph: number; mail: number; identity: number },
  ) {
    this.hub = options.hub ?? `Child${randomBytes(6).toString('hex')}`;
    this.ownsDir = options.localDir === undefined;
    this.localDir =
      options.localDir ?? mkdtempSync(path.join(os.tmpdir(), `pimflow-${options.name ?? 'child'}-`));
    mkdirSync(this.localDir, { recursive: true });
    this.virtualNow = options.virtualClock?.getTime();
    const origin = `http://localhost:${ports.api}`;
    this.urls = {
      origin,
      api: `${origin}/api`,
      durable: `${origin}/runtime/webhooks/durabletask`,
      graph: `https://127.0.0.1:${ports.graph}`,
      mail: `https://127.0.0.1:${ports.mail}`,
      mailbox: `https://127.0.0.1:${ports.mail}/mailbox`,
      token: `https://127.0.0.1:${ports.identity}/${DEMO_TENANT_ID}/oauth2/v2.0/token`,
      cosmos: `https://127.0.0.1:${ports.cosmos}/`,
    };
  }

  /** Picks free ports and a state dir; the app starts with `start()`. */
  static async create(options: ChildAppOptions): Promise<ChildApp> {
    const trusted = process.env.NODE_EXTRA_CA_CERTS;
    if (!trusted || path.basename(trusted) !== 'pimflow-local-ca.pem' || !existsSync(trusted)) {
      throw new Error(
        'ChildApp: this process must trust the local CA (NODE_EXTRA_CA_CERTS=…/pimflow-local-ca.pem): run under ' +
          'vitest, or call trustLocalCa() from local/trust first',
      );
    }
    const [api, cosmos, graph, mail, identity] = (await freePorts(5)) as [
      number,
      number,
      number,
      number,
      number,
    ];
    return new ChildApp(options, { api, cosmos, graph, mail, identity });
  }

  get running(): boolean {
    return this.ready && this.child !== undefined && this.child.exitCode === null && !this.child.killed;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** The virtual time the harness knows the app has reached (or may have: see the header). */
  get now(): Date | undefined {
    return this.virtualNow === undefined ? undefined : new Date(this.virtualNow);
  }

  /** The last ~256 KB of the current (or last) child's stdout and stderr. */
  get log(): string {
    return this.output;
  }

  /**
   * Starts the app and waits for `ready`; returns the start-up time in ms. With a virtual clock it starts at
   * `virtualNow`, by default where the clock is known to be (see `now`).
   */
  async start(virtualNow?: Date): Promise<number> {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null)
      throw new Error('ChildApp.start(): already running; kill() first');
    if (virtualNow) this.virtualNow = virtualNow.getTime();
    this.tokens.clear();
    this.output = '';
    const n = this.startTimesMs.length + 1;
    const logFile = this.options.keepLogs ? path.join(this.localDir, `child-${n}.log`) : undefined;
    const began = performance.now();
    const env: Record<string, string | undefined> = {
      ...process.env,
      PORT: String(this.ports.api),
      AzureWebJobsStorage: this.options.storage,
      PIMFLOW_TASK_HUB: this.hub,
      PIMFLOW_LOCAL_DIR: this.localDir,
      PIMFLOW_COSMOS_PORT: String(this.ports.cosmos),
      PIMFLOW_GRAPH_PORT: String(this.ports.graph),
      PIMFLOW_MAIL_PORT: String(this.ports.mail),
      PIMFLOW_IDENTITY_PORT: String(this.ports.identity),
      ...this.options.env,
    };
    if (this.virtualNow !== undefined) env.PIMFLOW_VIRTUAL_CLOCK = new Date(this.virtualNow).toISOString();
    else delete env.PIMFLOW_VIRTUAL_CLOCK;
    const proc = spawn(process.execPath, [path.join(REPO_ROOT, 'dist/local/cli.js'), REPO_ROOT], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = proc;
    this.ready = false;
    const collect = (d: Buffer) => {
      const text = d.toString();
      if (proc === this.child) {
        this.output = (this.output + text).slice(-256 * 1024);
      }
      if (logFile) appendFileSync(logFile, text);
    };
    proc.stdout?.on('data', collect);
    proc.stderr?.on('data', collect);
    proc.once('exit', () => {
      if (proc === this.child) this.ready = false;
    });
    if (logFile) {
      const clock = this.virtualNow === undefined ? 'real clock' : new Date(this.virtualNow).toISOString();
      appendFileSync(logFile, `# start ${n}, ${clock}\n`);
    }
    const timeoutMs = this.options.readyTimeoutMs ?? 90_000;
    await new Promise<void>((resolve, reject) => {
      let seen = '';
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        proc.kill('SIGKILL'); // rejected below, once it is gone
      }, timeoutMs);
      proc.stdout?.on('data', (d: Buffer) => {
        seen = (seen + d.toString()).slice(-4096);
        if (/^ready$/m.test(seen)) {
          clearTimeout(timer);
          resolve();
        }
      });
      proc.once('exit', (code, signal) => {
        clearTimeout(timer);
        const why = timedOut ? `not ready after ${timeoutMs} ms` : `exited (${code ?? signal}) before ready`;
        reject(new Error(`ChildApp: ${why}:\n${this.output}`));
      });
    });
    const ms = performance.now() - began;
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
    const proc = this.child;
    this.ready = false;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    this.kills++;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  }

  /** Kills the app (if up) and removes the state dir it made. */
  async dispose(options: { keepState?: boolean } = {}): Promise<void> {
    await this.kill();
    if (this.ownsDir && !options.keepState) rmSync(this.localDir, { recursive: true, force: true });
  }

  // ---- The runtime's admin and management endpoints ----

  /**
   * Every call to `/admin/*` and `/runtime/webhooks/durabletask/*` comes here (path from the origin, e.g.
   * `/admin/pimflow/clock`). When the runtime requires the master key or the `durabletask_extension` system key
   * (kept in its state dir, `localDir`), add it here.
   */
  adminFetch(pathAndQuery: string, init: RequestInit = {}): Promise<Response> {
    // The master key opens both (the runtime made the keys in its state dir on first start).
    const { master } = readHostKeys(path.join(this.localDir, 'secrets'));
    const headers = new Headers(init.headers);
    headers.set('x-functions-key', master);
    return fetch(`${this.urls.origin}${pathAndQuery}`, {
      signal: AbortSignal.timeout(120_000),
      ...init,
      headers,
    });
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
    if (this.virtualNow === undefined) throw new Error('ChildApp.advance(): no virtual clock');
    const ms = typeof by === 'number' ? by : parseDuration(by);
    this.virtualNow += ms;
    this.tokens.clear();
    const duration = typeof by === 'string' ? by : `PT${ms / 1000}S`;
    const res = await this.adminFetch(`/admin/pimflow/clock?advance=${encodeURIComponent(duration)}`, {
      method: 'POST',
    });
    if (res.status !== 200) throw new Error(`POST clock?advance=${by} → ${res.status}: ${await res.text()}`);
    const now = new Date(((await res.json()) as { now: string }).now);
    this.virtualNow = Math.max(this.virtualNow, now.getTime());
    return now;
  }

  /** An orchestration instance's status from the Durable management API (404: no such instance). */
  async instance(
    instanceId: string,
    options: { showHistory?: boolean; showInput?: boolean } = {},
  ): Promise<InstanceStatus> {
    const query = new URLSearchParams();
    if (options.showHistory) query.set('showHistory', 'true');
    if (options.showInput) query.set('showInput', 'true');
    const res = await this.adminFetch(
      `/runtime/webhooks/durabletask/instances/${encodeURIComponent(instanceId)}?${query.toString()}`,
    );
    const text = await res.text();
    try {
      return { status: res.status, body: text ? (JSON.parse(text) as InstanceStatus['body']) : null };
    } catch {
      return { status: res.status, body: { customStatus: text } };
    }
  }

  // ---- Users and the API ----

  /** An access token for a demo user (cached until the clock moves or the app restarts). */
  async token(call: ApiCall & { as: string }): Promise<string> {
    const claims = { user: call.as, roles: call.roles, amr: call.amr ?? ['pwd', 'mfa'], acrs: call.acrs };
    const key = JSON.stringify(claims);
    const cached = this.tokens.get(key);
    if (cached) return cached;
    const res = await fetch(this.urls.token, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(claims),
      signal: AbortSignal.timeout(call.timeoutMs ?? 60_000),
    });
    if (res.status !== 200) throw new Error(`token for ${call.as} → ${res.status}: ${await res.text()}`);
    const token = ((await res.json()) as { access_token: string }).access_token;
    this.tokens.set(key, token);
    return token;
  }

  /** Calls the API (path below /api, or a full URL such as an @odata.nextLink). */
  async api(pathAndQuery: string, call: ApiCall = {}): Promise<Response> {
    const headers: Record<string, string> = { ...call.headers };
    if (call.as) headers.authorization = `Bearer ${await this.token({ ...call, as: call.as })}`;
    if (call.body !== undefined) headers['content-type'] ??= 'application/json';
    const url = /^https?:/.test(pathAndQuery)
      ? pathAndQuery
      : `${this.urls.api}/${pathAndQuery.replace(/^\//, '')}`;
    return fetch(url, {
      method: call.method ?? (call.body === undefined ? 'GET' : 'POST'),
      headers,
      body:
        call.body === undefined
          ? undefined
          : typeof call.body === 'string'
            ? call.body
            : JSON.stringify(call.body),
      signal: AbortSignal.timeout(call.timeoutMs ?? 60_000),
    });
  }

  /** Like api(), but expects 2xx and returns the JSON body. */
  async json<T = unknown>(pathAndQuery: string, call: ApiCall = {}): Promise<T> {
    const res = await this.api(pathAndQuery, call);
    const text = await res.text();
    if (res.status < 200 || res.status > 299)
      throw new Error(
        `${call.method ?? (call.body === undefined ? 'GET' : 'POST')} ${pathAndQuery} → ${res.status}: ${text}`,
      );
    return (text ? JSON.parse(text) : undefined) as T;
  }

  /** Every item of a paged collection (following @odata.nextLink). */
  async all<T = unknown>(pathAndQuery: string, call: ApiCall = {}): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined = pathAndQuery;
    while (next) {
      const page: { value: T[]; '@odata.nextLink'?: string } = await this.json(next, call);
      items.push(...page.value);
      next = page['@odata.nextLink'];
    }
    return items;
  }

  /** Audit records through the API, as the demo admin: every page (`filter` is an OData $filter). */
  async audits(filter?: string): Promise<AuditRecord[]> {
    const query = new URLSearchParams({ $top: '999' });
    if (filter) query.set('$filter', filter);
    return this.all<AuditRecord>(`auditLogs/directoryAudits?${query.toString()}`, DEMO_ADMIN);
  }

  // ---- The stand-ins ----

  /** The Graph stand-in's saved state (written before each answer, so it is there while the app is down). */
  tenant(): SavedTenant {
    return JSON.parse(
      readFileSync(path.join(this.localDir, 'standins', 'graph-tenant.json'), 'utf8'),
    ) as SavedTenant;
  }

  /** Member (or owner) ids of a group, from the Graph stand-in's saved state. */
  groupMembers(groupId: string, relation: 'members' | 'owners' = 'members'): string[] {
    const group = this.tenant().groups.find((g) => g.id === groupId);
    if (!group) throw new Error(`No group ${groupId} in the Graph stand-in`);
    return [...group[relation]];
  }

  /** A demo user by UPN, UPN prefix (`olivia.carter`) or id. */
  user(upnOrPrefix: string): { id: string; userPrincipalName: string; displayName: string } {
    const key = upnOrPrefix.toLowerCase();
    const found = this.tenant().users.find(
      (u) =>
        u.userPrincipalName.toLowerCase() === key ||
        u.userPrincipalName.toLowerCase().startsWith(`${key}@`) ||
        u.id === key,
    );
    if (!found) throw new Error(`No demo user ${upnOrPrefix}`);
    return { id: found.id, userPrincipalName: found.userPrincipalName, displayName: found.displayName };
  }

  /** Graph stand-in faults (`delayMs`, `unavailableRate`, `writesOnly`, ...); gone when the process dies. */
  async graphFaults(faults: Record<string, unknown>): Promise<void> {
    const res = await fetch(`${this.urls.graph}/_standin/faults`, {
      method: 'PUT',
      body: JSON.stringify(faults),
    });
    if (res.status !== 200) throw new Error(`PUT faults → ${res.status}: ${await res.text()}`);
  }

  /** Mail the mail stand-in delivered, to one address or all. */
  async mail(to?: string): Promise<MailMessage[]> {
    const query = to === undefined ? '' : `?to=${encodeURIComponent(to)}`;
    const res = await fetch(`${this.urls.mailbox}/messages${query}`, { signal: AbortSignal.timeout(60_000) });
    if (res.status !== 200) throw new Error(`GET mailbox → ${res.status}: ${await res.text()}`);
    return (await res.json()) as MailMessage[];
  }
}

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'host.json')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`No app root (host.json, package.json) above ${from}`);
  }
}
