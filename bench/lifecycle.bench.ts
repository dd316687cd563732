/**
 * Lifecycle benchmark (issue 5): 10,000 eligible assignments, created through the API, with ends staggered over a
 * year (20 to 365 days out), then a simulated year on the virtual clock. Every assignment should get its 14-day
 * and 1-day notices and expire (with its end notice) — counted in the mailbox, which must equal what is expected.
 * Reports the wall time to create them and to run the year.
 *
 * Two simplifications, both stated in the table: the clock moves in 1-hour steps (everything due within an hour
 * fires together, so nothing waits for the one before it), and durable timers are not split (as on the Durable
 * Task Scheduler, MSSQL or Netherite backends; on Azure Storage a year-long wait is ~120 three-day sub-timers, which
 * costs episodes but changes no outcome). The mail stand-in answers without ACS's 1-second Retry-After.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAzurite } from '../local/azurite';
import { startDevEnvironment, type DevEnvironment } from '../local/dev-environment';
import { startRuntime, type LocalRuntime } from '../local/runtime';
import type { TlsMaterial } from '../local/standins/tls';
import { printTable, type BenchRow } from './table';

const ROOT = path.resolve(__dirname, '..', '..');
const ASSIGNMENTS = Number(process.env.BENCH_LIFECYCLE_ASSIGNMENTS ?? 10_000);
const GROUPS = 20;
const IN_FLIGHT = 10;
const DAY_MS = 86_400_000;
const T0 = new Date('2026-03-02T09:00:00Z');
const ADMIN_UPN = 'admin@pimflow.example';
const BASE = 'identityGovernance/privilegedAccess/group';

export async function runLifecycleBench(tls: TlsMaterial): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-lifecycle-bench-'));
  const azurite = await ensureAzurite({
    location: path.join(dir, 'azurite'),
    blobPort: 21120,
    queuePort: 21121,
    tablePort: 21122,
  });
  const dev = await startDevEnvironment({
    dir: path.join(dir, 'standins'),
    tls,
    ports: { cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 },
    mailRetryAfterSeconds: 0,
  });
  const hub = `LifecycleBench${Date.now()}`;
  let rt: LocalRuntime | undefined;
  try {
    const { users, groups } = await seed(dev);
    rt = await startRuntime({
      appDir: ROOT,
      port: 0,
      hubName: hub,
      storageConnectionString: azurite.connectionString,
      settings: { PIMFLOW_TASK_HUB: hub },
      settingsFor: (origin) => ({
        ...dev.settingsFor(origin),
        // Only the assignees' notices: the admins' copies would double the mail without testing anything new.
        ADMIN_NOTIFICATION_RECIPIENTS: '',
        // Drift checks have their own bench; once a year here.
        DRIFT_CHECK_SCHEDULE: '0 0 0 1 1 *',
        // The reconciler has nothing to repair here (nothing crashes); daily, so a simulated year stays fast.
        RECONCILE_SCHEDULE: '0 0 3 * * *',
      }),
      virtualClock: T0,
      durableTimers: {
        maximumShortTimerDuration: '400.00:00:00',
        longRunningTimerIntervalDuration: '3.00:00:00',
      },
      log: () => undefined,
    });
    const api = await client(rt, dev);
    for (const groupId of groups) {
      await api('managedGroups', 'POST', { groupId }, 201);
      await quietAssignedNotices(api, groupId);
    }

    // Ends spread evenly from day 20 to day 365, on whole minutes: each gets both notices.
    const ends = users.map(
      (_, i) =>
        new Date(
          T0.getTime() + 20 * DAY_MS + Math.floor((i * 345 * DAY_MS) / users.length / 60_000) * 60_000,
        ),
    );
    const createStart = performance.now();
    await inParallel(
      users.map((u, i) => ({
        principalId: u,
        groupId: groups[i % groups.length] as string,
        end: ends[i] as Date,
      })),
      IN_FLIGHT,
      async (a) => {
        await api(
          `${BASE}/eligibilityScheduleRequests`,
          'POST',
          {
            action: 'adminAssign',
            accessId: 'member',
            groupId: a.groupId,
            principalId: a.principalId,
            justification: 'Bench rota',
            scheduleInfo: { expiration: { type: 'afterDateTime', endDateTime: a.end.toISOString() } },
          },
          201,
        );
      },
    );
    await rt.waitForIdle();
    const createMs = performance.now() - createStart;

    const yearStart = performance.now();
    await rt.advance('P366D', { step: 'PT1H' });
    const yearMs = performance.now() - yearStart;

    const subjects = dev.mail.summaries().map((m) => m.subject);
    const count = (pattern: RegExp) => subjects.filter((s) => pattern.test(s)).length;
    const fourteen = count(/ends in 14 days$/);
    const oneDay = count(/ends tomorrow$/);
    const ended = count(/has ended for /);
    const assigned = count(/is now eligible for/);
    const rows: BenchRow[] = [
      { metric: `create ${users.length} eligible assignments through the API (s)`, value: createMs / 1000 },
      { metric: 'create: assignments per second', value: users.length / (createMs / 1000) },
      { metric: 'simulated year on the virtual clock, 1-hour steps (s)', value: yearMs / 1000 },
      {
        metric: '14-day notices sent / expected',
        value: `${fourteen} / ${users.length}`,
        target: 'equal',
        ok: fourteen === users.length,
      },
      {
        metric: '1-day notices sent / expected',
        value: `${oneDay} / ${users.length}`,
        target: 'equal',
        ok: oneDay === users.length,
      },
      {
        metric: 'expiry notices sent / expected',
        value: `${ended} / ${users.length}`,
        target: 'equal',
        ok: ended === users.length,
      },
      {
        metric: '"assigned" notices (rule at Critical: none expected)',
        value: assigned,
        target: '0',
        ok: assigned === 0,
      },
    ];
    printTable(
      `Lifecycle: ${users.length} eligible assignments, ends over a year (local runtime + stand-ins, ${os.cpus().length} cores; clock in 1-hour steps, timers unsplit, mail without Retry-After)`,
      rows,
    );
  } finally {
    await rt?.stop();
    await dev.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ASSIGNMENTS users and GROUPS groups (each owned by the admin), straight into the Graph stand-in. */
async function seed(dev: DevEnvironment): Promise<{ users: string[]; groups: string[] }> {
  const now = T0.toISOString();
  const admin = dev.graph.state.users().find((u) => u.userPrincipalName === ADMIN_UPN);
  if (!admin) throw new Error('No demo admin');
  const users = Array.from({ length: ASSIGNMENTS }, (_, i) => ({
    id: randomUUID(),
    userPrincipalName: `lifecycle.user${i}@pimflow.example`,
    displayName: `Lifecycle User ${i}`,
    givenName: null,
    surname: null,
    mail: `lifecycle.user${i}@pimflow.example`,
    jobTitle: null,
    department: null,
    officeLocation: null,
    accountEnabled: true,
    managerId: null,
    createdDateTime: now,
    signInActivity: {
      lastSignInDateTime: null,
      lastNonInteractiveSignInDateTime: null,
      lastSuccessfulSignInDateTime: null,
    },
  }));
  const groups = Array.from({ length: GROUPS }, (_, g) => ({
    id: randomUUID(),
    displayName: `Lifecycle Group ${String(g).padStart(2, '0')}`,
    description: null,
    mailNickname: `lifecycle-group-${g}`,
    mail: null,
    mailEnabled: false,
    securityEnabled: true,
    groupTypes: [],
    isAssignableToRole: false,
    visibility: null,
    members: [],
    owners: [admin.id],
    createdDateTime: now,
  }));
  await dev.graph.state.change((data) => {
    data.users.push(...users);
    data.groups.push(...groups);
  });
  return { users: users.map((u) => u.id), groups: groups.map((g) => g.id) };
}

/** Sets the member role's requestor notification for eligible assignments to Critical: no "assigned" mail. */
async function quietAssignedNotices(api: Api, groupId: string): Promise<void> {
  const filter = encodeURIComponent(
    `scopeId eq '${groupId}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`,
  );
  const assignments = (await api(
    `policies/roleManagementPolicyAssignments?$filter=${filter}`,
    'GET',
    undefined,
    200,
  )) as {
    value: { policyId: string }[];
  };
  const policyId = assignments.value[0]?.policyId;
  if (!policyId) throw new Error(`No member policy for ${groupId}`);
  const url = `policies/roleManagementPolicies/${policyId}/rules/Notification_Requestor_Admin_Eligibility`;
  const rule = (await api(url, 'GET', undefined, 200)) as Record<string, unknown>;
  await api(url, 'PATCH', { ...rule, notificationLevel: 'Critical' }, 204);
}

type Api = (route: string, method: string, body: unknown, expectStatus: number) => Promise<unknown>;

async function client(rt: LocalRuntime, dev: DevEnvironment): Promise<Api> {
  const token = await dev.identity.issueUserToken({
    user: ADMIN_UPN,
    roles: ['PimFlow.Admin'],
    amr: ['pwd', 'mfa'],
  });
  return async (route, method, body, expectStatus) => {
    const res = await fetch(`${rt.urls.api}/${route}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== expectStatus) throw new Error(`${method} ${route} → ${res.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  };
}

async function inParallel<T>(items: T[], width: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}
