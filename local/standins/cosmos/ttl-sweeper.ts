/**
 * Time to live, which the package stores but never applies: expired documents are deleted by a sweep every
 * second (journaled like any delete). Cosmos DB's rules: a container without `defaultTtl` expires nothing; -1
 * expires only documents with their own positive `ttl`; n > 0 expires documents n seconds after their last write
 * unless their own `ttl` says otherwise (-1: never). Between sweeps an expired document can still be read.
 */
import type { Account, ItemObject } from './package-internals';

export function sweepExpired(account: Account, nowSeconds: number): void {
  for (const database of account.databases._data.values()) {
    for (const collection of database.collections._data.values()) {
      const defaultTtl: unknown = collection.read().defaultTtl;
      if (typeof defaultTtl !== 'number') continue;
      const documents = collection.documents;
      const expired = [...documents._data.values()]
        .map((document) => document.read() as ItemObject)
        .filter((document) => isExpired(document, defaultTtl, nowSeconds));
      for (const document of expired) documents.delete(document._rid, undefined);
    }
  }
}

function isExpired(document: ItemObject, defaultTtl: number, nowSeconds: number): boolean {
  const ttl: unknown = document.ttl;
  const seconds = typeof ttl === 'number' ? ttl : defaultTtl;
  return seconds > 0 && typeof document._ts === 'number' && document._ts + seconds <= nowSeconds;
}
