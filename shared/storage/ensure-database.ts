import type {
  CompositePath,
  ContainerDefinition,
  ContainerRequest,
  CosmosClient,
  Database,
} from '@azure/cosmos';
import { ContainerMismatchError } from './errors';
import { cosmosStatus } from './cosmos-status';

/** A container as the code declares it. */
export interface ContainerSpec {
  id: string;
  /** E.g. `/groupId`. Fixed for the container's life. */
  partitionKeyPath: `/${string}`;
  /** Each entry is one unique key (one or more paths), unique within a partition. Fixed for the container's life. */
  uniqueKeys?: string[][];
  /** Seconds after their last write that documents expire; -1 turns TTL on with no default (per-item `ttl`). */
  defaultTtl?: number;
  /** Composite indexes, needed by Cosmos DB for ORDER BY on more than one property. */
  compositeIndexes?: CompositePath[][];
}

/**
 * Creates the database and the containers it lacks; finds the others and checks they are as declared. Idempotent,
 * and safe when several instances start at once (a create that loses the race reads what the winner made).
 * A difference in partition key, unique keys or TTL throws: changing those is a migration, not a start-up step.
 */
export async function ensureDatabase(
  client: CosmosClient,
  databaseId: string,
  containers: readonly ContainerSpec[],
): Promise<Database> {
  await readOrCreate(
    () => client.database(databaseId).read(),
    () => client.databases.create({ id: databaseId }),
  );
  const database = client.database(databaseId);
  await Promise.all(
    containers.map(async (spec) => {
      const existing = await readOrCreate(
        () => database.container(spec.id).read(),
        () => database.containers.create(containerRequest(spec)),
      );
      const differences = compare(spec, existing);
      if (differences.length > 0) throw new ContainerMismatchError(spec.id, differences);
    }),
  );
  return database;
}

function containerRequest(spec: ContainerSpec): ContainerRequest {
  return {
    id: spec.id,
    partitionKey: { paths: [spec.partitionKeyPath] },
    ...(spec.uniqueKeys && { uniqueKeyPolicy: { uniqueKeys: spec.uniqueKeys.map((paths) => ({ paths })) } }),
    ...(spec.defaultTtl !== undefined && { defaultTtl: spec.defaultTtl }),
    ...(spec.compositeIndexes && { indexingPolicy: { compositeIndexes: spec.compositeIndexes } }),
  };
}

function compare(spec: ContainerSpec, actual: ContainerDefinition): string[] {
  const differences: string[] = [];
  const paths = actual.partitionKey?.paths ?? [];
  if (paths.length !== 1 || paths[0] !== spec.partitionKeyPath) {
    differences.push(`partition key ${JSON.stringify(paths)}, declared ["${spec.partitionKeyPath}"]`);
  }
  const declaredKeys = normalizeUniqueKeys(spec.uniqueKeys ?? []);
  const actualKeys = normalizeUniqueKeys((actual.uniqueKeyPolicy?.uniqueKeys ?? []).map((k) => k.paths));
  if (declaredKeys !== actualKeys) differences.push(`unique keys ${actualKeys}, declared ${declaredKeys}`);
  if (actual.defaultTtl !== spec.defaultTtl) {
    differences.push(`default TTL ${String(actual.defaultTtl)}, declared ${String(spec.defaultTtl)}`);
  }
  return differences;
}

function normalizeUniqueKeys(keys: string[][]): string {
  return JSON.stringify(keys.map((paths) => [...paths].sort()).sort());
}

async function readOrCreate<T>(
  read: () => Promise<{ resource?: T }>,
  create: () => Promise<{ resource?: T }>,
): Promise<T> {
  const found = await read().catch(ifStatus(404, undefined));
  if (found?.resource) return found.resource;
  const created = await create().catch(ifStatus(409, undefined)); // created meanwhile by another instance
  const resource = created?.resource ?? (await read()).resource;
  if (!resource) throw new Error('Cosmos DB returned no resource after a create');
  return resource;
}

function ifStatus<T>(status: number, value: T): (error: unknown) => T {
  return (error) => {
    if (cosmosStatus(error) === status) return value;
    throw error;
  };
}
