/**
 * The stand-ins' pages in headless Chromium: the mailbox shows a message without running anything in it, and the
 * sign-in page hands out a token for a demo user.
 */
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startIdentityStandIn, type IdentityStandIn } from '../../local/standins/identity/identity-stand-in';
import { createAcsMailer } from '../../shared/mail/acs-mailer';
import { describeInBrowser, launchChromium } from '../browser';
import { testTls } from '../helpers';
import { startTestMailStandIn, type TestMailStandIn } from '../mail/mail-test-helpers';

describeInBrowser('stand-in pages in Chromium', () => {
  let browser: Browser;
  let mail: TestMailStandIn;
  let idp: IdentityStandIn;

  beforeAll(async () => {
    browser = await launchChromium(testTls());
    mail = await startTestMailStandIn();
    idp = await startIdentityStandIn({
      tls: testTls(),
      tenantId: '7d3c9a51-2f4e-4b8a-9c61-0d2e5f7a8b90',
      apiAudience: 'api://pimflow',
      appClientId: 'app',
      appClientSecret: 'secret',
      appObjectId: '22222222-2222-4222-8222-222222222222',
      keyFile: path.join(mkdtempSync(path.join(os.tmpdir(), 'pimflow-idp-')), 'key.json'),
      users: () => [
        {
          id: '11111111-1111-4111-8111-111111111111',
          userPrincipalName: 'adele@pimflow.example',
          displayName: 'Adele Vance',
        },
      ],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await mail?.standIn.close();
    await idp?.close();
  });

  it('opens a message from the mailbox list without executing scripts in it', async () => {
    const mailer = createAcsMailer({
      connectionString: mail.standIn.connectionString,
      senderAddress: 'DoNotReply@pimflow.example',
    });
    await mailer.send({
      to: ['victim@pimflow.example'],
      subject: 'Hostile <b>subject</b>',
      html: '<html><body><p id="greeting">Hello</p><script>window.top.pwned = true; document.title = "pwned"</script><img src=x onerror="window.top.pwned=true"></body></html>',
      text: 'Hello',
    });
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(`${mail.standIn.mailboxUrl}?to=victim@pimflow.example`);
    await page.getByText('Hostile <b>subject</b>').first().click();
    await page.waitForLoadState('load');
    const frame = page.frameLocator('iframe');
    await expect.poll(() => frame.locator('#greeting').textContent()).toBe('Hello');
    expect(await page.evaluate(() => (window as unknown as { pwned?: boolean }).pwned)).toBeUndefined();
    expect(await page.title()).not.toBe('pwned');
    expect(dialogs).toEqual([]);
    await page.close();
  });

  it('hands out a token for a demo user from the sign-in page', async () => {
    const page = await browser.newPage();
    await page.goto(`${idp.url}/`);
    await page.getByLabel('PimFlow.Admin').check();
    await page.getByLabel(/MFA/).check();
    await page.getByRole('button', { name: 'Get token' }).click();
    const textarea = page.getByLabel('access token');
    await expect.poll(() => textarea.inputValue()).toMatch(/^ey/);
    const token = await textarea.inputValue();
    const claims = JSON.parse(Buffer.from(token.split('.')[1] as string, 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({
      preferred_username: 'adele@pimflow.example',
      roles: ['PimFlow.Admin'],
      amr: ['pwd', 'mfa'],
    });
    await page.close();
  });
});
