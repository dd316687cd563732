/**
 * Replacing a container's definition (TTL, indexing policy) keeps its documents, as in Cosmos DB. The package's
 * handler swaps in a new, empty collection; here its contents are moved into the new one, and the journal gets
 * the new definition only (not the delete the package's replace starts with), which replay applies the same way.
 */
import type { MutationRecord } from './mutations';
import { currentMutationSink, withMutationSink } from './mutations';
import { replaceCollection, type Handler } from './package-internals';
import { keepContents } from './replay';

export const replaceCollectionKeepingContents: Handler = async (account, req, res, params) => {
  const database = account.database(params.dbId ?? '');
  const before = database.collection(params.collId ?? '');
  const made: MutationRecord[] = [];
  const result = await withMutationSink({ record: (m) => made.push(m) }, () =>
    replaceCollection(account, req, res, params as { dbId: string; collId: string }),
  );
  const after = database.collection(params.collId ?? '');
  if (before.read() && after.read() && after !== before) keepContents(before, after);
  const sink = currentMutationSink();
  for (const mutation of made) {
    if (!(mutation.op === 'delete' && mutation.at.kind === 'collections')) sink?.record(mutation);
  }
  return result;
};
