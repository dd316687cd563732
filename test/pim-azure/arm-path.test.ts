/** The ARM route parser, api-version check and `$filter` parser of PIM for Azure resources (pure). */
import { describe, expect, it } from 'vitest';
import {
  checkApiVersion,
  parseArmFilter,
  parseArmPath,
  roleDefinitionArmId,
  roleDefinitionGuid,
} from '../../shared/requests/http/arm-path';

const SUB = '1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const NAME = '0b0c6f7e-1d2a-4c3b-9e8f-7a6b5c4d3e2f';

describe('parseArmPath', () => {
  it.each([
    [
      `subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests`,
      `/subscriptions/${SUB}`,
    ],
    [
      `subscriptions/${SUB}/resourceGroups/finance-rg/providers/Microsoft.Authorization/roleEligibilityScheduleInstances`,
      `/subscriptions/${SUB}/resourceGroups/finance-rg`,
    ],
    [
      `subscriptions/${SUB}/resourceGroups/finance-rg/providers/Microsoft.KeyVault/vaults/kv-finance/providers/Microsoft.Authorization/roleAssignmentSchedules`,
      `/subscriptions/${SUB}/resourceGroups/finance-rg/providers/Microsoft.KeyVault/vaults/kv-finance`,
    ],
    [
      'providers/Microsoft.Management/managementGroups/pimflow-platform/providers/Microsoft.Authorization/roleManagementPolicies',
      '/providers/Microsoft.Management/managementGroups/pimflow-platform',
    ],
    ['providers/Microsoft.Authorization/roleEligibilityScheduleInstances', ''],
  ])('finds the scope of %s', (path, scope) => {
    const parsed = parseArmPath(path);
    expect(parsed.ok && parsed.value.scope).toBe(scope);
  });

  it('takes collections in any casing, names, cancel and validate; ignores empty segments', () => {
    expect(
      parseArmPath(
        `/subscriptions/${SUB}//providers/microsoft.authorization/ROLEASSIGNMENTSCHEDULEREQUESTS/${NAME}/Cancel/`,
      ),
    ).toEqual({
      ok: true,
      value: {
        scope: `/subscriptions/${SUB}`,
        collection: 'roleAssignmentScheduleRequests',
        name: NAME,
        action: 'cancel',
      },
    });
    const validate = parseArmPath(
      `subscriptions/${SUB}/providers/Microsoft.Authorization/roleEligibilityScheduleRequests/${NAME}/validate`,
    );
    expect(validate.ok && validate.value.action).toBe('validate');
  });

  it('parses an approval stage', () => {
    expect(
      parseArmPath(`providers/Microsoft.Authorization/roleAssignmentApprovals/${NAME}/stages/${NAME}`),
    ).toEqual({
      ok: true,
      value: { scope: '', collection: 'roleAssignmentApprovals', name: NAME, action: 'stages', stage: NAME },
    });
  });

  it.each([
    [`subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentsX`, 404, 'InvalidResourceType'],
    [`subscriptions/${SUB}/resourceGroups`, 404, 'NotFound'],
    [
      `subscriptions/not-a-guid/providers/Microsoft.Authorization/roleAssignmentSchedules`,
      400,
      'InvalidScope',
    ],
    [
      `subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentSchedules/${NAME}/cancel`,
      404,
      'NotFound',
    ],
    [
      `subscriptions/${SUB}/providers/Microsoft.Authorization/roleAssignmentScheduleRequests/${NAME}/cancel/x`,
      404,
      'NotFound',
    ],
  ])('refuses %s', (path, status, code) => {
    const parsed = parseArmPath(path);
    expect(parsed.ok ? undefined : parsed.error).toMatchObject({ status, code });
  });
});

describe('checkApiVersion', () => {
  it('requires one the collection has', () => {
    expect(checkApiVersion('roleAssignmentScheduleRequests', '2020-10-01')).toBeUndefined();
    expect(checkApiVersion('roleDefinitions', '2022-04-01')).toBeUndefined();
    expect(checkApiVersion('roleAssignmentScheduleRequests', null)?.code).toBe('MissingApiVersionParameter');
    expect(checkApiVersion('roleAssignmentScheduleRequests', '2022-04-01')?.code).toBe(
      'InvalidApiVersionParameter',
    );
  });
});

describe('parseArmFilter', () => {
  it('reads ARM filter functions and comparisons joined by and', () => {
    expect(parseArmFilter('asTarget()')).toEqual({ ok: true, value: { asTarget: true } });
    expect(parseArmFilter(`atScope() and principalId eq '${NAME.toUpperCase()}'`)).toEqual({
      ok: true,
      value: { atScope: true, principalId: NAME },
    });
    expect(parseArmFilter(`assignedTo('${NAME}')`)).toEqual({ ok: true, value: { principalId: NAME } });
    expect(parseArmFilter(null)).toEqual({ ok: true, value: {} });
  });
  it('refuses what it does not know', () => {
    const parsed = parseArmFilter('principalId ne 1 or asTarget()');
    expect(parsed.ok ? undefined : parsed.error).toMatchObject({ status: 400, code: 'UnsupportedQuery' });
  });
});

describe('role definition ids', () => {
  it('takes any subscription, the management group and the tenant-level form', () => {
    for (const id of [
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR.toUpperCase()}`,
      `/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
      `/providers/Microsoft.Management/managementGroups/pimflow-platform/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
    ])
      expect(roleDefinitionGuid(id)).toBe(CONTRIBUTOR);
    expect(roleDefinitionGuid(CONTRIBUTOR)).toBeUndefined();
    expect(
      roleDefinitionGuid(`/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`),
    ).toBeUndefined();
  });
  it('answers the subscription form within a subscription, the tenant-level form above', () => {
    expect(roleDefinitionArmId(`/subscriptions/${SUB}/resourceGroups/finance-rg`, CONTRIBUTOR)).toBe(
      `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`,
    );
    expect(
      roleDefinitionArmId('/providers/Microsoft.Management/managementGroups/pimflow-platform', CONTRIBUTOR),
    ).toBe(`/providers/Microsoft.Authorization/roleDefinitions/${CONTRIBUTOR}`);
  });
});
