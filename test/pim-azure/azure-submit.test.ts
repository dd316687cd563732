/**
 * The request core's rules for Azure roles (submit-request.ts through the app's services, validation only: nothing
 * is stored or started): who may hold an Azure role, only admins assign it, the scope must be governed and exist in
 * ARM and the role must be ARM's, and PIM's Azure defaults apply (no permanent assignments); removing a governed
 * subscription's last Owner is a 400 with an audit record.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { normalizeAzureScope } from '../../shared/access/resource';
import type { CallerPrincipal } from '../../shared/auth/principal';
import type { AppServices } from '../../shared/composition-root';
import type { RequestBody, RequestKind } from '../../shared/requests/domain/request-body';
import { scheduleFrom } from '../../shared/requests/domain/request-workflow';
import { submitRequest } from '../../shared/requests/submit-request';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN } from '../pim-policy/policy-helpers';

const PROD = '/subscriptions/1b4e6c2a-7d3f-4e8b-9a01-5c2d8e7f6a10';
const DEV = '/subscriptions/2c5f7d3b-8e4a-4f9c-8b12-6d3e9f8a7b21';
const FINANCE_RG = `${PROD}/resourceGroups/finance-rg`;
const CONTRIBUTOR = 'b24988ac-6180-42a0-ab88-20f7382dd24c';
const FINANCE_APPROVERS = '5954f79c-0342-4f18-a20d-d040bab5dd82';
const PAYROLL_READERS = '41cea612-6af1-453d-a86f-bb749fac37d5';
const BACKUP_CONNECTOR = '4ad61849-2ae0-49a9-8d43-713836660676';

let app: PimApp;
let services: AppServices;
let user: string;

const admin: CallerPrincipal = {
  kind: 'user',
  objectId: DEMO.admin,
  tenantId: DEMO.tenantId,
  roles: ['PimFlow.Admin'],
  authenticationMethods: ['pwd', 'mfa'],
  authenticationContexts: [],
  userPrincipalName: DEMO.adminUpn,
};

function submit(kind: RequestKind, over: Partial<RequestBody> = {}, caller = admin) {
  const body: RequestBody = {
    action: 'adminAssign',
    resourceType: 'azureRole',
    groupId: normalizeAzureScope(FINANCE_RG),
    accessId: CONTRIBUTOR,
    principalId: user,
    justification: 'Quarter close',
    scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
    isValidationOnly: true,
    ...over,
  };
  return submitRequest(services, kind, body, caller, new Date());
}

beforeAll(async () => {
  app = await startPimApp();
  services = await app.services();
  user = app.user('liam.obrien').id;
  const res = await app.api('managedAzureScopes', { ...ADMIN, body: { scope: PROD } });
  expect(res.status, await res.clone().text()).toBe(201);
});
afterAll(async () => {
  await app?.stop();
});

describe('an admin assigning an Azure role', () => {
  it('is accepted for a user and a security group, eligible or active, at a scope below a managed one', async () => {
    expect((await submit('eligibility')).outcome).toBe('validated');
    expect((await submit('assignment')).outcome).toBe('validated');
    expect((await submit('eligibility', { principalId: FINANCE_APPROVERS })).outcome).toBe('validated');
  });

  it('takes a service principal only as an active assignment', async () => {
    expect((await submit('assignment', { principalId: BACKUP_CONNECTOR })).outcome).toBe('validated');
    expect(await submit('eligibility', { principalId: BACKUP_CONNECTOR })).toMatchObject({
      outcome: 'refused',
      code: 'invalid',
      reason: expect.stringMatching(/only as an active assignment/),
    });
  });

  it('refuses a Microsoft 365 group', async () => {
    expect(await submit('eligibility', { principalId: PAYROLL_READERS })).toMatchObject({
      outcome: 'refused',
      code: 'invalid',
      reason: expect.stringMatching(/security groups/),
    });
  });

  it("refuses a scope nothing governs, one ARM hasn't, a role ARM hasn't (400s)", async () => {
    expect(await submit('eligibility', { groupId: DEV })).toMatchObject({
      code: 'invalid',
      reason: expect.stringMatching(/not under management/),
    });
    expect(await submit('eligibility', { groupId: `${PROD}/resourcegroups/no-such-rg` })).toMatchObject({
      code: 'invalid',
      reason: expect.stringMatching(/has no scope/),
    });
    expect(await submit('eligibility', { accessId: '00000000-0000-4000-8000-000000000000' })).toMatchObject({
      code: 'invalid',
      reason: expect.stringMatching(/no role definition/),
    });
  });

  it("applies PIM's Azure defaults: no permanent eligibility, at most a year", async () => {
    expect(
      await submit('eligibility', { scheduleInfo: { expiration: { type: 'noExpiration' } } }),
    ).toMatchObject({
      outcome: 'refused',
      code: 'invalid',
    });
    expect(
      await submit('eligibility', {
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P400D' } },
      }),
    ).toMatchObject({ outcome: 'refused', code: 'invalid' });
  });

  it('is for admins only: an Azure role has no owners', async () => {
    const someone: CallerPrincipal = { ...admin, objectId: user, roles: [] };
    expect(await submit('eligibility', {}, someone)).toMatchObject({
      code: 'forbidden',
      reason: expect.stringMatching(/Azure role assignments/),
    });
  });
});

describe("removing a governed subscription's last Owner", () => {
  it('is a 400 with an audit record, and nothing is stored', async () => {
    const OWNER = '8e3af657-a8ff-443c-a75c-2fe8c4bcb635';
    const now = new Date().toISOString();
    const schedule = scheduleFrom(
      {
        requestId: '6d1f3c2a-5b4e-4d8f-9a01-2c3d4e5f6a7b',
        resourceType: 'azureRole',
        groupId: PROD,
        kind: 'assignment',
        action: 'adminAssign',
        accessId: OWNER,
        principalId: DEMO.admin,
        startDateTime: now,
        endDateTime: null,
        approval: null,
        activatedUsing: null,
      },
      'Provisioned',
      now,
    );
    await services.store.schedules.create(schedule);
    const result = await submit('assignment', {
      action: 'adminRemove',
      groupId: PROD,
      accessId: OWNER,
      principalId: DEMO.admin,
      isValidationOnly: false,
    });
    expect(result).toMatchObject({
      outcome: 'refused',
      code: 'invalid',
      reason: expect.stringMatching(/last Owner assignment of subscription Contoso Production/),
    });
    const filter = encodeURIComponent("category eq 'Membership'");
    const rows = (
      await app.json<{ value: { activityDisplayName: string; result: string }[] }>(
        `auditLogs?$filter=${filter}`,
        ADMIN,
      )
    ).value.filter((r) => r.activityDisplayName.includes('last subscription Owner'));
    expect(rows).toEqual([
      expect.objectContaining({
        activityDisplayName: 'Remove member from role refused: last subscription Owner (PIM adminRemove)',
        result: 'failure',
      }),
    ]);
    const requests = await services.store.listRequests({ groupId: PROD, kind: 'assignment', pageSize: 10 });
    expect(requests.items).toEqual([]);
    expect(
      app.dev.arm.state().roleAssignments.some((a) => a.principalId === DEMO.admin && a.scope === PROD),
    ).toBe(true);
  });
});
