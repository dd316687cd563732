/**
 * Signing in to the portal the way people do: the portal sends them to the sign-in page (authorization code flow
 * with PKCE, MSAL unchanged), they come back signed in, their app roles decide what the portal offers, and signing
 * out ends the session at the identity provider too.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeInBrowser } from '../browser';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';

describeInBrowser('signing in to the portal', () => {
  let portal: PortalTest;

  beforeAll(async () => {
    portal = await startPortalTest();
  });
  afterAll(async () => {
    await portal?.close();
  });

  it('signs a requester in and shows their name and the pages for everyone, without Admin', async () => {
    const page = await portal.open('olivia.carter');
    // Who is signed in is asked once, not on every render.
    let meReads = 0;
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/api/me') meReads++;
    });
    await page.waitForTimeout(1500);
    expect(meReads).toBe(0);
    const nav = page.getByRole('navigation', { name: 'Main' });
    expect(await nav.getByRole('link').allTextContents()).toEqual([
      'My roles',
      'Approve requests',
      'Access reviews',
    ]);
    expect(await page.getByRole('banner').textContent()).toContain('Olivia Carter');
    await expectAccessible(page);
    // The Admin route is not theirs: the start page shows instead.
    await page.goto(`${portal.portalUrl}#/admin/settings`);
    await page.getByRole('heading', { level: 1, name: 'My roles' }).waitFor();
    expect(portal.problems(page)).toEqual([]);
  });

  it("offers Admin to admins and auditors (the identity provider's app role assignments)", async () => {
    for (const user of ['admin@pimflow.example', 'ruby.walsh']) {
      const page = await portal.open(user, { route: '#/admin' });
      await expect
        .poll(() =>
          page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(),
        )
        .toBe(1);
      await expect.poll(() => page.getByRole('navigation', { name: 'Admin' }).isVisible()).toBe(true);
    }
  });

  it('signs out at the identity provider: the next sign-in asks who you are again', async () => {
    const page = await portal.open('olivia.carter', { viewport: 'phone' });
    await portal.screenshot(page, 'signed-in');
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL((url) => url.href.startsWith(portal.portalUrl));
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await portal.screenshot(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/oauth2\/v2\.0\/authorize/);
    expect(await page.getByRole('radio').count()).toBeGreaterThan(20);
  });
});
