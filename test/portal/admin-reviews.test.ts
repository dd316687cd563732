/**
 * The admin's access reviews in the portal (#/admin/reviews), in headless Chromium against the whole app on the real
 * clock (seed 000): four Entra roles under management (through the API), the admin creates a quarterly four-role review
 * through the wizard — each step clicked or typed, the first by keyboard alone — and the definition is read back
 * through the API as chosen; a step refuses a missing role, reviewer and a duration of 0 next to the field, and the
 * API's refusal of an unknown reviewer comes back next to the reviewers; the overview shows the progress of the four
 * instances; stop and apply on one instance are read back through the API (the denied role assignment removed). An
 * auditor sees it all without a control that changes anything. Screenshots of each step and the overview at desktop
 * and phone widths.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, type PimApp } from '../pim-harness';
import { ADMIN } from '../pim/pim-scenario';
import { REVIEWS } from '../reviews/instance-helpers';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';

const ROLES = {
  'Application Administrator': '9b895d92-2cd3-44c7-9d02-a6ac2d5ea5c3',
  'Helpdesk Administrator': '729827e3-9c14-49f7-bb1b-9608f156bbb8',
  'Password Administrator': '966707d0-3269-4727-9be2-8c3a10f19b9d',
  'User Administrator': 'fe930be7-5e62-47db-91af-98c3a49a38b1',
};
const NAME = 'Quarterly review of helpdesk roles';
const UNKNOWN_USER = '0b0b0b0b-1111-4222-8333-444444444444';

let portal: PortalTest;
let app: PimApp;
const id = (upn: string) => app.user(upn).id;

interface DefinitionView {
  id: string;
  displayName: string;
  descriptionForReviewers: string | null;
  scope: { roles: { roleDefinitionId: string; directoryScopeId: string }[]; assignmentTypes: string };
  reviewers: { query: string }[];
  fallbackReviewers: { query: string }[];
  additionalNotificationRecipients: { notificationRecipientScope: { emailAddress?: string } }[];
  settings: Record<string, unknown> & {
    recurrence: { pattern: { type: string; interval: number }; range: Record<string, unknown> };
  };
}
interface InstanceView {
  id: string;
  status: string;
  roleDefinitionId: string;
}

const definitions = async () =>
  (await app.json<{ value: DefinitionView[] }>(`${REVIEWS}?$top=999`, ADMIN)).value;
const instancesOf = async (definitionId: string) =>
  (await app.json<{ value: InstanceView[] }>(`${REVIEWS}/${definitionId}/instances`, ADMIN)).value;

/** What a control's aria-describedby says: the field's validation message shown next to it. */
async function description(control: Locator): Promise<string> {
  return control.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((ref) => document.getElementById(ref)?.textContent ?? '')
      .join(' '),
  );
}

const stepHeading = (page: Page, name: string) => page.getByRole('heading', { level: 2, name, exact: true });

beforeAll(async () => {
  portal = await startPortalTest();
  app = portal.app;
  // Olivia holds Application Administrator in the directory, so every role has someone to review.
  await (
    await app.services()
  ).directory.addRoleAssignment(ROLES['Application Administrator'], id('olivia.carter'), '/');
  for (const roleDefinitionId of Object.values(ROLES)) {
    const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
    expect(res.status, await res.clone().text()).toBe(201);
  }
}, 120_000);

afterAll(async () => {
  await portal?.close();
});

describe('an admin creates a four-role access review through the wizard', () => {
  let definitionId: string;

  it('walks the steps (keyboard for the first), with each refusal next to its field', async () => {
    const page = await portal.open(DEMO.adminUpn, { mfa: true, route: '#/admin/reviews' });
    await page.getByRole('heading', { level: 1, name: 'Access reviews' }).waitFor();
    await page.getByText('No access reviews yet.').waitFor();
    await page.getByRole('button', { name: 'New access review' }).click();

    // 1. Review type, by keyboard alone.
    await stepHeading(page, 'Review type').waitFor();
    await page.getByRole('checkbox', { name: 'Helpdesk Administrator' }).waitFor();
    await expectAccessible(page, 'wizard: review type');
    await portal.screenshot(page, 'admin-reviews-wizard-1-review-type');
    const next = page.getByRole('button', { name: 'Next' });
    await next.focus();
    await page.keyboard.press('Enter');
    const roles = page.getByRole('group', { name: /Roles to review/ });
    await expect.poll(() => description(roles)).toContain('Select at least one role to review.');
    for (const name of Object.keys(ROLES)) {
      await page.getByRole('checkbox', { name }).focus();
      await page.keyboard.press('Space');
    }
    await page.getByRole('radio', { name: 'Eligible assignments only' }).focus();
    await page.keyboard.press('ArrowDown'); // Active only
    await page.keyboard.press('ArrowDown'); // All active and eligible
    expect(await page.getByRole('radio', { name: 'All active and eligible assignments' }).isChecked()).toBe(
      true,
    );
    await next.focus();
    await page.keyboard.press('Enter');

    // 2. Reviewers: none is refused; an unknown user is the API's to refuse (below).
    await stepHeading(page, 'Reviewers').waitFor();
    await expectAccessible(page, 'wizard: reviewers');
    await page.getByRole('button', { name: 'Next' }).click();
    const reviewers = page.getByRole('combobox', { name: /^Reviewers/ });
    await expect.poll(() => description(reviewers)).toContain('Add at least one reviewer.');
    await reviewers.fill(UNKNOWN_USER);
    await reviewers.press('Enter');
    await page.getByRole('button', { name: `Remove ${UNKNOWN_USER}` }).waitFor();
    const fallback = page.getByRole('combobox', { name: /^Fallback reviewers/ });
    await fallback.click();
    await page.getByRole('option', { name: /\(you\)/ }).click();
    await portal.screenshot(page, 'admin-reviews-wizard-2-reviewers');
    await page.getByRole('button', { name: 'Next' }).click();

    // 3. Settings.
    await stepHeading(page, 'Settings').waitFor();
    await page.getByRole('textbox', { name: /^Name/ }).fill(NAME);
    await page.getByRole('textbox', { name: /^Description/ }).fill('Who still needs the helpdesk roles?');
    await page.getByRole('combobox', { name: 'Frequency' }).selectOption({ label: 'Quarterly' });
    const duration = page.getByRole('spinbutton', { name: /Duration/ });
    await duration.fill('0');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect
      .poll(() => description(duration))
      .toContain('The duration must be a whole number of days from 1 to 365.');
    await duration.fill('90');
    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => description(duration)).toContain('fewer than 84 days for this frequency');
    await duration.fill('14');
    await page.getByRole('radio', { name: 'End after a number of occurrences' }).check();
    await page.getByRole('spinbutton', { name: 'Number of occurrences' }).fill('4');
    await page
      .getByRole('combobox', { name: "If reviewers don't respond" })
      .selectOption({ label: 'Remove access' });
    await page
      .getByRole('textbox', { name: /Send completion notifications to/ })
      .fill('secops@pimflow.example');
    await page.getByRole('switch', { name: 'Reminders' }).uncheck();
    await page.getByRole('switch', { name: 'Decision histories for reviewers' }).check();
    await expectAccessible(page, 'wizard: settings');
    await portal.screenshot(page, 'admin-reviews-wizard-3-settings');
    await page.getByRole('button', { name: 'Next' }).click();

    // 4. Review + create: the API refuses the unknown reviewer; the wizard shows it on the reviewers' field.
    await stepHeading(page, 'Review + create').waitFor();
    await page.getByText('4: Application Administrator, Helpdesk Administrator').waitFor();
    await expectAccessible(page, 'wizard: review + create');
    await portal.screenshot(page, 'admin-reviews-wizard-4-review-create');
    await page.getByRole('button', { name: 'Create review' }).click();
    await stepHeading(page, 'Reviewers').waitFor();
    await expect.poll(() => description(reviewers)).toContain(`No user ${UNKNOWN_USER} in the directory.`);
    expect(await definitions()).toEqual([]);

    await page.getByRole('button', { name: `Remove ${UNKNOWN_USER}` }).click();
    await reviewers.fill(id('daniel.kim'));
    await reviewers.press('Enter');
    await page.getByRole('button', { name: 'Next' }).click();
    await stepHeading(page, 'Settings').waitFor();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Create review' }).click();

    // The overview.
    await page.getByRole('heading', { level: 1, name: NAME }).waitFor();
    const [created] = await definitions();
    definitionId = created?.id ?? '';
    expect(created).toMatchObject({
      displayName: NAME,
      descriptionForReviewers: 'Who still needs the helpdesk roles?',
      scope: { assignmentTypes: 'both' },
      reviewers: [{ query: `/users/${id('daniel.kim')}` }],
      fallbackReviewers: [{ query: `/users/${DEMO.admin}` }],
      additionalNotificationRecipients: [
        { notificationRecipientScope: { emailAddress: 'secops@pimflow.example' } },
      ],
      settings: {
        instanceDurationInDays: 14,
        recurrence: {
          pattern: { type: 'absoluteMonthly', interval: 3 },
          range: {
            type: 'numbered',
            numberOfOccurrences: 4,
            startDate: new Date().toISOString().slice(0, 10),
          },
        },
        autoApplyDecisionsEnabled: false,
        defaultDecisionEnabled: true,
        defaultDecision: 'Deny',
        recommendationsEnabled: true,
        justificationRequiredOnApproval: true,
        mailNotificationsEnabled: true,
        reminderNotificationsEnabled: false,
        decisionHistoriesForReviewersEnabled: true,
      },
    });
    expect(created?.scope.roles.map((r) => r.roleDefinitionId).sort()).toEqual(Object.values(ROLES).sort());

    const current = page.getByRole('table', { name: 'Roles in the current review' });
    await expect.poll(() => current.getByRole('row').count(), { timeout: 30_000 }).toBe(5);
    await page
      .getByRole('figure', { name: 'Progress of the current review' })
      .getByText('0 of 4 reviewed')
      .waitFor();
    // The reviewer by name, once mailed.
    await page
      .getByText(`Selected users: ${app.user('daniel.kim').displayName}`)
      .first()
      .waitFor({ timeout: 20_000 });
    await expectAccessible(page, 'review overview');
    await portal.screenshot(page, 'admin-reviews-overview');

    // In the list.
    await page.getByRole('link', { name: 'All access reviews' }).click();
    const row = page.getByRole('row').filter({ has: page.getByRole('link', { name: NAME }) });
    await row
      .getByText(
        '4 roles: Application Administrator, Helpdesk Administrator, Password Administrator and 1 more',
      )
      .waitFor();
    await row.getByText('Quarterly, 4 times').waitFor();
    await row.getByText(/In progress until/).waitFor();
    await expectAccessible(page, 'access reviews list');
    await portal.screenshot(page, 'admin-reviews-list');
    expect(portal.problems(page)).toEqual([]);
  });

  it('stops one instance and applies its decisions from the overview', async () => {
    const instances = await instancesOf(definitionId);
    const helpdesk = instances.find((i) => i.roleDefinitionId === ROLES['Helpdesk Administrator']);
    expect(helpdesk?.status).toBe('InProgress');
    const url = `${REVIEWS}/${definitionId}/instances/${helpdesk?.id}`;
    // The reviewer denies the Helpdesk Admin-Group's hold on the role.
    const items = (
      await app.json<{ value: { id: string; principal: { id: string } }[] }>(`${url}/decisions`, ADMIN)
    ).value;
    const group = items.find((i) => i.principal.id === DEMO.helpdeskGroup);
    const res = await app.api(`${url}/decisions/${group?.id}`, {
      as: 'daniel.kim@pimflow.example',
      method: 'PATCH',
      body: { decision: 'Deny', justification: 'The group no longer needs it' },
    });
    expect(res.status, await res.clone().text()).toBe(204);

    const page = await portal.open(DEMO.adminUpn, { mfa: true, route: `#/admin/reviews/${definitionId}` });
    const chart = page.getByRole('figure', { name: 'Progress of the current review' });
    await chart.getByText('Denied: 1').waitFor();
    await chart.getByText('1 of 4 reviewed').waitFor();

    await page.getByRole('button', { name: 'Stop the review of Helpdesk Administrator' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/can't be restarted/).waitFor();
    await expectAccessible(page, 'stop dialog');
    await dialog.getByRole('button', { name: 'Stop review' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect.poll(async () => (await app.json<InstanceView>(url, ADMIN)).status).toBe('Completed');

    const apply = page.getByRole('button', { name: 'Apply the decisions of Helpdesk Administrator' });
    await expect.poll(() => apply.isEnabled(), { timeout: 15_000 }).toBe(true);
    await apply.click();
    await dialog.getByRole('button', { name: 'Apply decisions' }).click();
    await dialog.waitFor({ state: 'hidden' });
    await expect
      .poll(async () => (await app.json<InstanceView>(url, ADMIN)).status, { timeout: 30_000 })
      .toBe('Applied');
    const applied = await app.json<{ decision: string; applyResult: string }>(
      `${url}/decisions/${group?.id}`,
      ADMIN,
    );
    expect(applied).toMatchObject({ decision: 'Deny', applyResult: 'AppliedSuccessfully' });
    // The other three are still running.
    const others = (await instancesOf(definitionId)).filter((i) => i.id !== helpdesk?.id);
    expect(others.map((i) => i.status)).toEqual(['InProgress', 'InProgress', 'InProgress']);

    // The instance page: its decisions, filtered.
    await page.getByRole('link', { name: 'Helpdesk Administrator' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Helpdesk Administrator' }).waitFor();
    await page.getByRole('combobox', { name: 'Decision' }).selectOption({ label: 'Denied' });
    const decisions = page.getByRole('table', { name: 'Decisions' });
    await decisions.getByText('The group no longer needs it').waitFor();
    await decisions.getByText('AppliedSuccessfully').waitFor();
    await expectAccessible(page, 'instance page');
    await portal.screenshot(page, 'admin-reviews-instance');
    expect(portal.problems(page)).toEqual([]);
  });

  it('is usable at phone width, and read-only for an auditor', async () => {
    const phone = await portal.open(DEMO.adminUpn, {
      mfa: true,
      viewport: 'phone',
      route: `#/admin/reviews/${definitionId}`,
    });
    await phone.getByRole('heading', { level: 1, name: NAME }).waitFor();
    await phone
      .getByRole('figure', { name: 'Progress of the current review' })
      .getByText(/of 4 reviewed/)
      .waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await expectAccessible(phone, 'overview at phone width');
    await portal.screenshot(phone, 'admin-reviews-overview');
    await phone.goto(`${portal.portalUrl}#/admin/reviews/new`);
    await stepHeading(phone, 'Review type').waitFor();
    await phone.getByRole('checkbox', { name: 'Helpdesk Administrator' }).check();
    await phone.getByRole('button', { name: 'Next' }).click();
    await stepHeading(phone, 'Reviewers').waitFor();
    expect(await phone.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await portal.screenshot(phone, 'admin-reviews-wizard-2-reviewers');

    const auditor = await portal.open('ruby.walsh', { route: `#/admin/reviews/${definitionId}` });
    await auditor.getByRole('heading', { level: 1, name: NAME }).waitFor();
    await auditor
      .getByRole('button', { name: /^Download CSV of/ })
      .first()
      .waitFor();
    for (const name of [
      'Stop series',
      'Delete',
      /^Stop the review/,
      /^Apply the decisions/,
      /^Reset the decisions/,
    ])
      expect(await auditor.getByRole('button', { name }).count()).toBe(0);
    await auditor.getByRole('link', { name: 'All access reviews' }).click();
    await auditor.getByRole('link', { name: NAME }).waitFor();
    expect(await auditor.getByRole('button', { name: 'New access review' }).count()).toBe(0);
    expect(portal.problems(auditor)).toEqual([]);
  });
});
