/**
 * What `@azure/cosmos` can rely on from the Cosmos DB stand-in, over HTTPS with the real SDK: the account document,
 * CRUD, ETag concurrency, partition-scoped and cross-partition queries with continuation tokens, patch and
 * all-or-nothing batches, TTL. The limits of the package underneath are noted where a test meets them.
 */
import type { Container } from '@azure/cosmos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers';
import { startCosmosFixture, statusOf, type CosmosFixture } from './cosmos-helpers';

interface Doc {
  id: string;
  pk: string;
  n: number;
  tags?: string[];
  x?: number;
  _etag?: string;
}

let fixture: CosmosFixture;
let container: Container;

beforeAll(async () => {
  fixture = await startCosmosFixture();
  const { database } = await fixture.client.databases.createIfNotExists({ id: 'sdk' });
  ({ container } = await database.containers.createIfNotExists({
    id: 'docs',
    partitionKey: { paths: ['/pk'] },
  }));
  for (let n = 0; n < 12; n++) {
    await container.items.create<Doc>({ id: `d${n}`, pk: n % 3 === 0 ? 'a' : 'b', n });
  }
});

afterAll(async () => {
  await fixture.dispose();
});

describe('Cosmos DB stand-in with @azure/cosmos', () => {
  it('serves the account document over trusted HTTPS, pointing the SDK back at itself', async () => {
    expect(fixture.standIn.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/$/);
    const account = (await (await fetch(fixture.standIn.endpoint)).json()) as {
      writableLocations: { databaseAccountEndpoint: string }[];
      readableLocations: { databaseAccountEndpoint: string }[];
    };
    expect(account.writableLocations.map((l) => l.databaseAccountEndpoint)).toEqual([
      fixture.standIn.endpoint,
    ]);
    expect(account.readableLocations.map((l) => l.databaseAccountEndpoint)).toEqual([
      fixture.standIn.endpoint,
    ]);
    const { resource } = await fixture.client.getDatabaseAccount();
    expect(resource?.writableLocations[0]?.databaseAccountEndpoint).toBe(fixture.standIn.endpoint);
  });

  it('creates, reads, replaces and deletes items, each in its partition', async () => {
    const { resource: created } = await container.items.create<Doc>({ id: 'crud', pk: 'c', n: 1 });
    expect(created?._etag).toBeTruthy();
    const { resource: read } = await container.item('crud', 'c').read<Doc>();
    expect(read).toMatchObject({ id: 'crud', pk: 'c', n: 1, _etag: created?._etag });
    expect((await container.item('crud', 'other').read()).statusCode).toBe(404);
    expect((await container.item('nope', 'c').read()).statusCode).toBe(404);

    const { resource: replaced } = await container
      .item('crud', 'c')
      .replace<Doc>({ id: 'crud', pk: 'c', n: 2 });
    expect(replaced?.n).toBe(2);
    expect(replaced?._etag).not.toBe(created?._etag);

    await expect(container.items.create({ id: 'crud', pk: 'c', n: 3 })).rejects.toMatchObject({ code: 409 });
    const { resource: upserted, statusCode } = await container.items.upsert<Doc>({
      id: 'crud',
      pk: 'c',
      n: 4,
    });
    expect([statusCode, upserted?.n]).toEqual([200, 4]);

    await container.item('crud', 'c').delete();
    expect((await container.item('crud', 'c').read()).statusCode).toBe(404);
    await expect(container.item('crud', 'c').delete()).rejects.toMatchObject({ code: 404 });
  });

  it('refuses writes with a stale ETag (412) and accepts the current one', async () => {
    const { resource: v1 } = await container.items.create<Doc>({ id: 'etag', pk: 'e', n: 1 });
    const stale = { accessCondition: { type: 'IfMatch', condition: v1?._etag ?? '' } };
    const { resource: v2 } = await container
      .item('etag', 'e')
      .replace<Doc>({ id: 'etag', pk: 'e', n: 2 }, stale);
    expect(v2?.n).toBe(2);

    const failures = await Promise.allSettled([
      container.item('etag', 'e').replace({ id: 'etag', pk: 'e', n: 3 }, stale),
      container.item('etag', 'e').patch([{ op: 'set', path: '/n', value: 3 }], stale),
      container.item('etag', 'e').delete(stale),
      container.items.upsert({ id: 'etag', pk: 'e', n: 3 }, stale),
    ]);
    expect(failures.map((f) => (f.status === 'rejected' ? statusOf(f.reason) : f.status))).toEqual([
      412, 412, 412, 412,
    ]);
    const { resource } = await container.item('etag', 'e').read<Doc>();
    expect(resource?.n).toBe(2);
    const current = { accessCondition: { type: 'IfMatch', condition: v2?._etag ?? '' } };
    await container.item('etag', 'e').delete(current);
  });

  it('lets exactly one of two writers holding the same ETag win', async () => {
    const { resource: v1 } = await container.items.create<Doc>({ id: 'race', pk: 'r', n: 0 });
    const options = { accessCondition: { type: 'IfMatch', condition: v1?._etag ?? '' } };
    const outcomes = await Promise.allSettled([
      container.item('race', 'r').replace({ id: 'race', pk: 'r', n: 1 }, options),
      container.item('race', 'r').replace({ id: 'race', pk: 'r', n: 2 }, options),
    ]);
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    const loser = outcomes.find((o) => o.status === 'rejected');
    expect(statusOf((loser as PromiseRejectedResult).reason)).toBe(412);
  });

  it('keeps a query with a partition key inside that partition', async () => {
    const query = {
      query: 'SELECT * FROM c WHERE c.n >= @min ORDER BY c.n DESC',
      parameters: [{ name: '@min', value: 3 }],
    };
    const { resources } = await container.items.query<Doc>(query, { partitionKey: 'a' }).fetchAll();
    expect(resources.map((d) => d.id)).toEqual(['d9', 'd6', 'd3']);
    const { resources: count } = await container.items
      .query<number>('SELECT VALUE COUNT(1) FROM c', { partitionKey: 'b' })
      .fetchAll();
    expect(count).toEqual([8]);
  });

  it('pages a query with continuation tokens, resumed by a new iterator', async () => {
    const pages: string[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await container.items
        .query<Doc>('SELECT * FROM c ORDER BY c.n', { partitionKey: 'b', maxItemCount: 3, continuationToken })
        .fetchNext();
      pages.push(page.resources.map((d) => d.id));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    expect(pages).toEqual([
      ['d1', 'd2', 'd4'],
      ['d5', 'd7', 'd8'],
      ['d10', 'd11'],
    ]);
  });

  it('runs cross-partition queries, ordered and paged, when asked', async () => {
    const { resources } = await container.items
      .query<Doc>('SELECT * FROM c WHERE STARTSWITH(c.id, "d") ORDER BY c.n DESC')
      .fetchAll();
    expect(resources.map((d) => d.n)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0]);

    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await container.items
        .query<Doc>('SELECT * FROM c WHERE STARTSWITH(c.id, "d") ORDER BY c.n', {
          maxItemCount: 5,
          continuationToken,
        })
        .fetchNext();
      seen.push(...page.resources.map((d) => d.id));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    expect(seen).toEqual(Array.from({ length: 12 }, (_, n) => `d${n}`));
  });

  it('rejects OFFSET/LIMIT, which the package query engine does not parse (use continuation tokens)', async () => {
    await expect(
      container.items
        .query('SELECT * FROM c ORDER BY c.n OFFSET 1 LIMIT 2', { partitionKey: 'a' })
        .fetchAll(),
    ).rejects.toMatchObject({ code: 400 });
    const { resources } = await container.items
      .query<Doc>('SELECT TOP 2 * FROM c ORDER BY c.n', { partitionKey: 'a' })
      .fetchAll();
    expect(resources.map((d) => d.id)).toEqual(['d0', 'd3']);
  });

  it('patches items, conditionally too', async () => {
    await container.items.create<Doc>({ id: 'patch', pk: 'p', n: 1, tags: ['x'] });
    const { resource } = await container.item('patch', 'p').patch<Doc>([
      { op: 'incr', path: '/n', value: 10 },
      { op: 'add', path: '/tags/-', value: 'y' },
      { op: 'set', path: '/x', value: 5 },
    ]);
    expect(resource).toMatchObject({ n: 11, tags: ['x', 'y'], x: 5 });
    await expect(
      container.item('patch', 'p').patch({
        condition: 'FROM c WHERE c.n = 0',
        operations: [{ op: 'set', path: '/x', value: 6 }],
      }),
    ).rejects.toMatchObject({ code: 412 });
  });

  it('runs a batch in one partition (create, upsert, replace, patch, delete, read)', async () => {
    await container.items.create<Doc>({ id: 'b-old', pk: 'batch', n: 0 });
    const response = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'b1', pk: 'batch', n: 1 } },
        { operationType: 'Upsert', resourceBody: { id: 'b2', pk: 'batch', n: 2 } },
        { operationType: 'Replace', id: 'b1', resourceBody: { id: 'b1', pk: 'batch', n: 10 } },
        {
          operationType: 'Patch',
          id: 'b2',
          resourceBody: { operations: [{ op: 'incr', path: '/n', value: 1 }] },
        },
        { operationType: 'Delete', id: 'b-old' },
        { operationType: 'Read', id: 'b1' },
      ],
      'batch',
    );
    expect(response.result?.map((r) => r.statusCode)).toEqual([201, 201, 200, 200, 204, 200]);
    expect((response.result?.[5]?.resourceBody as Doc | undefined)?.n).toBe(10);
    const { resources } = await container.items
      .query<Doc>('SELECT * FROM c ORDER BY c.id', { partitionKey: 'batch' })
      .fetchAll();
    expect(resources.map((d) => [d.id, d.n])).toEqual([
      ['b1', 10],
      ['b2', 3],
    ]);
  });

  it('applies a batch all or nothing: one failure (409, 412) rolls every operation back', async () => {
    const { resource: kept } = await container.items.create<Doc>({ id: 'keep', pk: 'tx', n: 1 });
    const conflict = await container.items.batch(
      [
        { operationType: 'Create', resourceBody: { id: 'new', pk: 'tx', n: 1 } },
        { operationType: 'Replace', id: 'keep', resourceBody: { id: 'keep', pk: 'tx', n: 2 } },
        { operationType: 'Create', resourceBody: { id: 'keep', pk: 'tx', n: 3 } },
      ],
      'tx',
    );
    expect(conflict.code).toBe(207);
    expect(conflict.result?.map((r) => r.statusCode)).toEqual([424, 424, 409]);

    const stale = await container.items.batch(
      [
        { operationType: 'Upsert', resourceBody: { id: 'other', pk: 'tx', n: 1 } },
        {
          operationType: 'Replace',
          id: 'keep',
          ifMatch: 'stale',
          resourceBody: { id: 'keep', pk: 'tx', n: 4 },
        },
        { operationType: 'Delete', id: 'keep' },
      ],
      'tx',
    );
    expect(stale.result?.map((r) => r.statusCode)).toEqual([424, 412, 424]);

    const { resources } = await container.items
      .query<Doc>('SELECT * FROM c', { partitionKey: 'tx' })
      .fetchAll();
    expect(resources.map((d) => [d.id, d.n, d._etag])).toEqual([['keep', 1, kept?._etag]]);
  });

  it('enforces unique keys within a partition', async () => {
    const { database } = await fixture.client.databases.createIfNotExists({ id: 'sdk' });
    const { container: users } = await database.containers.createIfNotExists({
      id: 'users',
      partitionKey: { paths: ['/tenant'] },
      uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/email'] }] },
    });
    await users.items.create({ id: '1', tenant: 't', email: 'a@example.com' });
    await expect(users.items.create({ id: '2', tenant: 't', email: 'a@example.com' })).rejects.toMatchObject({
      code: 409,
    });
    await users.items.create({ id: '3', tenant: 'u', email: 'a@example.com' });
  });

  it('expires documents by TTL: the container default, or their own ttl', async () => {
    const { database } = await fixture.client.databases.createIfNotExists({ id: 'sdk' });
    const { container: shortLived } = await database.containers.createIfNotExists({
      id: 'ttl',
      partitionKey: { paths: ['/pk'] },
      defaultTtl: 2,
    });
    const { container: optIn } = await database.containers.createIfNotExists({
      id: 'ttl-opt-in',
      partitionKey: { paths: ['/pk'] },
      defaultTtl: -1,
    });
    const { container: noTtl } = await database.containers.createIfNotExists({
      id: 'no-ttl',
      partitionKey: { paths: ['/pk'] },
    });
    await shortLived.items.create({ id: 'default', pk: 'p' });
    await shortLived.items.create({ id: 'forever', pk: 'p', ttl: -1 });
    await optIn.items.create({ id: 'own', pk: 'p', ttl: 1 });
    await optIn.items.create({ id: 'none', pk: 'p' });
    await noTtl.items.create({ id: 'ignored', pk: 'p', ttl: 1 });
    expect((await shortLived.item('default', 'p').read()).statusCode).toBe(200);

    await waitFor(
      'expiry',
      async () => {
        const gone = await Promise.all([
          shortLived.item('default', 'p').read(),
          optIn.item('own', 'p').read(),
        ]);
        return gone.every((r) => r.statusCode === 404) ? true : undefined;
      },
      10_000,
    );
    for (const [c, id] of [
      [shortLived, 'forever'],
      [optIn, 'none'],
      [noTtl, 'ignored'],
    ] as const) {
      expect((await c.item(id, 'p').read()).statusCode).toBe(200);
    }
  });
});
