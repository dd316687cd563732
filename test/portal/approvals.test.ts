/**
 * Approve requests in the browser, for a Microsoft Entra role (Helpdesk Administrator, approval required with no
 * approvers named: the directory's Global and Privileged Role Administrators decide, seed 004): a requester activates
 * from My roles, a Privileged Role Administrator approves from the inbox with a reason, the role assignment appears in
 * the Graph stand-in and the requester's page shows it active without a reload — at desktop width, and on a phone
 * (390 × 844) for both people.
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
  for (const upn of ['ruby.walsh', 'leo.fischer'])
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
