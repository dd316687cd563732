/** The stand-in keeps its directory in its data file: changes survive a restart, and a crash (no clean close). */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { demoTenant, startGraphFixture, type GraphFixture } from './graph-fixture';

const t = demoTenant();
const dir = mkdtempSync(path.join(os.tmpdir(), 'pimflow-graph-persist-'));
const running: GraphFixture[] = [];

afterAll(async () => {
  for (const f of running) await f.close();
  rmSync(dir, { recursive: true, force: true });
});

async function start(): Promise<GraphFixture> {
  const f = await startGraphFixture({ dir });
  running.push(f);
  return f;
}

const signIn = async (f: GraphFixture): Promise<unknown> =>
  (await f.json<{ signInActivity: unknown }>(`/users/${t.user('admin')}?$select=signInActivity`))
    .signInActivity;

it('keeps changes across a crash and a restart, and seed times as first materialized', async () => {
  const first = await start();
  const group = t.group('Helpdesk Admin-Group');
  const liam = t.user('liam.obrien');
  expect(await first.directory().addMember(group, liam)).toBe('changed');
  expect(await first.directory().addOwner(group, t.user('daniel.kim'))).toBe('changed');
  const seededSignIn = await signIn(first);

  // A second stand-in on the same file while the first never shut down: what a SIGKILL leaves behind.
  await new Promise((resolve) => setTimeout(resolve, 20));
  const afterCrash = await start();
  expect(await afterCrash.ids(group, 'members')).toContain(liam);
  expect(await afterCrash.ids(group, 'owners')).toContain(t.user('daniel.kim'));
  expect(await signIn(afterCrash)).toEqual(seededSignIn);
  expect(await afterCrash.directory().removeMember(group, liam)).toBe('changed');

  await first.close();
  await afterCrash.close();
  const restarted = await start();
  expect(await restarted.ids(group, 'members')).not.toContain(liam);
  expect(await restarted.ids(group, 'owners')).toContain(t.user('daniel.kim'));
  expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
});
