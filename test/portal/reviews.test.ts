/**
 * The reviewer's pages in the portal (#/reviews), in headless Chromium against the whole app on the real clock: an
 * admin starts access reviews of the Helpdesk group's members through the API (with recommendations from the demo
 * tenant's sign-ins, a reason required to approve); the selected reviewer signs in, finds the review in their inbox,
 * decides one item with a reason, accepts the recommendations, denies two items at once; the decisions are read back
 * through the API, and once the admin stops and applies the review the denied memberships are gone from the Graph
 * stand-in and the page is read-only. A stage-1 reviewer of a two-stage review, arriving from a link, sees the stage
 * and decides in it. At phone width another reviewer decides an item.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers';
import { DEMO, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';
import { assignActive } from '../reviews/apply-fixtures';
import { eligible, REVIEWS, users, type DecisionItem, type StartedReview } from '../reviews/instance-helpers';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';

const GROUP = DEMO.helpdeskGroup;
const PAYROLL_READERS = '41cea612-6af1-453d-a86f-bb749fac37d5';
const CLOUD_OPS = 'ebaa089b-edbe-45ee-acf0-778162edf39e';
/** Signed in hours ago (recommended: approve), 63 days ago and never (recommended: deny). */
const USERS = ['ava.martinez', 'olivia.carter', 'noah.williams', 'grace.okafor'];

let portal: PortalTest;
let app: PimApp;
let byPriya: StartedReview;
let byLucas: StartedReview;
let inStages: StartedReview; // stage 1 Sofia, stage 2 Daniel
const id = (upn: string) => app.user(upn).id;

/** A one-time review of the group's members, starting now (the real clock), reviewed by `reviewer`. */
async function startReview(
  displayName: string,
  reviewer: string,
  more: Record<string, unknown> = {},
): Promise<StartedReview> {
  const res = await app.api(REVIEWS, {
    ...ADMIN,
    body: {
      displayName,
      descriptionForReviewers: 'Confirm who still needs Helpdesk access.',
      scope: {
        roles: [{ groupId: GROUP, accessId: 'member' }],
        assignmentTypes: 'both',
        principalTypes: ['user', 'group', 'servicePrincipal'],
      },
      reviewers: users(id(reviewer)).map((r) => ({ ...r, queryType: 'MicrosoftGraph' })),
      settings: {
        instanceDurationInDays: 14,
        recommendationsEnabled: true,
        justificationRequiredOnApproval: true,
      },
      ...more,
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  const definitionId = ((await res.json()) as { id: string }).id;
  const instanceId = await waitFor('the review to start', async () => {
    const list = await app.json<{ value: { id: string; status: string }[] }>(
      `${REVIEWS}/${definitionId}/instances`,
      ADMIN,
    );
    return list.value.find((i) => i.status === 'InProgress')?.id;
  });
  return { definitionId, instanceId, url: `${REVIEWS}/${definitionId}/instances/${instanceId}` };
}

type Item = DecisionItem & { applyResult: string | null };

async function items(review: StartedReview): Promise<Item[]> {
  return (await app.json<{ value: Item[] }>(`${review.url}/decisions?$top=999`, ADMIN)).value;
}

function itemOf(list: DecisionItem[], principalId: string): DecisionItem & { justification: string | null } {
  const found = list.find((i) => i.principal.id === principalId);
  if (!found) throw new Error(`No item for ${principalId}`);
  return found;
}

/** Waits for `text` in what `where` shows (failing with what it shows instead). */
async function shows(where: Locator, text: string): Promise<void> {
  await expect.poll(() => where.innerText(), { timeout: 20_000 }).toContain(text);
}

/** An item's card on the review page: the list item holding the principal's name as its heading. */
const card = (page: Page, name: string) =>
  page.getByRole('listitem').filter({ has: page.getByRole('heading', { name, exact: true }) });

beforeAll(async () => {
  portal = await startPortalTest();
  app = portal.app;
  await manageGroup(app, GROUP);
  // Active memberships, so that applying a denial removes a member from the group in Graph; groups can't be
  // members of this role-assignable group, only eligible (an apply ends their eligibility).
  for (const upn of USERS) await assignActive(app, GROUP, id(upn));
  await eligible(app, GROUP, PAYROLL_READERS);
  await eligible(app, GROUP, CLOUD_OPS);
  byPriya = await startReview('Helpdesk access review', 'priya.nair');
  byLucas = await startReview('Helpdesk access check (Lucas)', 'lucas.dubois');
  const stage = (stageId: string, upn: string) => ({
    stageId,
    durationInDays: 3,
    reviewers: users(id(upn)).map((r) => ({ ...r, queryType: 'MicrosoftGraph' })),
    ...(stageId === '1' ? {} : { dependsOn: [String(Number(stageId) - 1)] }),
  });
  inStages = await startReview('Two-stage helpdesk review', 'sofia.rossi', {
    stageSettings: [stage('1', 'sofia.rossi'), stage('2', 'daniel.kim')],
  });
}, 120_000);

afterAll(async () => {
  await portal?.close();
});

describe('a reviewer in the portal', () => {
  it('finds the review in the inbox, decides an item, accepts recommendations, denies two at once', async () => {
    const page = await portal.open('priya.nair', { route: '#/reviews' });
    await page.getByRole('heading', { name: 'My pending reviews' }).waitFor();
    const entry = page.getByRole('listitem').filter({ hasText: 'Helpdesk access review' });
    await entry.getByText('Members of Helpdesk Admin-Group').waitFor();
    await shows(entry, '0 of 6 reviewed');
    // Lucas's review is his, not Priya's.
    expect(await page.getByText('Helpdesk access check (Lucas)').count()).toBe(0);
    await expectAccessible(page, 'the reviewer inbox');
    await portal.screenshot(page, 'reviews-inbox');

    await entry.getByRole('link', { name: 'Helpdesk access review' }).click();
    await page.getByRole('heading', { level: 1, name: 'Helpdesk access review' }).waitFor();
    await shows(page.locator('main'), '0 of 6 reviewed');
    // Recommendations and their evidence.
    const noah = card(page, 'Noah Williams');
    await noah.getByText('Recommended: Deny').waitFor();
    await noah.getByText('Last signed in 63 days ago').waitFor();
    await card(page, 'Grace Okafor').getByText('Never signed in').waitFor();
    await card(page, 'Ava Martinez').getByText('Recommended: Approve').waitFor();
    await card(page, 'Payroll Readers').getByText('No recommendation').waitFor();
    await expectAccessible(page, 'a review');

    // One item with a reason: approving needs one here.
    await page.getByRole('button', { name: 'Approve Ava Martinez' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await dialog.getByText('Give a reason: this review requires one to approve access.').waitFor();
    await expectAccessible(page, 'the decision dialog');
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('Still on the helpdesk rota');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await dialog.waitFor({ state: 'detached' });
    await shows(page.locator('main'), '1 of 6 reviewed');
    await card(page, 'Ava Martinez').getByText('“Still on the helpdesk rota”').waitFor();

    // The recommendations for the rest (three users; the groups have none).
    await page.getByRole('button', { name: 'Accept recommendations (3)' }).click();
    await page.getByText('Accepted 3 recommendations.').waitFor();
    await shows(page.locator('main'), '4 of 6 reviewed');

    // Two groups at once, selected with the keyboard and the mouse, only the items not reviewed shown.
    await page.getByRole('switch', { name: 'Show only items not reviewed' }).check();
    await expect.poll(() => page.getByRole('heading', { level: 3 }).count(), { timeout: 10_000 }).toBe(2);
    await page.getByRole('checkbox', { name: 'Select Payroll Readers' }).focus();
    await page.keyboard.press('Space');
    await page.getByRole('checkbox', { name: 'Select Cloud Ops' }).check();
    await page.getByText('2 selected').waitFor();
    await page.getByRole('button', { name: 'Deny selected' }).click();
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('Groups should not hold helpdesk access');
    await dialog.getByRole('button', { name: 'Deny' }).click();
    await dialog.waitFor({ state: 'detached' });
    await page.getByText('Recorded 2 decisions: Deny.').waitFor();
    await shows(page.locator('main'), '6 of 6 reviewed');
    await page.getByText('Every item has been reviewed.').waitFor();
    await page.getByRole('switch', { name: 'Show only items not reviewed' }).uncheck();
    await portal.screenshot(page, 'reviews-review');

    // What the API recorded, read as an admin.
    const recorded = await items(byPriya);
    const priya = id('priya.nair');
    expect(itemOf(recorded, id('ava.martinez'))).toMatchObject({
      decision: 'Approve',
      justification: 'Still on the helpdesk rota',
      reviewedBy: { id: priya },
    });
    expect(itemOf(recorded, id('olivia.carter'))).toMatchObject({
      decision: 'Approve',
      reviewedBy: { id: priya },
    });
    for (const upn of ['noah.williams', 'grace.okafor'])
      expect(itemOf(recorded, id(upn))).toMatchObject({
        decision: 'Deny',
        justification: expect.stringMatching(/^Accepted the recommendation/) as unknown,
        reviewedBy: { id: priya },
      });
    for (const group of [PAYROLL_READERS, CLOUD_OPS])
      expect(itemOf(recorded, group)).toMatchObject({
        decision: 'Deny',
        justification: 'Groups should not hold helpdesk access',
        reviewedBy: { id: priya },
      });

    // The admin ends the review and applies it: the denied members leave the group, the approved stay.
    const stop = await app.api(`${byPriya.url}/stop`, { ...ADMIN, method: 'POST' });
    expect(stop.status, await stop.clone().text()).toBe(204);
    await expect
      .poll(async () => (await app.json<{ status: string }>(byPriya.url, ADMIN)).status)
      .toBe('Completed');
    const apply = await app.api(`${byPriya.url}/applyDecisions`, { ...ADMIN, method: 'POST' });
    expect(apply.status, await apply.clone().text()).toBe(204);
    const denied = [id('noah.williams'), id('grace.okafor')];
    await expect
      .poll(() => denied.filter((d) => app.groupMembers(GROUP).includes(d)), { timeout: 30_000 })
      .toEqual([]);
    await expect
      .poll(async () => (await items(byPriya)).filter((i) => i.decision === 'Deny').map((i) => i.applyResult))
      .toEqual(Array(4).fill('AppliedSuccessfully'));
    expect(app.groupMembers(GROUP)).toEqual(
      expect.arrayContaining([id('ava.martinez'), id('olivia.carter')]),
    );

    // Ended: read-only.
    await page.getByRole('link', { name: 'Back to my reviews' }).click();
    await shows(page.locator('main'), 'Ended reviews');
    await page.getByRole('link', { name: 'Helpdesk access review' }).click();
    await page.getByText('This review has ended: its decisions can no longer be changed.').waitFor();
    expect(await page.getByRole('button', { name: /^(Approve|Deny|Don't know) / }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Accept recommendations/ }).count()).toBe(0);
    expect(portal.problems(page)).toEqual([]);
  });

  it('decides in the current stage of a multi-stage review, opened from a link', async () => {
    const page = await portal.open('sofia.rossi', {
      route: `#/reviews/${inStages.definitionId}/${inStages.instanceId}`,
    });
    await page.getByRole('heading', { level: 1, name: 'Two-stage helpdesk review' }).waitFor();
    await shows(page.locator('main'), 'Stage 1 of 2');
    await page.getByRole('button', { name: "Don't know Noah Williams" }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('Ask his new manager');
    await dialog.getByRole('button', { name: "Don't know" }).click();
    await shows(page.locator('main'), '1 of 6 reviewed');
    expect(itemOf(await items(inStages), id('noah.williams'))).toMatchObject({
      decision: 'DontKnow',
      justification: 'Ask his new manager',
      reviewedBy: { id: id('sofia.rossi') },
    });
    expect(portal.problems(page)).toEqual([]);
  });

  it('decides an item at phone width', async () => {
    const page = await portal.open('lucas.dubois', { route: '#/reviews', viewport: 'phone' });
    const entry = page.getByRole('listitem').filter({ hasText: 'Helpdesk access check (Lucas)' });
    await shows(entry, '0 of 6 reviewed');
    await expectAccessible(page, 'the reviewer inbox at phone width');
    await portal.screenshot(page, 'reviews-inbox');

    await entry.getByRole('link', { name: 'Helpdesk access check (Lucas)' }).click();
    await shows(page.locator('main'), '0 of 6 reviewed');
    await expectAccessible(page, 'a review at phone width');
    await page.getByRole('button', { name: 'Deny Noah Williams' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: /Reason/ }).fill('Moved to another team');
    await dialog.getByRole('button', { name: 'Deny' }).click();
    await shows(page.locator('main'), '1 of 6 reviewed');
    // Nothing wider than the phone's screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await portal.screenshot(page, 'reviews-review');

    expect(itemOf(await items(byLucas), id('noah.williams'))).toMatchObject({
      decision: 'Deny',
      justification: 'Moved to another team',
      reviewedBy: { id: id('lucas.dubois') },
    });
    expect(portal.problems(page)).toEqual([]);
  });
});
