/**
 * Cosmos DB (NoSQL API) for local runs and tests: `@vercel/cosmosdb-server`'s in-memory account behind our own
 * HTTPS server (the local CA's certificate), made durable by a journal, with the fixes the real SDK needs
 * (partition-scoped queries, all-or-nothing batches, TTL, container replace). Answers `@azure/cosmos` at `endpoint` with `key`.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { type StandIn, keepIdleConnections } from '../stand-in';
import type { TlsMaterial } from '../tls';
import { Journal, readJournal, writeSnapshot } from './journal';
import { lockJournal } from './journal-lock';
import { withMutationSink } from './mutations';
import { replaceCollectionKeepingContents } from './collection-replace';
import {
  Account,
  batchDocuments,
  queryDocuments,
  replaceCollection,
  route,
  type Handler,
} from './package-internals';
import { queryDocumentsInPartition } from './partition-query';
import { applyRecords, snapshotRecords } from './replay';
import { headerIsTrue, partitionKeyHeader } from './request-headers';
import { transactionalBatch } from './transactional-batch';
import { sweepExpired } from './ttl-sweeper';

/** The Cosmos DB emulator's published well-known key (documented by Microsoft, not a secret). */
export const COSMOS_EMULATOR_KEY =
  'C2y6yDjf5/R+ob0N8A7Cgv30VRDJIWEHLM+4QDU5DE2nQ9nDuVTqobD4b8mGGyPMbIZnqyMsEcaGQy67XIw/Jw==';

export interface CosmosStandInOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  tls: TlsMaterial;
  /** The journal: read and compacted at start, appended to (and fsync'd) on every write. */
  journalFile: string;
}

export interface CosmosStandIn extends StandIn {
  /** `https://127.0.0.1:<port>/`, for `new CosmosClient({ endpoint, key })`. */
  endpoint: string;
  key: string;
}

export async function startCosmosStandIn(options: CosmosStandInOptions): Promise<CosmosStandIn> {
  const host = options.host ?? '127.0.0.1';
  const unlock = lockJournal(options.journalFile);
  let journal: Journal | undefined;
  try {
    // Restore, then compact: the journal becomes a snapshot of what was restored, and grows from there.
    const account = new Account(host, options.port ?? 0);
    applyRecords(account, readJournal(options.journalFile));
    writeSnapshot(options.journalFile, snapshotRecords(account));
    journal = await Journal.open(options.journalFile);
    return await listen(account, journal, host, options, unlock);
  } catch (error) {
    await journal?.close().catch(() => undefined);
    unlock();
    throw error;
  }
}

async function listen(
  account: Account,
  journal: Journal,
  host: string,
  options: CosmosStandInOptions,
  unlock: () => void,
): Promise<CosmosStandIn> {
  // Crash tests: `POST /_pimflow/hold {"collection": name}` makes the stand-in take document creates in that
  // collection and never answer them (nothing is written), so a test can kill the app at exactly that instant.
  let held: string | null = null;
  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    if (req.url === '/_pimflow/hold') {
      void holdControl(req, res, (collection) => (held = collection));
      return;
    }
    if (held && isCreateIn(req, held)) return; // never answered
    void serve(account, journal, req, res);
  });
  keepIdleConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const endpoint = `https://${endpointHost(host)}:${port}/`;
  pointAccountAt(account, endpoint);
  const sweeper = setInterval(() => sweep(account, journal), TTL_SWEEP_MS).unref();
  return {
    url: endpoint,
    endpoint,
    key: COSMOS_EMULATOR_KEY,
    async close() {
      clearInterval(sweeper);
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      try {
        await journal.close();
      } finally {
        unlock();
      }
    },
  };
}

const TTL_SWEEP_MS = 1000;

async function holdControl(req: IncomingMessage, res: ServerResponse, set: (c: string | null) => void) {
  let text = '';
  for await (const chunk of req) text += String(chunk);
  const collection =
    req.method === 'POST' ? (JSON.parse(text || '{}') as { collection?: unknown }).collection : null;
  set(typeof collection === 'string' ? collection : null);
  res.statusCode = 204;
  res.end();
}

function isCreateIn(req: IncomingMessage, collection: string): boolean {
  const path = (req.url ?? '').split('?')[0] ?? '';
  return (
    req.method === 'POST' &&
    path.endsWith(`/colls/${collection}/docs`) &&
    !headerIsTrue(req, 'x-ms-documentdb-isquery') &&
    !String(req.headers['content-type'] ?? '').includes('query')
  );
}

function sweep(account: Account, journal: Journal): void {
  if (journal.failed) return;
  withMutationSink(journal, () => sweepExpired(account, Math.floor(Date.now() / 1000)));
  journal.durable().catch(() => undefined); // a failed write is reported by the next request
}

async function serve(account: Account, journal: Journal, req: IncomingMessage, res: ServerResponse) {
  let body: unknown;
  try {
    if (journal.failed) throw journal.failed; // memory is ahead of the disk: answer nothing from it
    body = await withMutationSink(journal, () => dispatch(account, req, res));
    // Nothing is acknowledged, nor shown to a reader, before it is on disk.
    await journal.durable();
  } catch (error) {
    res.statusCode = journal.failed ? 503 : 500;
    body = { code: journal.failed ? 'ServiceUnavailable' : 'InternalServerError', message: String(error) };
  }
  send(req, res, body);
}

function dispatch(account: Account, req: IncomingMessage, res: ServerResponse): unknown {
  // The SDK asks for a query plan before cross-partition queries and only uses it after certain errors; the
  // package would run the whole query to answer it. A refusal makes the SDK go on without one.
  if (headerIsTrue(req, 'x-ms-cosmos-is-query-plan-request')) {
    res.statusCode = 400;
    return { code: 'BadRequest', message: 'The Cosmos DB stand-in serves no query plans' };
  }
  const found = route(req);
  if (!found) {
    res.statusCode = 400;
    return { code: 'BadRequest', message: 'no route' };
  }
  return handlerFor(found.handler, req)(account, req, res, found.params);
}

function handlerFor(handler: Handler, req: IncomingMessage): Handler {
  if (handler === queryDocuments && partitionKeyHeader(req) !== undefined) return queryDocumentsInPartition;
  if (handler === batchDocuments) return transactionalBatch;
  if (handler === replaceCollection) return replaceCollectionKeepingContents;
  return handler;
}

/** As the package's own server answers (headers the SDK reads, change feed's ETag). */
function send(req: IncomingMessage, res: ServerResponse, body: unknown): void {
  const object = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : undefined;
  if (res.statusCode > 399 && object && !object.message) object.message = '';
  if (typeof object?._etag === 'string') res.setHeader('etag', object._etag);
  res.setHeader('content-type', 'application/json');
  res.setHeader('content-location', `https://${req.headers.host ?? ''}${req.url ?? ''}`);
  res.setHeader('x-ms-activity-id', randomUUID());
  res.setHeader('x-ms-request-charge', '1');
  if (req.headers['a-im'] && res.statusCode === 200) {
    if (req.headers['if-none-match']) res.statusCode = 304;
    res.setHeader('etag', '1');
  }
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

/** The account document tells the SDK where to send reads and writes: here, as the client reaches us. */
function pointAccountAt(account: Account, endpoint: string): void {
  const metadata = account.read();
  for (const key of ['writableLocations', 'readableLocations']) {
    for (const location of metadata[key] as { databaseAccountEndpoint: string }[]) {
      location.databaseAccountEndpoint = endpoint;
    }
  }
}

function endpointHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}
