/**
 * The stand-in saves its directory asynchronously, grouping changes made while a save is in flight into the next
 * one: a change is answered only once it is on disk, there are fewer saves than changes, and every acknowledged
 * change is there for a second stand-in started on the same file while the first never shut down (a SIGKILL).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { open } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, expect, it, vi } from 'vitest';
import { DEMO_TENANT_FILE } from '../../local/standins/graph/demo-tenant';
import type { TenantData } from '../../local/standins/graph/tenant-data';
import { TenantStore } from '../../local/standins/graph/tenant-store';
import { startGraphFixture, type GraphFixture } from './graph-fixture';

const dirs: string[] = [];
const running: GraphFixture[] = [];

afterEach(() => vi.restoreAllMocks());
afterAll(async () => {
  for (const f of running) await f.close();
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-graph-commit-'));
  dirs.push(dir);
  return dir;
}

/** Counts fsyncs (files and folders) from here on. */
async function countFsyncs(): Promise<{ count: () => number }> {
  const probe = await open(path.join(tempDir(), 'probe'), 'w');
  const prototype = Object.getPrototypeOf(probe) as { sync: () => Promise<void> };
  await probe.close();
  const sync = vi.spyOn(prototype, 'sync');
  return { count: () => sync.mock.calls.length };
}

const onDisk = (file: string): TenantData => JSON.parse(readFileSync(file, 'utf8')) as TenantData;

it('groups concurrent changes into few saves, each acknowledged only once on disk', async () => {
  const file = path.join(tempDir(), 'graph.json');
  const store = TenantStore.open(file, DEMO_TENANT_FILE, new Date());
  const group = store.groups()[0]?.id ?? '';
  const members = store.users().map((u) => u.id);
  const fsyncs = await countFsyncs();

  const acknowledged: string[] = [];
  const unsavedWhenAcknowledged: string[] = [];
  await Promise.all(
    members.map(async (id) => {
      await store.change((d) => d.groups.find((g) => g.id === group)?.members.push(id));
      acknowledged.push(id);
      // The file says so as the answer goes out.
      if (
        !onDisk(file)
          .groups.find((g) => g.id === group)
          ?.members.includes(id)
      )
        unsavedWhenAcknowledged.push(id);
    }),
  );

  expect(members.length).toBeGreaterThan(10);
  expect(acknowledged).toHaveLength(members.length);
  expect(unsavedWhenAcknowledged).toEqual([]);
  expect(fsyncs.count()).toBeGreaterThan(0);
  expect(fsyncs.count()).toBeLessThan(members.length); // a file and a folder fsync per save: grouped

  const reopened = TenantStore.open(file, DEMO_TENANT_FILE, new Date());
  expect(reopened.group(group)?.members).toEqual(expect.arrayContaining(members));
  await store.saved();
});

it('answers reads without waiting for a save in flight', async () => {
  const file = path.join(tempDir(), 'graph.json');
  const store = TenantStore.open(file, DEMO_TENANT_FILE, new Date());
  const saving = store.change((d) => d.groups[0]?.owners.push(d.users[0]?.id ?? ''));
  let saved = false;
  void saving.then(() => (saved = true));
  expect(await store.durably(() => store.users().length)).toBeGreaterThan(0);
  expect(saved).toBe(false);
  await saving;
});

it('keeps every acknowledged change of many concurrent requests across a crash', async () => {
  const dir = tempDir();
  const first = await startGraphFixture({ dir });
  running.push(first);
  const count = 60;
  const created = await Promise.all(
    Array.from({ length: count }, async (_, i) => {
      const res = await first.http('/users', {
        method: 'POST',
        body: JSON.stringify({
          userPrincipalName: `burst${i}@contoso.example.com`,
          displayName: `Burst ${i}`,
          mailNickname: `burst${i}`,
          accountEnabled: true,
        }),
      });
      expect(res.status).toBe(201);
      const { id } = (await res.json()) as { id: string };
      // Answered: so already in the data file.
      expect(onDisk(first.dataFile).users.map((u) => u.id)).toContain(id);
      return id;
    }),
  );

  // A second stand-in on the same file while the first never shut down: what a SIGKILL leaves behind.
  const afterCrash = await startGraphFixture({ dir });
  running.push(afterCrash);
  const users = afterCrash.standIn.state.users().map((u) => u.id);
  expect(users).toEqual(expect.arrayContaining(created));
});
