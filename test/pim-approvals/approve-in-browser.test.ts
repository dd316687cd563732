/**
 * The e-mail approval link in headless Chromium: the approver opens the mail, follows its button to the
 * confirmation page (nothing decided yet), types a reason, presses Approve, and sees the result page. The pages run
 * no script and break no rule of their strict CSP.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ApprovalRepository } from '../../shared/approvals/adapters/approval-repository';
import { openApproval } from '../../shared/approvals/open-approval';
import { REQUEST_EVENTS } from '../../shared/requests/domain/schedule-request';
import type { AppServices } from '../../shared/composition-root';
import { describeInBrowser, launchChromium } from '../browser';
import { startPimApp, type PimApp } from '../pim-harness';
import {
  approvalMails,
  approvalSettings,
  eventsRaised,
  HELPDESK,
  newRequest,
  startWaitingInstance,
} from './approval-fixtures';

const NOW = new Date('2026-03-02T09:00:00Z');

describeInBrowser('approving from an e-mail link in Chromium', () => {
  let app: PimApp;
  let services: AppServices;
  let browser: Browser;

  beforeAll(async () => {
    app = await startPimApp({ virtualClock: NOW });
    services = await app.services();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  it('opens the link from the mail, shows the request, approves on the click, and says so', async () => {
    const olivia = app.user('olivia.carter');
    const sofia = app.user('sofia.rossi');
    const request = newRequest(olivia, HELPDESK, {
      start: NOW,
      ticket: 'INC-2042',
      justification: 'Rotate the <helpdesk> bot credentials',
    });
    const opened = await openApproval(services, {
      request,
      settings: approvalSettings(HELPDESK, [{ type: 'groupOwners' }], { justification: true }),
      now: NOW,
    });
    expect(opened).toMatchObject({ approvalId: request.id });
    const instanceId = await startWaitingInstance(app, request);
    const [mail] = await approvalMails(app, sofia.userPrincipalName, request.id);
    if (!mail) throw new Error('no approval mail for Sofia');

    const page = await browser.newPage();
    const problems: string[] = [];
    page.on('console', (m) => {
      // A 4xx page logs "Failed to load resource": expected. Anything else (a CSP violation, a script) is not.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    await page.setContent(mail.html);
    await Promise.all([
      page.waitForURL(/\/api\/approvals\/decide\?token=/),
      page.getByRole('link', { name: 'Review the request' }).click(),
    ]);

    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Approve or deny this request?');
    expect(await page.locator('main').textContent()).toContain('Rotate the <helpdesk> bot credentials');
    expect(await page.locator('main').textContent()).toContain('INC-2042');
    const repo = ApprovalRepository.of(services.database);
    expect((await repo.find(request.id, HELPDESK))?.status).toBe('InProgress');

    await page.getByLabel(/Justification/).fill('Ticket checked with the service desk');
    await Promise.all([
      page.waitForURL(/\/api\/approvals\/decide$/),
      page.getByRole('button', { name: 'Approve' }).click(),
    ]);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Request approved');
    expect(await page.getByRole('status').textContent()).toContain("You approved Olivia Carter's request");

    expect(await repo.find(request.id, HELPDESK)).toMatchObject({
      status: 'Approved',
      steps: [
        {
          reviewResult: 'Approve',
          reviewedBy: { id: sofia.id },
          justification: 'Ticket checked with the service desk',
        },
      ],
    });
    expect(await eventsRaised(app, instanceId)).toEqual([REQUEST_EVENTS.approvalDecided]);

    // Back to the page (never cached): it now says the link has been used, and offers no form.
    await page.goBack();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('This link has already been used');
    expect(await page.locator('form').count()).toBe(0);
    expect((await repo.find(request.id, HELPDESK))?.steps[0]?.reviewResult).toBe('Approve');
    expect(problems).toEqual([]);
    await page.close();
  });
});
