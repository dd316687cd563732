/**
 * The admin's resource pages in the portal (#/admin/resources, #/admin/settings/..., #/admin/assignments/...), in
 * headless Chromium against the whole app on the real clock: the admin brings the demo tenant's Helpdesk Admin-Group
 * under management from the Resources page, opens its member role's settings, tries a maximum activation duration
 * the API refuses (its sentence shows on that field; the policy is unchanged), then sets seed 001's Table-1 (Member)
 * through the editor and saves — every changed rule is read back through the API. On the Assignments page the admin
 * makes a user eligible; the eligibility is read back through the API. The auditor sees the same pages with nothing
 * to change. Screenshots at desktop and phone widths.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, type PimApp } from '../pim-harness';
import { ADMIN } from '../pim/pim-scenario';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';

const GROUP = DEMO.helpdeskGroup;
const SETTINGS_ROUTE = `#/admin/settings/group/${GROUP}/member`;
const ASSIGNMENTS_ROUTE = `#/admin/assignments/group/${GROUP}/member`;
/** The built-in Helpdesk Administrator role's template id. */
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const DAY = 86_400_000;

/** `datetime-local` input value for a moment (the browser's time zone is the test's). */
function localInput(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

interface Rule {
  id: string;
  isExpirationRequired?: boolean;
  maximumDuration?: string;
  enabledRules?: string[];
  isEnabled?: boolean;
  claimValue?: string;
  setting?: { isApprovalRequired?: boolean };
  notificationRecipients?: string[];
  notificationLevel?: string;
  isDefaultRecipientsEnabled?: boolean;
}

let portal: PortalTest;
let app: PimApp;

/** The member role's rules, read through the API as any Graph client would. */
async function memberRules(): Promise<Map<string, Rule>> {
  const filter = `scopeId eq '${GROUP}' and scopeType eq 'Group' and roleDefinitionId eq 'member'`;
  const res = await app.json<{ value: { policy: { rules: Rule[] } }[] }>(
    `policies/roleManagementPolicyAssignments?$filter=${encodeURIComponent(filter)}&$expand=${encodeURIComponent('policy($expand=rules)')}`,
    ADMIN,
  );
  return new Map((res.value[0]?.policy.rules ?? []).map((r) => [r.id, r]));
}

function rule(rules: Map<string, Rule>, id: string): Rule {
  const found = rules.get(id);
  if (!found) throw new Error(`No rule ${id}`);
  return found;
}

/** The Fluent field (label, control, validation message) around a labelled control. */
const fieldOf = (page: Page, label: string) =>
  page.locator('.fui-Field').filter({ has: page.getByLabel(label, { exact: true }) });

beforeAll(async () => {
  portal = await startPortalTest();
  app = portal.app;
}, 120_000);

afterAll(async () => {
  await portal?.close();
});

describe('an admin in the portal', () => {
  it('brings a group under management, edits its member settings to Table-1, and adds an eligible assignment', async () => {
    const page = await portal.open('admin', { route: '#/admin/resources' });
    await page.getByRole('heading', { level: 1, name: 'Resources under management' }).waitFor();
    await page.getByText('No group is under management yet.').waitFor();

    // Discover groups → the Helpdesk group by its object id → Manage group.
    await page.getByRole('button', { name: 'Discover groups' }).click();
    const discover = page.getByRole('dialog');
    await discover.getByLabel('Group object id').fill('not-a-group');
    await discover.getByRole('button', { name: 'Manage group' }).click();
    await discover.getByText("Enter the group's object id").waitFor();
    await discover.getByLabel('Group object id').fill(GROUP);
    await discover.getByRole('button', { name: 'Manage group' }).click();
    await page.getByText('Helpdesk Admin-Group is now under management.').waitFor();
    const managed = await app.api(`managedGroups/${GROUP}`, ADMIN);
    expect(managed.status).toBe(200);

    // Add roles: Helpdesk Administrator, found by name among the directory's role definitions.
    await page.getByRole('button', { name: 'Add roles' }).click();
    const addRoles = page.getByRole('dialog');
    await addRoles.getByRole('searchbox', { name: 'Search roles by name' }).fill('helpdesk');
    await addRoles.getByRole('checkbox', { name: 'Helpdesk Administrator' }).check();
    await addRoles.getByRole('button', { name: 'Add 1 role' }).click();
    await page.getByText('Helpdesk Administrator is now under management.').waitFor();
    expect((await app.api(`managedRoles/${HELPDESK_ADMINISTRATOR}`, ADMIN)).status).toBe(200);
    await expectAccessible(page, 'the resources page');
    await portal.screenshot(page, 'admin-resources');

    await page.getByRole('link', { name: 'Helpdesk Admin-Group Member settings' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Role settings · Helpdesk Admin-Group · Member' })
      .waitFor();
    const maximum = page.getByLabel('Activation maximum duration (hours)');
    expect(await maximum.inputValue()).toBe('8');

    // Above what the API allows: its sentence on that field, nothing changed.
    await maximum.fill('30');
    await page.getByRole('button', { name: 'Save' }).click();
    await fieldOf(page, 'Activation maximum duration (hours)')
      .getByText('The activation maximum must be between 30 minutes (PT30M) and 24 hours (PT24H); got PT30H.')
      .waitFor();
    await page.getByText('Nothing was saved: correct the settings marked below.').waitFor();
    expect(rule(await memberRules(), 'Expiration_EndUser_Assignment').maximumDuration).toBe('PT8H');

    // Seed 001, Table-1, Member: 4 hours, Conditional Access authentication context, justification, no approval,
    // eligible assignments expire after 3 months; permanent active assignments allowed, with MFA and justification;
    // notifications on, the security team told of activations (critical mails only).
    await maximum.fill('4');
    await page
      .getByRole('radio', { name: 'Microsoft Entra Conditional Access authentication context' })
      .check();
    await page.getByLabel('Authentication context', { exact: true }).fill('c1');
    await page.getByRole('checkbox', { name: 'Require justification on activation' }).check();
    await page.getByRole('checkbox', { name: 'Require ticket information on activation' }).uncheck();
    await page.getByRole('checkbox', { name: 'Require approval to activate' }).uncheck();
    await page.getByRole('checkbox', { name: 'Allow permanent eligible assignment' }).uncheck();
    await page.getByLabel('Expire eligible assignments after').selectOption({ label: '3 months' });
    await page.getByRole('checkbox', { name: 'Allow permanent active assignment' }).check();
    await page
      .getByRole('checkbox', { name: 'Require Azure Multi-Factor Authentication on active assignment' })
      .check();
    await page.getByRole('checkbox', { name: 'Require justification on active assignment' }).check();
    const activationAlert = page.getByRole('group', { name: /^Role activation alert/ });
    await activationAlert
      .getByLabel('Additional recipients: Role activation alert')
      .fill('security@pimflow.example');
    await activationAlert.getByRole('checkbox', { name: 'Critical emails only' }).check();
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Settings saved for Helpdesk Admin-Group · Member.').waitFor();
    await page.getByText('No unsaved changes.').waitFor();

    const rules = await memberRules();
    expect(rule(rules, 'Expiration_EndUser_Assignment')).toMatchObject({
      isExpirationRequired: true,
      maximumDuration: 'PT4H',
    });
    expect(rule(rules, 'AuthenticationContext_EndUser_Assignment')).toMatchObject({
      isEnabled: true,
      claimValue: 'c1',
    });
    expect(rule(rules, 'Enablement_EndUser_Assignment').enabledRules).toEqual(['Justification']);
    expect(rule(rules, 'Approval_EndUser_Assignment').setting?.isApprovalRequired).toBe(false);
    expect(rule(rules, 'Expiration_Admin_Eligibility')).toMatchObject({
      isExpirationRequired: true,
      maximumDuration: 'P90D',
    });
    expect(rule(rules, 'Expiration_Admin_Assignment').isExpirationRequired).toBe(false);
    expect([...(rule(rules, 'Enablement_Admin_Assignment').enabledRules ?? [])].sort()).toEqual([
      'Justification',
      'MultiFactorAuthentication',
    ]);
    expect(rule(rules, 'Notification_Admin_EndUser_Assignment')).toMatchObject({
      notificationRecipients: ['security@pimflow.example'],
      notificationLevel: 'Critical',
      isDefaultRecipientsEnabled: true,
    });
    // The rules nobody touched kept their defaults.
    expect(rule(rules, 'Notification_Requestor_EndUser_Assignment')).toMatchObject({
      notificationRecipients: [],
      notificationLevel: 'All',
    });
    // The page shows what was saved.
    await page.reload();
    await page.getByLabel('Activation maximum duration (hours)').waitFor();
    expect(await page.getByLabel('Activation maximum duration (hours)').inputValue()).toBe('4');
    expect(await page.getByLabel('Expire eligible assignments after').inputValue()).toBe('90');
    await expectAccessible(page, 'the role settings page');
    await portal.screenshot(page, 'admin-role-settings');

    // Assignments: Olivia eligible for a month (within the 3 months the settings now allow).
    await page.getByRole('link', { name: 'Assignments of this role' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Assignments · Helpdesk Admin-Group · Member' })
      .waitFor();
    await page.getByText('No eligible assignments.').waitFor();
    const olivia = app.user('olivia.carter');
    await page.getByRole('button', { name: 'Add assignment' }).click();
    const add = page.getByRole('dialog');
    await add.getByText("This role's settings require an end, at most 90 days after the start.").waitFor();
    await add.getByRole('textbox', { name: 'User' }).fill(olivia.id);
    await add.getByRole('radio', { name: 'Eligible' }).check();
    await add.getByLabel('End').fill(localInput(new Date(Date.now() + 30 * DAY)));
    await add.getByRole('textbox', { name: 'Justification' }).fill('Helpdesk rota');
    await expectAccessible(page, 'the add assignment dialog');
    await add.getByRole('button', { name: 'Assign' }).click();
    await page.getByText('The eligible assignment to Helpdesk Admin-Group · Member was added.').waitFor();
    const eligible = page.getByRole('region', { name: 'Eligible assignments' });
    await expect.poll(() => eligible.getByText('Olivia Carter').isVisible(), { timeout: 30_000 }).toBe(true);

    const instances = () =>
      app.json<{ value: { principalId: string; accessId: string; endDateTime: string | null }[] }>(
        `identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=${encodeURIComponent(
          `groupId eq '${GROUP}' and principalId eq '${olivia.id}'`,
        )}`,
        ADMIN,
      );
    await expect.poll(async () => (await instances()).value.length, { timeout: 30_000 }).toBe(1);
    const instance = (await instances()).value[0];
    expect(instance?.accessId).toBe('member');
    expect(Date.parse(instance?.endDateTime ?? '')).toBeGreaterThan(Date.now() + 29 * DAY);
    await expectAccessible(page, 'the assignments page');
    await portal.screenshot(page, 'admin-assignments');

    // Extend: to 60 days from now (within the role's 90).
    await eligible.getByRole('button', { name: "Extend Olivia Carter's eligible assignment" }).click();
    const extend = page.getByRole('dialog');
    await extend.getByLabel('New end').fill(localInput(new Date(Date.now() + 60 * DAY)));
    await extend.getByRole('textbox', { name: 'Justification' }).fill('Rota extended');
    await extend.getByRole('button', { name: 'Extend' }).click();
    await page.getByText("Olivia Carter's eligible assignment was extended.").waitFor();
    await expect
      .poll(async () => Date.parse((await instances()).value[0]?.endDateTime ?? ''), { timeout: 30_000 })
      .toBeGreaterThan(Date.now() + 59 * DAY);
    expect(portal.problems(page)).toEqual([]);
  }, 150_000);

  it('the auditor sees the settings and assignments with nothing to change', async () => {
    const page = await portal.open('ruby.walsh', { route: SETTINGS_ROUTE });
    const maximum = page.getByLabel('Activation maximum duration (hours)');
    await maximum.waitFor();
    expect(await maximum.inputValue()).toBe('4');
    expect(await maximum.isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Save' }).count()).toBe(0);
    await page.getByText('You can see these settings; only admins can change them.').waitFor();
    // A Microsoft Entra role's settings: its own policy, with Entra's defaults.
    await page.goto(`${portal.portalUrl}#/admin/settings/role/${HELPDESK_ADMINISTRATOR}`);
    await page.getByRole('heading', { level: 1, name: 'Role settings · Helpdesk Administrator' }).waitFor();
    expect(await page.getByLabel('Activation maximum duration (hours)').inputValue()).toBe('8');
    await page.getByText('None: Global Administrators and Privileged Role Administrators approve.').waitFor();
    await page.goto(`${portal.portalUrl}${ASSIGNMENTS_ROUTE}`);
    await page.getByRole('region', { name: 'Eligible assignments' }).getByText('Olivia Carter').waitFor();
    expect(await page.getByRole('button', { name: 'Add assignment' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /Remove|Extend/ }).count()).toBe(0);
    await page.goto(`${portal.portalUrl}#/admin/resources`);
    await page.getByText('Helpdesk Admin-Group').first().waitFor();
    expect(await page.getByRole('button', { name: /Discover groups|Add roles|Remove/ }).count()).toBe(0);
  });
  it('at phone width: the same pages fit and work', async () => {
    const page = await portal.open('admin', { route: '#/admin/resources', viewport: 'phone' });
    await page.getByRole('heading', { level: 1, name: 'Resources under management' }).waitFor();
    await page.getByText('Helpdesk Admin-Group').first().waitFor();
    await portal.screenshot(page, 'admin-resources');
    await page.goto(`${portal.portalUrl}${SETTINGS_ROUTE}`);
    await page.getByLabel('Activation maximum duration (hours)').waitFor();
    await expectAccessible(page, 'the role settings page on a phone');
    await portal.screenshot(page, 'admin-role-settings');
    await page.goto(`${portal.portalUrl}${ASSIGNMENTS_ROUTE}`);
    await page.getByRole('region', { name: 'Eligible assignments' }).getByText('Olivia Carter').waitFor();
    await portal.screenshot(page, 'admin-assignments');
    await page.getByRole('button', { name: 'Add assignment' }).click();
    await portal.screenshot(page, 'admin-add-assignment');
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    const scroll = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scroll).toBeLessThanOrEqual(390);

    // Remove, from the phone: the eligibility ends.
    const olivia = app.user('olivia.carter');
    await page.getByRole('button', { name: "Remove Olivia Carter's eligible assignment" }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove' }).click();
    await page.getByText("Olivia Carter's eligible assignment is being removed.").waitFor();
    const left = () =>
      app.json<{ value: unknown[] }>(
        `identityGovernance/privilegedAccess/group/eligibilityScheduleInstances?$filter=${encodeURIComponent(
          `groupId eq '${GROUP}' and principalId eq '${olivia.id}'`,
        )}`,
        ADMIN,
      );
    await expect.poll(async () => (await left()).value.length, { timeout: 30_000 }).toBe(0);
    // The page follows the removal without a reload: Olivia is no longer active there.
    await expect
      .poll(() => page.getByRole('row', { name: /Olivia Carter.*Active/ }).count(), { timeout: 30_000 })
      .toBe(0);
    expect(portal.problems(page)).toEqual([]);
  });
});
