/**
 * Restores an account from mutation records, and writes an account out as records (a snapshot). Items are put back
 * exactly as they were stored (same `_etag`, `_rid`, `_ts`), so an ETag a client read before a restart still
 * matches, or still conflicts, afterwards; id counters come back too, so new items never reuse an id.
 */
import type { Location, MutationRecord } from './mutations';
import { withoutMutationSink } from './mutations';
import {
  Collection,
  type Account,
  type AnyItems,
  type ItemObject,
  type UserDefinedFunctions,
} from './package-internals';

export class CorruptJournalError extends Error {
  override name = 'CorruptJournalError';
}

export function applyRecords(account: Account, records: Iterable<MutationRecord>): void {
  withoutMutationSink(() => {
    for (const record of records) applyRecord(account, record);
  });
}

function applyRecord(account: Account, record: MutationRecord): void {
  const items = resolve(account, record.at);
  switch (record.op) {
    case 'set': {
      const rid = record.item._rid;
      const previous: unknown = items._data.get(rid);
      if (previous) items.delete(rid, undefined);
      items._set(record.item);
      if (previous instanceof Collection) keepContents(previous, items._data.get(rid) as Collection);
      if (record.at.kind === 'udfs') defineUdf(items as UserDefinedFunctions, record.item);
      items._ridCount = Math.max(items._ridCount, record.counter);
      return;
    }
    case 'delete':
      if (items._data.has(record.rid)) items.delete(record.rid, undefined);
      return;
    case 'counter':
      items._ridCount = Math.max(items._ridCount, record.counter);
      return;
  }
}

/** The account as records that rebuild it: parents before children, each container's items in their order. */
export function* snapshotRecords(account: Account): Generator<MutationRecord> {
  yield* snapshotItems(account.databases, { kind: 'databases' });
  for (const [db, database] of account.databases._data) {
    yield* snapshotItems(database.collections, { kind: 'collections', db });
    for (const [coll, collection] of database.collections._data) {
      yield* snapshotItems(collection.documents, { kind: 'documents', db, coll });
      yield* snapshotItems(collection.userDefinedFunctions, { kind: 'udfs', db, coll });
    }
  }
}

function* snapshotItems(items: AnyItems, at: Location): Generator<MutationRecord> {
  yield { op: 'counter', at, counter: items._ridCount };
  for (const entry of items._data.values() as Iterable<{ read(): ItemObject }>) {
    yield { op: 'set', at, counter: items._ridCount, item: entry.read() };
  }
}

function resolve(account: Account, at: Location): AnyItems {
  if (at.kind === 'databases') return account.databases;
  const database = account.databases._data.get(at.db);
  if (!database) throw new CorruptJournalError(`journal refers to a missing database (rid ${at.db})`);
  if (at.kind === 'collections') return database.collections;
  const collection = database.collections._data.get(at.coll);
  if (!collection) throw new CorruptJournalError(`journal refers to a missing collection (rid ${at.coll})`);
  return at.kind === 'documents' ? collection.documents : collection.userDefinedFunctions;
}

/**
 * A replaced collection keeps its documents and UDFs (Cosmos DB replaces a container's definition only); the
 * package's replace makes a new, empty collection object, so they are moved into it.
 */
export function keepContents(from: Collection, to: Collection): void {
  to.documents = from.documents;
  to.documents._parent = to;
  to.userDefinedFunctions = from.userDefinedFunctions;
  to.userDefinedFunctions._parent = to;
}

/** As the package does on create: a UDF's body is JavaScript source, compiled once and kept beside the item. */
function defineUdf(udfs: UserDefinedFunctions, item: ItemObject): void {
  const body = String(item.body);
  udfs.functions[item.id] = new Function(`"use strict";return (${body})`)();
}
