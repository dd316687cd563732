/**
 * A local Entra ID stand-in: an OpenID Connect issuer with the same URL shapes as
 * `https://login.microsoftonline.com/{tenant}/v2.0`, a JWKS, and a token endpoint that issues
 *  - user access tokens for the pimflow API as any demo user, with or without MFA (`amr`), authentication
 *    contexts (`acrs`) and app roles: `POST <token url>` with JSON `{ user, roles?, amr?, acrs? }`;
 *  - app-only tokens by the client-credentials grant (form-encoded, as MSAL sends it): the app's own
 *    `@azure/identity` credential uses it for Microsoft Graph, and registered client apps (`registerClientApp`, like
 *    an app registration with a secret and app role assignments on the pimflow API) for the pimflow API itself,
 *    as Entra ID issues them: `idtyp: app`, `roles` (the app roles assigned to the client; no claim when none),
 *    no `scp`, `oid` = `sub` = the client's service principal.
 * The signing key is kept in `keyFile` so tokens stay valid across restarts. A small page at `/` hands out tokens.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';
import { type StandIn, keepIdleConnections } from '../stand-in';
import type { TlsMaterial } from '../tls';
import { tokenPage } from './token-page';

export interface DirectoryUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
}

export interface IdentityStandInOptions {
  host?: string;
  port?: number;
  tls: TlsMaterial;
  tenantId: string;
  /** The pimflow API's audience (what AUTH_AUDIENCE is set to). */
  apiAudience: string;
  /** The app registration the app's own credential uses (client credentials), and its secret. */
  appClientId: string;
  appClientSecret: string;
  /** Object id of the app's service principal (the `oid` of its app-only tokens). */
  appObjectId: string;
  keyFile: string;
  /** The demo tenant's users, looked up by object id or userPrincipalName. */
  users: () => DirectoryUser[];
  /** Other applications that may call the pimflow API with client credentials (more with registerClientApp). */
  clientApps?: ClientApp[];
  tokenLifetimeSeconds?: number;
}

export interface IdentityStandIn extends StandIn {
  issuer: string;
  tokenUrl: string;
  /** Issues a user token for the API (what `POST <token url>` does), for tests. */
  issueUserToken(request: UserTokenRequest): Promise<string>;
  /**
   * Registers a client application (app registration + service principal + client secret) and assigns it app
   * roles on the pimflow API, as an admin would in Entra ID; it then gets app-only tokens with the
   * client-credentials grant (`scope=<API audience>/.default`).
   */
  registerClientApp(app: { displayName: string; apiRoles?: string[] }): ClientApp;
  /**
   * For tests of what the API refuses: signs any claims with the issuer's key, as a misbehaving issuer could.
   * `iss`, `aud`, `tid`, `iat`, `nbf` and `exp` are filled in unless given; `omit` leaves claims out.
   */
  signToken(claims: Record<string, unknown>, options?: { omit?: string[] }): Promise<string>;
}

export interface ClientApp {
  displayName: string;
  clientId: string;
  clientSecret: string;
  /** Object id of its service principal: the `oid` and `sub` of its app-only tokens. */
  objectId: string;
  /** App roles assigned to it on the pimflow API (application permissions): its tokens' `roles`. */
  apiRoles: string[];
}

export interface UserTokenRequest {
  user: string;
  roles?: string[];
  amr?: string[];
  acrs?: string[];
}

const KID_BYTES = 16;

export async function startIdentityStandIn(o: IdentityStandInOptions): Promise<IdentityStandIn> {
  const host = o.host ?? '127.0.0.1';
  const signingKey = await loadOrCreateKey(o.keyFile);
  const server = https.createServer({ key: o.tls.key, cert: o.tls.cert });
  keepIdleConnections(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, host, () => resolve());
  });
  const origin = `https://${host}:${(server.address() as AddressInfo).port}`;
  const issuer = `${origin}/${o.tenantId}/v2.0`;
  const tokenUrl = `${origin}/${o.tenantId}/oauth2/v2.0/token`;
  const lifetime = o.tokenLifetimeSeconds ?? 3600;

  const sign = async (claims: Record<string, unknown>, audience: string): Promise<string> => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({ ...claims, tid: o.tenantId, ver: '2.0', uti: randomUUID() })
      .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' })
      .setIssuer(issuer)
      .setAudience(audience)
      .setIssuedAt(now)
      .setNotBefore(now - 5)
      .setExpirationTime(now + lifetime)
      .sign(signingKey.privateKey);
  };

  const issueUserToken = async (request: UserTokenRequest): Promise<string> => {
    const user = findUser(o.users(), request.user);
    if (!user) throw new TokenRequestError(`No user "${request.user}" in the demo tenant`);
    return sign(
      {
        oid: user.id,
        sub: createHash('sha256').update(user.id).digest('base64url').slice(0, 43),
        name: user.displayName,
        preferred_username: user.userPrincipalName,
        scp: 'access_as_user',
        azp: o.appClientId,
        idtyp: 'user',
        roles: request.roles ?? [],
        amr: request.amr ?? ['pwd'],
        ...(request.acrs && request.acrs.length > 0 ? { acrs: request.acrs } : {}),
      },
      o.apiAudience,
    );
  };

  const clientApps: ClientApp[] = [...(o.clientApps ?? [])];
  const registerClientApp = (app: { displayName: string; apiRoles?: string[] }): ClientApp => {
    const registered: ClientApp = {
      displayName: app.displayName,
      clientId: randomUUID(),
      clientSecret: randomBytes(30).toString('base64url'),
      objectId: randomUUID(),
      apiRoles: [...(app.apiRoles ?? [])],
    };
    clientApps.push(registered);
    return registered;
  };

  const signToken = async (claims: Record<string, unknown>, options: { omit?: string[] } = {}) => {
    const now = Math.floor(Date.now() / 1000);
    const all: Record<string, unknown> = {
      iss: issuer,
      aud: o.apiAudience,
      tid: o.tenantId,
      ver: '2.0',
      iat: now,
      nbf: now - 5,
      exp: now + lifetime,
      uti: randomUUID(),
      ...claims,
    };
    for (const name of options.omit ?? []) delete all[name];
    return new SignJWT(all)
      .setProtectedHeader({ alg: 'RS256', kid: signingKey.kid, typ: 'JWT' })
      .sign(signingKey.privateKey);
  };

  const clientCredentials = async (form: URLSearchParams): Promise<Record<string, unknown>> => {
    const own = form.get('client_id') === o.appClientId;
    const client = own ? undefined : clientApps.find((c) => c.clientId === form.get('client_id'));
    if (!own && !client) {
      throw new TokenRequestError(
        `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.`,
        'unauthorized_client',
      );
    }
    if (form.get('client_secret') !== (own ? o.appClientSecret : client?.clientSecret)) {
      throw new TokenRequestError('AADSTS7000215: Invalid client secret provided.', 'invalid_client', 401);
    }
    const scope = form.get('scope') ?? '';
    const resource = scope.split(' ').find((s) => s.endsWith('/.default'));
    if (!resource)
      throw new TokenRequestError(
        'AADSTS1002012: The provided value for scope is not valid.',
        'invalid_scope',
      );
    const audience = resource.slice(0, -'/.default'.length);
    const objectId = client?.objectId ?? o.appObjectId;
    const clientId = client?.clientId ?? o.appClientId;
    // For the pimflow API: the app roles assigned to the client, and no `roles` claim at all when there are none
    // (as Entra ID does: any app in the tenant gets a token, so the API must look at the roles).
    const roles = audience === o.apiAudience ? (client?.apiRoles ?? []) : [];
    const token = await sign(
      {
        oid: objectId,
        sub: objectId,
        azp: clientId,
        azpacr: '1',
        appid: clientId,
        idtyp: 'app',
        ...(audience !== o.apiAudience || roles.length > 0 ? { roles } : {}),
      },
      audience,
    );
    return { token_type: 'Bearer', expires_in: lifetime, ext_expires_in: lifetime, access_token: token };
  };

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    void handle(req, res).catch((err: unknown) => {
      if (err instanceof TokenRequestError) {
        sendJson(res, err.status, { error: err.code, error_description: err.message });
      } else {
        sendJson(res, 500, { error: 'server_error', error_description: 'The identity stand-in failed' });
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const base = `/${o.tenantId}`;
    if (req.method === 'GET' && url.pathname === '/') {
      res.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'content-security-policy':
          "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
      });
      res.end(tokenPage(tokenUrl, o.users()));
      return;
    }
    if (req.method === 'GET' && url.pathname === `${base}/v2.0/.well-known/openid-configuration`) {
      sendJson(res, 200, {
        issuer,
        token_endpoint: tokenUrl,
        authorization_endpoint: `${origin}${base}/oauth2/v2.0/authorize`,
        jwks_uri: `${origin}${base}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        token_endpoint_auth_methods_supported: [
          'client_secret_post',
          'private_key_jwt',
          'client_secret_basic',
        ],
        tenant_region_scope: 'EU',
        cloud_instance_name: 'pimflow.local',
      });
      return;
    }
    if (req.method === 'GET' && url.pathname === `${base}/discovery/v2.0/keys`) {
      sendJson(res, 200, { keys: [signingKey.publicJwk] });
      return;
    }
    if (req.method === 'POST' && url.pathname === `${base}/oauth2/v2.0/token`) {
      const body = await readBody(req);
      const type = req.headers['content-type'] ?? '';
      if (type.includes('application/json')) {
        const request = parseUserTokenRequest(body);
        sendJson(res, 200, {
          token_type: 'Bearer',
          expires_in: lifetime,
          access_token: await issueUserToken(request),
        });
        return;
      }
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'client_credentials') {
        throw new TokenRequestError(
          'AADSTS70003: The grant type is not supported by the local stand-in.',
          'unsupported_grant_type',
        );
      }
      sendJson(res, 200, await clientCredentials(form));
      return;
    }
    sendJson(res, 404, { error: 'not_found', error_description: `No ${req.method} ${url.pathname}` });
  }

  return {
    url: origin,
    issuer,
    tokenUrl,
    issueUserToken,
    registerClientApp,
    signToken,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export class TokenRequestError extends Error {
  constructor(
    message: string,
    readonly code = 'invalid_request',
    readonly status = 400,
  ) {
    super(message);
  }
}

function parseUserTokenRequest(body: string): UserTokenRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new TokenRequestError(
      'The body must be JSON: { "user": "...", "roles": [], "amr": [], "acrs": [] }',
    );
  }
  const v = value as Record<string, unknown>;
  const list = (key: string): string[] | undefined => {
    const x = v[key];
    if (x === undefined) return undefined;
    if (!Array.isArray(x) || !x.every((s) => typeof s === 'string')) {
      throw new TokenRequestError(`"${key}" must be an array of strings`);
    }
    return x as string[];
  };
  if (typeof v.user !== 'string' || v.user === '')
    throw new TokenRequestError('"user" (userPrincipalName or object id) is required');
  return { user: v.user, roles: list('roles'), amr: list('amr'), acrs: list('acrs') };
}

function findUser(users: DirectoryUser[], idOrUpn: string): DirectoryUser | undefined {
  const key = idOrUpn.toLowerCase();
  return users.find((u) => u.id.toLowerCase() === key || u.userPrincipalName.toLowerCase() === key);
}

interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

async function loadOrCreateKey(file: string): Promise<SigningKey> {
  let privateJwk: JWK;
  if (existsSync(file)) {
    privateJwk = JSON.parse(readFileSync(file, 'utf8')) as JWK;
  } else {
    const { privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
    privateJwk = {
      ...(await exportJWK(privateKey)),
      kid: randomUUID()
        .replace(/-/g, '')
        .slice(0, KID_BYTES * 2),
      alg: 'RS256',
      use: 'sig',
    };
    writeFileSync(file, JSON.stringify(privateJwk), { mode: 0o600 });
  }
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...publicJwk } = privateJwk;
  return {
    kid: privateJwk.kid as string,
    privateKey: (await importJWK(privateJwk, 'RS256')) as CryptoKey,
    publicJwk,
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}
