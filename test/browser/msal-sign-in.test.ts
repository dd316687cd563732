/**
 * @azure/msal-browser v5, unchanged, against the identity stand-in in headless Chromium: a single-page app signs a
 * user in with loginRedirect (the stand-in's sign-in page), gets the API's token, renews it with the refresh token,
 * steps up to MFA when a claims challenge asks for it, signs in silently (ssoSilent: a hidden iframe answered
 * through MSAL v5's redirect bridge page), and signs out.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startIdentityStandIn, type IdentityStandIn } from '../../local/standins/identity/identity-stand-in';
import { createTokenValidator } from '../../shared/auth/token-validator';
import { describeInBrowser, launchChromium } from '../browser';
import { testTls } from '../helpers';

const TENANT = '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90';
const CLIENT_ID = '5b0e7c3a-8d14-4f62-a9e5-3c71d2b84f06';
const SCOPE = 'api://pimflow/access_as_user';
// The library's own browser build, as a page would load it (the portal bundles the same package with Vite).
const BRIDGE = readFileSync(
  path.join(
    __dirname,
    '..',
    '..',
    'node_modules',
    '@azure',
    'msal-browser',
    'lib',
    'redirect-bridge',
    'msal-redirect-bridge.min.js',
  ),
  'utf8',
);
const MSAL = readFileSync(
  path.join(__dirname, '..', '..', 'node_modules', '@azure', 'msal-browser', 'lib', 'msal-browser.min.js'),
  'utf8',
);
const ADELE = {
  id: '11111111-1111-4111-8111-111111111111',
  userPrincipalName: 'adele@pimflow.example',
  displayName: 'Adele Vance',
};

/** The app's page: MSAL with the stand-in as authority; `window.app` is what the test drives. */
function appPage(authority: string, redirectUri: string): string {
  const config = {
    auth: { clientId: CLIENT_ID, authority, knownAuthorities: [new URL(authority).host], redirectUri },
    cache: { cacheLocation: 'sessionStorage' },
  };
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>app</title>
<script src="/msal.js"></script></head><body><p id="status">starting</p><script>
const pca = new msal.PublicClientApplication(${JSON.stringify(config)});
window.app = {
  ready: pca.initialize().then(() => pca.handleRedirectPromise()).then((r) => {
    if (r) pca.setActiveAccount(r.account);
    document.getElementById('status').textContent = r ? 'signed-in' : 'idle';
    return r && { accessToken: r.accessToken, username: r.account.username };
  }),
  login: (claims) => pca.loginRedirect({ scopes: [${JSON.stringify(SCOPE)}], claims }),
  sso: (redirectUri) => pca.ssoSilent({ scopes: [${JSON.stringify(SCOPE)}], loginHint: 'adele@pimflow.example', redirectUri })
    .then((r) => ({ accessToken: r.accessToken }), (e) => ({ error: e.errorCode, name: e.name, message: e.message })),
  logout: () => pca.logoutRedirect({ postLogoutRedirectUri: ${JSON.stringify(redirectUri)} }),
  silent: (options) => pca.acquireTokenSilent({ scopes: [${JSON.stringify(SCOPE)}], account: pca.getActiveAccount(), ...options })
    .then((r) => ({ accessToken: r.accessToken }), (e) => ({ error: e.errorCode, name: e.name })),
};
</script></body></html>`;
}

describeInBrowser('MSAL browser v5 against the identity stand-in', () => {
  let browser: Browser;
  let idp: IdentityStandIn;
  let app: https.Server;
  let appUrl: string;

  beforeAll(async () => {
    const tls = testTls();
    browser = await launchChromium(tls);
    app = https.createServer({ key: tls.key, cert: tls.cert }, (req, res) => {
      if (req.url === '/bridge.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(BRIDGE);
      } else if (req.url?.startsWith('/api/portal/redirect.html')) {
        res
          .writeHead(200, { 'content-type': 'text/html' })
          .end(
            '<!doctype html><html><head><script src="/bridge.js"></script></head><body><script>msalRedirectBridge.broadcastResponseToMainFrame().catch((e) => { document.title = String(e); });</script></body></html>',
          );
      } else if (req.url === '/msal.js') {
        res.writeHead(200, { 'content-type': 'text/javascript' }).end(MSAL);
      } else if (req.url?.startsWith('/api/portal/')) {
        res.writeHead(200, { 'content-type': 'text/html' }).end(appPage(idp.authority, appUrl));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
    // The stand-in's host (another port is the same site): Chromium blocks its session cookie in the silent
    // iframe of a cross-site page (localhost), as browsers do with Entra ID's third-party cookies.
    appUrl = `https://127.0.0.1:${(app.address() as AddressInfo).port}/api/portal/`;
    idp = await startIdentityStandIn({
      tls,
      tenantId: TENANT,
      apiAudience: 'api://pimflow',
      appClientId: 'app',
      appClientSecret: 'secret',
      appObjectId: '22222222-2222-4222-8222-222222222222',
      keyFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'pimflow-idp-')), 'key.json'),
      users: () => [ADELE],
      appRoleAssignments: () => ['PimFlow.Admin'],
    });
    idp.registerSpaClient({
      clientId: CLIENT_ID,
      displayName: 'pimflow portal',
      redirectUris: [appUrl, `${appUrl}redirect.html`],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await idp?.close();
    await new Promise<void>((resolve) => (app ? app.close(() => resolve()) : resolve()));
  });

  async function signInThroughPage(page: Page, options: { mfa?: boolean; claims?: string } = {}) {
    await page.evaluate(async (claims) => {
      await (window as unknown as { app: { ready: Promise<unknown> } }).app.ready;
      void (window as unknown as { app: { login: (c?: string) => Promise<void> } }).app.login(claims);
    }, options.claims);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await page.getByRole('radio', { name: /Adele Vance/ }).check();
    if (options.mfa) await page.getByRole('checkbox', { name: /multifactor/ }).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#status', { hasText: 'signed-in' }).waitFor();
    return page.evaluate(
      () =>
        (window as unknown as { app: { ready: Promise<{ accessToken: string; username: string }> } }).app
          .ready,
    );
  }

  it('signs in with loginRedirect, renews with the refresh token, steps up to MFA on a claims challenge, ssoSilent and logoutRedirect', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(appUrl);
      const first = await signInThroughPage(page);
      expect(first.username).toBe(ADELE.userPrincipalName);
      const principal = await createTokenValidator({
        issuer: idp.issuer,
        audience: 'api://pimflow',
        tenantId: TENANT,
      }).validate(`Bearer ${first.accessToken}`);
      expect(principal).toMatchObject({
        objectId: ADELE.id,
        roles: ['PimFlow.Admin'],
        authenticationMethods: ['pwd'],
      });

      type Silent = { accessToken?: string; error?: string; name?: string };
      const silent = (options: Record<string, unknown>) =>
        page.evaluate(
          (o) => (window as unknown as { app: { silent: (o: unknown) => Promise<Silent> } }).app.silent(o),
          options,
        );
      const renewed = await silent({ forceRefresh: true });
      expect(renewed.accessToken).toBeTruthy();
      expect(renewed.accessToken).not.toBe(first.accessToken);

      // The refresh token can't satisfy MFA, and the hidden iframe gets interaction_required: sign in again.
      const claims = JSON.stringify({ access_token: { amr: { essential: true, values: ['mfa'] } } });
      const challenged = await silent({ claims, cacheLookupPolicy: 2 /* RefreshToken only */ });
      expect(challenged.name).toBe('InteractionRequiredAuthError');

      const stepped = await signInThroughPage(page, { mfa: true, claims });
      expect(decodeJwt(stepped.accessToken).amr).toEqual(['pwd', 'mfa']);
      const sso = await page.evaluate(
        (u) => (window as unknown as { app: { sso: (u: string) => Promise<unknown> } }).app.sso(u),
        `${appUrl}redirect.html`,
      );
      // MSAL v5 answers its hidden iframe through the redirect bridge page; the stand-in's session cookie does it.
      expect(decodeJwt((sso as { accessToken: string }).accessToken)).toMatchObject({
        oid: ADELE.id,
        amr: ['pwd', 'mfa'],
      });

      // Signing out ends the stand-in's session: back at the app, a silent sign-in needs the page again.
      await page.evaluate(() => {
        void (window as unknown as { app: { logout: () => Promise<void> } }).app.logout();
      });
      await page.locator('#status', { hasText: 'idle' }).waitFor();
      const after = await page.evaluate(
        (u) => (window as unknown as { app: { sso: (u: string) => Promise<unknown> } }).app.sso(u),
        `${appUrl}redirect.html`,
      );
      expect(after).toMatchObject({ error: 'login_required' });
    } finally {
      await page.close();
    }
  });
});
