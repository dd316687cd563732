/**
 * Azure resource roles in the portal, against the ARM stand-in: a user eligible for Contributor on finance-rg activates
 * it from My roles (the role named with its scope as PIM does), the role assignment appears in the ARM stand-in, and
 * deactivating removes it; an assignment made at the subscription shows on finance-rg's assignments as inherited,
 * with nothing to change; an admin brings a resource group under management from Admin · Resources, with the drift
 * switch. Every new page and dialog is scanned with axe, at desktop and phone width.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';
import { descriptionOf, fillActivation, openDecision, rowOf } from './activation-fixtures';
import {
  ADMIN,
  CONTRIBUTOR,
  arm,
  FINANCE_RG,
  PRODUCTION,
  READER,
  SANDBOX_RG,
  holds,
  manageScope,
  putRequest,
  requireApproval,
  roleDefinitionId,
} from '../pim-azure/azure-scenario';

const REQUESTER = 'olivia.carter';
/** Eligible for Reader on the whole subscription: inherited on finance-rg. */
const INHERITS = 'grace.okafor';
const CONTRIBUTOR_ON_FINANCE = 'Contributor · finance-rg (Resource group)';
/** Eligible for Contributor on sandbox-rg, where activation needs the admin's approval. */
const APPROVED = 'ruby.walsh';
const CONTRIBUTOR_ON_SANDBOX = 'Contributor · sandbox-rg (Resource group)';
const WEB_RG = `${PRODUCTION}/resourceGroups/web-rg`;
let portal: PortalTest;

async function makeAzureEligible(scope: string, role: string, principalId: string): Promise<void> {
  const { res } = await putRequest(
    portal.app,
    scope,
    'roleEligibilityScheduleRequests',
    {
      principalId,
      roleDefinitionId: roleDefinitionId(role),
      requestType: 'AdminAssign',
      justification: 'Finance month-end close',
      scheduleInfo: {
        startDateTime: new Date().toISOString(),
        expiration: { type: 'AfterDuration', duration: 'P90D' },
      },
    },
    ADMIN,
  );
  expect(res.status, await res.clone().text()).toBe(201);
}

beforeAll(async () => {
  portal = await startPortalTest();
  const { app } = portal;
  await manageScope(app, PRODUCTION);
  await manageScope(app, FINANCE_RG);
  await makeAzureEligible(FINANCE_RG, CONTRIBUTOR, app.user(REQUESTER).id);
  await makeAzureEligible(PRODUCTION, READER, app.user(INHERITS).id);
}, 120_000);
afterAll(async () => {
  await portal?.close();
});

describe('Azure resource roles in the portal', () => {
  it('activates Contributor on finance-rg from My roles: the ARM stand-in holds the assignment; deactivating removes it', async () => {
    const { app } = portal;
    const requester = app.user(REQUESTER);
    // Signed in with MFA: the role's default settings may ask for it on activation.
    const page = await portal.open(REQUESTER, { mfa: true });
    const eligible = rowOf(page, 'Eligible assignments', CONTRIBUTOR_ON_FINANCE);
    await eligible.waitFor();
    expect(await eligible.textContent()).toContain('Azure role');
    await portal.screenshot(page, 'my-roles-azure');
    await expectAccessible(page, 'My roles with an Azure role');

    const dialog = await fillActivation(page, CONTRIBUTOR_ON_FINANCE, {
      hours: '2',
      justification: 'Month-end close: rerun the finance pipeline',
    });
    await portal.screenshot(page, 'my-roles-activate-azure');
    await expectAccessible(page, 'the Azure activation dialog');
    expect(holds(app, FINANCE_RG, CONTRIBUTOR, requester.id)).toBe(false);
    await dialog.getByRole('button', { name: 'Activate' }).click();

    await page
      .getByText(`${CONTRIBUTOR_ON_FINANCE} is active until`, { exact: false })
      .waitFor({ timeout: 30_000 });
    expect(holds(app, FINANCE_RG, CONTRIBUTOR, requester.id)).toBe(true);
    await page.getByRole('tab', { name: /Active/ }).click();
    const active = rowOf(page, 'Active assignments', CONTRIBUTOR_ON_FINANCE);
    expect(await active.textContent()).toContain('Activated');
    await portal.screenshot(page, 'my-roles-active-azure');

    await active.getByRole('button', { name: /^Deactivate/ }).click();
    await page.getByText('You have no active roles.').waitFor({ timeout: 30_000 });
    expect(holds(app, FINANCE_RG, CONTRIBUTOR, requester.id)).toBe(false);
    expect(portal.problems(page)).toEqual([]);
  }, 120_000);

  it("an activation that needs approval waits in the approver's inbox; approved with a reason, ARM holds it", async () => {
    const { app } = portal;
    const requester = app.user(APPROVED);
    await manageScope(app, SANDBOX_RG);
    await requireApproval(app, SANDBOX_RG, CONTRIBUTOR);
    await makeAzureEligible(SANDBOX_RG, CONTRIBUTOR, requester.id);

    const page = await portal.open(APPROVED, { mfa: true });
    const dialog = await fillActivation(page, CONTRIBUTOR_ON_SANDBOX, {
      hours: '1',
      justification: 'Try the new pipeline in the sandbox',
    });
    await dialog.getByText(/Needs approval from/).waitFor();
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await page.getByText(`Activation of ${CONTRIBUTOR_ON_SANDBOX}: Pending approval.`).waitFor();

    const approver = await portal.open('admin', { mfa: true, route: '#/approvals' });
    const item = rowOf(approver, 'Requests waiting for you', requester.displayName);
    await item.waitFor();
    const details = (await item.textContent()) ?? '';
    for (const text of [CONTRIBUTOR_ON_SANDBOX, 'Azure role', '1 hour', 'Try the new pipeline'])
      expect(details).toContain(text);
    await expectAccessible(approver, 'Approve requests with an Azure role');
    const decision = await openDecision(approver, requester.displayName, 'Approve');
    await decision.getByLabel('Reason').fill('Sandbox only');
    await portal.screenshot(approver, 'approvals-decide-azure');
    await decision.getByRole('button', { name: 'Approve' }).click();
    await approver
      .getByText(`You approved ${requester.displayName}'s request for ${CONTRIBUTOR_ON_SANDBOX}.`)
      .waitFor();

    await page
      .getByText(`${CONTRIBUTOR_ON_SANDBOX} is active until`, { exact: false })
      .waitFor({ timeout: 30_000 });
    expect(holds(app, SANDBOX_RG, CONTRIBUTOR, requester.id)).toBe(true);
    expect(portal.problems(page)).toEqual([]);
    expect(portal.problems(approver)).toEqual([]);
  }, 120_000);

  it('shows an assignment made at the subscription as inherited on finance-rg, with nothing to change', async () => {
    const { app } = portal;
    const admin = await portal.open('admin', {
      mfa: true,
      route: `#/admin/assignments/azure/${encodeURIComponent(FINANCE_RG)}/${READER}`,
    });
    await admin.getByRole('heading', { name: /Assignments · Reader · finance-rg/ }).waitFor();
    const row = admin
      .getByRole('table', { name: 'Eligible assignments' })
      .getByRole('row')
      .filter({ hasText: app.user(INHERITS).displayName });
    await row.waitFor();
    expect(await row.textContent()).toContain('Inherited from Contoso Production (Subscription)');
    expect(await row.getByRole('button').count()).toBe(0);
    await portal.screenshot(admin, 'admin-azure-assignments');
    await expectAccessible(admin, 'Azure role assignments');
    expect(portal.problems(admin)).toEqual([]);
  }, 60_000);

  it('an admin brings a resource group under management from Admin · Resources, with the drift switch', async () => {
    const { app } = portal;
    for (const viewport of ['desktop', 'phone'] as const) {
      const page = await portal.open('admin', { mfa: true, viewport, route: '#/admin/resources' });
      await page.getByRole('heading', { name: 'Azure resources' }).waitFor();
      if (viewport === 'desktop') {
        await page.getByRole('button', { name: 'Add Azure resource' }).click();
        const dialog = page.getByRole('dialog', { name: 'Bring an Azure resource under management' });
        const scope = dialog.getByRole('textbox', { name: 'Scope' });
        // Not an ARM scope: said on the field, nothing sent.
        await scope.fill('finance-rg');
        await dialog.getByRole('button', { name: 'Manage resource' }).click();
        expect(await descriptionOf(scope)).toMatch(/Enter an ARM scope/);
        await scope.fill(WEB_RG);
        await dialog.getByRole('switch', { name: /Remove role assignments made outside PIM/ }).check();
        await portal.screenshot(page, 'admin-azure-add-scope');
        await expectAccessible(page, 'the add Azure resource dialog');
        await dialog.getByRole('button', { name: 'Manage resource' }).click();
        await page.getByText('web-rg is now under management.').waitFor();
      }
      const list = page.getByRole('list', { name: 'Azure resources under management' });
      const item = list.getByRole('listitem').filter({ hasText: 'web-rg' });
      await item.waitFor();
      expect(await item.textContent()).toContain('Resource group');
      await portal.screenshot(page, 'admin-azure-resources');
      await expectAccessible(page, `Azure resources (${viewport})`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
      expect(wide).toBe(false);
      expect(portal.problems(page)).toEqual([]);
    }
    const managed = await app.json<{ value: { scope: string; removeAssignmentsMadeOutsidePim: boolean }[] }>(
      'managedAzureScopes',
      ADMIN,
    );
    expect(
      managed.value.find((s) => s.scope.toLowerCase() === WEB_RG.toLowerCase())
        ?.removeAssignmentsMadeOutsidePim,
    ).toBe(true);
  }, 120_000);

  it("shows a managed scope's roles; an admin changes Contributor's settings at finance-rg", async () => {
    const { app } = portal;
    const page = await portal.open('admin', {
      mfa: true,
      route: `#/admin/resources/azure/${encodeURIComponent(FINANCE_RG)}`,
    });
    await rowOf(page, 'Azure roles at this scope', 'Contributor').first().waitFor();
    await expectAccessible(page, "an Azure scope's roles");
    await page.getByRole('link', { name: 'Contributor settings', exact: true }).click();
    await page.getByRole('heading', { name: /Role settings · Contributor · finance-rg/ }).waitFor();
    const maximum = page.getByLabel('Activation maximum duration (hours)');
    await maximum.fill('3');
    await portal.screenshot(page, 'admin-azure-role-settings');
    await expectAccessible(page, 'Azure role settings');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText(/Settings saved for Contributor · finance-rg/).waitFor();

    // The policy in force for Contributor at finance-rg, as ARM's API answers it.
    const filter = encodeURIComponent(`roleDefinitionId eq '${roleDefinitionId(CONTRIBUTOR)}'`);
    const assignments = await app.json<{ value: { properties: { policyId: string } }[] }>(
      arm(FINANCE_RG, `roleManagementPolicyAssignments?$filter=${filter}`),
      ADMIN,
    );
    const policyId = assignments.value[0]?.properties.policyId ?? '';
    const policy = await app.json<{ properties: { rules: { id: string; maximumDuration?: string }[] } }>(
      `${policyId.replace(/^\//, '')}?api-version=2020-10-01`,
      ADMIN,
    );
    expect(
      policy.properties.rules.find((r) => r.id === 'Expiration_EndUser_Assignment')?.maximumDuration,
    ).toBe('PT3H');
    expect(portal.problems(page)).toEqual([]);
  }, 120_000);

  it('My roles on a phone: the Azure role and its activation dialog fit the screen', async () => {
    const page = await portal.open(INHERITS, { viewport: 'phone' });
    const row = rowOf(page, 'Eligible assignments', 'Reader · Contoso Production (Subscription)');
    await row.waitFor();
    await fillActivation(page, 'Reader · Contoso Production (Subscription)', { hours: '1' });
    await portal.screenshot(page, 'my-roles-activate-azure');
    await expectAccessible(page, 'the Azure activation dialog on a phone');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    expect(wide).toBe(false);
    expect(portal.problems(page)).toEqual([]);
  }, 60_000);
});
