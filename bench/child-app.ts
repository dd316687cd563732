/**
 * The product app in a child process (`node dist/local/cli.js`) with its stand-ins, for tests and scripts that
 * SIGKILL it and start it again: crash tests (test/pim/crash.test.ts, test/pim-lifecycle/crash-notices.test.ts,
 * test/reviews/apply-crash.test.ts, test/app/local-app.test.ts) and `npm run chaos` (bench/chaos.ts).
 *
 * A `ChildRuntime` (bench/child-runtime.ts: free ports, start/kill/restart on the same state dir and task hub, the
 * virtual clock, the admin and management endpoints), plus free ports for every stand-in (kept across restarts),
 * tokens for demo users and API calls (local/api-client.ts), the Graph stand-in's saved state (groups' members,
 * read from its file, so it works while the app is down), mail from the mailbox and audit through the API.
 *
 * The parent process must already trust the stand-ins' local CA (NODE_EXTRA_CA_CERTS naming a
 * `pimflow-local-ca.pem`): vitest's global setup does it, and bench scripts call `trustLocalCa()` first. The child
 * inherits it; otherwise the CLI would re-run itself to trust one, and a SIGKILL would hit only its launcher.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createApiClient,
  findDemoUser,
  type ApiCall,
  type ApiClient,
  type DemoUser,
} from '../local/api-client';
import { ensureAzurite } from '../local/azurite';
import { DEMO_ADMIN_UPN, DEMO_TENANT_ID } from '../local/dev-environment';
import { ChildRuntime, freePorts, type ChildRuntimeOptions } from './child-runtime';

export { freePorts, REPO_ROOT, type InstanceStatus } from './child-runtime';
export type { ApiCall } from '../local/api-client';
export { COSMOS_EMULATOR_KEY as COSMOS_KEY } from '../local/standins/cosmos/cosmos-stand-in';

export const DEMO_ADMIN = { as: DEMO_ADMIN_UPN, roles: ['PimFlow.Admin'] };

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

export type ChildAppOptions = Omit<ChildRuntimeOptions, 'appDir'>;

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
  /** Absent in state saved before the stand-in knew directory roles. */
  roleAssignments?: { principalId: string; roleDefinitionId: string; directoryScopeId: string }[];
}

export class ChildApp extends ChildRuntime {
  readonly urls: {
    origin: string;
    api: string;
    /** The API over HTTPS (the local CA's certificate). */
    apiHttps: string;
    durable: string;
    graph: string;
    mail: string;
    mailbox: string;
    token: string;
    cosmos: string;
    /** The ARM stand-in (ARM_ENDPOINT). */
    arm: string;
  };
  private readonly tokens = new Map<string, string>();
  private readonly client: ApiClient;

  private constructor(
    options: ChildAppOptions,
    readonly ports: {
      api: number;
      apiHttps: number;
      cosmos: number;
      graph: number;
      mail: number;
      identity: number;
      arm: number;
    },
  ) {
    super(
      options,
      { http: ports.api, https: ports.apiHttps },
      {
        PIMFLOW_COSMOS_PORT: String(ports.cosmos),
        PIMFLOW_GRAPH_PORT: String(ports.graph),
        PIMFLOW_MAIL_PORT: String(ports.mail),
        PIMFLOW_IDENTITY_PORT: String(ports.identity),
        PIMFLOW_ARM_PORT: String(ports.arm),
      },
    );
    this.urls = {
      origin: this.origin,
      api: `${this.origin}/api`,
      apiHttps: `https://localhost:${ports.apiHttps}/api`,
      durable: `${this.origin}/runtime/webhooks/durabletask`,
      graph: `https://127.0.0.1:${ports.graph}`,
      mail: `https://127.0.0.1:${ports.mail}`,
      mailbox: `https://127.0.0.1:${ports.mail}/mailbox`,
      token: `https://127.0.0.1:${ports.identity}/${DEMO_TENANT_ID}/oauth2/v2.0/token`,
      cosmos: `https://127.0.0.1:${ports.cosmos}/`,
      arm: `https://127.0.0.1:${ports.arm}`,
    };
    this.client = createApiClient({
      apiBase: () => this.urls.api,
      token: (call) => this.token(call),
      timeoutMs: 60_000,
    });
  }

  /** Picks free ports and a state dir; the app starts with `start()`. */
  static override async create(options: ChildAppOptions): Promise<ChildApp> {
    const trusted = process.env.NODE_EXTRA_CA_CERTS;
    if (!trusted || path.basename(trusted) !== 'pimflow-local-ca.pem' || !existsSync(trusted)) {
      throw new Error(
        'ChildApp: this process must trust the local CA (NODE_EXTRA_CA_CERTS=…/pimflow-local-ca.pem): run under ' +
          'vitest, or call trustLocalCa() from local/trust first',
      );
    }
    const [api, apiHttps, cosmos, graph, mail, identity, arm] = (await freePorts(7)) as [
      number,
      number,
      number,
      number,
      number,
      number,
      number,
    ];
    return new ChildApp(options, { api, apiHttps, cosmos, graph, mail, identity, arm });
  }

  protected override resetCaches(): void {
    this.tokens.clear();
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

  /** Calls the API (path below /api, or a full URL such as an @odata.nextLink); 60 s at most by default. */
  api(pathAndQuery: string, call: ApiCall = {}): Promise<Response> {
    return this.client.api(pathAndQuery, call);
  }

  /** Like api(), but expects 2xx and returns the JSON body. */
  json<T = unknown>(pathAndQuery: string, call: ApiCall = {}): Promise<T> {
    return this.client.json<T>(pathAndQuery, call);
  }

  /** Every item of a paged collection (following @odata.nextLink). */
  all<T = unknown>(pathAndQuery: string, call: ApiCall = {}): Promise<T[]> {
    return this.client.all<T>(pathAndQuery, call);
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

  /** Who holds a directory role at a scope (`/` by default), from the Graph stand-in's saved state. */
  roleHolders(roleDefinitionId: string, directoryScopeId = '/'): string[] {
    return (this.tenant().roleAssignments ?? [])
      .filter((a) => a.roleDefinitionId === roleDefinitionId && a.directoryScopeId === directoryScopeId)
      .map((a) => a.principalId);
  }

  /** A demo user by UPN, UPN prefix (`olivia.carter`) or id. */
  user(upnOrPrefix: string): DemoUser {
    return findDemoUser(this.tenant().users, upnOrPrefix);
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
