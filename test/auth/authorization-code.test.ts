/**
 * Entra ID's authorization code flow with PKCE for a single-page app, against the identity stand-in over HTTPS,
 * as @azure/msal-browser drives it: the sign-in page, the code in the fragment, its cross-origin redemption,
 * refresh token rotation, claims challenges (MFA, authentication contexts), silent sign-in and sign-out.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PORTAL_CLIENT_ID, startDevEnvironment, type DevEnvironment } from '../../local/dev-environment';
import { startIdentityStandIn, type IdentityStandIn } from '../../local/standins/identity/identity-stand-in';
import { createTokenValidator } from '../../shared/auth/token-validator';
import { testTls } from '../helpers';

const TENANT = '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
const AUDIENCE = 'api://pimflow';
const CLIENT_ID = '5b0e7c3a-8d14-4f62-a9e5-3c71d2b84f06';
const REDIRECT = 'https://localhost:7075/api/portal/';
const APP_ORIGIN = 'https://localhost:7075';
const ADELE = {
  id: '11111111-1111-4111-8111-111111111111',
  userPrincipalName: 'adele@pimflow.example',
  displayName: 'Adele Vance',
};
const RUBY = {
  id: '33333333-3333-4333-8333-333333333333',
  userPrincipalName: 'ruby.walsh@pimflow.example',
  displayName: 'Ruby Walsh',
};
const MFA_CLAIMS = JSON.stringify({ access_token: { amr: { essential: true, values: ['mfa'] } } });
const C1_CLAIMS = JSON.stringify({ access_token: { acrs: { essential: true, value: 'c1' } } });

let idp: IdentityStandIn;

beforeAll(async () => {
  idp = await startIdentityStandIn({
    tls: testTls(),
    tenantId: TENANT,
    apiAudience: AUDIENCE,
    appClientId: 'app-client',
    appClientSecret: 'app-secret',
    appObjectId: '22222222-2222-4222-8222-222222222222',
    keyFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'pimflow-idp-')), 'key.json'),
    users: () => [ADELE, RUBY],
    appRoleAssignments: (id) => (id === RUBY.id ? ['PimFlow.Auditor'] : []),
    spaClients: [{ clientId: CLIENT_ID, displayName: 'pimflow portal', redirectUris: [REDIRECT] }],
  });
});
afterAll(async () => {
  await idp?.close();
});

const authorizeUrl = () => `${idp.authority}/oauth2/v2.0/authorize`;

/** What MSAL sends to /authorize (response_mode=fragment, PKCE S256, nonce, state), with overrides. */
function authorizeParams(overrides: Record<string, string | undefined> = {}) {
  const verifier = randomBytes(32).toString('base64url');
  const params: Record<string, string> = {};
  const all: Record<string, string | undefined> = {
    client_id: CLIENT_ID,
    scope: `${AUDIENCE}/access_as_user openid profile offline_access`,
    redirect_uri: REDIRECT,
    response_type: 'code',
    response_mode: 'fragment',
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
    state: randomBytes(8).toString('hex'),
    nonce: randomBytes(8).toString('hex'),
    client_info: '1',
    ...overrides,
  };
  for (const [k, v] of Object.entries(all)) if (v !== undefined) params[k] = v;
  return { params, verifier };
}

async function getAuthorize(params: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(`${authorizeUrl()}?${new URLSearchParams(params)}`, {
    redirect: 'manual',
    headers: cookie ? { cookie } : {},
  });
}

/** Submits the sign-in page as a person would: the page's hidden fields plus the choices. */
async function signIn(
  params: Record<string, string>,
  choices: { user: string; mfa?: boolean; acrs?: string[] },
): Promise<{ res: Response; cookie: string; fields: URLSearchParams }> {
  const page = await getAuthorize(params);
  expect(page.status).toBe(200);
  const html = await page.text();
  const form = new URLSearchParams();
  for (const m of html.matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) {
    form.append(decodeEntities(m[1]!), decodeEntities(m[2]!));
  }
  form.set('signin_user', choices.user);
  if (choices.mfa) form.set('signin_mfa', 'true');
  for (const acr of choices.acrs ?? []) form.append('signin_acr', acr);
  const res = await fetch(authorizeUrl(), {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
  const cookie = (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
  return { res, cookie, fields: replyFields(res) };
}

function replyFields(res: Response): URLSearchParams {
  const location = res.headers.get('location');
  if (!location) return new URLSearchParams();
  const url = new URL(location);
  return new URLSearchParams(url.hash ? url.hash.slice(1) : url.search);
}

function decodeEntities(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n)));
}

async function token(
  form: Record<string, string>,
  origin: string | undefined = APP_ORIGIN,
): Promise<Response> {
  return fetch(idp.tokenUrl, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded;charset=utf-8',
      ...(origin ? { origin } : {}),
    },
    body: new URLSearchParams(form),
  });
}

const redeem = (code: string, verifier: string, origin?: string) =>
  token(
    {
      client_id: CLIENT_ID,
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      scope: `${AUDIENCE}/access_as_user openid profile offline_access`,
    },
    origin,
  );

interface TokenResponse {
  token_type: string;
  scope: string;
  expires_in: number;
  access_token: string;
  refresh_token: string;
  id_token: string;
  client_info: string;
}

describe('the authorization code flow with PKCE for a single-page app', () => {
  it('signs a user in from the page and issues tokens the API accepts', async () => {
    const { params, verifier } = authorizeParams();
    const page = await getAuthorize(params);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    const html = await page.text();
    expect(html).toContain('Adele Vance');
    expect(html).toContain('adele@pimflow.example');
    expect(html).toContain('App roles: PimFlow.Auditor');
    expect(html).toContain('Signed in with multifactor authentication (MFA)');
    expect(html).toMatch(/c1 — /);

    const { res, fields } = await signIn(params, { user: RUBY.id });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${REDIRECT}#`));
    expect(fields.get('state')).toBe(params.state);
    expect(JSON.parse(Buffer.from(fields.get('client_info')!, 'base64url').toString())).toEqual({
      uid: RUBY.id,
      utid: TENANT,
    });
    expect(fields.get('session_state')).toBeTruthy();

    const tokens = await redeem(fields.get('code')!, verifier);
    expect(tokens.status).toBe(200);
    expect(tokens.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    const body = (await tokens.json()) as TokenResponse;
    expect(body).toMatchObject({
      token_type: 'Bearer',
      scope: expect.stringContaining(`${AUDIENCE}/access_as_user`),
      expires_in: 3600,
    });

    const principal = await createTokenValidator({
      issuer: idp.issuer,
      audience: AUDIENCE,
      tenantId: TENANT,
    }).validate(`Bearer ${body.access_token}`);
    expect(principal).toMatchObject({
      objectId: RUBY.id,
      roles: ['PimFlow.Auditor'],
      authenticationMethods: ['pwd'],
      userPrincipalName: RUBY.userPrincipalName,
    });
    expect(decodeJwt(body.access_token)).toMatchObject({ azp: CLIENT_ID, scp: 'access_as_user', ver: '2.0' });

    const jwks = createRemoteJWKSet(new URL(`${idp.authority}/discovery/v2.0/keys`));
    const { payload: id } = await jwtVerify(body.id_token, jwks, { issuer: idp.issuer, audience: CLIENT_ID });
    expect(id).toMatchObject({
      nonce: params.nonce,
      oid: RUBY.id,
      tid: TENANT,
      name: 'Ruby Walsh',
      preferred_username: RUBY.userPrincipalName,
    });
  });

  it('refuses a wrong code verifier, a second redemption and a redemption without Origin', async () => {
    const { params } = authorizeParams();
    const wrong = await redeem(
      (await signIn(params, { user: ADELE.id })).fields.get('code')!,
      'not-the-verifier-0123456789012345678901234',
    );
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_grant', error_codes: [501481] });

    const again = authorizeParams();
    const code = (await signIn(again.params, { user: ADELE.id })).fields.get('code')!;
    expect((await redeem(code, again.verifier)).status).toBe(200);
    const reused = await redeem(code, again.verifier);
    expect(reused.status).toBe(400);
    expect(await reused.json()).toMatchObject({ error: 'invalid_grant' });

    const third = authorizeParams();
    const sameOrigin = await redeem(
      (await signIn(third.params, { user: ADELE.id })).fields.get('code')!,
      third.verifier,
      '',
    );
    expect(sameOrigin.status).toBe(400);
    expect(((await sameOrigin.json()) as { error_description: string }).error_description).toMatch(
      /^AADSTS9002327/,
    );
  });

  it('shows an unregistered redirect URI or unknown client on its page and never redirects there', async () => {
    const evil = await getAuthorize(
      authorizeParams({ redirect_uri: 'https://evil.example/callback' }).params,
    );
    expect(evil.status).toBe(400);
    expect(evil.headers.get('location')).toBeNull();
    expect(await evil.text()).toContain('AADSTS50011');
    const unknown = await getAuthorize(
      authorizeParams({ client_id: '00000000-0000-4000-8000-000000000000' }).params,
    );
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('AADSTS700016');
  });

  it('sends a request without PKCE back to the app with an error', async () => {
    const res = await getAuthorize(
      authorizeParams({ code_challenge: undefined, code_challenge_method: undefined }).params,
    );
    expect(res.status).toBe(302);
    expect(replyFields(res).get('error_description')).toMatch(/^AADSTS9002325/);
  });

  it('answers response_mode=form_post with a page that posts the code to the redirect URI', async () => {
    const { params } = authorizeParams({ response_mode: 'form_post' });
    const { res } = await signIn(params, { user: ADELE.id });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain(`form-action 'self' ${APP_ORIGIN}`);
    const html = await res.text();
    expect(html).toContain(`<form method="post" action="${REDIRECT}"`);
    expect(html).toMatch(/<input type="hidden" name="code" value="1\.[\w-]+">/);
    expect(html).toContain(`<input type="hidden" name="state" value="${params.state}">`);
  });

  it('pre-ticks and requires MFA and the context a claims challenge asks for; the token then carries them', async () => {
    const claims = JSON.stringify({
      access_token: { amr: { essential: true, values: ['mfa'] }, acrs: { essential: true, value: 'c1' } },
    });
    const { params, verifier } = authorizeParams({ claims });
    const html = await (await getAuthorize(params)).text();
    expect(html).toContain('The app asks you to sign in again with MFA.');
    expect(html).toMatch(/name="signin_mfa" value="true" checked required/);
    expect(html).toMatch(/name="signin_acr" value="c1" checked required/);

    const refused = await signIn(params, { user: ADELE.id });
    expect(refused.res.status).toBe(400);
    expect(await refused.res.text()).toMatch(/requires MFA and c1/);

    const { fields } = await signIn(params, { user: ADELE.id, mfa: true, acrs: ['c1'] });
    const body = (await (await redeem(fields.get('code')!, verifier)).json()) as TokenResponse;
    expect(decodeJwt(body.access_token)).toMatchObject({ amr: ['pwd', 'mfa'], acrs: ['c1'] });
  });

  it('rotates refresh tokens and sends an unmet claims challenge back to interactive sign-in', async () => {
    const { params, verifier } = authorizeParams();
    const { fields } = await signIn(params, { user: ADELE.id });
    const first = (await (await redeem(fields.get('code')!, verifier)).json()) as TokenResponse;
    const refresh = (rt: string, extra: Record<string, string> = {}) =>
      token({
        client_id: CLIENT_ID,
        grant_type: 'refresh_token',
        refresh_token: rt,
        scope: `${AUDIENCE}/access_as_user openid profile offline_access`,
        ...extra,
      });

    const rotated = await refresh(first.refresh_token);
    expect(rotated.status).toBe(200);
    const second = (await rotated.json()) as TokenResponse;
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(decodeJwt(second.access_token)).toMatchObject({ oid: ADELE.id, azp: CLIENT_ID });
    expect((await refresh(first.refresh_token)).status).toBe(400);

    for (const claims of [MFA_CLAIMS, C1_CLAIMS]) {
      const challenged = await refresh(second.refresh_token, { claims });
      expect(challenged.status).toBe(400);
      expect(await challenged.json()).toMatchObject({
        error: 'interaction_required',
        error_codes: [50076],
        claims,
      });
    }
    // The refused refresh left the token usable for what it can do.
    expect((await refresh(second.refresh_token)).status).toBe(200);
  });

  it('answers prompt=none from the session, with login_required without one, and signs out', async () => {
    const silent = authorizeParams({ prompt: 'none' });
    const none = await getAuthorize(silent.params);
    expect(none.status).toBe(302);
    expect(Object.fromEntries(replyFields(none))).toMatchObject({
      error: 'login_required',
      state: silent.params.state,
    });

    const { cookie } = await signIn(authorizeParams().params, { user: ADELE.id });
    const again = authorizeParams({ prompt: 'none', login_hint: ADELE.userPrincipalName });
    const fromSession = await getAuthorize(again.params, cookie);
    expect(fromSession.status).toBe(302);
    const code = replyFields(fromSession).get('code');
    expect(code).toBeTruthy();
    expect((await redeem(code!, again.verifier)).status).toBe(200);

    const stepUp = await getAuthorize(authorizeParams({ prompt: 'none', claims: MFA_CLAIMS }).params, cookie);
    expect(replyFields(stepUp).get('error')).toBe('interaction_required');
    expect((await getAuthorize(authorizeParams({ prompt: 'login' }).params, cookie)).status).toBe(200);

    const out = await fetch(
      `${idp.authority}/oauth2/v2.0/logout?post_logout_redirect_uri=${encodeURIComponent(REDIRECT)}`,
      { redirect: 'manual', headers: { cookie } },
    );
    expect(out.status).toBe(302);
    expect(out.headers.get('location')).toBe(REDIRECT);
    expect(
      (await getAuthorize(authorizeParams({ prompt: 'none' }).params, cookie)).headers.get('location'),
    ).toMatch(/error=login_required/);

    const elsewhere = await fetch(
      `${idp.authority}/oauth2/v2.0/logout?post_logout_redirect_uri=https://evil.example/`,
      { redirect: 'manual' },
    );
    expect(elsewhere.status).toBe(200);
    expect(await elsewhere.text()).toContain('You signed out');
  });

  it('publishes the SPA endpoints in discovery and answers CORS preflights', async () => {
    const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`, {
      headers: { origin: APP_ORIGIN },
    });
    expect(res.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN);
    expect(await res.json()).toMatchObject({
      end_session_endpoint: `${idp.authority}/oauth2/v2.0/logout`,
      code_challenge_methods_supported: ['S256'],
      response_modes_supported: ['query', 'fragment', 'form_post'],
      request_uri_parameter_supported: false,
    });
    const preflight = await fetch(idp.tokenUrl, {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'content-type,x-client-sku',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-headers')).toContain('x-client-sku');
  });
});

describe('the dev environment registers the portal as a single-page app', () => {
  let dev: DevEnvironment | undefined;
  afterAll(async () => {
    await dev?.close();
  });

  it('accepts the portal redirect URI on both host forms of both origins and assigns the demo app roles', async () => {
    dev = await startDevEnvironment({
      dir: mkdtempSync(path.join(os.tmpdir(), 'pimflow-dev-')),
      tls: testTls(),
      ports: { cosmos: 0, graph: 0, mail: 0, identity: 0, arm: 0 },
    });
    const settings = dev.settingsFor('http://localhost:7311', 'https://localhost:7312');
    expect(settings.PORTAL_CLIENT_ID).toBe(DEMO_PORTAL_CLIENT_ID);
    const authorize = `${dev.identity.authority}/oauth2/v2.0/authorize`;
    const page = (redirectUri: string) =>
      fetch(
        `${authorize}?${new URLSearchParams({ ...authorizeParams().params, client_id: DEMO_PORTAL_CLIENT_ID, redirect_uri: redirectUri })}`,
        {
          redirect: 'manual',
        },
      );
    for (const origin of [
      'http://localhost:7311',
      'http://127.0.0.1:7311',
      'https://localhost:7312',
      'https://127.0.0.1:7312',
    ]) {
      expect((await page(`${origin}/api/portal/`)).status).toBe(200);
      expect((await page(`${origin}/api/portal/redirect.html`)).status).toBe(200);
    }
    expect((await page('https://localhost:9999/api/portal/')).status).toBe(400);
    const html = await (await page('https://127.0.0.1:7312/api/portal/')).text();
    expect(html).toMatch(/admin@pimflow\.example<\/span><span class="roles">App roles: PimFlow\.Admin</);
    expect(html).toMatch(
      /ruby\.walsh@pimflow\.example<\/span><span class="roles">App roles: PimFlow\.Auditor</,
    );
  });
});
