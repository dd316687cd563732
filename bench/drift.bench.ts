/**
 * Drift benchmark (issue 5): 200 managed groups × 500 members in the Graph stand-in (seeded directly), brought
 * under management through the API; then a few members per group are added outside pimflow and three checks run
 * through `POST driftChecks` on the real clock: the first finds the drift, the second finds nothing new, the third
 * (with every group's removeMembersAddedOutsidePim on) removes it. Per check: wall time, Graph requests counted at
 * the stand-in, and differences found.
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
const GROUPS = Number(process.env.BENCH_DRIFT_GROUPS ?? 200);
const MEMBERS = Number(process.env.BENCH_DRIFT_MEMBERS ?? 500);
const OUTSIDE_PER_GROUP = 3;
const USERS = MEMBERS * 4;
const ADMIN_UPN = 'admin@pimflow.example';

interface CheckStats {
  label: string;
  ms: number;
  graphRequests: number;
  graphBatchSubRequests: number;
  totals: {
    groups: number;
    differences: number;
    newDifferences: number;
    removed: number;
    failedGroups: number;
  };
}

export async function runDriftBench(tls: TlsMaterial): Promise<void> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-drift-bench-'));
  const azurite = await ensureAzurite({
    location: path.join(dir, 'azurite'),
    blobPort: 21110,
    queuePort: 21111,
    tablePort: 21112,
  });
  const dev = await startDevEnvironment({
    dir: path.join(dir, 'standins'),
    tls,
    ports: { cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 },
  });
  const hub = `DriftBench${Date.now()}`;
  let rt: LocalRuntime | undefined;
  try {
    const groupIds = await seed(dev);
    rt = await startRuntime({
      appDir: ROOT,
      port: 0,
      hubName: hub,
      storageConnectionString: azurite.connectionString,
      settings: { PIMFLOW_TASK_HUB: hub },
      settingsFor: dev.settingsFor,
      log: () => undefined,
    });
    const api = await client(rt, dev);
    const manageStart = performance.now();
    await inParallel(groupIds, 10, async (groupId) => {
      await api('managedGroups', 'POST', { groupId }, 201);
    });
    const manageMs = performance.now() - manageStart;
    await addOutsideMembers(dev, groupIds);

    const first = await check(rt, dev, api, 'first check (finds the drift)');
    const second = await check(rt, dev, api, 'second check (nothing new)');
    await inParallel(groupIds, 10, async (groupId) => {
      await api(`managedGroups/${groupId}`, 'PATCH', { removeMembersAddedOutsidePim: true }, 200);
    });
    const third = await check(rt, dev, api, 'third check (removes what was added outside pimflow)');
    const expected = groupIds.length * OUTSIDE_PER_GROUP;

    const rows: BenchRow[] = [
      { metric: `bring ${groupIds.length} groups under management (s)`, value: manageMs / 1000 },
    ];
    for (const s of [first, second, third]) {
      rows.push(
        { metric: `${s.label}: wall time (s)`, value: s.ms / 1000 },
        {
          metric: `${s.label}: Graph requests ($batch sub-requests)`,
          value: `${s.graphRequests} (${s.graphBatchSubRequests})`,
        },
        {
          metric: `${s.label}: groups checked / differences / new / removed`,
          value: `${s.totals.groups} / ${s.totals.differences} / ${s.totals.newDifferences} / ${s.totals.removed}`,
        },
      );
    }
    rows.push(
      {
        metric: 'differences found vs added outside pimflow',
        value: `${first.totals.newDifferences} / ${expected}`,
        target: 'equal',
        ok: first.totals.newDifferences === expected,
      },
      {
        metric: 'Graph list requests per group (first check)',
        value: first.graphRequests / groupIds.length,
        target: '2 (members, owners; $top=999)',
        ok: first.graphRequests <= groupIds.length * 2,
      },
      {
        metric: 'removed vs added outside pimflow (third check)',
        value: `${third.totals.removed} / ${expected}`,
        target: 'equal',
        ok: third.totals.removed === expected,
      },
    );
    printTable(
      `Drift: ${groupIds.length} groups × ${MEMBERS} members, ${OUTSIDE_PER_GROUP} added outside pimflow per group (local runtime + stand-ins, ${os.cpus().length} cores)`,
      rows,
    );
  } finally {
    await rt?.stop();
    await dev.close();
    await azurite.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** USERS users and GROUPS groups of MEMBERS members each (overlapping slices), one owner each. */
async function seed(dev: DevEnvironment): Promise<string[]> {
  const now = new Date().toISOString();
  const users = Array.from({ length: USERS }, (_, i) => ({
    id: randomUUID(),
    userPrincipalName: `bench.user${i}@pimflow.example`,
    displayName: `Bench User ${i}`,
    givenName: null,
    surname: null,
    mail: `bench.user${i}@pimflow.example`,
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
  const groups = Array.from({ length: GROUPS }, (_, g) => {
    const offset = (g * 37) % (USERS - MEMBERS);
    const members = users.slice(offset, offset + MEMBERS).map((u) => u.id);
    return {
      id: randomUUID(),
      displayName: `Bench Group ${String(g).padStart(3, '0')}`,
      description: null,
      mailNickname: `bench-group-${g}`,
      mail: null,
      mailEnabled: false,
      securityEnabled: true,
      groupTypes: [],
      isAssignableToRole: false,
      visibility: null,
      members,
      owners: [members[0] as string],
      createdDateTime: now,
    };
  });
  await dev.graph.state.change((data) => {
    data.users.push(...users);
    data.groups.push(...groups);
  });
  return groups.map((g) => g.id);
}

/** After the baseline: a few users who were not members become members, straight in Graph. */
async function addOutsideMembers(dev: DevEnvironment, groupIds: string[]): Promise<void> {
  const users = dev.graph.state.users().filter((u) => u.userPrincipalName.startsWith('bench.user'));
  await dev.graph.state.change((data) => {
    for (const id of groupIds) {
      const group = data.groups.find((g) => g.id === id);
      if (!group) continue;
      const present = new Set(group.members);
      const outside = users.filter((u) => !present.has(u.id)).slice(0, OUTSIDE_PER_GROUP);
      group.members.push(...outside.map((u) => u.id));
    }
  });
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

async function check(rt: LocalRuntime, dev: DevEnvironment, api: Api, label: string): Promise<CheckStats> {
  await rt.waitForIdle();
  const before = dev.graph.requestCounts();
  const start = performance.now();
  const { id } = (await api('driftChecks', 'POST', undefined, 202)) as { id: string };
  for (;;) {
    const status = (await api(`driftChecks/${id}`, 'GET', undefined, 200)) as {
      status: string;
      totals: CheckStats['totals'];
    };
    if (status.status === 'failed') throw new Error(`Drift check ${id} failed`);
    if (status.status === 'completed') {
      const ms = performance.now() - start;
      const after = dev.graph.requestCounts();
      return {
        label,
        ms,
        graphRequests: after.requests - before.requests,
        graphBatchSubRequests: after.batchSubRequests - before.batchSubRequests,
        totals: status.totals,
      };
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
