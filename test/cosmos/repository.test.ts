/**
 * The app's Cosmos DB foundation (shared/storage) against the stand-in with the real SDK: the client factory,
 * ensureDatabase, the generic repository and ManagedGroupRepository.
 */
import type { Container, CosmosClient } from '@azure/cosmos';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { appContainers } from '../../shared/storage/containers';
import { createCosmosClient } from '../../shared/storage/cosmos-client';
import { CosmosRepository } from '../../shared/storage/cosmos-repository';
import { ensureDatabase, type ContainerSpec } from '../../shared/storage/ensure-database';
import {
  AlreadyExistsError,
  ConcurrencyConflictError,
  ContainerMismatchError,
  InvalidDocumentError,
  NotFoundError,
  StorageConfigurationError,
} from '../../shared/storage/errors';
import type { ManagedGroup } from '../../shared/managed-groups/domain/managed-group';
import {
  ManagedGroupRepository,
  managedGroupsContainer,
} from '../../shared/managed-groups/adapters/managed-group-repository';
import { startCosmosFixture, type CosmosFixture } from './cosmos-helpers';

let fixture: CosmosFixture;
let client: CosmosClient;

beforeAll(async () => {
  fixture = await startCosmosFixture();
  client = createCosmosClient({ endpoint: fixture.standIn.endpoint, key: fixture.standIn.key });
});

afterAll(async () => {
  client.dispose();
  await fixture.dispose();
});

function group(displayName: string, groupId: string = randomUUID()): ManagedGroup {
  return {
    id: groupId,
    groupId,
    displayName,
    managedSince: '2025-01-01T00:00:00.000Z',
    managedBy: '00000000-0000-4000-8000-000000000001',
    settings: { roles: ['member', 'owner'] },
  };
}

describe('createCosmosClient', () => {
  it('takes exactly one of a key and a credential', () => {
    const endpoint = fixture.standIn.endpoint;
    const credential = { getToken: () => Promise.resolve(null) };
    expect(() => createCosmosClient({ endpoint })).toThrow(StorageConfigurationError);
    expect(() => createCosmosClient({ endpoint, key: 'k', credential })).toThrow(StorageConfigurationError);
    createCosmosClient({ endpoint, credential }).dispose();
  });
});

describe('ensureDatabase', () => {
  const specs: ContainerSpec[] = [
    { id: 'plain', partitionKeyPath: '/pk' },
    { id: 'unique', partitionKeyPath: '/tenant', uniqueKeys: [['/email'], ['/a', '/b']], defaultTtl: -1 },
  ];

  it('creates what is missing, concurrently from several instances, and is idempotent', async () => {
    await Promise.all(Array.from({ length: 5 }, () => ensureDatabase(client, 'ensure', specs)));
    const database = await ensureDatabase(client, 'ensure', specs);
    const { resources } = await database.containers.readAll().fetchAll();
    expect(resources.map((c) => c.id).sort()).toEqual(['plain', 'unique']);
    const { resource } = await database.container('unique').read();
    expect(resource).toMatchObject({
      partitionKey: { paths: ['/tenant'] },
      uniqueKeyPolicy: { uniqueKeys: [{ paths: ['/email'] }, { paths: ['/a', '/b'] }] },
      defaultTtl: -1,
    });
  });

  it('keeps existing data and refuses a container whose definition changed', async () => {
    const database = await ensureDatabase(client, 'ensure2', specs);
    await database.container('plain').items.create({ id: 'kept', pk: 'x' });
    await ensureDatabase(client, 'ensure2', specs);
    expect((await database.container('plain').item('kept', 'x').read()).resource).toBeDefined();

    const changed: ContainerSpec[] = [{ id: 'plain', partitionKeyPath: '/other', defaultTtl: 60 }];
    const error = await ensureDatabase(client, 'ensure2', changed).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContainerMismatchError);
    expect((error as ContainerMismatchError).differences).toHaveLength(2);
    await expect(
      ensureDatabase(client, 'ensure2', [{ id: 'unique', partitionKeyPath: '/tenant', defaultTtl: -1 }]),
    ).rejects.toThrow(/unique keys/);
  });
});

describe('CosmosRepository', () => {
  const noteSchema = z.object({ id: z.string(), tenant: z.string(), n: z.number().int() });
  type Note = z.infer<typeof noteSchema>;
  let notes: CosmosRepository<Note>;
  let container: Container;

  beforeAll(async () => {
    const database = await ensureDatabase(client, 'repo', [{ id: 'notes', partitionKeyPath: '/tenant' }]);
    container = database.container('notes');
    notes = new CosmosRepository({ container, schema: noteSchema, partitionKeyOf: (note) => note.tenant });
    for (let n = 0; n < 7; n++) {
      await notes.create({ id: `a${n}`, tenant: 'a', n });
      await notes.create({ id: `b${n}`, tenant: 'b', n });
    }
  });

  it('reads typed documents with their ETag, and nothing of Cosmos DB system properties else', async () => {
    const note = await notes.get('a1', 'a');
    expect(Object.keys(note).sort()).toEqual(['_etag', 'id', 'n', 'tenant']);
    expect(await notes.find('a1', 'b')).toBeUndefined();
    await expect(notes.get('zz', 'a')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('pages a query inside one partition with continuation tokens', async () => {
    const seen: number[][] = [];
    let continuationToken: string | undefined;
    do {
      const page = await notes.queryPage(
        'SELECT * FROM c WHERE c.n >= @min ORDER BY c.n DESC',
        { min: 1 },
        { partitionKey: 'a', pageSize: 4, continuationToken },
      );
      seen.push(page.items.map((note) => note.n));
      expect(page.items.every((note) => note.tenant === 'a' && note._etag)).toBe(true);
      continuationToken = page.continuationToken;
    } while (continuationToken);
    expect(seen).toEqual([
      [6, 5, 4, 3],
      [2, 1],
    ]);
  });

  it('counts matching documents in one partition and across partitions', async () => {
    expect(await notes.count('c.n >= @min', { min: 2 }, { partitionKey: 'a' })).toBe(5);
    expect(await notes.count('c.n >= @min', { min: 2 }, { crossPartition: true })).toBe(10);
    expect(await notes.count('c.n > @max', { max: 99 }, { crossPartition: true })).toBe(0);
  });

  it('orders across partitions, ascending, page by page', async () => {
    const seen: string[] = [];
    let continuationToken: string | undefined;
    do {
      const page = await notes.queryPage(
        'SELECT * FROM c WHERE c.n < 3 ORDER BY c.id ASC',
        {},
        {
          crossPartition: true,
          pageSize: 2,
          continuationToken,
        },
      );
      seen.push(...page.items.map((note) => note.id));
      continuationToken = page.continuationToken;
    } while (continuationToken);
    expect(seen).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
  });

  it('validates on write and on read', async () => {
    await expect(notes.create({ id: 'bad', tenant: 'a', n: 1.5 })).rejects.toBeInstanceOf(
      InvalidDocumentError,
    );
    await container.items.create({ id: 'hand', tenant: 'a', n: 'not a number' });
    const error = await notes.get('hand', 'a').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidDocumentError);
    expect((error as InvalidDocumentError).ref).toEqual({
      container: 'notes',
      id: 'hand',
      partitionKey: 'a',
    });
    await notes.delete('hand', 'a');
  });

  it('upserts, and deletes only at the expected ETag when one is given', async () => {
    const v1 = await notes.upsert({ id: 'u', tenant: 'c', n: 1 });
    const v2 = await notes.upsert({ ...v1, n: 2 });
    await expect(notes.delete('u', 'c', v1._etag)).rejects.toBeInstanceOf(ConcurrencyConflictError);
    await notes.delete('u', 'c', v2._etag);
    await expect(notes.delete('u', 'c')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('ManagedGroupRepository', () => {
  let groups: ManagedGroupRepository;

  beforeAll(async () => {
    const database = await ensureDatabase(client, 'pimflow', appContainers);
    groups = new ManagedGroupRepository(database.container(managedGroupsContainer.id));
  });

  it('brings a group under management once, reads, updates and releases it', async () => {
    const added = await groups.add(group('Finance admins'));
    expect(await groups.get(added.groupId)).toEqual(added);
    await expect(groups.add(group('Again', added.groupId))).rejects.toBeInstanceOf(AlreadyExistsError);

    const updated = await groups.replace({ ...added, settings: { roles: ['member'] } }, added._etag);
    expect(updated.settings.roles).toEqual(['member']);
    expect(updated._etag).not.toBe(added._etag);

    await groups.remove(added.groupId, updated._etag);
    expect(await groups.find(added.groupId)).toBeUndefined();
    await expect(groups.get(added.groupId)).rejects.toBeInstanceOf(NotFoundError);
    await expect(groups.replace(added, updated._etag)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('lets one of two administrators editing the same version win; the other gets a conflict', async () => {
    const added = await groups.add(group('Contested'));
    const [first, second] = await Promise.allSettled([
      groups.replace({ ...added, displayName: 'Contested (A)' }, added._etag),
      groups.replace({ ...added, displayName: 'Contested (B)' }, added._etag),
    ]);
    const outcomes = [first, second].map((o) => o?.status);
    expect(outcomes.sort()).toEqual(['fulfilled', 'rejected']);
    const loser = [first, second].find((o) => o?.status === 'rejected') as PromiseRejectedResult;
    expect(loser.reason).toBeInstanceOf(ConcurrencyConflictError);
    const winner = [first, second].find(
      (o) => o?.status === 'fulfilled',
    ) as PromiseFulfilledResult<ManagedGroup>;
    expect((await groups.get(added.groupId)).displayName).toBe(winner.value.displayName);
    await expect(groups.remove(added.groupId, added._etag)).rejects.toBeInstanceOf(ConcurrencyConflictError);
  });

  it('refuses a group whose id is not its group id', async () => {
    await expect(groups.add({ ...group('Odd'), id: randomUUID() })).rejects.toBeInstanceOf(
      InvalidDocumentError,
    );
  });

  it('lists every managed group across partitions, by display name, page by page', async () => {
    const names = ['Zeta', 'Alpha', 'Mu', 'Beta', 'Omega', 'Kappa', 'Delta'];
    for (const name of names) await groups.add(group(`List ${name}`));
    const listed: string[] = [];
    let continuationToken: string | undefined;
    let pages = 0;
    do {
      const page = await groups.listAll({ pageSize: 3, continuationToken });
      listed.push(...page.items.map((g) => g.displayName));
      continuationToken = page.continuationToken;
      pages++;
    } while (continuationToken);
    expect(listed.filter((name) => name.startsWith('List '))).toEqual(names.map((n) => `List ${n}`).sort());
    expect(pages).toBeGreaterThan(1);
  });
});
