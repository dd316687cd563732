/**
 * A local Microsoft Graph: the v1.0 directory subset pimflow uses (users, managers, sign-in activity, groups with
 * members and owners, service principals, directory roles and their assignments, administrative units, `$batch`),
 * over HTTPS at `https://host:port/v1.0`, with Graph's URL shapes, status codes and error bodies. Every request
 * needs a bearer token that `checkToken` accepts. State lives in `dataFile` (seeded from `seedFile` the first
 * time) and survives restarts and SIGKILL: a request that changed it is answered once the change is on disk.
 *
 * Test-only control endpoints, outside `/v1.0` and without a token: `GET /_standin/faults`, and
 * `PUT` or `POST /_standin/faults` with a JSON GraphFaults that replaces the current faults.
 */
import { randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type BearerTokenCheck, type StandIn, keepIdleConnections } from '../stand-in';
import { readBodyUpTo } from '../request-body';
import type { TlsMaterial } from '../tls';
import { runBatch } from './batch';
import { graphFaultsSchema, injectedFault, type GraphFaults } from './faults';
import { GraphHttpError, methodNotAllowed } from './graph-errors';
import { errorAnswer, handleGraphCall, handleRelativeCall, pathSegments } from './graph-routes';
import type { GraphAnswer, GraphContext } from './route-helpers';
import { TenantStore } from './tenant-store';

export type { GraphFaults } from './faults';

export interface GraphStandInOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  tls: TlsMaterial;
  /** The directory's state (JSON), saved after changes (see TenantStore); loaded at start when it exists. */
  dataFile: string;
  /** The tenant to start from when `dataFile` doesn't exist, e.g. demo-tenant.json beside this file. */
  seedFile: string;
  checkToken: BearerTokenCheck;
  faults?: GraphFaults;
  /** Defaults to the system clock; seeds' relative times are taken from it. */
  now?: () => Date;
  /** Dice for injected faults; defaults to Math.random. */
  random?: () => number;
}

export interface GraphStandIn extends StandIn {
  /** The directory, for the runtime (e.g. the identity stand-in's user list); tests should use the HTTP API. */
  state: TenantStore;
  setFaults(faults: GraphFaults): void;
  getFaults(): GraphFaults;
  /** Requests served under /v1.0 since start (a `$batch` counts once, its sub-requests in `batchSubRequests`). */
  requestCounts(): GraphRequestCounts;
}

export interface GraphRequestCounts {
  requests: number;
  batchSubRequests: number;
  /** By method, e.g. { GET: 400, POST: 3, DELETE: 1 }; a `$batch` counts as one POST. */
  byMethod: Record<string, number>;
}

const JSON_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';
const MAX_BODY_BYTES = 4 * 1024 * 1024;
const WWW_AUTHENTICATE =
  'Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"';

export async function startGraphStandIn(options: GraphStandInOptions): Promise<GraphStandIn> {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  let faults = graphFaultsSchema.parse(options.faults ?? {});
  const store = TenantStore.open(options.dataFile, options.seedFile, now());
  const ctx: GraphContext = { store, now, replicationDelayMs: () => faults.replicationDelayMs ?? 0 };
  const counts: GraphRequestCounts = { requests: 0, batchSubRequests: 0, byMethod: {} };

  const serve = async (req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void> => {
    const url = new URL(req.url ?? '/', `https://${req.headers.host ?? 'localhost'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (url.pathname.startsWith('/_standin/')) {
      return control(res, method, url.pathname, raw);
    }
    if (url.pathname !== '/v1.0' && !url.pathname.startsWith('/v1.0/')) {
      throw new GraphHttpError(404, 'NotFound', 'The Graph stand-in serves /v1.0 only.');
    }
    counts.requests++;
    counts.byMethod[method] = (counts.byMethod[method] ?? 0) + 1;
    if (faults.delayMs) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    const authorization = req.headers.authorization;
    if (!(await options.checkToken(authorization))) {
      const message = authorization ? 'Access token validation failure.' : 'Access token is empty.';
      throw new GraphHttpError(401, 'InvalidAuthenticationToken', message, {
        'WWW-Authenticate': WWW_AUTHENTICATE,
      });
    }
    const body = parseJson(raw);
    const baseUrl = `${url.origin}/v1.0`;
    const segments = pathSegments(url.pathname.slice('/v1.0'.length));
    if (segments[0] === '$batch') {
      if (segments.length > 1 || method !== 'POST') throw methodNotAllowed();
      // Graph throttles a batch's sub-requests, each on its own, rather than the batch.
      const runSub = (m: string, subUrl: string, subBody: unknown): GraphAnswer => {
        counts.batchSubRequests++;
        const subFault = injectedFault(faults, m, random);
        if (subFault) return errorAnswer(subFault, now(), requestId);
        return handleRelativeCall(ctx, { method: m, url: subUrl, body: subBody, baseUrl });
      };
      const answers = await store.durably(() => runBatch(body, runSub, now, requestId));
      return send(res, { status: 200, body: answers }, requestId);
    }
    const fault = injectedFault(faults, method, random);
    if (fault) throw fault;
    const call = { method, segments, query: url.searchParams, body, baseUrl };
    send(res, await store.durably(() => handleGraphCall(ctx, call)), requestId);
  };

  const control = (res: ServerResponse, method: string, pathname: string, raw: Buffer): void => {
    if (pathname !== '/_standin/faults')
      throw new GraphHttpError(404, 'NotFound', `No control endpoint ${pathname}.`);
    if (method === 'PUT' || method === 'POST') {
      const parsed = graphFaultsSchema.safeParse(parseJson(raw) ?? {});
      if (!parsed.success)
        throw new GraphHttpError(400, 'BadRequest', `Invalid faults: ${parsed.error.message}`);
      faults = parsed.data;
    } else if (method !== 'GET') {
      throw new GraphHttpError(405, 'BadRequest', 'Use GET or PUT.');
    }
    send(res, { status: 200, body: faults }, randomUUID());
  };

  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    const requestId = randomUUID();
    serve(req, res, requestId).catch((err: unknown) => {
      const error =
        err instanceof GraphHttpError
          ? err
          : new GraphHttpError(500, 'generalException', `Graph stand-in failure: ${String(err)}`);
      if (!res.headersSent) send(res, errorAnswer(error, now(), requestId), requestId);
      else res.destroy();
    });
  });
  keepIdleConnections(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}/v1.0`,
    state: store,
    setFaults: (f) => {
      faults = graphFaultsSchema.parse(f);
    },
    getFaults: () => ({ ...faults }),
    requestCounts: () => ({ ...counts, byMethod: { ...counts.byMethod } }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.saved();
    },
  };
}

function send(res: ServerResponse, answer: GraphAnswer, requestId: string): void {
  const clientRequestId = res.req.headers['client-request-id'];
  const headers: Record<string, string> = {
    'request-id': requestId,
    'client-request-id': typeof clientRequestId === 'string' ? clientRequestId : requestId,
    'Cache-Control': 'no-cache',
    ...(answer.headers ?? {}),
  };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  res.writeHead(answer.status, { ...headers, 'Content-Type': JSON_TYPE }).end(JSON.stringify(answer.body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const body = await readBodyUpTo(req, MAX_BODY_BYTES);
  if (body === undefined)
    throw new GraphHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
  return body;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw new GraphHttpError(
      400,
      'BadRequest',
      'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
    );
  }
}
