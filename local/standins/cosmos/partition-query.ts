/**
 * Document queries scoped to the partition key the client sent. The package ignores that header and queries the
 * whole collection, so a single-partition query would see other partitions' documents; Cosmos DB never does.
 */
import { json, readItems, type CompositeIndex, type Handler, type ItemObject } from './package-internals';
import { partitionKeyHeader, partitionKeyMatcher } from './request-headers';

interface QueryBody {
  query?: string;
  parameters?: { name: string; value: unknown }[];
}

export const queryDocumentsInPartition: Handler = (account, req, res, params) =>
  readItems(req, res, 'Documents', async ({ continuation, maxItemCount }) => {
    const body = (await json(req)) as QueryBody;
    if (!body.query) {
      res.statusCode = 400;
      return { message: 'missing query' };
    }
    const collection = account.database(params.dbId ?? '').collection(params.collId ?? '');
    const parent = collection.read() as ItemObject | undefined;
    if (!parent) return null; // 404
    const documents = collection.documents;
    const matches = partitionKeyMatcher(partitionKeyHeader(req) ?? '[{}]');
    const inPartition = [...documents._data.values()]
      .map((document) => document.read())
      .filter((document) => matches(documents._getPartition(document)));
    try {
      return documents._getQuery(body.query).exec(inPartition, {
        parameters: body.parameters,
        udf: documents._userDefinedFunctions() ?? undefined,
        maxItemCount: maxItemCount ?? undefined,
        continuation: continuation ?? undefined,
        // Stored with their order filled in (the package's collection _set does it).
        compositeIndexes: (parent.indexingPolicy?.compositeIndexes ?? []) as Required<CompositeIndex>[][],
      }) as unknown;
    } catch (error) {
      res.statusCode = 400;
      return { code: 'BadRequest', message: error instanceof Error ? error.message : String(error) };
    }
  });
