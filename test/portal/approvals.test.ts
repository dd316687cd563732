/**
 * Approve requests in the browser, for a Microsoft Entra role (Helpdesk Administrator, approval required with no
 * approvers named: the directory's Global and Privileged Role Administrators decide, seed 004): a requester activates
 * from My roles, a Privileged Role Administrator approves from the inbox with a reason, the role assignment appears in
 * the Graph stand-in and the requester's page shows it active without a reload — at desktop width, and on a phone
 * (390 × 844) for both people. A denial (a reason required) grants nothing and the requester sees it denied; a
 * pending request the requester cancels leaves the approver's inbox.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ViewportName } from './portal-harness';
import { expectAccessible, startPortalTest, type PortalTest } from './portal-harness';
import {
  HELPDESK_ADMINISTRATOR,
  ROLES,
  fillActivation,
  holdsRole,
  makeRoleEligible,
  manageRole,
  openDecision,
  requireRoleApproval,
  rowOf,
} from './activation-fixtures';

const ROLE_NAME = 'Helpdesk Administrator';
/** Holds Privileged Role Administrator in the demo tenant: a default approver. */
const APPROVER = 'daniel.kim';
let portal: PortalTest;

beforeAll(async () => {
  portal = await startPortalTest();
  const { app } = portal;
  await manageRole(app, HELPDESK_ADMINISTRATOR);
  await requireRoleApproval(app, HELPDESK_ADMINISTRATOR);
  for (const upn of ['ruby.walsh', 'leo.fischer', 'zoe.anderson', 'oscar.petrov'])
    await makeRoleEligible(app, HELPDESK_ADMINISTRATOR, app.user(upn).id);
  await app.rt.waitForIdle();
}, 120_000);
afterAll(async () => {
  await portal?.close();
});

async function activateAndApprove(requesterUpn: string, viewport: ViewportName): Promise<void> {
  const { app } = portal;
  const requester = app.user(requesterUpn);
  const page = await portal.open(requesterUpn, { viewport });
  await rowOf(page, 'Eligible assignments', ROLE_NAME).waitFor();
  expect(await rowOf(page, 'Eligible assignments', ROLE_NAME).textContent()).toContain('Entra role');
  await portal.screenshot(page, `my-roles-entra-role`);
  await expectAccessible(page, `My roles (${viewport})`);

  const dialog = await fillActivation(page, ROLE_NAME, {
    hours: '2',
    justification: 'Password resets for the Berlin office',
  });
  await portal.screenshot(page, 'my-roles-activate-entra-role');
  await expectAccessible(page, `the activation dialog (${viewport})`);
  await dialog.getByRole('button', { name: 'Activate' }).click();
  await page.getByText(`Activation of ${ROLE_NAME}: Pending approval.`).waitFor();
  expect(holdsRole(app, HELPDESK_ADMINISTRATOR, requester.id)).toBe(false);

  const approver = await portal.open(APPROVER, { viewport, route: '#/approvals' });
  const item = rowOf(approver, 'Requests waiting for you', requester.displayName);
  await item.waitFor();
  const details = (await item.textContent()) ?? '';
  for (const text of [ROLE_NAME, 'Entra role', '2 hours', 'Password resets for the Berlin office'])
    expect(details).toContain(text);
  await portal.screenshot(approver, 'approvals-entra-role');
  await expectAccessible(approver, `Approve requests (${viewport})`);
  const decision = await openDecision(approver, requester.displayName, 'Approve');
  await decision.getByLabel('Reason').fill('Berlin office ticket checked');
  await portal.screenshot(approver, 'approvals-decide-entra-role');
  await expectAccessible(approver, `the decision dialog (${viewport})`);
  await decision.getByRole('button', { name: 'Approve' }).click();
  await approver.getByText(`You approved ${requester.displayName}'s request for ${ROLE_NAME}.`).waitFor();
  await expect.poll(() => item.count()).toBe(0);

  await expect
    .poll(() => holdsRole(app, HELPDESK_ADMINISTRATOR, requester.id), { timeout: 30_000 })
    .toBe(true);
  await page.getByText(new RegExp(`${ROLE_NAME} is active until`)).waitFor({ timeout: 30_000 });
  await page.getByRole('tab', { name: /Active/ }).click();
  expect(await rowOf(page, 'Active assignments', ROLE_NAME).textContent()).toContain('Activated');
  await portal.screenshot(page, 'my-roles-active-entra-role');

  // The request as the API keeps it: approved by the approver, provisioned.
  const mine = await app.json<{ value: { status: string; action: string }[] }>(
    `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')`,
    { as: requester.userPrincipalName },
  );
  expect(mine.value.map((r) => `${r.action}:${r.status}`)).toEqual(['selfActivate:Provisioned']);
  expect(portal.problems(page)).toEqual([]);
  expect(portal.problems(approver)).toEqual([]);
}

describe('Approve requests: an Entra role', () => {
  it('a requester activates, a Privileged Role Administrator approves, the role is assigned and shown active', async () => {
    await activateAndApprove('ruby.walsh', 'desktop');
  }, 120_000);

  it('works on a phone (390 × 844): activate and approve', async () => {
    await activateAndApprove('leo.fischer', 'phone');
  }, 120_000);
});

describe('Approve requests: a denial, and a request withdrawn', () => {
  /** Activates the role from My roles and waits until the request waits for approval. */
  async function requestActivation(upn: string, justification: string) {
    const page = await portal.open(upn);
    const dialog = await fillActivation(page, ROLE_NAME, { hours: '1', justification });
    await dialog.getByRole('button', { name: 'Activate' }).click();
    await page.getByText(`Activation of ${ROLE_NAME}: Pending approval.`).waitFor();
    return page;
  }
  const statuses = async (upn: string) =>
    (
      await portal.app.json<{ value: { status: string; action: string }[] }>(
        `${ROLES}/roleAssignmentScheduleRequests/filterByCurrentUser(on='principal')`,
        { as: portal.app.user(upn).userPrincipalName },
      )
    ).value.map((r) => `${r.action}:${r.status}`);

  it('the approver denies with a reason: no role, and the requester sees it denied without a reload', async () => {
    const { app } = portal;
    const requester = app.user('zoe.anderson');
    const page = await requestActivation('zoe.anderson', 'Reset a locked-out account');

    const approver = await portal.open(APPROVER, { route: '#/approvals' });
    const decision = await openDecision(approver, requester.displayName, 'Deny');
    // A reason is required: the dialog says so and decides nothing.
    await decision.getByRole('button', { name: 'Deny' }).click();
    await decision
      .getByText(/reason/i)
      .first()
      .waitFor();
    expect(await statuses('zoe.anderson')).toEqual(['selfActivate:PendingApproval']);
    await decision.getByLabel('Reason').fill('No ticket for this');
    await decision.getByRole('button', { name: 'Deny' }).click();
    await approver.getByText(`You denied ${requester.displayName}'s request for ${ROLE_NAME}.`).waitFor();

    await expect.poll(() => statuses('zoe.anderson'), { timeout: 30_000 }).toEqual(['selfActivate:Denied']);
    expect(holdsRole(app, HELPDESK_ADMINISTRATOR, requester.id)).toBe(false);
    await page.getByRole('tab', { name: /My requests/ }).click();
    await rowOf(page, 'My requests', ROLE_NAME).getByText('Denied').waitFor({ timeout: 30_000 });
    expect(portal.problems(page)).toEqual([]);
    expect(portal.problems(approver)).toEqual([]);
  }, 120_000);

  it('the requester cancels a pending request: it leaves the inbox and grants nothing', async () => {
    const { app } = portal;
    const requester = app.user('oscar.petrov');
    const page = await requestActivation('oscar.petrov', 'Cover the evening shift');
    await page.getByRole('tab', { name: /My requests \(1 pending\)/ }).click();
    await page.getByRole('button', { name: `Cancel the request for ${ROLE_NAME}` }).click();
    // The request followed since it was made says so, and My requests lists it canceled.
    await page.getByText(`Activation of ${ROLE_NAME}: Canceled.`).waitFor();
    await page.getByRole('tab', { name: /My requests \(0 pending\)/ }).waitFor();
    await rowOf(page, 'My requests', `Activate · ${ROLE_NAME}`).getByText('Canceled').waitFor();
    await expect.poll(() => statuses('oscar.petrov'), { timeout: 30_000 }).toEqual(['selfActivate:Canceled']);

    const approver = await portal.open(APPROVER, { route: '#/approvals' });
    await approver.getByRole('heading', { level: 1, name: 'Approve requests' }).waitFor();
    await expect
      .poll(() => rowOf(approver, 'Requests waiting for you', requester.displayName).count(), {
        timeout: 15_000,
      })
      .toBe(0);
    expect(holdsRole(app, HELPDESK_ADMINISTRATOR, requester.id)).toBe(false);
    expect(portal.problems(page)).toEqual([]);
  }, 120_000);
});
