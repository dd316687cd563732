/**
 * A small generic base for repositories over one Cosmos DB container: documents typed by a zod schema (checked on
 * write and on read), point operations, optimistic concurrency by ETag, and paged queries that stay in one
 * partition unless the caller asks for a cross-partition one (so hot paths cost what they should).
 */
import type { Container, ItemDefinition, JSONValue, SqlParameter } from '@azure/cosmos';
import { z } from 'zod';
import { cosmosStatus } from './cosmos-status';
import type { Page, PageRequest, Stored } from './stored';
import {
  AlreadyExistsError,
  ConcurrencyConflictError,
  InvalidDocumentError,
  NotFoundError,
  type DocumentRef,
} from './errors';

export type { Page, PageRequest, Stored } from './stored';

/** Where a query runs: one partition (the default, and the rule on hot paths), or all of them, on purpose. */
export type QueryScope = { partitionKey: string } | { crossPartition: true };

/** Query parameters by name, with or without the leading `@`. */
export type QueryParameters = Record<string, JSONValue>;

export interface CosmosRepositoryOptions<T> {
  container: Container;
  schema: z.ZodType<T>;
  partitionKeyOf(document: T): string;
}

const SYSTEM_PROPERTIES = ['_rid', '_self', '_etag', '_ts', '_attachments', '_lsn'];

export class CosmosRepository<T extends { id: string }> {
  private readonly container: Container;
  private readonly schema: z.ZodType<T>;
  private readonly partitionKeyOf: (document: T) => string;

  constructor(options: CosmosRepositoryOptions<T>) {
    this.container = options.container;
    this.schema = options.schema;
    this.partitionKeyOf = options.partitionKeyOf;
  }

  /** The document, or undefined if there is none. */
  async find(id: string, partitionKey: string): Promise<Stored<T> | undefined> {
    const ref = this.ref(id, partitionKey);
    const { resource } = await this.call(ref, () =>
      this.container.item(id, partitionKey).read<ItemDefinition>(),
    );
    return resource ? this.fromStored(resource, ref) : undefined;
  }

  /** The document; NotFoundError if there is none. */
  async get(id: string, partitionKey: string): Promise<Stored<T>> {
    const found = await this.find(id, partitionKey);
    if (!found) throw new NotFoundError(this.ref(id, partitionKey));
    return found;
  }

  /** Creates the document; AlreadyExistsError if its id (or a unique key) is taken in its partition. */
  async create(document: T): Promise<Stored<T>> {
    const body = this.toStored(document);
    const ref = this.refOf(body);
    const { resource } = await this.call(ref, () => this.container.items.create<ItemDefinition>(body));
    return this.fromStored(this.written(resource, ref), ref);
  }

  /**
   * Replaces the document if it is still at `etag`: ConcurrencyConflictError if someone changed it since,
   * NotFoundError if it is gone.
   */
  async replace(document: T, etag: string): Promise<Stored<T>> {
    const body = this.toStored(document);
    const ref = this.refOf(body);
    const { resource } = await this.call(ref, () =>
      this.container
        .item(body.id, ref.partitionKey)
        .replace<ItemDefinition>(body, { accessCondition: { type: 'IfMatch', condition: etag } }),
    );
    return this.fromStored(this.written(resource, ref), ref);
  }

  /**
   * Read-modify-write under optimistic concurrency: reads the document, applies `change` (undefined: nothing to
   * do), replaces it at the ETag it was read at, and starts over when someone else wrote in between. NotFoundError
   * if the document is gone.
   */
  async update(
    id: string,
    partitionKey: string,
    change: (current: Stored<T>) => T | undefined,
    maxAttempts = 8,
  ): Promise<{ document: Stored<T>; changed: boolean }> {
    for (let attempt = 0; attempt < maxAttempts; attempt++) {
      const current = await this.get(id, partitionKey);
      const next = change(current);
      if (!next) return { document: current, changed: false };
      try {
        return { document: await this.replace(next, current._etag), changed: true };
      } catch (err) {
        if (!(err instanceof ConcurrencyConflictError)) throw err;
      }
    }
    throw new Error(`${id} keeps changing; gave up after ${maxAttempts} attempts`);
  }

  /** Creates or overwrites the document, whatever its current state: only where last-writer-wins is right. */
  async upsert(document: T): Promise<Stored<T>> {
    const body = this.toStored(document);
    const ref = this.refOf(body);
    const { resource } = await this.call(ref, () => this.container.items.upsert<ItemDefinition>(body));
    return this.fromStored(this.written(resource, ref), ref);
  }

  /** Deletes the document (only if still at `etag`, when given); NotFoundError if it is gone. */
  async delete(id: string, partitionKey: string, etag?: string): Promise<void> {
    const options = etag === undefined ? {} : { accessCondition: { type: 'IfMatch', condition: etag } };
    await this.call(this.ref(id, partitionKey), () => this.container.item(id, partitionKey).delete(options));
  }

  /**
   * One page of whole documents (`SELECT * FROM c ...`) matching the query. Scope is required: a partition key,
   * or `crossPartition: true` for the rare query that must see every partition (admin lists, exports).
   */
  async queryPage(
    query: string,
    parameters: QueryParameters,
    options: QueryScope & PageRequest,
  ): Promise<Page<Stored<T>>> {
    const iterator = this.container.items.query<ItemDefinition>(
      { query, parameters: toSqlParameters(parameters) },
      {
        maxItemCount: options.pageSize ?? 100,
        continuationToken: options.continuationToken,
        ...('partitionKey' in options ? { partitionKey: options.partitionKey } : {}),
      },
    );
    // A page can come back empty while more follow (Cosmos DB stops at its time and RU budget): go on.
    let page = await iterator.fetchNext();
    while (page.resources.length === 0 && page.continuationToken && iterator.hasMoreResults()) {
      page = await iterator.fetchNext();
    }
    const partitionKey = 'partitionKey' in options ? options.partitionKey : undefined;
    return {
      items: page.resources.map((resource) =>
        this.fromStored(resource, this.ref(String(resource.id), partitionKey)),
      ),
      ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
    };
  }

  /**
   * How many documents match `where` (the condition after `WHERE`), in the scope given: `SELECT VALUE COUNT(1)`,
   * summed over what the SDK answers (one number per partition range, or one already summed).
   */
  async count(where: string, parameters: QueryParameters, scope: QueryScope): Promise<number> {
    const { resources } = await this.container.items
      .query<number>(
        { query: `SELECT VALUE COUNT(1) FROM c WHERE ${where}`, parameters: toSqlParameters(parameters) },
        'partitionKey' in scope ? { partitionKey: scope.partitionKey } : {},
      )
      .fetchAll();
    return resources.reduce((sum, n) => sum + n, 0);
  }

  private toStored(document: T): T {
    const parsed = this.schema.safeParse(stripSystemProperties(document));
    if (!parsed.success) throw new InvalidDocumentError(this.ref(document.id), z.prettifyError(parsed.error));
    return parsed.data;
  }

  private fromStored(resource: ItemDefinition, ref: DocumentRef): Stored<T> {
    const parsed = this.schema.safeParse(stripSystemProperties(resource));
    if (!parsed.success) throw new InvalidDocumentError(ref, z.prettifyError(parsed.error));
    return { ...parsed.data, _etag: String(resource._etag) };
  }

  private written(resource: ItemDefinition | undefined, ref: DocumentRef): ItemDefinition {
    if (!resource) throw new Error(`Cosmos DB returned no document for ${ref.container}/${ref.id}`);
    return resource;
  }

  /** Runs an SDK call, turning the statuses callers act on into typed errors. */
  private async call<R>(ref: DocumentRef, operation: () => Promise<R>): Promise<R> {
    try {
      return await operation();
    } catch (error) {
      switch (cosmosStatus(error)) {
        case 404:
          throw new NotFoundError(ref, { cause: error });
        case 409:
          throw new AlreadyExistsError(ref, { cause: error });
        case 412:
          throw new ConcurrencyConflictError(ref, { cause: error });
        default:
          throw error;
      }
    }
  }

  private refOf(document: T): Required<DocumentRef> {
    return this.ref(document.id, this.partitionKeyOf(document));
  }

  private ref(id: string, partitionKey: string): Required<DocumentRef>;
  private ref(id: string, partitionKey?: string): DocumentRef;
  private ref(id: string, partitionKey?: string): DocumentRef {
    return { container: this.container.id, id, ...(partitionKey !== undefined && { partitionKey }) };
  }
}

function stripSystemProperties(document: object): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...document };
  for (const key of SYSTEM_PROPERTIES) delete copy[key];
  return copy;
}

function toSqlParameters(parameters: QueryParameters): SqlParameter[] {
  return Object.entries(parameters).map(([name, value]) => ({
    name: name.startsWith('@') ? name : `@${name}`,
    value,
  }));
}
