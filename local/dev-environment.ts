/**
 * pimflow's local outside world: stand-ins for Entra ID (tokens), Microsoft Graph (the demo tenant), Azure
 * Resource Manager (the demo tenant's subscriptions and Azure RBAC), Azure Communication Services e-mail (with a
 * mailbox page) and Cosmos DB, each on 127.0.0.1 over HTTPS signed by the
 * local CA. It hands the runtime the app settings that point the app's real SDKs at them; app code can't tell.
 * Every stand-in keeps its state under `dir`, so it survives restarts and crashes.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { startArmStandIn, type ArmStandIn } from './standins/arm/arm-stand-in';
import { DEMO_ARM_TENANT_FILE } from './standins/arm/demo-tenant';
import { startCosmosStandIn } from './standins/cosmos/cosmos-stand-in';
import { DEMO_TENANT_FILE } from './standins/graph/demo-tenant';
import { startGraphStandIn, type GraphStandIn } from './standins/graph/graph-stand-in';
import { startIdentityStandIn, type IdentityStandIn } from './standins/identity/identity-stand-in';
import { startMailStandIn, type MailStandIn } from './standins/mail/mail-stand-in';
import type { StandIn } from './standins/stand-in';
import type { TlsMaterial } from './standins/tls';
import { DEFAULT_HTTPS_PORT } from './runtime';

/** The demo tenant's id and the app's own identity in it (the `pimflow-automation` service principal). */
export const DEMO_TENANT_ID = '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
export const DEMO_APP_CLIENT_ID = '1f625093-4e01-43fc-800f-ef5a00652820';
export const DEMO_APP_OBJECT_ID = 'd2707948-f36a-4e93-94bd-e132e296f7e0';
export const DEMO_ADMIN_UPN = 'admin@pimflow.example';
export const API_AUDIENCE = 'api://pimflow';
/** Azure Resource Manager's token audience (ARM_AUDIENCE's default); ARM also accepts it without the slash. */
export const ARM_AUDIENCE = 'https://management.azure.com/';
/** The portal's app registration (a single-page app signing users in with the authorization code flow + PKCE). */
export const DEMO_PORTAL_CLIENT_ID = '5b0e7c3a-8d14-4f62-a9e5-3c71d2b84f06';
/** The portal's path on the function app: its redirect URI on every origin the runtime answers on. */
export const PORTAL_PATH = '/api/portal/';
/**
 * The portal's redirect bridge page, also a registered redirect URI: MSAL browser v5 answers popups and its
 * hidden iframe (ssoSilent, renewal when the refresh token can't) only through a page that calls
 * `broadcastResponseToMainFrame()` from `@azure/msal-browser/redirect-bridge`.
 */
export const PORTAL_REDIRECT_BRIDGE_PATH = '/api/portal/redirect.html';

/**
 * App role assignments on the pimflow API for the demo tenant's users (Enterprise applications → Users and
 * groups in Entra ID): the `roles` of their tokens when they sign in to the portal.
 */
export const DEMO_APP_ROLE_ASSIGNMENTS: Record<string, string[]> = {
  'admin@pimflow.example': ['PimFlow.Admin'],
  'ruby.walsh@pimflow.example': ['PimFlow.Auditor'],
};

export interface DevEnvironmentOptions {
  /** Where the stand-ins keep their state and secrets (git-ignored `.local/` by default). */
  dir: string;
  tls: TlsMaterial;
  /** Ports; 0 picks free ones (tests). Defaults suit `npm start`. */
  ports?: { cosmos?: number; graph?: number; mail?: number; identity?: number; arm?: number };
  /** A principal created less than this ago is ARM's `PrincipalNotFound` (replication delay); default 5000. */
  armPrincipalReplicationMs?: number;
  /** Role assignments per page of an ARM list before its nextLink (default 100; tests of paging use fewer). */
  armPageSize?: number;
  /** The mail stand-in's Retry-After in seconds (ACS's 1 by default; benchmarks sending thousands use 0). */
  mailRetryAfterSeconds?: number;
}

export interface DevEnvironment {
  identity: IdentityStandIn;
  graph: GraphStandIn;
  arm: ArmStandIn;
  mail: MailStandIn;
  cosmos: StandIn & { endpoint: string; key: string };
  /**
   * App settings for the runtime (the public base URL depends on where the runtime listens). It also registers
   * the portal's redirect URIs on that origin and `httpsOrigin` (each as 127.0.0.1 and localhost).
   */
  settingsFor(origin: string, httpsOrigin?: string): Record<string, string>;
  /** `<name>: <url>` lines for the start-up banner. */
  banner: string[];
  close(): Promise<void>;
}

export const DEFAULT_PORTS = { cosmos: 8081, graph: 7072, mail: 7073, identity: 7074, arm: 7076 };

export async function startDevEnvironment(o: DevEnvironmentOptions): Promise<DevEnvironment> {
  mkdirSync(o.dir, { recursive: true });
  const given = Object.entries(o.ports ?? {}).filter(([, port]) => port !== undefined);
  const ports = { ...DEFAULT_PORTS, ...Object.fromEntries(given) };
  const appSecret = localSecret(path.join(o.dir, 'app-client-secret'));
  const mailKey = localSecret(path.join(o.dir, 'acs-access-key'));
  const linkKey = localSecret(path.join(o.dir, 'approval-link-signing-key'));
  const started: StandIn[] = [];
  try {
    // The identity stand-in signs in the Graph stand-in's users, and Graph starts second: look them up late.
    const tenant: { graph?: GraphStandIn } = {};
    const identity = await startIdentityStandIn({
      tls: o.tls,
      port: ports.identity,
      tenantId: DEMO_TENANT_ID,
      apiAudience: API_AUDIENCE,
      appClientId: DEMO_APP_CLIENT_ID,
      appClientSecret: appSecret,
      appObjectId: DEMO_APP_OBJECT_ID,
      keyFile: path.join(o.dir, 'identity-signing-key.json'),
      users: () => tenant.graph?.state.users() ?? [],
      appRoleAssignments: (userId) => {
        const upn = tenant.graph?.state.users().find((u) => u.id === userId)?.userPrincipalName;
        return (upn && DEMO_APP_ROLE_ASSIGNMENTS[upn.toLowerCase()]) || [];
      },
    });
    started.push(identity);

    // Graph accepts app tokens from our issuer whose audience is Graph's own origin, as Graph does.
    let graphOrigin = '';
    const jwks = createRemoteJWKSet(new URL(`${identity.url}/${DEMO_TENANT_ID}/discovery/v2.0/keys`));
    const graph = await startGraphStandIn({
      tls: o.tls,
      port: ports.graph,
      dataFile: path.join(o.dir, 'graph-tenant.json'),
      seedFile: DEMO_TENANT_FILE,
      checkToken: async (header) => {
        const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
        if (!token) return false;
        try {
          await jwtVerify(token, jwks, {
            issuer: identity.issuer,
            audience: graphOrigin,
            algorithms: ['RS256'],
          });
          return true;
        } catch {
          return false;
        }
      },
    });
    tenant.graph = graph;
    graphOrigin = new URL(graph.url).origin;
    started.push(graph);

    // ARM accepts the identity stand-in's tokens for its audience, and looks principals up in the Graph
    // stand-in's directory in-process (as ARM asks Entra ID), creation time included.
    const arm = await startArmStandIn({
      tls: o.tls,
      port: ports.arm,
      dataFile: path.join(o.dir, 'arm-tenant.json'),
      seedFile: DEMO_ARM_TENANT_FILE,
      principalReplicationMs: o.armPrincipalReplicationMs,
      pageSize: o.armPageSize,
      checkToken: async (header) => {
        const token = /^Bearer\s+(\S+)$/i.exec(header ?? '')?.[1];
        if (!token) return undefined;
        try {
          const { payload } = await jwtVerify(token, jwks, {
            issuer: identity.issuer,
            audience: [ARM_AUDIENCE, ARM_AUDIENCE.replace(/\/$/, '')],
            algorithms: ['RS256'],
          });
          return typeof payload.oid === 'string' ? { objectId: payload.oid } : undefined;
        } catch {
          return undefined;
        }
      },
      principal: (id) => {
        const found = graph.state.object(id);
        if (!found) return undefined;
        const principalType =
          found.kind === 'user' ? 'User' : found.kind === 'group' ? 'Group' : 'ServicePrincipal';
        return { principalType, createdDateTime: found.value.createdDateTime };
      },
      memberOf: (id) => transitiveGroups(graph, id),
    });
    started.push(arm);

    const mail = await startMailStandIn({
      tls: o.tls,
      port: ports.mail,
      dataFile: path.join(o.dir, 'mailbox.json'),
      accessKey: mailKey,
      retryAfterSeconds: o.mailRetryAfterSeconds,
    });
    started.push(mail);

    const cosmos = await startCosmosStandIn({
      tls: o.tls,
      port: ports.cosmos,
      journalFile: path.join(o.dir, 'cosmos-journal.ndjson'),
    });
    started.push(cosmos);

    const settings: Record<string, string> = {
      COSMOS_ENDPOINT: cosmos.endpoint,
      COSMOS_KEY: cosmos.key,
      GRAPH_BASE_URL: graph.url,
      ARM_ENDPOINT: arm.url,
      ARM_AUDIENCE,
      ACS_CONNECTION_STRING: mail.connectionString,
      MAIL_SENDER: 'DoNotReply@pimflow.example',
      ADMIN_NOTIFICATION_RECIPIENTS: 'admin@pimflow.example',
      AUTH_ISSUER: identity.issuer,
      AUTH_AUDIENCE: API_AUDIENCE,
      AUTH_TENANT_ID: DEMO_TENANT_ID,
      AZURE_TENANT_ID: DEMO_TENANT_ID,
      AZURE_CLIENT_ID: DEMO_APP_CLIENT_ID,
      AZURE_CLIENT_SECRET: appSecret,
      AZURE_AUTHORITY_HOST: identity.url,
      AZURE_DISABLE_INSTANCE_DISCOVERY: 'true',
      APPROVAL_LINK_SIGNING_KEY: linkKey,
      DRIFT_CHECK_SCHEDULE: '0 0 2 * * *',
      // Every 5 minutes, as in Azure; a test on a virtual clock that jumps weeks may ask for less (environment).
      RECONCILE_SCHEDULE: process.env.RECONCILE_SCHEDULE ?? '0 */5 * * * *',
    };
    return {
      identity,
      graph,
      arm,
      mail,
      cosmos,
      settingsFor: (origin, httpsOrigin) => {
        registerPortal(identity, [origin, httpsOrigin ?? defaultHttpsOrigin(origin)]);
        return { ...settings, PUBLIC_BASE_URL: origin, PORTAL_CLIENT_ID: DEMO_PORTAL_CLIENT_ID };
      },
      banner: [
        `cosmos: ${cosmos.endpoint}`,
        `graph: ${graph.url}`,
        `arm: ${arm.url}`,
        `mail: ${mail.url}`,
        `mailbox: ${mail.mailboxUrl}`,
        `token: ${identity.tokenUrl}`,
        `sign-in: ${identity.url}/`,
        `authority: ${identity.authority} (portal client ${DEMO_PORTAL_CLIENT_ID})`,
      ],
      close: async () => {
        for (const s of [...started].reverse()) await s.close();
      },
    };
  } catch (err) {
    for (const s of [...started].reverse()) await s.close().catch(() => undefined);
    throw err;
  }
}

/** The groups `id` is a member of, directly or through groups in groups. */
function transitiveGroups(graph: GraphStandIn, id: string): string[] {
  const found = new Set<string>();
  let frontier = [id.toLowerCase()];
  while (frontier.length > 0) {
    const next = graph.state
      .groups()
      .filter(
        (g) => !found.has(g.id.toLowerCase()) && g.members.some((m) => frontier.includes(m.toLowerCase())),
      )
      .map((g) => g.id.toLowerCase());
    for (const g of next) found.add(g);
    frontier = next;
  }
  return [...found];
}

/** The portal's redirect URIs on the runtime's origins, in both host forms a browser may use. */
function registerPortal(identity: IdentityStandIn, origins: string[]): void {
  const redirectUris = origins.flatMap((o) =>
    [PORTAL_PATH, PORTAL_REDIRECT_BRIDGE_PATH].flatMap((p) => {
      const url = new URL(p, o);
      const other = new URL(url);
      other.hostname =
        url.hostname === 'localhost'
          ? '127.0.0.1'
          : url.hostname === '127.0.0.1'
            ? 'localhost'
            : url.hostname;
      return [url.href, other.href];
    }),
  );
  identity.registerSpaClient({
    clientId: DEMO_PORTAL_CLIENT_ID,
    displayName: 'pimflow portal',
    redirectUris,
  });
}

/** Without a known HTTPS origin: the runtime's default HTTPS port on the same host. */
function defaultHttpsOrigin(origin: string): string {
  return `https://${new URL(origin).hostname}:${DEFAULT_HTTPS_PORT}`;
}

/** A random secret made on first use and kept in the git-ignored local folder: nothing secret is committed. */
function localSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(32).toString('base64');
  writeFileSync(file, secret, { mode: 0o600 });
  return secret;
}
