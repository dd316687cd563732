/**
 * What the My roles and Approve requests browser tests share: role settings and eligibility set up through the API
 * as an admin (test/pim/pim-scenario.ts for groups), Entra role fixtures, and the steps a requester and an approver
 * take in the portal.
 */
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import type { PimApp } from '../pim-harness';
import { ADMIN } from '../pim/pim-scenario';

export { ADMIN, BASE, makeEligible, manageGroup, patchRule } from '../pim/pim-scenario';

export const ROLES = 'roleManagement/directory';
export const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';

/** Brings an Entra role under management (201, or 409 when it already is). */
export async function manageRole(app: PimApp, roleDefinitionId: string): Promise<void> {
  const res = await app.api('managedRoles', { ...ADMIN, body: { roleDefinitionId } });
  expect([201, 409], await res.clone().text()).toContain(res.status);
}

/** Requires approval for an Entra role's activation, naming no approvers: Global and Privileged Role Administrators. */
export async function requireRoleApproval(app: PimApp, roleDefinitionId: string): Promise<void> {
  const filter = encodeURIComponent(
    `scopeId eq '/' and scopeType eq 'DirectoryRole' and roleDefinitionId eq '${roleDefinitionId}'`,
  );
  const assignments = await app.json<{ value: { policyId: string }[] }>(
    `policies/roleManagementPolicyAssignments?$filter=${filter}`,
    ADMIN,
  );
  const policyId = assignments.value[0]?.policyId as string;
  const rulePath = `policies/roleManagementPolicies/${policyId}/rules/Approval_EndUser_Assignment`;
  const rule = await app.json<{ setting: { approvalStages: Record<string, unknown>[] } }>(rulePath, ADMIN);
  const res = await app.api(rulePath, {
    ...ADMIN,
    method: 'PATCH',
    body: {
      ...rule,
      setting: {
        ...rule.setting,
        isApprovalRequired: true,
        approvalStages: [{ ...rule.setting.approvalStages[0], primaryApprovers: [] }],
      },
    },
  });
  expect(res.status, await res.clone().text()).toBe(204);
}

export async function makeRoleEligible(
  app: PimApp,
  roleDefinitionId: string,
  principalId: string,
): Promise<void> {
  const res = await app.api(`${ROLES}/roleEligibilityScheduleRequests`, {
    ...ADMIN,
    body: {
      action: 'adminAssign',
      roleDefinitionId,
      directoryScopeId: '/',
      principalId,
      justification: 'On-call rota',
      scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
    },
  });
  expect(res.status, await res.clone().text()).toBe(201);
}

/** The directory role assignment in the Graph stand-in. */
export function holdsRole(app: PimApp, roleDefinitionId: string, principalId: string): boolean {
  return app.dev.graph.state
    .roleAssignments()
    .some(
      (a) =>
        a.roleDefinitionId === roleDefinitionId &&
        a.principalId === principalId &&
        a.directoryScopeId === '/',
    );
}

/** A row of a My roles or Approve requests list, by the text it shows. */
export function rowOf(page: Page, list: string, text: string | RegExp): Locator {
  return page.getByRole('list', { name: list }).getByRole('listitem').filter({ hasText: text });
}

/** The activation dialog of an eligible row, filled in (not submitted). */
export async function fillActivation(
  page: Page,
  resource: string,
  o: { hours?: string; justification?: string; ticketNumber?: string; ticketSystem?: string },
): Promise<Locator> {
  await page.getByRole('tab', { name: /Eligible/ }).click();
  await rowOf(page, 'Eligible assignments', resource)
    .getByRole('button', { name: /^Activate/ })
    .click();
  const dialog = page.getByRole('dialog', { name: `Activate ${resource}` });
  await dialog.waitFor();
  if (o.hours !== undefined) await dialog.getByLabel('Duration (hours)').fill(o.hours);
  if (o.justification !== undefined) await dialog.getByLabel('Justification').fill(o.justification);
  if (o.ticketNumber !== undefined) await dialog.getByLabel('Ticket number').fill(o.ticketNumber);
  if (o.ticketSystem !== undefined) await dialog.getByLabel('Ticket system').fill(o.ticketSystem);
  return dialog;
}

/** Opens the approver's decision dialog for `who`'s request (on Approve requests). */
export async function openDecision(page: Page, who: string, result: 'Approve' | 'Deny'): Promise<Locator> {
  const row = rowOf(page, 'Requests waiting for you', who);
  await row.getByRole('button', { name: new RegExp(`^${result} `) }).click();
  const dialog = page.getByRole('dialog', { name: `${result} ${who}'s request` });
  await dialog.waitFor();
  return dialog;
}

/** The requests the API holds for a user (as they see them): nothing created means an empty list. */
export async function requestsOf(app: PimApp, upn: string, path: string): Promise<unknown[]> {
  const mine = await app.json<{ value: unknown[] }>(`${path}/filterByCurrentUser(on='principal')`, {
    as: app.user(upn).userPrincipalName,
  });
  return mine.value;
}

/** The accessible description of a form control (a Fluent Field's hint and validation message). */
export function descriptionOf(control: Locator): Promise<string> {
  return control.evaluate((el) =>
    (el.getAttribute('aria-describedby') ?? '')
      .split(/\s+/)
      .map((id) => (id ? (document.getElementById(id)?.textContent ?? '') : ''))
      .join(' ')
      .trim(),
  );
}
