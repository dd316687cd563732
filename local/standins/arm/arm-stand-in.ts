/**
 * A local Azure Resource Manager: the demo tenant's management groups, subscriptions, resource groups and
 * resources, Azure RBAC role definitions and role assignments with ARM's inheritance, filters, paging,
 * authorization and errors, over HTTPS at `https://host:port` (what ARM_ENDPOINT points at). Every request needs
 * a bearer token `checkToken` accepts (the identity stand-in's, audience ARM's) and an `api-version` its resource
 * type supports. State lives in `dataFile` (seeded from `seedFile` the first time) and survives restarts.
 *
 * Test-only control endpoints, without a token: `GET /_standin/faults`, and `PUT` or `POST /_standin/faults` with
 * a JSON ArmFaults that replaces the current faults.
 */
import { createHash, randomUUID } from 'node:crypto';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readBodyUpTo } from '../request-body';
import { type StandIn, keepIdleConnections } from '../stand-in';
import type { TlsMaterial } from '../tls';
import { API_VERSIONS, checkApiVersion } from './api-versions';
import { ArmHttpError, badRequest } from './arm-errors';
import { ArmTenantStore, type ArmRoleAssignment, type ArmState } from './arm-tenant';
import { armFaultsSchema, armInjectedFault, type ArmFaultRule, type ArmFaults } from './faults';
import {
  handleAuthorizationCall,
  present,
  type ArmAnswer,
  type ArmContext,
  type ArmPrincipal,
} from './role-assignments';
import { handleScopeRead } from './scope-routes';

export type { ArmFaults, ArmFaultRule } from './faults';
export type { ArmPrincipal } from './role-assignments';

/** Checks a request's `Authorization` header; the caller's object id (`oid`) when the token is good. */
export type ArmTokenCheck = (
  authorizationHeader: string | undefined,
) => Promise<{ objectId: string } | undefined>;

export interface ArmStandInOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  tls: TlsMaterial;
  /** The tenant's state (JSON), saved after changes; loaded at start when it exists. */
  dataFile: string;
  /** The tenant to start from when `dataFile` doesn't exist (DEMO_ARM_TENANT_FILE). */
  seedFile: string;
  checkToken: ArmTokenCheck;
  /** The directory's principal by object id (in-process lookup into the Graph stand-in); undefined if none. */
  principal: (id: string) => ArmPrincipal | undefined;
  /** The groups a principal is in, directly or through nested groups (for assignedTo() and authorization). */
  memberOf: (id: string) => string[];
  /**
   * A principal created less than this ago (real time, even under a test's virtual clock) is `PrincipalNotFound`,
   * ARM's replication delay; default 5000.
   */
  principalReplicationMs?: number;
  /** Items per page of a role assignment list before a nextLink (default 100). */
  pageSize?: number;
  faults?: ArmFaults;
  now?: () => Date;
  random?: () => number;
}

export interface ArmStandIn extends StandIn {
  /** The tenant's state, for the runtime and tests' assertions (read only: change it through the HTTP API). */
  state(): ArmState;
  /**
   * Role assignments as ARM's list at `scope` gives them without a filter (at, above and below it), in ARM's
   * JSON shape; every assignment when `scope` is omitted.
   */
  roleAssignments(scope?: string): ArmRoleAssignmentJson[];
  setFaults(faults: ArmFaults): void;
  getFaults(): ArmFaults;
  /** Adds rules answering the next matching requests with an error (see ArmFaultRule). */
  failNext(...rules: ArmFaultRule[]): void;
  /** Requests served (outside /_standin) since start, by method. */
  requestCounts(): { requests: number; byMethod: Record<string, number> };
}

export interface ArmRoleAssignmentJson {
  id: string;
  name: string;
  type: string;
  properties: {
    roleDefinitionId: string;
    principalId: string;
    principalType: string;
    scope: string;
    description: string | null;
    condition: string | null;
    createdOn: string;
  };
}

const MAX_BODY_BYTES = 4 * 1024 * 1024;
const AUTHORIZATION_PROVIDER = 'microsoft.authorization';

/** A seeded assignment's GUID name, derived from what it assigns so seeds needn't spell one. */
function seedName(a: { scope: string; roleDefinitionId: string; principalId: string }): string {
  const hex = createHash('sha1')
    .update(`arm-seed\n${a.scope.toLowerCase()}\n${a.roleDefinitionId}\n${a.principalId}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export async function startArmStandIn(options: ArmStandInOptions): Promise<ArmStandIn> {
  const now = options.now ?? (() => new Date());
  const random = options.random ?? Math.random;
  let faults = armFaultsSchema.parse(options.faults ?? {});
  const store = ArmTenantStore.open(options.dataFile, options.seedFile, now(), seedName);
  const ctx: ArmContext = {
    store,
    now,
    tenantId: store.data.tenantId,
    principal: options.principal,
    memberOf: options.memberOf,
    principalReplicationMs: options.principalReplicationMs ?? 5000,
    realNowMs: () => performance.timeOrigin + performance.now(),
    youngPrincipals: new Map(),
    pageSize: options.pageSize ?? 100,
  };
  const counts = { requests: 0, byMethod: {} as Record<string, number> };

  const serve = async (req: IncomingMessage): Promise<ArmAnswer> => {
    // Appended, not resolved: a path starting `//` (an SDK's `/{scope}` with an empty scope) is no host.
    const url = new URL(`https://${req.headers.host ?? 'localhost'}${req.url ?? '/'}`);
    const method = (req.method ?? 'GET').toUpperCase();
    const raw = await readBody(req);
    if (url.pathname.startsWith('/_standin/')) return control(method, url.pathname, raw);
    counts.requests++;
    counts.byMethod[method] = (counts.byMethod[method] ?? 0) + 1;
    if (faults.delayMs) await new Promise((resolve) => setTimeout(resolve, faults.delayMs));
    const authorization = req.headers.authorization;
    const caller = await options.checkToken(authorization);
    if (!caller) {
      const [code, message, description] = authorization
        ? ['InvalidAuthenticationToken', 'The access token is invalid.', 'The access token is invalid.']
        : [
            'AuthenticationFailed',
            "Authentication failed. The 'Authorization' header is missing.",
            "The authentication failed because of missing 'Authorization' header.",
          ];
      throw new ArmHttpError(401, code, message, {
        'WWW-Authenticate': `Bearer authorization_uri="https://login.windows.net/", error="invalid_token", error_description="${description}"`,
      });
    }
    const segments = url.pathname
      .split('/')
      .filter(Boolean)
      .map((s) => decodeURIComponent(s));
    const authIndex = segments.findIndex(
      (s, i) =>
        s.toLowerCase() === 'providers' &&
        segments[i + 1]?.toLowerCase() === AUTHORIZATION_PROVIDER &&
        ['roleassignments', 'roledefinitions'].includes(segments[i + 2]?.toLowerCase() ?? '') &&
        segments.length <= i + 4,
    );
    if (authIndex >= 0) {
      const collection = (segments[authIndex + 2] ?? '').toLowerCase() as
        'roleassignments' | 'roledefinitions';
      checkApiVersion(url.searchParams, API_VERSIONS.authorization, `Microsoft.Authorization/${collection}`);
      const fault = armInjectedFault(faults, method, url.pathname, random);
      if (fault) throw fault;
      const body = parseJson(raw);
      return store.durably(() =>
        handleAuthorizationCall(ctx, {
          method,
          scopeSegments: segments.slice(0, authIndex),
          collection,
          name: segments[authIndex + 3],
          query: url.searchParams,
          body,
          url,
          caller: caller.objectId,
        }),
      );
    }
    // Scope reads check their own api-version (it depends on the resource type) before faults apply.
    const answer = handleScopeRead(store.data, method, segments, url.searchParams);
    const fault = armInjectedFault(faults, method, url.pathname, random);
    if (fault) throw fault;
    return answer;
  };

  const control = (method: string, pathname: string, raw: Buffer): ArmAnswer => {
    if (pathname !== '/_standin/faults') {
      throw new ArmHttpError(404, 'NotFound', `No control endpoint ${pathname}.`);
    }
    if (method === 'PUT' || method === 'POST') {
      const parsed = armFaultsSchema.safeParse(parseJson(raw) ?? {});
      if (!parsed.success) throw badRequest('InvalidFaults', `Invalid faults: ${parsed.error.message}`);
      faults = parsed.data;
    } else if (method !== 'GET') {
      throw new ArmHttpError(405, 'MethodNotAllowed', 'Use GET or PUT.');
    }
    return { status: 200, body: faults };
  };

  const server = https.createServer({ key: options.tls.key, cert: options.tls.cert }, (req, res) => {
    const requestId = randomUUID();
    serve(req)
      .then((answer) => send(res, answer, requestId))
      .catch((err: unknown) => {
        const error =
          err instanceof ArmHttpError
            ? err
            : new ArmHttpError(500, 'InternalServerError', `ARM stand-in failure: ${String(err)}`);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        send(
          res,
          {
            status: error.status,
            body: { error: { code: error.code, message: error.message } },
            headers: error.headers,
          },
          requestId,
        );
      });
  });
  keepIdleConnections(server);
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  const listed = (scope?: string): ArmRoleAssignment[] => {
    if (scope === undefined) return [...store.data.roleAssignments];
    const answer = handleAuthorizationCall(ctx, {
      method: 'GET',
      scopeSegments: scope.split('/').filter(Boolean),
      collection: 'roleassignments',
      query: new URLSearchParams(),
      body: undefined,
      url: new URL('https://localhost/'),
      caller: '',
    });
    const names = new Set((answer.body as { value: { name: string }[] }).value.map((a) => a.name));
    return store.data.roleAssignments.filter((a) => names.has(a.name));
  };

  return {
    url: `https://${host.includes(':') ? `[${host}]` : host}:${port}`,
    state: () => store.data,
    roleAssignments: (scope) => listed(scope).map((a) => present(a) as unknown as ArmRoleAssignmentJson),
    setFaults: (f) => {
      faults = armFaultsSchema.parse(f);
    },
    getFaults: () => structuredClone(faults),
    failNext: (...rules) => {
      const parsed = armFaultsSchema.parse({ next: rules }).next ?? [];
      faults = { ...faults, next: [...(faults.next ?? []), ...parsed] };
    },
    requestCounts: () => ({ requests: counts.requests, byMethod: { ...counts.byMethod } }),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await store.saved();
    },
  };
}

function send(res: ServerResponse, answer: ArmAnswer, requestId: string): void {
  const correlation = res.req.headers['x-ms-correlation-request-id'];
  const clientRequestId = res.req.headers['x-ms-client-request-id'];
  const headers: Record<string, string> = {
    'x-ms-request-id': requestId,
    'x-ms-correlation-request-id': typeof correlation === 'string' ? correlation : requestId,
    ...(typeof clientRequestId === 'string' ? { 'x-ms-client-request-id': clientRequestId } : {}),
    'Cache-Control': 'no-cache',
    ...(answer.headers ?? {}),
  };
  if (answer.body === undefined) {
    res.writeHead(answer.status, headers).end();
    return;
  }
  res
    .writeHead(answer.status, { ...headers, 'Content-Type': 'application/json; charset=utf-8' })
    .end(JSON.stringify(answer.body));
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const body = await readBodyUpTo(req, MAX_BODY_BYTES);
  if (body === undefined)
    throw new ArmHttpError(413, 'RequestEntityTooLarge', 'The request body is too large.');
  return body;
}

function parseJson(raw: Buffer): unknown {
  if (raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch {
    throw badRequest(
      'InvalidRequestContent',
      'The request content was invalid and could not be deserialized.',
    );
  }
}
