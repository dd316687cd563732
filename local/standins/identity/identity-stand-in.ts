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
 *  - for single-page apps (`registerSpaClient`), Entra ID's authorization code flow with PKCE: /authorize with a
 *    sign-in page (pick a demo user, MFA, authentication contexts; claims challenges honoured), codes and
 *    rotating refresh tokens redeemed cross-origin at the token endpoint, and /logout — enough for
 *    @azure/msal-browser to run unchanged against it.
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
import { AuthorizationGrants, type SignIn } from './authorization-grants';
import { authorizeEndpoint } from './authorize-endpoint';
import { OIDC_SCOPES } from './authorize-request';
import { answerPreflight, corsHeaders, readBody, sendJson } from './http';
import { SignInSessions } from './sign-in-sessions';
import { SpaClients, type SpaClient } from './spa-clients';
import { spaTokenGrants } from './spa-token-grants';
import { TokenRequestError } from './token-request-error';
import { tokenPage } from './token-page';

export { TokenRequestError } from './token-request-error';
export type { SpaClient } from './spa-clients';

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
  /** Single-page apps that sign users in with the authorization code flow (more with registerSpaClient). */
  spaClients?: SpaClient[];
  /** The pimflow API's app roles assigned to a user (object id): the `roles` of their tokens from a sign-in. */
  appRoleAssignments?: (userId: string) => string[];
  tokenLifetimeSeconds?: number;
}

export interface IdentityStandIn extends StandIn {
  issuer: string;
  tokenUrl: string;
  /** `<origin>/<tenant>`: MSAL's `auth.authority` (its host is MSAL's `knownAuthorities` entry). */
  authority: string;
  /**
   * Registers a single-page app (an app registration with the `spa` platform and these redirect URIs), or adds
   * redirect URIs to one already registered with that client id.
   */
  registerSpaClient(client: SpaClient): SpaClient;
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
  /** The token's audience: the pimflow API by default; e.g. ARM's `https://management.azure.com/` for its scope. */
  audience?: string;
}

/**
 * Resources whose tokens' `aud` keeps the trailing slash of the resource URI, as Entra ID issues them for Azure
 * Resource Manager (`scope=https://management.azure.com/.default` → `aud: https://management.azure.com/`).
 */
const SLASHED_AUDIENCES = ['https://management.azure.com', 'https://management.core.windows.net'];

/** The audience a `<resource>/.default` scope asks for. */
export function audienceOfDefaultScope(scope: string): string {
  const resource = scope.slice(0, -'/.default'.length);
  return SLASHED_AUDIENCES.includes(resource.toLowerCase()) ? `${resource}/` : resource;
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

  const userAccessToken = (user: DirectoryUser, request: Omit<UserTokenRequest, 'user'>, azp: string) =>
    sign(
      {
        oid: user.id,
        sub: createHash('sha256').update(user.id).digest('base64url').slice(0, 43),
        name: user.displayName,
        preferred_username: user.userPrincipalName,
        scp: 'access_as_user',
        azp,
        idtyp: 'user',
        roles: request.roles ?? [],
        amr: request.amr ?? ['pwd'],
        ...(request.acrs && request.acrs.length > 0 ? { acrs: request.acrs } : {}),
      },
      request.audience ?? o.apiAudience,
    );

  const issueUserToken = async (request: UserTokenRequest): Promise<string> => {
    const user = findUser(o.users(), request.user);
    if (!user) throw new TokenRequestError(`No user "${request.user}" in the demo tenant`);
    return userAccessToken(user, request, o.appClientId);
  };

  const spaClients = new SpaClients(o.spaClients ?? [], o.tenantId);
  const grants = new AuthorizationGrants();
  const sessions = new SignInSessions();
  const appRoles = (userId: string) => o.appRoleAssignments?.(userId) ?? [];
  const findDemoUser = (idOrUpn: string) => findUser(o.users(), idOrUpn);
  const authorize = authorizeEndpoint({
    tenantId: o.tenantId,
    apiAudience: o.apiAudience,
    clients: spaClients,
    grants,
    sessions,
    users: o.users,
    appRoles,
    findUser: findDemoUser,
  });
  const spaGrants = spaTokenGrants({
    tenantId: o.tenantId,
    apiAudience: o.apiAudience,
    lifetime,
    clients: spaClients,
    grants,
    findUser: findDemoUser,
    appRoles,
    accessToken: (user: DirectoryUser, signIn: SignIn, roles: string[], azp: string) =>
      userAccessToken(user, { roles, amr: signIn.amr, acrs: signIn.acrs }, azp),
    idToken: (claims, clientId) => sign(claims, clientId),
  });

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
    const audience = audienceOfDefaultScope(resource);
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
      // Errors carry CORS headers too: a SPA must read them (MSAL turns interaction_required into a sign-in).
      const cors = corsHeaders(req);
      if (err instanceof TokenRequestError) {
        sendJson(res, err.status, errorBody(err), cors);
      } else {
        sendJson(
          res,
          500,
          { error: 'server_error', error_description: 'The identity stand-in failed' },
          cors,
        );
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', origin);
    const base = `/${o.tenantId}`;
    const crossOrigin = [
      `${base}/v2.0/.well-known/openid-configuration`,
      `${base}/discovery/v2.0/keys`,
      `${base}/oauth2/v2.0/token`,
    ];
    if (req.method === 'OPTIONS' && crossOrigin.includes(url.pathname)) {
      answerPreflight(req, res);
      return;
    }
    if (url.pathname === `${base}/oauth2/v2.0/authorize`) {
      if (req.method === 'GET') return authorize.get(req, res, url);
      if (req.method === 'POST') return authorize.post(req, res, url);
    }
    if (url.pathname === `${base}/oauth2/v2.0/logout` && (req.method === 'GET' || req.method === 'POST')) {
      authorize.logout(req, res, url);
      return;
    }
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
      sendJson(
        res,
        200,
        {
          issuer,
          token_endpoint: tokenUrl,
          authorization_endpoint: `${origin}${base}/oauth2/v2.0/authorize`,
          end_session_endpoint: `${origin}${base}/oauth2/v2.0/logout`,
          jwks_uri: `${origin}${base}/discovery/v2.0/keys`,
          response_modes_supported: ['query', 'fragment', 'form_post'],
          response_types_supported: ['code', 'id_token', 'code id_token', 'token id_token', 'token'],
          subject_types_supported: ['pairwise'],
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: [
            'client_secret_post',
            'private_key_jwt',
            'client_secret_basic',
          ],
          scopes_supported: OIDC_SCOPES,
          claims_supported: [
            'sub',
            'iss',
            'aud',
            'exp',
            'iat',
            'nbf',
            'auth_time',
            'acr',
            'nonce',
            'name',
            'preferred_username',
            'oid',
            'tid',
            'ver',
            'at_hash',
            'c_hash',
            'email',
          ],
          code_challenge_methods_supported: ['S256'],
          request_uri_parameter_supported: false,
          frontchannel_logout_supported: true,
          http_logout_supported: true,
          tenant_region_scope: 'EU',
          cloud_instance_name: 'pimflow.local',
        },
        corsHeaders(req),
      );
      return;
    }
    if (req.method === 'GET' && url.pathname === `${base}/discovery/v2.0/keys`) {
      sendJson(res, 200, { keys: [signingKey.publicJwk] }, corsHeaders(req));
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
      const grantType = form.get('grant_type');
      const origin = req.headers.origin;
      if (grantType === 'client_credentials') {
        sendJson(res, 200, await clientCredentials(form), corsHeaders(req));
      } else if (grantType === 'authorization_code') {
        sendJson(res, 200, await spaGrants.authorizationCode(form, origin), corsHeaders(req));
      } else if (grantType === 'refresh_token') {
        sendJson(res, 200, await spaGrants.refreshToken(form, origin), corsHeaders(req));
      } else {
        throw new TokenRequestError(
          `AADSTS70003: The app requested an unsupported grant type '${grantType ?? ''}'.`,
          'unsupported_grant_type',
        );
      }
      return;
    }
    sendJson(res, 404, { error: 'not_found', error_description: `No ${req.method} ${url.pathname}` });
  }

  return {
    url: origin,
    issuer,
    tokenUrl,
    authority: `${origin}/${o.tenantId}`,
    registerSpaClient: (client) => spaClients.register(client),
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
  // A resource's `.default` scope (e.g. ARM's) asks for a token for that resource instead of the API.
  if (v.scope !== undefined && (typeof v.scope !== 'string' || !v.scope.endsWith('/.default')))
    throw new TokenRequestError('"scope" must be a resource\'s "<resource>/.default" scope');
  const audience = typeof v.scope === 'string' ? audienceOfDefaultScope(v.scope) : undefined;
  return { user: v.user, roles: list('roles'), amr: list('amr'), acrs: list('acrs'), audience };
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

/** An error as Entra ID's token endpoint answers it. */
function errorBody(err: TokenRequestError): Record<string, unknown> {
  return {
    error: err.code,
    error_description: err.message,
    error_codes: err.errorCodes,
    timestamp: new Date().toISOString().replace('T', ' ').slice(0, 19) + 'Z',
    trace_id: randomUUID(),
    correlation_id: randomUUID(),
    ...(err.claims ? { claims: err.claims } : {}),
  };
}
