/**
 * `npm run chaos` (issue 11): SIGKILL the runtime at random moments while people activate, get approved, are granted
 * and expire, and prove that nothing is lost, nothing happens twice and nothing is left behind.
 *
 * One run: the product app in a child process (bench/child-app.ts) on a virtual clock, with its stand-ins. Two
 * managed groups of the demo tenant, four roles (two need one approver's approval); N people (CHAOS_PEOPLE, default
 * 20) made eligible for one role each. Then, with the runtime SIGKILLed CHAOS_KILLS times (default 50) at random
 * moments and restarted on the same state and task hub:
 *
 * 1. activation: each person POSTs a `selfActivate` (1-2 hours) and, where the role needs it, the approver approves
 *    through the API. Clients behave as real ones: a call that got no answer is sent again, with the same body, once
 *    the app is back; a 409 (one open request per person and role) makes the person look up their open request.
 *    Half the kills fall here, each 0-1.5 s after a restart while some people's requests are on their way.
 * 2. expiry: the clock moves in steps past every end; the other half of the kills fall during those steps.
 *
 * After the last restart the clock moves on until every request is settled, and the outcome is checked from
 * outside: the requests and schedules (API), the audit log (API: one start and one end per granted request, every
 * audit id once), the Graph stand-in (members and owners against the baseline; a poller also records every change it
 * sees, so a membership granted twice shows), the mailbox (no notice twice: mail per recipient, subject and request).
 *
 * Every random choice (who, which role, how long, when to post, when to kill) comes from a seeded PRNG (mulberry32):
 * CHAOS_SEED replays a run's choices (timing still varies); the seed is printed first. CHAOS_RUNS=3 runs seeds
 * seed, seed+1, seed+2. The exit code is 1 when anything was lost, duplicated or left behind; a failing run prints
 * each affected person's requests, statuses, audit, client log and orchestration status (Durable management API),
 * and keeps its state dir (each start's output in child-<n>.log). CHAOS_KEEP=1 keeps it always.
 */
import { randomInt } from 'node:crypto';
import path from 'node:path';
import { trustLocalCa } from '../local/trust';
import { ChildApp, DEMO_ADMIN, isConnectionError, startStorage, type AuditRecord } from './child-app';
import { percentile, printTable, type BenchRow } from './table';

const PEOPLE = Number(process.env.CHAOS_PEOPLE ?? 20);
const KILLS = Number(process.env.CHAOS_KILLS ?? 50);
const RUNS = Number(process.env.CHAOS_RUNS ?? 1);
const KEEP = process.env.CHAOS_KEEP === '1';
const T0 = new Date('2026-03-02T09:00:00Z');
const BASE = 'identityGovernance/privilegedAccess/group';
const APPROVER_UPN = 'olivia.carter@pimflow.example';
const MINUTE = 60_000;
/** Statuses of a request still on its way (shared/requests/domain/schedule-request.ts OPEN_STATUSES). */
const OPEN = [
  'PendingAdminDecision',
  'PendingApproval',
  'PendingProvisioning',
  'PendingScheduleCreation',
  'Granted',
];

interface Role {
  groupId: string;
  groupName: string;
  accessId: 'member' | 'owner';
  approval: boolean;
}

const HELPDESK = 'e3d4b516-8621-440b-a7a2-58d0c8c710af';
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
const ROLES: Role[] = [
  { groupId: HELPDESK, groupName: 'Helpdesk Admin-Group', accessId: 'member', approval: false },
  { groupId: HELPDESK, groupName: 'Helpdesk Admin-Group', accessId: 'owner', approval: true },
  { groupId: CLOUD_OPS, groupName: 'Cloud Ops', accessId: 'member', approval: true },
  { groupId: CLOUD_OPS, groupName: 'Cloud Ops', accessId: 'owner', approval: false },
];
const relation = (r: Role) => (r.accessId === 'member' ? 'members' : 'owners');
const roleName = (r: Role) => `${r.groupName} ${r.accessId}${r.approval ? ' (approval)' : ''}`;

/** mulberry32: a small seeded PRNG, uniform in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Person {
  id: string;
  upn: string;
  name: string;
  role: Role;
  minutes: number;
  /** The kill cycle of the activation phase in which this person first posts, and the delay after its start. */
  cycle: number;
  launchMs: number;
  /** The request the client ended up with (from a 201, or looked up after a 409). */
  requestId?: string;
  approved: boolean;
  done: boolean;
  /** What the client saw, in order. */
  log: string[];
}

interface KillRecord {
  n: number;
  phase: 'activation' | 'expiry';
  afterReadyMs: number;
  virtualNow: string;
  inFlight: string[];
  restartMs: number;
}

interface RequestView {
  id: string;
  status: string;
  action: string;
  principalId: string;
  groupId: string;
  accessId: string;
  createdDateTime: string;
  completedDateTime: string | null;
}

interface Outcome {
  seed: number;
  kills: number;
  requests: number;
  granted: number;
  lost: number;
  duplicated: number;
  lingering: number;
  baselineTouched: number;
  missingNotices: number;
  grantedLate: number;
  seconds: number;
  startupP50: number;
  startupMax: number;
  unanswered: number;
  failedStarts: number;
  mails: number;
  audits: number;
  /** Seconds per phase (the checks' own time is added once they end). */
  phases: [string, number][];
  failed: boolean;
}

class ChaosRun {
  private readonly rng: () => number;
  private app!: ChildApp;
  private people: Person[] = [];
  private readonly kills: KillRecord[] = [];
  private readonly inFlight = new Map<string, number>();
  private stopping = false;
  private clients: Promise<void>[] = [];
  /** Client calls that got no answer (and were sent again). */
  private unanswered = 0;
  private failedStarts = 0;
  private readonly phases: [string, number][] = [];
  private baseline = new Map<string, Set<string>>();
  /** Membership changes the poller saw: key `group/relation/principal` → list of 'add' | 'remove'. */
  private readonly changes = new Map<string, string[]>();
  private lastSeen = new Map<string, Set<string>>();
  private poller: NodeJS.Timeout | undefined;
  private readonly grantedAtSettle = new Set<string>();
  private readonly began = performance.now();

  constructor(
    private readonly seed: number,
    private readonly storage: string,
  ) {
    this.rng = mulberry32(seed);
  }

  async run(): Promise<Outcome> {
    this.app = await ChildApp.create({
      storage: this.storage,
      name: `chaos-${this.seed}`,
      virtualClock: T0,
      keepLogs: true,
    });
    const kills1 = Math.ceil(KILLS / 2);
    const kills2 = KILLS - kills1;
    let outcome: Outcome | undefined;
    try {
      const firstStart = await this.app.start();
      console.log(`  state dir ${this.app.localDir}, task hub ${this.app.hub}`);
      console.log(`  start-up: ${(firstStart / 1000).toFixed(1)} s`);
      await this.phase('set-up', () => this.setUp(kills1));
      this.startPoller();
      await this.phase('activation', () => this.activationPhase(kills1));
      await this.phase('activation settle', () => this.settleActivations());
      await this.phase('expiry', () => this.expiryPhase(kills2));
      await this.phase('expiry settle', () => this.settleEnds());
      outcome = await this.phase('checks', () => this.verify());
      outcome.seconds = (performance.now() - this.began) / 1000;
      return outcome;
    } finally {
      this.stopping = true;
      if (this.poller) clearInterval(this.poller);
      const keep = KEEP || !outcome || outcome.failed;
      await this.app.dispose({ keepState: keep });
      if (keep) console.log(`  state kept in ${this.app.localDir} (child-<n>.log: each start's output)`);
    }
  }

  private async phase<T>(name: string, work: () => Promise<T>): Promise<T> {
    const began = performance.now();
    try {
      return await work();
    } finally {
      this.phases.push([name, (performance.now() - began) / 1000]);
    }
  }

  // ---- Set-up: groups, role settings, people, eligibility (no kills) ----

  private async setUp(kills1: number): Promise<void> {
    const app = this.app;
    for (const groupId of new Set(ROLES.map((r) => r.groupId))) {
      await app.json('managedGroups', { ...DEMO_ADMIN, body: { groupId } });
    }
    const approver = app.user(APPROVER_UPN);
    for (const role of ROLES) {
      await this.patchRule(role, 'Enablement_EndUser_Assignment', (r) => ({
        ...r,
        enabledRules: ['Justification'],
      }));
      if (!role.approval) continue;
      await this.patchRule(role, 'Approval_EndUser_Assignment', (r) => {
        const setting = r.setting as { approvalStages: Record<string, unknown>[] };
        return {
          ...r,
          setting: {
            ...setting,
            isApprovalRequired: true,
            approvalStages: [
              {
                ...setting.approvalStages[0],
                approvalStageTimeOutInDays: 0.25,
                isApproverJustificationRequired: false,
                primaryApprovers: [{ '@odata.type': '#microsoft.graph.singleUser', userId: approver.id }],
              },
            ],
          },
        };
      });
    }

    // The people: enabled demo users but the admin and the approver, each with a role they don't hold yet.
    const tenant = app.tenant();
    const holds = (role: Role, id: string) =>
      tenant.groups.find((g) => g.id === role.groupId)?.[relation(role)].includes(id) ?? false;
    const candidates = tenant.users.filter(
      (u) =>
        u.accountEnabled !== false &&
        u.userPrincipalName !== DEMO_ADMIN.as &&
        u.userPrincipalName !== APPROVER_UPN,
    );
    if (PEOPLE > candidates.length)
      throw new Error(`CHAOS_PEOPLE=${PEOPLE}: the demo tenant has ${candidates.length} people to use`);
    const shuffled = [...candidates];
    for (let i = shuffled.length - 1; i > 0; i--) {
      const j = Math.floor(this.rng() * (i + 1));
      [shuffled[i], shuffled[j]] = [shuffled[j] as (typeof shuffled)[0], shuffled[i] as (typeof shuffled)[0]];
    }
    // Everyone posts in the first 80% of the activation phase's kill cycles.
    const cycles = Math.max(1, Math.floor(kills1 * 0.8));
    this.people = shuffled.slice(0, PEOPLE).map((u) => {
      const roles = ROLES.filter((r) => !holds(r, u.id));
      const role = roles[Math.floor(this.rng() * roles.length)] as Role;
      return {
        id: u.id,
        upn: u.userPrincipalName,
        name: u.displayName,
        role,
        minutes: 60 + Math.floor(this.rng() * 61),
        cycle: Math.floor(this.rng() * cycles),
        launchMs: Math.floor(this.rng() * 600),
        approved: false,
        done: false,
        log: [],
      };
    });
    for (const p of this.people) {
      await app.json(`${BASE}/eligibilityScheduleRequests`, {
        ...DEMO_ADMIN,
        body: {
          action: 'adminAssign',
          accessId: p.role.accessId,
          groupId: p.role.groupId,
          principalId: p.id,
          justification: 'chaos',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
        },
      });
    }
    await this.until('the eligibilities', 60_000, async () => {
      let provisioned = 0;
      for (const groupId of new Set(ROLES.map((r) => r.groupId))) {
        const schedules = await app.all<{ principalId: string; status: string }>(
          `${BASE}/eligibilitySchedules?$filter=groupId eq '${groupId}'`,
          DEMO_ADMIN,
        );
        provisioned += schedules.filter((s) => s.status === 'Provisioned').length;
      }
      return provisioned >= this.people.length;
    });
    for (const g of app.tenant().groups) {
      this.baseline.set(`${g.id}/members`, new Set(g.members));
      this.baseline.set(`${g.id}/owners`, new Set(g.owners));
    }
    const approvals = this.people.filter((p) => p.role.approval).length;
    console.log(
      `  ${this.people.length} people eligible (${approvals} need approval); kills: ${kills1} while activating, ${KILLS - kills1} while expiring`,
    );
  }

  private async patchRule(
    role: Role,
    ruleId: string,
    change: (r: Record<string, unknown>) => Record<string, unknown>,
  ): Promise<void> {
    const filter = encodeURIComponent(
      `scopeId eq '${role.groupId}' and scopeType eq 'Group' and roleDefinitionId eq '${role.accessId}'`,
    );
    const assignments = await this.app.json<{ value: { policyId: string }[] }>(
      `policies/roleManagementPolicyAssignments?$filter=${filter}`,
      DEMO_ADMIN,
    );
    const url = `policies/roleManagementPolicies/${assignments.value[0]?.policyId}/rules/${ruleId}`;
    const rule = await this.app.json<Record<string, unknown>>(url, DEMO_ADMIN);
    await this.app.json(url, { ...DEMO_ADMIN, method: 'PATCH', body: change(rule) });
  }

  // ---- The Graph poller: every membership change it sees ----

  private startPoller(): void {
    const keys = new Set(ROLES.map((r) => `${r.groupId}/${relation(r)}`));
    const poll = () => {
      let groups;
      try {
        groups = this.app.tenant().groups;
      } catch {
        return; // being replaced: next time
      }
      for (const key of keys) {
        const [groupId, rel] = key.split('/') as [string, 'members' | 'owners'];
        const now = new Set(groups.find((g) => g.id === groupId)?.[rel] ?? []);
        const before = this.lastSeen.get(key) ?? this.baseline.get(key) ?? new Set<string>();
        for (const id of now) if (!before.has(id)) this.change(`${key}/${id}`, 'add');
        for (const id of before) if (!now.has(id)) this.change(`${key}/${id}`, 'remove');
        this.lastSeen.set(key, now);
      }
    };
    poll();
    this.poller = setInterval(poll, 50);
  }

  private change(key: string, op: string): void {
    const list = this.changes.get(key) ?? [];
    list.push(op);
    this.changes.set(key, list);
  }

  private holdsNow(p: Person): boolean {
    return this.lastSeen.get(`${p.role.groupId}/${relation(p.role)}`)?.has(p.id) ?? false;
  }

  // ---- Phase 1: activation and approval, with kills ----

  private async activationPhase(kills: number): Promise<void> {
    const delays = Array.from({ length: kills }, () => Math.floor(this.rng() * 1500));
    const clients: Promise<void>[] = [];
    for (let c = 0; c < kills; c++) {
      for (const p of this.people.filter((q) => q.cycle === c)) {
        clients.push(
          sleep(p.launchMs)
            .then(() => this.client(p))
            .catch((err: unknown) => {
              p.log.push(`client failed: ${err instanceof Error ? err.message : String(err)}`);
              p.done = true;
            }),
        );
      }
      await this.killAfter(delays[c] as number, 'activation');
    }
    this.clients = clients;
  }

  private async killAfter(delayMs: number, phase: KillRecord['phase']): Promise<void> {
    await sleep(delayMs);
    const inFlight = [...this.inFlight.entries()].map(([label, n]) => (n > 1 ? `${label} ×${n}` : label));
    const virtualNow = this.app.now?.toISOString() ?? '';
    await this.app.kill();
    const restartMs = await this.restart();
    const record: KillRecord = {
      n: this.kills.length + 1,
      phase,
      afterReadyMs: delayMs,
      virtualNow,
      inFlight,
      restartMs,
    };
    this.kills.push(record);
    console.log(
      `  kill ${String(record.n).padStart(2)}/${KILLS} ${phase.padEnd(10)} ${String(delayMs).padStart(4)} ms after ready, ` +
        `in flight: ${inFlight.length ? inFlight.join(', ') : '-'}; up again in ${(restartMs / 1000).toFixed(1)} s`,
    );
  }

  /**
   * Starts the app again. A start that fails is shown and tried again (twice): the machine's troubles (a shared
   * node_modules being reinstalled) shouldn't end a run; a start that keeps failing does.
   */
  private async restart(): Promise<number> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.app.start();
      } catch (err) {
        this.failedStarts++;
        const text = err instanceof Error ? err.message : String(err);
        console.log(`  ! start failed (attempt ${attempt}): ${text.split('\n').slice(0, 6).join('\n    ')}`);
        if (attempt >= 3) throw err;
        await sleep(3000);
      }
    }
  }

  /** One call as a client makes it: undefined when no answer came (the app died); counted as in flight meanwhile. */
  private async call(
    label: string,
    path: string,
    call: Parameters<ChildApp['api']>[1],
  ): Promise<{ status: number; text: string } | undefined> {
    await this.app.whenRunning();
    this.inFlight.set(label, (this.inFlight.get(label) ?? 0) + 1);
    try {
      const res = await this.app.api(path, call);
      return { status: res.status, text: await res.text() };
    } catch (err) {
      if (isConnectionError(err)) return undefined;
      throw err;
    } finally {
      const n = (this.inFlight.get(label) ?? 1) - 1;
      if (n > 0) this.inFlight.set(label, n);
      else this.inFlight.delete(label);
    }
  }

  private async client(p: Person): Promise<void> {
    const body = {
      action: 'selfActivate',
      accessId: p.role.accessId,
      groupId: p.role.groupId,
      principalId: p.id,
      justification: 'chaos',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: `PT${p.minutes}M` } },
    };
    for (let attempt = 1; !this.stopping; attempt++) {
      const res = await this.call('POST selfActivate', `${BASE}/assignmentScheduleRequests`, {
        as: p.upn,
        body,
      });
      if (!res) {
        p.log.push(`POST #${attempt}: no answer (kill ${this.app.kills})`);
        this.unanswered++;
        await sleep(50);
        continue;
      }
      // 201: made now; 200: a retried POST whose first answer was lost gets the request it made (still to approve).
      if (res.status === 201 || res.status === 200) {
        const request = JSON.parse(res.text) as RequestView;
        p.requestId = request.id;
        p.log.push(`POST #${attempt}: ${res.status} ${request.id} ${request.status}`);
        break;
      }
      p.log.push(`POST #${attempt}: ${res.status} ${res.text.slice(0, 200)}`);
      if (res.status === 409) {
        const open = await this.findOpenRequest(p);
        if (open) {
          p.requestId = open.id;
          p.log.push(`looked up open request ${open.id} ${open.status}`);
          break;
        }
      } else if (res.status < 500 && res.status !== 429) {
        p.done = true;
        return;
      }
      await sleep(300);
    }
    if (p.role.approval) await this.approve(p);
    p.done = true;
  }

  /** After a 409: the person's own request still on its way (or already granted) for that role. */
  private async findOpenRequest(p: Person): Promise<RequestView | undefined> {
    while (!this.stopping) {
      const filter = `principalId eq '${p.id}' and groupId eq '${p.role.groupId}' and accessId eq '${p.role.accessId}'`;
      const res = await this.call(
        'GET requests',
        `${BASE}/assignmentScheduleRequests?$filter=${encodeURIComponent(filter)}`,
        { as: p.upn },
      );
      if (!res) continue;
      if (res.status !== 200) {
        p.log.push(`GET requests: ${res.status} ${res.text.slice(0, 200)}`);
        return undefined;
      }
      const mine = (JSON.parse(res.text) as { value: RequestView[] }).value
        .filter((r) => r.action === 'selfActivate' && [...OPEN, 'Provisioned'].includes(r.status))
        .sort((a, b) => b.createdDateTime.localeCompare(a.createdDateTime));
      return mine[0];
    }
    return undefined;
  }

  private async approve(p: Person): Promise<void> {
    const id = p.requestId as string;
    while (!this.stopping) {
      const res = await this.call('GET approval', `${BASE}/assignmentApprovals/${id}`, { as: APPROVER_UPN });
      if (!res) continue;
      if (res.status !== 200) {
        await sleep(200); // not opened yet
        continue;
      }
      const approval = JSON.parse(res.text) as {
        status: string;
        steps: { id: string; status: string; reviewResult: string }[];
      };
      const step = approval.steps[0];
      if (!step || step.reviewResult === 'Approve' || approval.status !== 'InProgress') {
        p.approved = step?.reviewResult === 'Approve';
        p.log.push(`approval ${approval.status}, step ${step?.status} ${step?.reviewResult}`);
        return;
      }
      if (step.status !== 'InProgress') {
        await sleep(200);
        continue;
      }
      const decided = await this.call('PATCH approve', `${BASE}/assignmentApprovals/${id}/steps/${step.id}`, {
        as: APPROVER_UPN,
        method: 'PATCH',
        body: { reviewResult: 'Approve', justification: 'ok' },
      });
      if (!decided) this.unanswered++;
      p.log.push(
        `PATCH approve: ${decided ? `${decided.status} ${decided.text.slice(0, 120)}` : `no answer (kill ${this.app.kills})`}`,
      );
      if (decided?.status === 204) {
        p.approved = true;
        return;
      }
      await sleep(100); // look again: a 409 or 503 means a decision was written
    }
  }

  /**
   * After the last kill of phase 1: wait for every client and every grant. The clock moves a minute whenever nothing
   * changed for 3 s (durable retry timers need it to); after 20 s without any change (or 2 minutes) it is over.
   */
  private async settleActivations(): Promise<void> {
    const began = performance.now();
    let changed = performance.now();
    let nudged = performance.now();
    let progress = -1;
    while (performance.now() - began < 120_000 && performance.now() - changed < 20_000) {
      const granted = this.people.filter((p) => this.holdsNow(p)).length;
      const done = this.people.filter((p) => p.done).length;
      if (granted === this.people.length && done === this.people.length) break;
      if (granted + done !== progress) {
        progress = granted + done;
        changed = nudged = performance.now();
      } else if (performance.now() - nudged > 3000) {
        await this.app.advance('PT1M');
        nudged = performance.now();
      }
      await sleep(100);
    }
    this.stopping = true;
    await Promise.all(this.clients);
    this.stopping = false;
    for (const p of this.people) if (this.holdsNow(p)) this.grantedAtSettle.add(p.id);
    console.log(
      `  activation settled: ${this.grantedAtSettle.size}/${this.people.length} granted, virtual ${this.app.now?.toISOString()}`,
    );
  }

  // ---- Phase 2: expiry, with kills ----

  private async lastEnd(): Promise<number> {
    let last = (this.app.now as Date).getTime();
    for (const groupId of new Set(ROLES.map((r) => r.groupId))) {
      const instances = await this.app.all<{ endDateTime: string | null; principalId: string }>(
        `${BASE}/assignmentScheduleInstances?$filter=groupId eq '${groupId}'`,
        DEMO_ADMIN,
      );
      for (const i of instances) if (i.endDateTime) last = Math.max(last, new Date(i.endDateTime).getTime());
    }
    return last;
  }

  private async expiryPhase(kills: number): Promise<void> {
    const target = (await this.lastEnd()) + 10 * MINUTE;
    const now = (this.app.now as Date).getTime();
    const stepMs = Math.max(MINUTE, Math.ceil((target - now) / Math.max(1, kills) / MINUTE) * MINUTE);
    const delays = Array.from({ length: kills }, () => Math.floor(this.rng() * 1000));
    console.log(
      `  expiry: clock from ${new Date(now).toISOString()} to ${new Date(target).toISOString()} in ${stepMs / MINUTE}-minute steps`,
    );
    for (let k = 0; k < kills; k++) {
      this.inFlight.set('advance', 1);
      void this.app
        .advance(stepMs)
        .catch(() => undefined)
        .finally(() => this.inFlight.delete('advance'));
      await this.killAfter(delays[k] as number, 'expiry');
    }
  }

  /** After the last kill: move the clock on until everyone's request has settled (or 12 virtual hours). */
  private async settleEnds(): Promise<void> {
    const limit = T0.getTime() + 12 * 60 * MINUTE;
    const target = (await this.lastEnd()) + 10 * MINUTE;
    if ((this.app.now as Date).getTime() < target)
      await this.app.advance(target - (this.app.now as Date).getTime());
    const deadline = performance.now() + 120_000;
    while (performance.now() < deadline && (this.app.now as Date).getTime() < limit) {
      const open = await this.openWork();
      if (open === 0) break;
      await sleep(1000);
      if ((await this.openWork()) === open) await this.app.advance('PT1H');
    }
    await sleep(1000);
    console.log(`  settled at virtual ${this.app.now?.toISOString()}`);
  }

  /** Requests on their way, and memberships held, of our people. */
  private async openWork(): Promise<number> {
    const requests = await this.requests();
    const held = this.people.filter((p) => this.holdsNow(p)).length;
    return requests.filter((r) => OPEN.includes(r.status)).length + held;
  }

  private async requests(): Promise<RequestView[]> {
    const ids = new Set(this.people.map((p) => p.id));
    const all: RequestView[] = [];
    for (const groupId of new Set(ROLES.map((r) => r.groupId))) {
      all.push(
        ...(await this.app.all<RequestView>(
          `${BASE}/assignmentScheduleRequests?$filter=groupId eq '${groupId}'`,
          DEMO_ADMIN,
        )),
      );
    }
    return all.filter((r) => r.action === 'selfActivate' && ids.has(r.principalId));
  }

  // ---- The verdict ----

  private async verify(): Promise<Outcome> {
    const app = this.app;
    const requests = await this.requests();
    const audits = await app.audits();
    const mails = await app.mail();
    const tenant = app.tenant();
    const problems: string[] = [];
    const byCorrelation = new Map<string, AuditRecord[]>();
    for (const a of audits)
      byCorrelation.set(a.correlationId, [...(byCorrelation.get(a.correlationId) ?? []), a]);

    let lost = 0;
    let duplicated = 0;
    let granted = 0;
    let grantedLate = 0;
    let missingNotices = 0;
    const troubled: { p: Person; why: string[] }[] = [];
    for (const p of this.people) {
      const why: string[] = [];
      const mine = requests.filter(
        (r) => r.principalId === p.id && r.groupId === p.role.groupId && r.accessId === p.role.accessId,
      );
      let grants = 0;
      for (const r of mine) {
        const names = (byCorrelation.get(r.id) ?? []).map((a) => a.activityDisplayName);
        const started = names.filter((n) => n === `Add ${p.role.accessId} to group (PIM activation)`).length;
        const ended = names.filter((n) => n.startsWith(`Remove ${p.role.accessId} from group (PIM `)).length;
        if (started > 0) grants++;
        if (started > 1) why.push(`request ${r.id} granted ${started} times (audit)`);
        if (ended > 1) why.push(`request ${r.id} ended ${ended} times (audit)`);
        if (started === 1 && ended === 0) why.push(`request ${r.id} granted but never ended (${r.status})`);
        if (OPEN.includes(r.status)) why.push(`request ${r.id} stuck in ${r.status}`);
        // Exactly once also means at least once: the "active" and "ended" notices of a granted request.
        const about = mails.filter((m) => m.text.includes(r.id));
        for (const [what, pattern] of [
          ['active', / is active for /],
          ['ended', / has ended for /],
        ] as const) {
          const want = what === 'active' ? started > 0 : ended > 0;
          if (want && !about.some((m) => pattern.test(m.subject))) {
            why.push(`request ${r.id}: no "${what}" notice mailed`);
            missingNotices++;
          }
        }
      }
      const changes = this.changes.get(`${p.role.groupId}/${relation(p.role)}/${p.id}`) ?? [];
      const adds = changes.filter((c) => c === 'add').length;
      if (grants > 0 || adds > 0) granted++;
      if (grants > 0 && !this.grantedAtSettle.has(p.id)) grantedLate++;
      const isLost = grants === 0 || why.some((w) => /stuck|never ended/.test(w));
      if (grants === 0)
        why.push(`never granted (requests: ${mine.map((r) => `${r.id} ${r.status}`).join(', ') || 'none'})`);
      if (isLost) lost++;
      let dups = 0;
      if (grants > 1) {
        why.push(`granted by ${grants} requests`);
        dups += grants - 1;
      }
      dups += why.filter((w) => /times \(audit\)/.test(w)).length;
      if (adds > 1) {
        why.push(`added to Graph ${adds} times (poller saw ${changes.join(', ')})`);
        dups += adds - 1;
      }
      duplicated += dups;
      if (why.length) troubled.push({ p, why });
    }

    // Mail: no notice twice (per recipients, subject and the request it names).
    const requestIds = [...new Set(requests.map((r) => r.id))];
    const mailKeys = new Map<string, number>();
    for (const m of mails) {
      if (m.subject === 'pimflow is running') continue; // the CLI's test message, once per start
      const about = requestIds.find((id) => m.text.includes(id) || m.html.includes(id)) ?? '';
      const key = `${[...m.to].sort().join(',')} | ${m.subject} | ${about}`;
      mailKeys.set(key, (mailKeys.get(key) ?? 0) + 1);
    }
    let mailDups = 0;
    for (const [key, n] of mailKeys) {
      if (n < 2) continue;
      mailDups += n - 1;
      problems.push(`mail sent ${n} times: ${key}`);
    }
    duplicated += mailDups;

    // Audit: every record once.
    const auditIds = new Map<string, number>();
    for (const a of audits) auditIds.set(a.id, (auditIds.get(a.id) ?? 0) + 1);
    let auditDups = 0;
    for (const [id, n] of auditIds) {
      if (n < 2) continue;
      auditDups += n - 1;
      problems.push(`audit record ${id} listed ${n} times`);
    }
    duplicated += auditDups;

    // Graph: nothing left behind, nothing of the baseline touched.
    let lingering = 0;
    let baselineTouched = 0;
    for (const key of new Set(ROLES.map((r) => `${r.groupId}/${relation(r)}`))) {
      const [groupId, rel] = key.split('/') as [string, 'members' | 'owners'];
      const now = new Set(tenant.groups.find((g) => g.id === groupId)?.[rel] ?? []);
      const before = this.baseline.get(key) ?? new Set<string>();
      for (const id of now) {
        if (before.has(id)) continue;
        lingering++;
        const who = this.people.find((p) => p.id === id);
        problems.push(`still in ${key}: ${who ? `${who.name} (${roleName(who.role)})` : id}`);
      }
      for (const id of before) {
        if (now.has(id)) continue;
        baselineTouched++;
        problems.push(`removed from ${key} though there before the run: ${id}`);
      }
    }

    const failed = lost + duplicated + lingering + baselineTouched + missingNotices > 0;
    if (troubled.length || problems.length) await this.explain(troubled, problems, requests, byCorrelation);

    const kinds = new Map<string, number>();
    for (const a of audits) kinds.set(a.activityDisplayName, (kinds.get(a.activityDisplayName) ?? 0) + 1);
    printTable(
      `chaos seed ${this.seed}: audit records per kind`,
      [...kinds.entries()]
        .sort((a, b) => a[0].localeCompare(b[0]))
        .map(([metric, value]) => ({ metric, value })),
    );

    const starts = this.app.startTimesMs;
    return {
      seed: this.seed,
      kills: this.kills.length,
      requests: requests.length,
      granted,
      lost,
      duplicated,
      lingering,
      baselineTouched,
      missingNotices,
      grantedLate,
      seconds: (performance.now() - this.began) / 1000,
      startupP50: percentile(starts, 50) / 1000,
      startupMax: Math.max(...starts) / 1000,
      unanswered: this.unanswered,
      failedStarts: this.failedStarts,
      mails: mails.length,
      audits: audits.length,
      phases: this.phases,
      failed,
    };
  }

  /** Everything about each affected person, to debug from: requests, audit, client log, orchestration status. */
  private async explain(
    troubled: { p: Person; why: string[] }[],
    problems: string[],
    requests: RequestView[],
    byCorrelation: Map<string, AuditRecord[]>,
  ): Promise<void> {
    console.log(`\n  ---- seed ${this.seed}: what went wrong ----`);
    for (const { p, why } of troubled) {
      console.log(`  ${p.name} <${p.upn}> ${p.id}: ${roleName(p.role)}, ${p.minutes} min`);
      for (const w of why) console.log(`    ! ${w}`);
      for (const r of requests.filter((q) => q.principalId === p.id && q.groupId === p.role.groupId)) {
        const status = await this.app.instance(`request-${r.id}`);
        const orchestration =
          status.status === 404
            ? 'no orchestration (404)'
            : `${status.body?.runtimeStatus} (custom status ${JSON.stringify(status.body?.customStatus)}, last updated ${status.body?.lastUpdatedTime})`;
        console.log(
          `    request ${r.id}: ${r.status}, created ${r.createdDateTime}; request-${r.id}: ${orchestration}`,
        );
        const names = (byCorrelation.get(r.id) ?? []).map(
          (a) => `${a.activityDateTime} ${a.activityDisplayName}`,
        );
        for (const n of names.sort()) console.log(`      audit: ${n}`);
      }
      console.log(`    client: ${p.log.join(' → ') || '(never posted)'}`);
      const changes = this.changes.get(`${p.role.groupId}/${relation(p.role)}/${p.id}`) ?? [];
      console.log(`    Graph (poller): ${changes.join(', ') || 'no change seen'}`);
    }
    for (const line of problems) console.log(`  ! ${line}`);
    console.log('  kills:');
    for (const k of this.kills) {
      console.log(
        `    ${String(k.n).padStart(2)} ${k.phase.padEnd(10)} +${k.afterReadyMs} ms, virtual ${k.virtualNow}, in flight: ${k.inFlight.join(', ') || '-'}`,
      );
    }
    console.log('');
  }

  private async until(what: string, ms: number, check: () => Promise<boolean>): Promise<void> {
    const deadline = performance.now() + ms;
    while (!(await check())) {
      if (performance.now() > deadline) throw new Error(`chaos: timed out waiting for ${what}`);
      await sleep(200);
    }
  }
}

async function main(): Promise<void> {
  // The stand-ins speak HTTPS: trust their local CA (re-running this process with it if need be).
  const tls = await trustLocalCa(path.resolve(__dirname, '..', '..', '.local', 'tls'));
  if (!tls) return;
  const seed = process.env.CHAOS_SEED ? Number(process.env.CHAOS_SEED) : randomInt(1, 2 ** 31 - 1);
  if (!Number.isInteger(seed))
    throw new Error(`CHAOS_SEED must be an integer; got ${process.env.CHAOS_SEED}`);
  console.log(
    `chaos: seed ${seed} (replay: CHAOS_SEED=${seed} npm run chaos), ${PEOPLE} people, ${KILLS} kills, ${RUNS} run(s)`,
  );
  const storage = await startStorage();
  const outcomes: Outcome[] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      console.log(`\nrun ${i + 1}/${RUNS}: seed ${seed + i}`);
      const outcome = await new ChaosRun(seed + i, storage.connectionString).run();
      outcomes.push(outcome);
      printOutcome(outcome);
    }
  } finally {
    await storage.stop();
  }
  if (RUNS > 1) {
    console.log('| seed | kills | requests | granted | lost | duplicated | lingering | time (s) |');
    console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const o of outcomes) {
      console.log(
        `| ${o.seed} | ${o.kills} | ${o.requests} | ${o.granted} | ${o.lost} | ${o.duplicated} | ${o.lingering} | ${o.seconds.toFixed(0)} |`,
      );
    }
    console.log('');
  }
  const failed = outcomes.filter((o) => o.failed);
  console.log(
    failed.length ? `chaos: FAILED (seeds ${failed.map((o) => o.seed).join(', ')})` : 'chaos: passed',
  );
  process.exitCode = failed.length ? 1 : 0;
}

function printOutcome(o: Outcome): void {
  const zero = (value: number): BenchRow['ok'] => value === 0;
  printTable(`chaos seed ${o.seed}: ${PEOPLE} people, SIGKILL at random moments`, [
    { metric: 'seed', value: String(o.seed) },
    { metric: 'kills', value: o.kills, target: `${KILLS}`, ok: o.kills === KILLS },
    { metric: 'requests (selfActivate, retries included)', value: o.requests },
    { metric: 'granted (people)', value: o.granted, target: `${PEOPLE}`, ok: o.granted === PEOPLE },
    { metric: 'granted only after the activation phase settled', value: o.grantedLate },
    { metric: 'lost (never granted, or a request stuck)', value: o.lost, target: '0', ok: zero(o.lost) },
    {
      metric: 'duplicated (granted/ended/mailed/audited twice)',
      value: o.duplicated,
      target: '0',
      ok: zero(o.duplicated),
    },
    { metric: 'lingering (memberships left behind)', value: o.lingering, target: '0', ok: zero(o.lingering) },
    {
      metric: 'baseline memberships removed',
      value: o.baselineTouched,
      target: '0',
      ok: zero(o.baselineTouched),
    },
    {
      metric: 'notices missing (granted or ended, not mailed)',
      value: o.missingNotices,
      target: '0',
      ok: zero(o.missingNotices),
    },
    { metric: 'client calls that got no answer (sent again)', value: o.unanswered },
    { metric: 'starts that failed and were tried again', value: o.failedStarts },
    { metric: 'mails checked / audit records checked', value: `${o.mails} / ${o.audits}` },
    { metric: 'time (s)', value: o.seconds },
    {
      metric: 'time per phase (s)',
      value: o.phases.map(([name, s]) => `${name} ${s.toFixed(0)}`).join(', '),
    },
    {
      metric: 'child start-up p50 / max (s)',
      value: `${o.startupP50.toFixed(1)} / ${o.startupMax.toFixed(1)}`,
    },
  ]);
}

main().then(
  () => process.exit(process.exitCode ?? 0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
