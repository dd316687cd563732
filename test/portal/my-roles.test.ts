/**
 * My roles and Approve requests in the browser, for a group role (PIM for Groups): a requester signed in without
 * MFA activates with a justification and a ticket, signs in again with MFA in a popup (the API's claims challenge),
 * and sees the request pending approval; the group's owner approves it from the inbox with a reason; the membership
 * appears in the Graph stand-in and the requester's page shows it active without a reload; then they deactivate
 * it. A refused activation (too long, no justification) shows the API's sentence on the field and creates nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectAccessible, startPortalTest, stepUpInPopup, type PortalTest } from './portal-harness';
import {
  BASE,
  descriptionOf,
  fillActivation,
  makeEligible,
  manageGroup,
  openDecision,
  patchRule,
  requestsOf,
  rowOf,
} from './activation-fixtures';

const GROUP = 'e3d4b516-8621-440b-a7a2-58d0c8c710af'; // Helpdesk Admin-Group; owners Sofia Rossi and the admin
const GROUP_NAME = 'Helpdesk Admin-Group';
const REQUESTER = 'olivia.carter';
const OWNER = 'sofia.rossi';
/** Eligible for ownership (at most 2 hours, justification required): the refused activations. */
const REFUSED = 'grace.okafor';
let portal: PortalTest;

beforeAll(async () => {
  portal = await startPortalTest();
  const { app } = portal;
  await manageGroup(app, GROUP);
  const rules: [string, Record<string, unknown>][] = [
    [
      'Enablement_EndUser_Assignment',
      { enabledRules: ['Justification', 'Ticketing', 'MultiFactorAuthentication'] },
    ],
    ['Expiration_EndUser_Assignment', { isExpirationRequired: true, maximumDuration: 'PT4H' }],
  ];
  for (const [ruleId, change] of rules) {
    const res = await patchRule(app, GROUP, 'member', ruleId, (r) => ({ ...r, ...change }));
    expect(res.status, await res.clone().text()).toBe(204);
  }
  const approval = await patchRule(app, GROUP, 'member', 'Approval_EndUser_Assignment', (r) => {
    const setting = r.setting as { approvalStages: Record<string, unknown>[] };
    return {
      ...r,
      setting: {
        ...setting,
        isApprovalRequired: true,
        approvalStages: [
          {
            ...setting.approvalStages[0],
            isApproverJustificationRequired: true,
            primaryApprovers: [{ '@odata.type': '#microsoft.graph.groupOwners', groupId: GROUP }],
          },
        ],
      },
    };
  });
  expect(approval.status, await approval.clone().text()).toBe(204);
  const owner = await patchRule(app, GROUP, 'owner', 'Expiration_EndUser_Assignment', (r) => ({
    ...r,
    isExpirationRequired: true,
    maximumDuration: 'PT2H',
  }));
  expect(owner.status, await owner.clone().text()).toBe(204);
  await makeEligible(app, GROUP, app.user(REQUESTER).id, 'member');
  await makeEligible(app, GROUP, app.user(REFUSED).id, 'owner');
}, 120_000);
afterAll(async () => {
  await portal?.close();
});

describe('My roles: a group role', () => {
  it('activates with MFA step-up, is approved from the inbox, shows active without a reload, and deactivates', async () => {
    const { app } = portal;
    const requester = app.user(REQUESTER);
    const page = await portal.open(REQUESTER);
    const eligible = rowOf(page, 'Eligible assignments', GROUP_NAME);
    await eligible.waitFor();
    expect(await eligible.textContent()).toContain('Group member');
    await portal.screenshot(page, 'my-roles');
    await expectAccessible(page, 'My roles');

    const dialog = await fillActivation(page, GROUP_NAME, {
      hours: '1.5',
      justification: 'Password reset queue for the service desk',
      ticketNumber: 'INC-4711',
      ticketSystem: 'ServiceNow',
    });
    await portal.screenshot(page, 'my-roles-activate');
    await expectAccessible(page, 'the activation dialog');
    // The role needs MFA and Olivia signed in without it: the API's claims challenge opens the sign-in popup.
    await stepUpInPopup(
      page,
      () => dialog.getByRole('button', { name: 'Activate' }).click(),
      requester.userPrincipalName,
    );
    await page.getByText(`Activation of ${GROUP_NAME}: Pending approval.`).waitFor();
    await expect.poll(() => eligible.textContent()).toContain('Pending approval');
    expect(app.groupMembers(GROUP)).not.toContain(requester.id);

    // The owner decides from the inbox.
    const approver = await portal.open(OWNER, { route: '#/approvals' });
    const item = rowOf(approver, 'Requests waiting for you', requester.displayName);
    await item.waitFor();
    const details = (await item.textContent()) ?? '';
    for (const text of [
      GROUP_NAME,
      'Group member',
      '1 hour 30 minutes',
      'Password reset queue',
      'INC-4711',
      'ServiceNow',
    ])
      expect(details).toContain(text);
    expect(details).toContain(requester.userPrincipalName);
    await portal.screenshot(approver, 'approvals');
    await expectAccessible(approver, 'Approve requests');

    const decision = await openDecision(approver, requester.displayName, 'Approve');
    // A reason is required: nothing is sent without one.
    await decision.getByRole('button', { name: 'Approve' }).click();
    expect(await descriptionOf(decision.getByLabel('Reason'))).toMatch(/Give a reason/);
    await decision.getByLabel('Reason').fill('Ticket checked');
    await portal.screenshot(approver, 'approvals-decide');
    await expectAccessible(approver, 'the decision dialog');
    await decision.getByRole('button', { name: 'Approve' }).click();
    await approver.getByText(`You approved ${requester.displayName}'s request for ${GROUP_NAME}.`).waitFor();
    await approver.getByText('No requests are waiting for you.').waitFor();

    // The membership is granted in Graph, and the requester's page follows without a reload.
    await expect.poll(() => app.groupMembers(GROUP), { timeout: 30_000 }).toContain(requester.id);
    await page.getByText(new RegExp(`${GROUP_NAME} is active until`)).waitFor({ timeout: 30_000 });
    await page.getByRole('tab', { name: /Active/ }).click();
    const active = rowOf(page, 'Active assignments', GROUP_NAME);
    await active.waitFor();
    expect(await active.textContent()).toContain('Activated');
    await portal.screenshot(page, 'my-roles-active');

    await page.getByRole('tab', { name: /My requests/ }).click();
    expect(await rowOf(page, 'My requests', GROUP_NAME).first().textContent()).toContain('Active');

    // Deactivating ends the membership.
    await page.getByRole('tab', { name: /Active/ }).click();
    await active.getByRole('button', { name: /^Deactivate/ }).click();
    await expect.poll(() => app.groupMembers(GROUP), { timeout: 30_000 }).not.toContain(requester.id);
    await page.getByText('You have no active roles.').waitFor({ timeout: 30_000 });
    expect(portal.problems(page)).toEqual([]);
    expect(portal.problems(approver)).toEqual([]);
  }, 120_000);

  it("refuses an activation over the maximum or without a justification: the API's sentence on the field, nothing created", async () => {
    const { app } = portal;
    const user = app.user(REFUSED);
    const page = await portal.open(REFUSED);
    const dialog = await fillActivation(page, GROUP_NAME, { hours: '3', justification: 'Owner changes' });
    const submit = dialog.getByRole('button', { name: 'Activate' });
    await submit.click();
    const duration = dialog.getByLabel('Duration (hours)');
    await expect.poll(() => descriptionOf(duration)).toMatch(/may last at most PT2H for this role/);
    expect(await duration.getAttribute('aria-invalid')).toBe('true');
    await portal.screenshot(page, 'my-roles-activate-refused');
    await expectAccessible(page, 'a refused activation');

    await duration.fill('1');
    await dialog.getByLabel('Justification').fill('');
    await submit.click();
    await expect
      .poll(() => descriptionOf(dialog.getByLabel('Justification')))
      .toMatch(/requires a justification/);
    expect(await descriptionOf(duration)).not.toMatch(/at most/);

    expect(await requestsOf(app, REFUSED, `${BASE}/assignmentScheduleRequests`)).toEqual([]);
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(user.id);
    expect(portal.problems(page)).toEqual([]);
  }, 60_000);
});
