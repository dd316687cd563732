/**
 * Captures every change to the package's in-memory account as a record, at the moment it happens.
 *
 * All resources (databases, collections, documents, UDFs) live in the package's `Items` containers, and every write
 * ends in `Items._set` (create, replace, upsert, patch, batch) or `Items.delete`. Hooking those two methods catches
 * every write whatever handler made it, including the parts of a batch, with after-images that keep `_etag`, `_rid`
 * and `_ts` exactly. The hook records into the sink of the request being served (AsyncLocalStorage), so several
 * stand-ins can share a process, and replay (which runs outside any request) records nothing.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Account, Collection, Database, Items, type AnyItems, type ItemObject } from './package-internals';

/** Where a container of items sits in the account, by resource ids (stable across restarts, as we replay them). */
export type Location =
  | { kind: 'databases' }
  | { kind: 'collections'; db: string }
  | { kind: 'documents' | 'udfs'; db: string; coll: string };

export type MutationRecord =
  /** An item as stored now (after-image), and its container's id counter. */
  | { op: 'set'; at: Location; counter: number; item: ItemObject }
  | { op: 'delete'; at: Location; rid: string }
  /** Snapshot only: a container's id counter, so ids of deleted items are never handed out again. */
  | { op: 'counter'; at: Location; counter: number };

export interface MutationSink {
  record(mutation: MutationRecord): void;
}

const sinks = new AsyncLocalStorage<MutationSink>();

/** Runs `fn` (and whatever it awaits) with its mutations going to `sink`. */
export function withMutationSink<T>(sink: MutationSink, fn: () => T): T {
  installHooks();
  return sinks.run(sink, fn);
}

/** Runs `fn` with no sink: for replay, which must not record what it restores. */
export function withoutMutationSink<T>(fn: () => T): T {
  return sinks.exit(fn);
}

export function currentMutationSink(): MutationSink | undefined {
  return sinks.getStore();
}

/** The location of an `Items` container, or undefined for those derived from others (partition key ranges). */
export function locate(items: AnyItems): Location | undefined {
  const parent: unknown = items._parent;
  if (parent instanceof Account) return { kind: 'databases' };
  if (parent instanceof Database) return { kind: 'collections', db: parent.read()._rid };
  if (parent instanceof Collection) {
    const coll = parent.read()._rid;
    const db = databaseRidOf(coll);
    if (items === parent.documents) return { kind: 'documents', db, coll };
    if (items === parent.userDefinedFunctions) return { kind: 'udfs', db, coll };
  }
  return undefined;
}

/** A collection's resource id is its database's 4 bytes followed by its own 4 (base64). */
function databaseRidOf(collectionRid: string): string {
  return Buffer.from(collectionRid, 'base64').subarray(0, 4).toString('base64');
}

const HOOKED = Symbol.for('pimflow.cosmos.mutationHooks');

function installHooks(): void {
  const proto = Items.prototype as AnyItems & { [HOOKED]?: true };
  if (proto[HOOKED]) return;
  proto[HOOKED] = true;

  const set = proto._set;
  proto._set = function (this: AnyItems, data: ItemObject): ItemObject {
    const stored = set.call(this, data);
    const sink = sinks.getStore();
    const at = sink && locate(this);
    if (sink && at) sink.record({ op: 'set', at, counter: this._ridCount, item: stored });
    return stored;
  };

  const remove = proto.delete;
  proto.delete = function (this: AnyItems, idOrRid: string, partition: unknown): void {
    const existing = this._item('/id', idOrRid, partition).read() as ItemObject | undefined;
    remove.call(this, idOrRid, partition);
    const sink = sinks.getStore();
    const at = sink && locate(this);
    if (sink && at && existing) sink.record({ op: 'delete', at, rid: existing._rid });
  };
}
