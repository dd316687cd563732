/**
 * The portal as the function app serves it (functions/portal.ts): the built pages and assets, precompressed answers
 * by Accept-Encoding, caching (hashed assets for a year, pages revalidated), a strict CSP on pages, nothing outside
 * dist/portal, and config.json from the app settings — the same in Azure as under `npm start`.
 */
import { gunzipSync, brotliDecompressSync } from 'node:zlib';
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PORTAL_CLIENT_ID } from '../../local/dev-environment';
import { startPimApp, type PimApp } from '../pim-harness';

/** node's fetch decompresses and may not send our Accept-Encoding as given: read the raw answer. */
function rawGet(url: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: Record<string, string>; body: Buffer }>((resolve, reject) => {
    request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers as Record<string, string>,
          body: Buffer.concat(chunks),
        }),
      );
      res.on('error', reject);
    })
      .on('error', reject)
      .end();
  });
}

describe('the portal served by the function app', () => {
  let app: PimApp;
  let base: string;

  beforeAll(async () => {
    app = await startPimApp();
    base = `${app.rt.urls.api}/portal/`;
  });
  afterAll(async () => {
    await app?.stop();
  });

  it('serves its page with a strict CSP that lets it reach only itself and the sign-in authority', async () => {
    const res = await rawGet(base);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(res.headers['cache-control']).toBe('no-cache');
    const csp = res.headers['content-security-policy'] ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ${new URL(app.dev.identity.issuer).origin}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.body.toString()).toContain('<div id="root"></div>');
  });

  it('answers each asset precompressed in the encoding the browser takes, cached for a year', async () => {
    const page = (await rawGet(base)).body.toString();
    const script = /src="([^"]+\.js)"/.exec(page)?.[1];
    if (!script) throw new Error('the page names no script');
    const url = new URL(script, base).href;
    const plain = await rawGet(url);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');

    const br = await rawGet(url, { 'accept-encoding': 'gzip, deflate, br' });
    expect(br.headers['content-encoding']).toBe('br');
    expect(br.headers.vary).toBe('Accept-Encoding');
    expect(brotliDecompressSync(br.body).equals(plain.body)).toBe(true);
    expect(br.body.length).toBeLessThan(plain.body.length / 3);

    const gz = await rawGet(url, { 'accept-encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(plain.body)).toBe(true);

    // "br;q=0" refuses brotli.
    const refused = await rawGet(url, { 'accept-encoding': 'br;q=0, gzip' });
    expect(refused.headers['content-encoding']).toBe('gzip');
  });

  it('tells the portal how to sign in, from the app settings', async () => {
    const res = await fetch(`${base}config.json`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      clientId: DEMO_PORTAL_CLIENT_ID,
      authority: app.dev.identity.issuer.replace(/\/v2\.0$/, ''),
      knownAuthorities: [new URL(app.dev.identity.issuer).host],
      apiScope: 'api://pimflow/access_as_user',
    });
  });

  it('serves nothing but the built portal', async () => {
    for (const path of [
      'nope.js',
      '..%2F..%2Fpackage.json',
      '.%2E/functions/portal.js',
      'assets/..%2F..%2Fdist%2Ffunctions%2Fportal.js',
      'index.html.br',
      '.hidden',
    ]) {
      const res = await rawGet(`${base}${path}`);
      expect(res.status, path).toBe(404);
      expect(res.body.toString(), path).not.toContain('require(');
    }
  });
});
