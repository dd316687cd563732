/**
 * Batches as Cosmos DB runs them. The package's batch handler applies operations one by one and keeps them when a
 * later one fails, fails on operations that carry no partition key of their own (the SDK sends it once, in the
 * header) and has no Patch. Here an atomic batch (what `container.items.batch` sends) applies all or nothing: on
 * a failure the collection is put back, nothing reaches the journal, and the answer is 207 with the failing
 * operation's status and 424 for the others. Non-atomic batches (bulk) keep the package's per-operation results.
 */
import type { MutationRecord } from './mutations';
import { currentMutationSink, withMutationSink } from './mutations';
import {
  documentOperations,
  json,
  patchOperation,
  type AnyItems,
  type Collection,
  type Handler,
  type JSONObject,
  type PatchOperation,
} from './package-internals';
import { headerIsTrue, partitionKeyHeader } from './request-headers';

/** An operation as the SDK sends it; its shape fits every one of the package's operation inputs. */
interface Operation {
  operationType?: string;
  id: string;
  partitionKey?: string;
  ifMatch?: string;
  resourceBody: JSONObject;
}

interface OperationResult {
  statusCode: number;
  body?: JSONObject;
}

export const transactionalBatch: Handler = async (account, req, res, params) => {
  const body: unknown = await json(req);
  const collection = account.database(params.dbId ?? '').collection(params.collId ?? '');
  if (!collection.read()) {
    res.statusCode = 404;
    return {};
  }
  if (!Array.isArray(body)) {
    res.statusCode = 400;
    return { message: 'Invalid request body' };
  }
  const atomic = headerIsTrue(req, 'x-ms-cosmos-batch-atomic');
  const stopOnError = atomic || !headerIsTrue(req, 'x-ms-cosmos-batch-continue-on-error');
  const partitionKey = partitionKeyHeader(req);

  const saved = atomic ? save(collection.documents) : undefined;
  const made: MutationRecord[] = [];
  const results = withMutationSink({ record: (m) => made.push(m) }, () =>
    run(collection, body as Operation[], partitionKey, stopOnError),
  );
  const failed = results.findIndex((r) => r.statusCode >= 400 && r.statusCode !== 424);
  if (saved && failed >= 0) {
    saved();
    res.statusCode = 207;
    return results.map((r, i) =>
      i === failed ? { statusCode: r.statusCode, requestCharge: 0 } : { statusCode: 424, requestCharge: 0 },
    );
  }
  const sink = currentMutationSink();
  for (const mutation of made) sink?.record(mutation);
  return results.map((r) =>
    r.statusCode >= 400
      ? { statusCode: r.statusCode, requestCharge: 0 }
      : { statusCode: r.statusCode, requestCharge: 1, eTag: r.body?._etag, resourceBody: r.body },
  );
};

function run(
  collection: Collection,
  operations: Operation[],
  partitionKey: string | undefined,
  stopOnError: boolean,
): OperationResult[] {
  const results: OperationResult[] = [];
  let failed = false;
  for (const operation of operations) {
    if (failed && stopOnError) {
      results.push({ statusCode: 424 });
      continue;
    }
    const result = runOne(collection, { ...operation, partitionKey: operation.partitionKey ?? partitionKey });
    failed = failed || result.statusCode >= 400;
    results.push(result);
  }
  return results;
}

function runOne(collection: Collection, input: Operation): OperationResult {
  try {
    switch (input.operationType) {
      case 'Create':
        return documentOperations.createOperation(collection, input);
      case 'Upsert':
        return documentOperations.upsertOperation(collection, input);
      case 'Replace':
        return documentOperations.replaceOperation(collection, input);
      case 'Read':
        return documentOperations.readOperation(collection, input);
      case 'Delete':
        return documentOperations.deleteOperation(collection, input);
      case 'Patch':
        return patchOperation(collection, { ...patchBody(input.resourceBody), ...input });
      default:
        return {
          statusCode: 400,
          body: { message: `Operation type '${input.operationType}' is not supported` },
        };
    }
  } catch (error) {
    return { statusCode: 400, body: { message: error instanceof Error ? error.message : String(error) } };
  }
}

/** The SDK sends a patch as `{ operations, condition? }`, or as the bare list of operations. */
function patchBody(body: unknown): { operations: PatchOperation[]; condition?: string } {
  return Array.isArray(body)
    ? { operations: body as PatchOperation[] }
    : (body as { operations: PatchOperation[] });
}

/** Saves a collection's documents; the function returned puts them back (items are replaced, never mutated). */
function save(documents: AnyItems): () => void {
  const data = new Map(documents._data);
  const index = new Map(documents._index);
  const counter = documents._ridCount;
  return () => {
    documents._data = data;
    documents._index = index;
    documents._ridCount = counter;
  };
}
