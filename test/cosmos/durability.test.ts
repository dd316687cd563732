/**
 * The stand-in's journal: what a client was told survives a SIGKILL of the stand-in's process right after, with
 * the same ETags (a stale one still conflicts, the current one still wins), ids never reused, a torn last line
 * ignored, and the journal compacted at start.
 */
import { CosmosClient, type Container } from '@azure/cosmos';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startChildProcess } from '../../bench/child-process';
import { COSMOS_EMULATOR_KEY, startCosmosStandIn } from '../../local/standins/cosmos/cosmos-stand-in';
import { testTls } from '../helpers';
import { tempJournal } from './cosmos-helpers';

const CHILD = path.join(__dirname, 'child', 'cosmos-stand-in-child.js');

interface Doc {
  id: string;
  pk: string;
  n: number;
  _rid?: string;
  _etag?: string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Starts the stand-in in a child process; `kill()` SIGKILLs it (no flush, no close: a crash). */
async function startChild(journalFile: string): Promise<{ client: CosmosClient; kill(): Promise<void> }> {
  const child = await startChildProcess({ script: CHILD, args: [journalFile], ready: /^cosmos: (\S+)$/m });
  cleanups.push(() => child.kill());
  const client = new CosmosClient({ endpoint: child.ready[1] as string, key: COSMOS_EMULATOR_KEY });
  cleanups.push(() => client.dispose());
  return { client, kill: () => child.kill() };
}

async function startInProcess(journalFile: string): Promise<Container> {
  const standIn = await startCosmosStandIn({ tls: testTls(), journalFile });
  const client = new CosmosClient({ endpoint: standIn.endpoint, key: standIn.key });
  cleanups.push(() => standIn.close());
  cleanups.push(() => client.dispose());
  return client.database('app').container('docs');
}

async function createContainer(client: CosmosClient): Promise<Container> {
  const { database } = await client.databases.createIfNotExists({ id: 'app' });
  const { container } = await database.containers.createIfNotExists({
    id: 'docs',
    partitionKey: { paths: ['/pk'] },
  });
  return container;
}

function journalDir(): string {
  const journal = tempJournal();
  cleanups.push(() => journal.remove());
  return journal.journalFile;
}

describe('Cosmos DB stand-in durability', () => {
  it('keeps every acknowledged write, with its ETag, across a SIGKILL', async () => {
    const journalFile = journalDir();
    const first = await startChild(journalFile);
    const container = await createContainer(first.client);
    for (let n = 0; n < 20; n++) await container.items.create<Doc>({ id: `d${n}`, pk: `p${n % 4}`, n });
    const { resource: v1 } = await container.item('d1', 'p1').read<Doc>();
    const { resource: v2 } = await container.item('d1', 'p1').replace<Doc>({ id: 'd1', pk: 'p1', n: 100 });
    await container.item('d2', 'p2').delete();
    await container.item('d3', 'p3').patch([{ op: 'set', path: '/n', value: 300 }]);
    await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'b1', pk: 'p0', n: 1 } },
        { operationType: 'Delete', id: 'd4' },
      ],
      'p0',
    );
    await container.scripts.userDefinedFunctions.create({
      id: 'double',
      body: 'function (n) { return n * 2; }',
    });
    const { database } = await first.client.databases.createIfNotExists({ id: 'app' });
    const { container: temp } = await database.containers.create({
      id: 'temp',
      partitionKey: { paths: ['/pk'] },
    });
    await temp.items.create({ id: 'gone', pk: 'x' });
    await temp.delete();
    const { resource: last } = await container.items.create<Doc>({ id: 'last', pk: 'p0', n: -1 });
    await first.kill(); // straight after the last acknowledgement

    const restarted = await startInProcess(journalFile);
    const { resources } = await restarted.items.query<Doc>('SELECT * FROM c ORDER BY c.id').fetchAll();
    expect(resources.map((d) => d.id).sort()).toEqual(
      [
        ...Array.from({ length: 20 }, (_, n) => `d${n}`).filter((id) => id !== 'd2' && id !== 'd4'),
        'b1',
        'last',
      ].sort(),
    );
    expect((await restarted.item('last', 'p0').read<Doc>()).resource).toMatchObject({ _etag: last?._etag });
    expect((await restarted.item('d3', 'p3').read<Doc>()).resource?.n).toBe(300);

    const { resource: d1 } = await restarted.item('d1', 'p1').read<Doc>();
    expect(d1).toMatchObject({ n: 100, _etag: v2?._etag, _rid: v2?._rid, _ts: v2?._ts });
    const ifMatch = (etag: string | undefined) => ({
      accessCondition: { type: 'IfMatch', condition: etag ?? '' },
    });
    await expect(
      restarted.item('d1', 'p1').replace({ id: 'd1', pk: 'p1', n: 1 }, ifMatch(v1?._etag)),
    ).rejects.toMatchObject({ code: 412 });
    const { resource: v3 } = await restarted
      .item('d1', 'p1')
      .replace<Doc>({ id: 'd1', pk: 'p1', n: 101 }, ifMatch(v2?._etag));
    expect(v3?.n).toBe(101);

    const { resources: doubled } = await restarted.items
      .query<number>('SELECT VALUE udf.double(c.n) FROM c WHERE c.id = "d5"', { partitionKey: 'p1' })
      .fetchAll();
    expect(doubled).toEqual([10]);
    await expect(restarted.database.container('temp').read()).rejects.toMatchObject({ code: 404 });

    // New items get new resource ids: nothing already stored is overwritten.
    for (let n = 0; n < 5; n++) await restarted.items.create<Doc>({ id: `new${n}`, pk: 'p0', n });
    const { resources: all } = await restarted.items.query<Doc>('SELECT * FROM c').fetchAll();
    expect(all).toHaveLength(resources.length + 5);
    expect(new Set(all.map((d) => d._rid)).size).toBe(all.length);
  });

  it('keeps every write acknowledged before a SIGKILL that lands amid concurrent writes', async () => {
    const journalFile = journalDir();
    const child = await startChild(journalFile);
    const container = await createContainer(child.client);
    const acknowledged: string[] = [];
    const writes = Array.from({ length: 60 }, (_, n) =>
      container.items.create<Doc>({ id: `c${n}`, pk: `p${n % 5}`, n }).then(
        () => {
          acknowledged.push(`c${n}`);
          if (acknowledged.length === 30) void child.kill();
        },
        () => undefined, // in flight when the process died
      ),
    );
    await Promise.all(writes);
    await child.kill();
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);

    const restarted = await startInProcess(journalFile);
    const { resources } = await restarted.items.query<Doc>('SELECT c.id FROM c').fetchAll();
    const stored = new Set(resources.map((d) => d.id));
    expect(acknowledged.filter((id) => !stored.has(id))).toEqual([]);
  });

  it('ignores a torn last line and compacts the journal at start', async () => {
    const journalFile = journalDir();
    const child = await startChild(journalFile);
    const container = await createContainer(child.client);
    for (let n = 0; n < 5; n++) await container.items.upsert<Doc>({ id: 'same', pk: 'p', n });
    await child.kill();
    const before = readFileSync(journalFile, 'utf8');
    appendFileSync(journalFile, '[{"op":"set","at":{"kind":"docu'); // a write cut short by the crash

    const restarted = await startInProcess(journalFile);
    expect((await restarted.item('same', 'p').read<Doc>()).resource?.n).toBe(4);
    const versions = (journal: string) => journal.match(/"id":"same"/g)?.length;
    const after = readFileSync(journalFile, 'utf8');
    expect([versions(before), versions(after)]).toEqual([5, 1]);
    expect(after.endsWith('\n')).toBe(true);
    for (const line of after.trimEnd().split('\n')) expect(() => JSON.parse(line) as unknown).not.toThrow();
  });

  it('refuses to start from a journal damaged before its last line', async () => {
    const journalFile = journalDir();
    writeFileSync(journalFile, 'not json\n[]\n');
    await expect(startCosmosStandIn({ tls: testTls(), journalFile })).rejects.toThrow(
      /line 1 is not valid JSON/,
    );
  });

  it('lets one stand-in at a time use a journal, and takes over the lock of a process that died', async () => {
    const journalFile = journalDir();
    const child = await startChild(journalFile);
    await expect(startCosmosStandIn({ tls: testTls(), journalFile })).rejects.toThrow(/in use by process/);
    await child.kill();
    const standIn = await startCosmosStandIn({ tls: testTls(), journalFile });
    await standIn.close();
    const again = await startCosmosStandIn({ tls: testTls(), journalFile });
    await again.close();
  });

  it("keeps a container's documents when its definition is replaced, before and after a restart", async () => {
    const journalFile = journalDir();
    const first = await startCosmosStandIn({ tls: testTls(), journalFile });
    const client = new CosmosClient({ endpoint: first.endpoint, key: first.key });
    const container = await createContainer(client);
    await container.items.create<Doc>({ id: 'kept', pk: 'p', n: 1 });
    const { resource: definition } = await container.read();
    await container.replace({ ...definition, id: 'docs', partitionKey: { paths: ['/pk'] }, defaultTtl: -1 });
    expect((await container.item('kept', 'p').read<Doc>()).resource?.n).toBe(1);
    await container.items.create<Doc>({ id: 'added', pk: 'p', n: 2 });
    client.dispose();
    await first.close();

    const restarted = await startInProcess(journalFile);
    expect((await restarted.read()).resource?.defaultTtl).toBe(-1);
    const { resources } = await restarted.items
      .query<Doc>('SELECT * FROM c', { partitionKey: 'p' })
      .fetchAll();
    expect(resources.map((d) => d.id).sort()).toEqual(['added', 'kept']);
  });
});
