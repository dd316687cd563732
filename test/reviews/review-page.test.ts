/**
 * The reviewer's page from the e-mail link, in headless Chromium through the real app on the virtual clock. End to
 * end: a definition through the API, its start mail, the link from the mail; the page decides nothing until the form
 * is submitted; decided items leave the list and show in the decisions API. Then, on reviews written to the store
 * (to set evidence, several reviewers and states by hand): refusals stay on the page with what was typed; another
 * reviewer's link can't decide these items; a stopped review is read only; bad forms and changed links get clear
 * pages; once the review is over every link (the mailed one too) gets the expired page.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { ReviewDecision } from '../../shared/reviews/domain/review-decision';
import type { ReviewDefinition } from '../../shared/reviews/domain/review-definition';
import type { ReviewInstance } from '../../shared/reviews/domain/review-instance';
import { reviewPageUrl } from '../../shared/reviews/http/review-link';
import { instanceOrchestrationId, seriesInstanceId } from '../../shared/reviews/contract';
import { reviewDecisionId, reviewInstanceId } from '../../shared/reviews/domain/review-ids';
import { showReviewPage, submitReviewPage } from '../../shared/reviews/http/review-pages';
import type { AppServices } from '../../shared/composition-root';
import { describeInBrowser, launchChromium } from '../browser';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, manageGroup } from '../pim/pim-scenario';

/** The app starts here; the end-to-end review starts at the next midnight (NOW), when the seeded ones start too. */
const T0 = new Date('2026-06-01T09:00:00Z');
const NOW = new Date('2026-06-02T00:00:00Z');
const END = new Date('2026-06-16T00:00:00Z');
const HELPDESK = DEMO.helpdeskGroup;
const DEFINITIONS = 'identityGovernance/accessReviews/definitions';

interface DecisionView {
  id: string;
  principal: { id: string; displayName: string | null };
  decision: string;
  recommendation: string;
  lastSignInDateTime: string | null;
  justification: string | null;
  reviewedBy: { id: string; displayName: string | null } | null;
}

describeInBrowser('the access review page in Chromium', () => {
  let app: PimApp;
  /** The link mailed in the end-to-end test, opened again once the review is over. */
  let mailedLink: string | undefined;
  let services: AppServices;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    app = await startPimApp({ virtualClock: T0 });
    services = await app.services();
    browser = await launchChromium();
    await manageGroup(app, HELPDESK);
  }, 90_000);
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  async function newPage(): Promise<Page> {
    const page = await browser.newPage();
    page.on('console', (m) => {
      // A 4xx page logs "Failed to load resource": expected. Anything else (a CSP violation, a script) is not.
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) problems.push(m.text());
    });
    page.on('pageerror', (e) => problems.push(e.message));
    return page;
  }

  const h1 = (page: Page) => page.getByRole('heading', { level: 1 }).textContent();
  const legends = async (page: Page) => (await page.locator('legend').allTextContents()).map((t) => t.trim());

  interface Seeded {
    definition: ReviewDefinition;
    instance: ReviewInstance;
    items: Record<string, ReviewDecision>;
  }

  /** A definition, its InProgress instance over Helpdesk members and decision items, written to the store. */
  async function seedReview(
    name: string,
    o: { reviewers: Record<string, string[]>; servicePrincipals?: { count: number; reviewer: string } },
  ): Promise<Seeded> {
    const definitionId = crypto.randomUUID();
    const definition: ReviewDefinition = {
      id: definitionId,
      displayName: name,
      descriptionForAdmins: null,
      descriptionForReviewers: 'Keep only people who still <work> on the helpdesk queue.',
      scope: {
        roles: [{ groupId: HELPDESK, accessId: 'member' }],
        assignmentTypes: 'both',
        principalTypes: ['user', 'group', 'servicePrincipal'],
        inactiveDurationInDays: null,
      },
      reviewers: [],
      fallbackReviewers: [],
      additionalNotificationRecipients: [],
      settings: {
        instanceDurationInDays: 14,
        recurrence: null,
        autoApplyDecisionsEnabled: false,
        defaultDecisionEnabled: false,
        defaultDecision: 'Recommendation',
        recommendationsEnabled: true,
        recommendationLookBackDuration: 'P30D',
        justificationRequiredOnApproval: true,
        mailNotificationsEnabled: false,
        reminderNotificationsEnabled: false,
      },
      status: 'InProgress',
      createdBy: { id: DEMO.admin, displayName: 'Morgan Blake (Admin)', userPrincipalName: DEMO.adminUpn },
      createdDateTime: NOW.toISOString(),
      lastModifiedDateTime: NOW.toISOString(),
      orchestrationInstanceId: seriesInstanceId(definitionId),
    };
    await services.reviews.definitions.create(definition);
    const instanceId = reviewInstanceId(definitionId, 0, HELPDESK, 'member');
    const instance: ReviewInstance = {
      id: instanceId,
      definitionId,
      occurrence: 0,
      groupId: HELPDESK,
      accessId: 'member',
      groupDisplayName: 'Helpdesk',
      startDateTime: NOW.toISOString(),
      endDateTime: END.toISOString(),
      status: 'InProgress',
      reviewers: [],
      fallbackReviewers: [],
      contactedReviewerIds: [],
      stoppedBy: null,
      completedDateTime: null,
      appliedDateTime: null,
      orchestrationInstanceId: instanceOrchestrationId(instanceId),
    };
    await services.reviews.instances.create(instance);
    const signIns: Record<string, string | null> = {
      'olivia.carter': '2026-05-29T08:00:00Z',
      'daniel.kim': null,
      'priya.nair': '2026-03-01T08:00:00Z',
      'amelia.novak': '2026-06-01T08:00:00Z',
    };
    const items: Record<string, ReviewDecision> = {};
    for (const [who, reviewerUpns] of Object.entries(o.reviewers)) {
      const u = app.user(who);
      const scheduleId = crypto.randomUUID();
      const lastSignIn = signIns[who] ?? null;
      const item: ReviewDecision = {
        id: reviewDecisionId(instanceId, scheduleId),
        instanceId,
        definitionId,
        accessReviewId: definitionId,
        principal: {
          id: u.id,
          displayName: who === 'priya.nair' ? 'Priya <b>Nair</b>' : u.displayName,
          userPrincipalName: u.userPrincipalName,
          type: 'user',
        },
        resource: { groupId: HELPDESK, accessId: 'member', displayName: 'Helpdesk' },
        scheduleId,
        assignmentType: who === 'daniel.kim' ? 'active' : 'eligible',
        lastSignInDateTime: lastSignIn,
        recommendation: lastSignIn && lastSignIn > '2026-05-03' ? 'Approve' : 'Deny',
        decision: 'NotReviewed',
        justification: null,
        reviewedBy: null,
        reviewedDateTime: null,
        reviewerIds: reviewerUpns.map((r) => app.user(r).id),
        applyResult: 'New',
        appliedBy: null,
        appliedDateTime: null,
      };
      await services.reviews.decisions.create(item);
      items[who] = item;
    }
    // Many more items (service principals: no sign-in data), for paging.
    const many = o.servicePrincipals;
    for (let n = 0; many && n < many.count; n += 1) {
      const scheduleId = crypto.randomUUID();
      const label = `App ${String(n).padStart(3, '0')}`;
      const item: ReviewDecision = {
        id: reviewDecisionId(instanceId, scheduleId),
        instanceId,
        definitionId,
        accessReviewId: definitionId,
        principal: {
          id: crypto.randomUUID(),
          displayName: label,
          userPrincipalName: null,
          type: 'servicePrincipal',
        },
        resource: { groupId: HELPDESK, accessId: 'member', displayName: 'Helpdesk' },
        scheduleId,
        assignmentType: 'active',
        lastSignInDateTime: null,
        recommendation: 'NoInfoAvailable',
        decision: 'NotReviewed',
        justification: null,
        reviewedBy: null,
        reviewedDateTime: null,
        reviewerIds: [app.user(many.reviewer).id],
        applyResult: 'New',
        appliedBy: null,
        appliedDateTime: null,
      };
      await services.reviews.decisions.create(item);
      items[label] = item;
    }
    return { definition, instance, items };
  }

  async function decisionOf(item: ReviewDecision): Promise<ReviewDecision | undefined> {
    return services.reviews.decisions.find(item.id, item.instanceId);
  }

  async function linkFor(instance: ReviewInstance, reviewer: string): Promise<string> {
    return reviewPageUrl(services.settings, {
      instanceId: instance.id,
      reviewerId: app.user(reviewer).id,
      expiresAt: new Date(instance.endDateTime),
    });
  }

  async function makeEligible(upn: string): Promise<void> {
    const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      ...ADMIN,
      body: {
        action: 'adminAssign',
        accessId: 'member',
        groupId: HELPDESK,
        principalId: app.user(upn).id,
        justification: 'Helpdesk rota',
        scheduleInfo: {
          startDateTime: app.rt.clock.now().toISOString(),
          expiration: { type: 'afterDuration', duration: 'P180D' },
        },
      },
    });
    expect(res.status, await res.clone().text()).toBe(201);
  }

  it('mails the reviewer a link; the page decides nothing until submitted; decisions show in the API', async () => {
    await makeEligible('olivia.carter');
    await makeEligible('daniel.kim');
    await makeEligible('priya.nair');
    await app.rt.waitForIdle();
    const sofia = app.user('sofia.rossi');
    const created = await app.json<{ id: string }>(DEFINITIONS, {
      ...ADMIN,
      body: {
        displayName: 'Helpdesk <members> review',
        descriptionForReviewers: 'Keep only people still on the <helpdesk> rota.',
        scope: {
          '@odata.type': '#pimflow.groupRoleReviewScope',
          roles: [{ groupId: HELPDESK, accessId: 'member' }],
          assignmentTypes: 'eligible',
          principalTypes: ['user'],
        },
        reviewers: [{ query: `/users/${sofia.id}`, queryType: 'MicrosoftGraph' }],
        settings: {
          instanceDurationInDays: 14,
          recurrence: {
            pattern: { type: 'absoluteMonthly', interval: 1 },
            range: { type: 'numbered', startDate: '2026-06-02', numberOfOccurrences: 1 },
          },
          recommendationsEnabled: true,
          justificationRequiredOnApproval: true,
          mailNotificationsEnabled: true,
        },
      },
    });
    await app.rt.waitForIdle();
    expect(await app.mailTo(sofia.userPrincipalName)).toEqual([]);

    // The start: 2026-06-02 00:00 UTC.
    await app.rt.advance('PT15H');
    await app.rt.waitForIdle();
    const instances = await app.json<{ value: { id: string; status: string; endDateTime: string }[] }>(
      `${DEFINITIONS}/${created.id}/instances`,
      ADMIN,
    );
    expect(instances.value).toHaveLength(1);
    const instance = instances.value[0] as { id: string; status: string; endDateTime: string };
    expect(instance.status).toBe('InProgress');
    const decisionsUrl = `${DEFINITIONS}/${created.id}/instances/${instance.id}/decisions`;
    const decisions = async () =>
      (await app.json<{ value: DecisionView[] }>(`${decisionsUrl}?$top=100`, ADMIN)).value;
    const byName = async (name: string) => {
      const found = (await decisions()).find((d) => d.principal.displayName === name);
      if (!found) throw new Error(`No decision item for ${name}`);
      return found;
    };
    expect((await decisions()).map((d) => d.principal.displayName).sort()).toEqual([
      'Daniel Kim',
      'Olivia Carter',
      'Priya Nair',
    ]);

    const mails = (await app.mailTo(sofia.userPrincipalName)).filter((m) =>
      m.subject.includes('Helpdesk <members> review'),
    );
    expect(mails).toHaveLength(1);
    const page = await newPage();
    await page.setContent((mails[0] as { html: string }).html);
    await Promise.all([
      page.waitForURL(/\/api\/accessReviews\/review\?token=/),
      page.getByRole('link', { name: 'Open your review' }).click(),
    ]);
    const link = page.url();
    await expect
      .poll(() => page.getByRole('heading', { level: 1 }).textContent())
      .toBe('Helpdesk <members> review');
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Keep only people still on the <helpdesk> rota.');
    expect(main).toContain('2026-06-16 00:00 UTC');
    expect((await page.locator('legend').allTextContents()).map((t) => t.trim())).toEqual([
      'Daniel Kim – eligible member',
      'Olivia Carter – eligible member',
      'Priya Nair – eligible member',
    ]);
    // The evidence shown is the item's.
    const olivia = await byName('Olivia Carter');
    const oliviaBox = page.getByRole('group', { name: /Olivia Carter/ });
    expect(await oliviaBox.textContent()).toContain(
      olivia.lastSignInDateTime
        ? `Last sign-in ${olivia.lastSignInDateTime.slice(0, 16).replace('T', ' ')} UTC`
        : 'Never signed in',
    );
    expect((await decisions()).map((d) => d.decision)).toEqual(['NotReviewed', 'NotReviewed', 'NotReviewed']);

    const danielBox = page.getByRole('group', { name: /Daniel Kim/ });
    await danielBox.getByRole('radio', { name: 'Deny' }).check();
    await danielBox.getByLabel(/Reason/).fill('Moved to finance');
    await oliviaBox.getByRole('radio', { name: 'Approve' }).check();
    await oliviaBox.getByLabel(/Reason/).fill('Still on the rota');
    await Promise.all([
      page.waitForURL(/\/api\/accessReviews\/review$/),
      page.getByRole('button', { name: 'Submit decisions' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain('Recorded 2 decisions');
    expect((await page.locator('legend').allTextContents()).map((t) => t.trim())).toEqual([
      'Priya Nair – eligible member',
    ]);
    expect(await byName('Olivia Carter')).toMatchObject({
      decision: 'Approve',
      justification: 'Still on the rota',
      reviewedBy: { id: sofia.id, displayName: 'Sofia Rossi' },
    });
    expect(await byName('Daniel Kim')).toMatchObject({ decision: 'Deny', justification: 'Moved to finance' });
    expect((await byName('Priya Nair')).decision).toBe('NotReviewed');

    // A link for someone who is no reviewer of this review shows nothing and decides nothing.
    const lucasLink = await reviewPageUrl(services.settings, {
      instanceId: instance.id,
      reviewerId: app.user('lucas.dubois').id,
      expiresAt: new Date(instance.endDateTime),
    });
    const lucasPage = await newPage();
    await lucasPage.goto(lucasLink);
    expect(await lucasPage.locator('legend').count()).toBe(0);
    expect(await lucasPage.locator('main').textContent()).toContain('no pending items');
    await lucasPage.close();
    const priya = await byName('Priya Nair');
    const forged = await app.api('accessReviews/review', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: new URL(lucasLink).searchParams.get('token') ?? '',
        [`decision:${priya.id}`]: 'Deny',
      }).toString(),
    });
    expect(forged.status).toBe(403);
    expect((await byName('Priya Nair')).decision).toBe('NotReviewed');

    mailedLink = link;
    await page.close();
    expect(problems).toEqual([]);
  });

  it('shows the pending items without deciding, records Deny and Approve with reasons, and keeps a refused item', async () => {
    const { instance, items } = await seedReview('Helpdesk <members> Q1', {
      reviewers: {
        'olivia.carter': ['sofia.rossi'],
        'daniel.kim': ['sofia.rossi'],
        'priya.nair': ['sofia.rossi', 'lucas.dubois'],
        'amelia.novak': ['lucas.dubois'],
      },
    });
    const url = await linkFor(instance, 'sofia.rossi');
    const page = await newPage();
    const response = await page.goto(url);
    expect(response?.status()).toBe(200);
    expect(response?.headers()).toMatchObject({
      'cache-control': 'no-store',
      'referrer-policy': 'no-referrer',
      'content-security-policy': expect.stringContaining("default-src 'none'") as string,
    });
    expect(await h1(page)).toBe('Helpdesk <members> Q1');
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Keep only people who still <work> on the helpdesk queue.');
    expect(main).toContain('2026-06-16 00:00 UTC');
    expect(await legends(page)).toEqual([
      'Daniel Kim – active member',
      'Olivia Carter – eligible member',
      'Priya <b>Nair</b> – eligible member',
    ]);
    const daniel = page.getByRole('group', { name: /Daniel Kim/ });
    expect(await daniel.textContent()).toContain('Never signed in');
    expect(await daniel.textContent()).toContain('Deny (never signed in)');
    expect(await daniel.textContent()).toContain('daniel.kim@pimflow.example');
    const olivia = page.getByRole('group', { name: /Olivia Carter/ });
    expect(await olivia.textContent()).toContain('Last sign-in 2026-05-29 08:00 UTC');
    expect(await olivia.textContent()).toContain('Approve (signed in within the last 30 days)');
    expect(await page.getByRole('group', { name: /Priya/ }).textContent()).toContain(
      'Deny (no sign-in within the last 30 days)',
    );
    // Amelia is only Lucas's to review.
    expect(main).not.toContain('Amelia');
    // Opening the page decided nothing.
    for (const item of Object.values(items)) expect((await decisionOf(item))?.decision).toBe('NotReviewed');

    // Deny Daniel with a reason; Approve Olivia without one (this review requires it): Daniel is recorded, Olivia
    // stays with the error and her choice kept.
    await daniel.getByRole('radio', { name: 'Deny' }).check();
    await daniel.getByLabel(/Reason/).fill('Left the helpdesk team in January');
    await olivia.getByRole('radio', { name: 'Approve' }).check();
    await Promise.all([
      page.waitForURL(/\/api\/accessReviews\/review$/),
      page.getByRole('button', { name: 'Submit decisions' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toMatch(
      /Recorded 1 decision:\s*Daniel Kim \(member of Helpdesk\): Denied/,
    );
    expect(await legends(page)).toEqual([
      'Olivia Carter – eligible member',
      'Priya <b>Nair</b> – eligible member',
    ]);
    const oliviaAgain = page.getByRole('group', { name: /Olivia Carter/ });
    expect(await oliviaAgain.getByRole('alert').textContent()).toContain(
      'requires a justification to approve',
    );
    expect(await oliviaAgain.getByRole('radio', { name: 'Approve' }).isChecked()).toBe(true);
    expect((await decisionOf(items['olivia.carter'] as ReviewDecision))?.decision).toBe('NotReviewed');
    expect(await decisionOf(items['daniel.kim'] as ReviewDecision)).toMatchObject({
      decision: 'Deny',
      justification: 'Left the helpdesk team in January',
      reviewedBy: { id: app.user('sofia.rossi').id, displayName: 'Sofia Rossi' },
      reviewedDateTime: app.rt.clock.now().toISOString(),
    });

    // With a reason, Olivia's approval goes through and she leaves the list.
    await oliviaAgain.getByLabel(/Reason/).fill('Still on the <queue> rota');
    await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST'),
      page.getByRole('button', { name: 'Submit decisions' }).click(),
    ]);
    await expect.poll(() => page.getByRole('status').textContent()).toMatch(/Olivia Carter .*: Approved/);
    expect(await legends(page)).toEqual(['Priya <b>Nair</b> – eligible member']);
    expect(await decisionOf(items['olivia.carter'] as ReviewDecision)).toMatchObject({
      decision: 'Approve',
      justification: 'Still on the <queue> rota',
    });

    // Submitting with nothing chosen records nothing and says why.
    await page.getByRole('button', { name: 'Submit decisions' }).click();
    await expect
      .poll(() => page.getByRole('alert').first().textContent())
      .toContain("Choose Approve, Deny or Don't know");
    expect((await decisionOf(items['priya.nair'] as ReviewDecision))?.decision).toBe('NotReviewed');

    // Lucas's link shows his items only (Priya and Amelia), and can't decide Olivia's or Daniel's.
    const lucasUrl = await linkFor(instance, 'lucas.dubois');
    const lucasPage = await newPage();
    await lucasPage.goto(lucasUrl);
    expect(await legends(lucasPage)).toEqual([
      'Amelia Novak – eligible member',
      'Priya <b>Nair</b> – eligible member',
    ]);
    const lucasToken = new URL(lucasUrl).searchParams.get('token') ?? '';
    const forged = await app.api('accessReviews/review', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        token: lucasToken,
        [`decision:${(items['olivia.carter'] as ReviewDecision).id}`]: 'Deny',
        [`reason:${(items['olivia.carter'] as ReviewDecision).id}`]: 'not mine to decide',
      }).toString(),
    });
    expect(forged.status).toBe(403);
    expect(await forged.text()).toContain('You are not a reviewer of this item');
    expect((await decisionOf(items['olivia.carter'] as ReviewDecision))?.decision).toBe('Approve');
    await lucasPage.close();
    await page.close();
    expect(problems).toEqual([]);
  });

  it('refuses cross-site posts, forms it did not send, and changed or foreign links, with clear pages', async () => {
    const { instance, items } = await seedReview('Helpdesk members Q2', {
      reviewers: { 'olivia.carter': ['sofia.rossi'] },
    });
    const url = await linkFor(instance, 'sofia.rossi');
    const token = new URL(url).searchParams.get('token') ?? '';
    const item = items['olivia.carter'] as ReviewDecision;
    const post = (body: string, headers: Record<string, string> = {}) =>
      app.api('accessReviews/review', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body,
      });
    const form = (extra: Record<string, string>) =>
      new URLSearchParams({ token, [`decision:${item.id}`]: 'Deny', ...extra }).toString();

    expect((await post(form({}), { 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    expect((await post(form({}), { 'content-type': 'application/json' })).status).toBe(415);
    const unknown = await post(form({ admin: 'true' }));
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('unknown field');
    expect((await post(form({ [`decision:${item.id}`]: 'Maybe' }))).status).toBe(400);
    expect((await post(form({ token: 'junk' }))).status).toBe(400);
    expect((await post(`${form({})}&token=${encodeURIComponent(token)}`)).status).toBe(400);
    expect((await post('x'.repeat(1024 * 1024 + 10))).status).toBe(413);
    expect((await decisionOf(item))?.decision).toBe('NotReviewed');

    const page = await newPage();
    const bad = await page.goto(url.replace(/token=[^.]+\./, 'token=eyJhbGciOiJIUzI1NiJ9.'));
    expect(bad?.status()).toBe(400);
    expect(await h1(page)).toBe('This link is not valid');
    expect(await page.locator('form').count()).toBe(0);
    const badPage = await page.goto(`${url}&after=%%%`);
    expect(badPage?.status()).toBe(400);
    const notOurs = await page.goto(`${url}&after=bm90LWEtY29udGludWF0aW9u`);
    expect([200, 400]).toContain(notOurs?.status());
    expect(await page.content()).not.toMatch(/at .*\.js:\d+/);
    await page.close();
    expect(problems).toEqual([]);
  });

  it('shows at most 200 pending items a page, with a link to the next ones, each page decidable', async () => {
    const { instance, items } = await seedReview('Helpdesk apps', {
      reviewers: {},
      servicePrincipals: { count: 205, reviewer: 'sofia.rossi' },
    });
    const page = await newPage();
    await page.goto(await linkFor(instance, 'sofia.rossi'));
    const first = await legends(page);
    expect(first).toHaveLength(200);
    expect(first[0]).toBe('App 000 – active member');
    expect(await page.getByRole('group', { name: /App 000/ }).textContent()).toContain(
      'No sign-in data (not a user)',
    );
    await Promise.all([
      page.waitForURL(/\/api\/accessReviews\/review\?token=.*&after=/),
      page.getByRole('link', { name: 'Next 200 pending items' }).click(),
    ]);
    expect(await legends(page)).toEqual([200, 201, 202, 203, 204].map((n) => `App ${n} – active member`));
    expect(await page.getByRole('link', { name: /Next/ }).count()).toBe(0);
    const last = page.getByRole('group', { name: /App 204/ });
    await last.getByRole('radio', { name: "Don't know" }).check();
    await Promise.all([
      page.waitForURL(/\/api\/accessReviews\/review$/),
      page.getByRole('button', { name: 'Submit decisions' }).click(),
    ]);
    expect(await page.getByRole('status').textContent()).toContain(
      "App 204 (member of Helpdesk): Don't know",
    );
    expect((await decisionOf(items['App 204'] as ReviewDecision))?.decision).toBe('DontKnow');
    // Back on the first page, which now holds the 204 left in two pages.
    expect(await legends(page)).toHaveLength(200);
    await page.close();
    expect(problems).toEqual([]);
  });

  it("with APPROVAL_REQUIRE_SIGN_IN, asks for an access token and takes only the reviewer's", async () => {
    const { instance, items } = await seedReview('Helpdesk members signed in', {
      reviewers: { 'olivia.carter': ['sofia.rossi'] },
    });
    const signIn = {
      ...services,
      settings: { ...services.settings, APPROVAL_REQUIRE_SIGN_IN: true },
    };
    const token = new URL(await linkFor(instance, 'sofia.rossi')).searchParams.get('token') ?? '';
    const shown = await showReviewPage(signIn, { token, after: null });
    expect(shown.status).toBe(200);
    expect(String(shown.body)).toContain('name="access_token"');
    const olivia = items['olivia.carter'] as ReviewDecision;
    const form = (accessToken?: string) =>
      new URLSearchParams({
        token,
        [`decision:${olivia.id}`]: 'Deny',
        ...(accessToken ? { access_token: accessToken } : {}),
      });
    const none = await submitReviewPage(signIn, form(), { authorization: null, secFetchSite: 'same-origin' });
    expect(none.status).toBe(401);
    expect(none.headers).toHaveProperty('www-authenticate');
    const lucas = await app.token({ as: 'lucas.dubois@pimflow.example' });
    const other = await submitReviewPage(signIn, form(lucas), { authorization: null, secFetchSite: null });
    expect(other.status).toBe(403);
    expect((await decisionOf(olivia))?.decision).toBe('NotReviewed');
    const sofia = await app.token({ as: 'sofia.rossi@pimflow.example' });
    const withReason = form();
    withReason.set(`reason:${olivia.id}`, 'Left the team.\r\nNo longer on the rota.');
    const ok = await submitReviewPage(signIn, withReason, {
      authorization: `Bearer ${sofia}`,
      secFetchSite: 'same-origin',
    });
    expect(ok.status).toBe(200);
    expect(await decisionOf(olivia)).toMatchObject({
      decision: 'Deny',
      justification: 'Left the team.\nNo longer on the rota.',
    });
  });

  it('shows a stopped review read only, with what was decided', async () => {
    const { instance, items } = await seedReview('Helpdesk members stopped', {
      reviewers: { 'olivia.carter': ['sofia.rossi'], 'daniel.kim': ['sofia.rossi'] },
    });
    const url = await linkFor(instance, 'sofia.rossi');
    const daniel = items['daniel.kim'] as ReviewDecision;
    await services.reviews.decisions.update(daniel.id, daniel.instanceId, (d) => ({
      ...d,
      decision: 'Deny',
      justification: 'Gone',
      reviewedBy: { id: app.user('sofia.rossi').id, displayName: 'Sofia Rossi' },
      reviewedDateTime: NOW.toISOString(),
    }));
    await services.reviews.instances.update(instance.id, instance.definitionId, (i) => ({
      ...i,
      status: 'Completed',
      stoppedBy: { id: DEMO.admin, displayName: 'Morgan Blake (Admin)' },
      completedDateTime: NOW.toISOString(),
    }));
    const page = await newPage();
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);
    expect(await page.getByRole('status').textContent()).toContain('This review was stopped');
    expect(await page.locator('form').count()).toBe(0);
    const table = (await page.locator('table.list').textContent()) ?? '';
    expect(table).toMatch(/Daniel Kim.*Denied.*Gone/s);
    expect(table).toMatch(/Olivia Carter.*Not reviewed/s);
    // A POST made before it stopped (the form still open in another tab) is refused and decides nothing.
    const token = new URL(url).searchParams.get('token') ?? '';
    const olivia = items['olivia.carter'] as ReviewDecision;
    const late = await app.api('accessReviews/review', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, [`decision:${olivia.id}`]: 'Deny' }).toString(),
    });
    expect(late.status).toBe(409);
    expect((await decisionOf(olivia))?.decision).toBe('NotReviewed');
    await page.close();
  });

  it('shows the expired page once the review is over, for the mailed link too', async () => {
    const { instance } = await seedReview('Helpdesk members expiring', {
      reviewers: { 'olivia.carter': ['sofia.rossi'] },
    });
    const url = await linkFor(instance, 'sofia.rossi');
    await app.rt.advance('P15D');
    await app.rt.waitForIdle();
    const page = await newPage();
    for (const link of [url, ...(mailedLink ? [mailedLink] : [])]) {
      const res = await page.goto(link);
      expect(res?.status()).toBe(410);
      expect(await h1(page)).toBe('This link has expired');
      expect(await page.getByRole('alert').textContent()).toContain('the review is over');
      expect(await page.locator('form').count()).toBe(0);
    }
    await page.close();
    expect(problems).toEqual([]);
  });
});
