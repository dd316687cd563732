/**
 * PIM for Azure resources end to end through the ARM-shaped API (docs/api/azure-roles.md) on the virtual clock,
 * asserting role assignments in the ARM stand-in: an admin makes a user eligible for Contributor on finance-rg
 * (AdminAssign of roleEligibilityScheduleRequests), the user activates it for 2 hours (SelfActivate), an approver
 * approves (ARM's roleAssignmentApprovals stages), the ARM assignment appears and is gone 2 hours later; an
 * assignment made at the subscription shows at finance-rg as Inherited and can't be removed there; the last Owner
 * of a managed subscription is never removed; bad inputs answer ARM's 400s and write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import {
  ADMIN,
  arm,
  CONTRIBUTOR,
  FINANCE_RG,
  holds as holdsIn,
  manageScope as manage,
  OWNER,
  PRODUCTION,
  putRequest,
  READER,
  requireApproval as requireApprovalIn,
  roleDefinitionId,
  SANDBOX_RG,
  type ArmItem,
} from './azure-scenario';

let app: PimApp;
const holds = (scope: string, role: string, principalId: string) => holdsIn(app, scope, role, principalId);
const manageScope = (scope: string) => manage(app, scope);
const requireApproval = (scope: string, role: string) => requireApprovalIn(app, scope, role);
const put = (...args: Parameters<typeof putRequest> extends [PimApp, ...infer R] ? R : never) =>
  putRequest(app, ...args);

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

describe('bad input: ARM-shaped 400s, nothing written', () => {
  it('refuses a missing or unknown api-version, a bad requestType or roleDefinitionId, an ungoverned scope', async () => {
    const ruby = app.user('ruby.walsh');
    const good = {
      principalId: ruby.id,
      roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
      requestType: 'AdminAssign',
      justification: 'rota',
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
    };
    const name = crypto.randomUUID();
    const cases: [string, unknown, string][] = [
      [arm(FINANCE_RG, `roleEligibilityScheduleRequests/${name}`, ''), good, 'MissingApiVersionParameter'],
      [
        arm(FINANCE_RG, `roleEligibilityScheduleRequests/${name}`, 'api-version=2015-07-01'),
        good,
        'InvalidApiVersionParameter',
      ],
      [
        arm(FINANCE_RG, `roleEligibilityScheduleRequests/${name}`),
        { ...good, requestType: 'AdminGrant' },
        'InvalidRequestContent',
      ],
      [
        arm(FINANCE_RG, `roleEligibilityScheduleRequests/${name}`),
        { ...good, roleDefinitionId: CONTRIBUTOR },
        'InvalidRequestContent',
      ],
      [arm(SANDBOX_RG, `roleEligibilityScheduleRequests/${name}`), good, 'ScopeNotManaged'],
    ];
    await manageScope(PRODUCTION);
    for (const [path, properties, code] of cases) {
      const res = await app.api(path, { ...ADMIN, method: 'PUT', body: { properties } });
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(body.error.code, body.error.message).toBe(code);
      expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    }
    // Nothing written: the caller sees no request at any scope.
    const listed = await app.json<{ value: ArmItem[] }>(
      arm('', `roleEligibilityScheduleRequests?$filter=${encodeURIComponent(`principalId eq '${ruby.id}'`)}`),
      ADMIN,
    );
    expect(listed.value).toEqual([]);
    expect(holds(FINANCE_RG, CONTRIBUTOR, ruby.id)).toBe(false);
  });

  it('answers 401 and an unknown collection in ARM shape', async () => {
    const res = await app.api(arm(PRODUCTION, 'roleAssignmentScheduleInstances'));
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('AuthenticationFailed');
    const unknown = await app.api(arm(PRODUCTION, 'roleAssignmentWidgets'), ADMIN);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { code: string } }).error.code).toBe('InvalidResourceType');
    // A resource's id makes a long path: past the 256 characters of an id, still ARM's.
    const deep = `${FINANCE_RG}/providers/Microsoft.Storage/storageAccounts/${'s'.repeat(200)}`;
    const listed = await app.api(arm(deep, 'roleAssignmentScheduleInstances'), ADMIN);
    expect(listed.status, await listed.clone().text()).toBe(200);
    expect(((await listed.json()) as { value: unknown[] }).value).toEqual([]);
  });
});

describe('an eligible Contributor on finance-rg activates with approval', () => {
  it('is eligible, activates for 2 hours once approved: the ARM assignment appears, and is gone 2 hours later', async () => {
    await manageScope(PRODUCTION);
    await requireApproval(FINANCE_RG, CONTRIBUTOR);
    const ruby = app.user('ruby.walsh');

    const eligible = await put(
      FINANCE_RG,
      'roleEligibilityScheduleRequests',
      {
        principalId: ruby.id,
        roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
        requestType: 'AdminAssign',
        justification: 'Finance month-end',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P90D' } },
      },
      ADMIN,
    );
    expect(eligible.res.status, await eligible.res.clone().text()).toBe(201);
    const eligibility = (await eligible.res.json()) as ArmItem;
    expect(eligibility).toMatchObject({
      name: eligible.name,
      type: 'Microsoft.Authorization/RoleEligibilityScheduleRequests',
      properties: {
        requestType: 'AdminAssign',
        principalId: ruby.id,
        roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
      },
    });
    expect(eligibility.id.toLowerCase()).toBe(
      `${FINANCE_RG}/providers/Microsoft.Authorization/RoleEligibilityScheduleRequests/${eligible.name}`.toLowerCase(),
    );
    await app.rt.waitForIdle();
    // A PUT of the same name answers the stored request: no second one.
    const again = await app.api(arm(FINANCE_RG, `roleEligibilityScheduleRequests/${eligible.name}`), {
      ...ADMIN,
      method: 'PUT',
      body: { properties: { ...eligibility.properties } },
    });
    expect(again.status, await again.clone().text()).toBe(201);
    expect(((await again.json()) as ArmItem).name).toBe(eligible.name);

    const mine = await app.json<{ value: ArmItem[] }>(
      arm('', 'roleEligibilityScheduleInstances?$filter=asTarget()'),
      { as: ruby.userPrincipalName },
    );
    expect(mine.value.map((i) => [i.properties.scope, i.properties.memberType])).toEqual([
      [expect.stringMatching(new RegExp(`^${FINANCE_RG}$`, 'i')), 'Direct'],
    ]);

    const activation = await put(
      FINANCE_RG,
      'roleAssignmentScheduleRequests',
      {
        principalId: ruby.id,
        roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
        requestType: 'SelfActivate',
        justification: 'Month-end close',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT2H' } },
      },
      { as: ruby.userPrincipalName, amr: ['pwd', 'mfa'] },
    );
    expect(activation.res.status, await activation.res.clone().text()).toBe(201);
    const request = (await activation.res.json()) as ArmItem;
    expect(request.properties.status).toBe('PendingApproval');
    await app.rt.waitForIdle();
    expect(holds(FINANCE_RG, CONTRIBUTOR, ruby.id)).toBe(false);

    // The approver finds it waiting for them, and decides through ARM's roleAssignmentApprovals.
    const inbox = await app.json<{ value: ArmItem[] }>(
      arm('', 'roleAssignmentScheduleRequests?$filter=asApprover()'),
      ADMIN,
    );
    expect(inbox.value.map((r) => r.name)).toEqual([activation.name]);
    const approvals = await app.json<{ value: ArmItem[] }>(
      arm('', 'roleAssignmentApprovals?$filter=asApprover()', 'api-version=2021-01-01-preview'),
      ADMIN,
    );
    expect(approvals.value.map((a) => a.id)).toEqual([request.properties.approvalId]);
    const approvalId = request.properties.approvalId as string;
    const approval = await app.json<{ properties: { stages: { name: string }[] } }>(
      `${approvalId.replace(/^\//, '')}?api-version=2021-01-01-preview`,
      ADMIN,
    );
    const stage = approval.properties.stages[0]?.name as string;
    const decided = await app.api(
      `${approvalId.replace(/^\//, '')}/stages/${stage}?api-version=2021-01-01-preview`,
      {
        ...ADMIN,
        method: 'PUT',
        body: { properties: { reviewResult: 'Approve', justification: 'Month-end' } },
      },
    );
    expect(decided.status, await decided.clone().text()).toBe(200);
    await app.rt.waitForIdle();
    expect(holds(FINANCE_RG, CONTRIBUTOR, ruby.id)).toBe(true);
    const got = await app.json<ArmItem>(
      arm(FINANCE_RG, `roleAssignmentScheduleRequests/${activation.name}`),
      {
        as: ruby.userPrincipalName,
      },
    );
    expect(got.properties.status).toBe('Provisioned');
    const active = await app.json<{ value: ArmItem[] }>(
      arm(FINANCE_RG, 'roleAssignmentScheduleInstances?$filter=asTarget()'),
      { as: ruby.userPrincipalName },
    );
    expect(active.value.map((i) => i.properties.assignmentType)).toEqual(['Activated']);

    await app.rt.advance('PT2H');
    await app.rt.waitForIdle();
    expect(holds(FINANCE_RG, CONTRIBUTOR, ruby.id)).toBe(false);
    const after = await app.json<{ value: ArmItem[] }>(
      arm(FINANCE_RG, 'roleAssignmentScheduleInstances?$filter=asTarget()'),
      { as: ruby.userPrincipalName },
    );
    expect(after.value).toEqual([]);
  });
});

describe('inheritance and the last Owner', () => {
  it('shows an assignment made at the subscription as Inherited at finance-rg, and refuses its removal there', async () => {
    await manageScope(PRODUCTION);
    const olivia = app.user('olivia.carter');
    const assigned = await put(
      PRODUCTION,
      'roleAssignmentScheduleRequests',
      {
        principalId: olivia.id,
        roleDefinitionId: roleDefinitionId(READER),
        requestType: 'AdminAssign',
        justification: 'Audit season',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
      },
      ADMIN,
    );
    expect(assigned.res.status, await assigned.res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(holds(PRODUCTION, READER, olivia.id)).toBe(true);

    const atChild = await app.json<{ value: ArmItem[] }>(
      arm(
        FINANCE_RG,
        `roleAssignmentScheduleInstances?$filter=${encodeURIComponent(`principalId eq '${olivia.id}'`)}`,
      ),
      ADMIN,
    );
    expect(atChild.value.map((i) => [i.properties.scope?.toLowerCase(), i.properties.memberType])).toEqual([
      [PRODUCTION.toLowerCase(), 'Inherited'],
    ]);

    const removal = await put(
      FINANCE_RG,
      'roleAssignmentScheduleRequests',
      { principalId: olivia.id, roleDefinitionId: roleDefinitionId(READER), requestType: 'AdminRemove' },
      ADMIN,
    );
    expect(removal.res.status).toBe(400);
    const error = (await removal.res.json()) as { error: { code: string; message: string } };
    expect(error.error.message).toMatch(/inherited/i);
    await app.rt.waitForIdle();
    expect(holds(PRODUCTION, READER, olivia.id)).toBe(true);
  });

  it('never removes the last Owner of a managed subscription', async () => {
    await manageScope(PRODUCTION);
    // The demo admin is the subscription's only Owner (seeded in ARM); pimflow holds it once assigned through PIM.
    const assigned = await put(
      PRODUCTION,
      'roleAssignmentScheduleRequests',
      {
        principalId: DEMO.admin,
        roleDefinitionId: roleDefinitionId(OWNER),
        requestType: 'AdminAssign',
        justification: 'Break glass owner',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
      },
      ADMIN,
    );
    expect(assigned.res.status, await assigned.res.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    const removal = await put(
      PRODUCTION,
      'roleAssignmentScheduleRequests',
      { principalId: DEMO.admin, roleDefinitionId: roleDefinitionId(OWNER), requestType: 'AdminRemove' },
      ADMIN,
    );
    expect(removal.res.status, await removal.res.clone().text()).toBe(400);
    expect(((await removal.res.json()) as { error: { message: string } }).error.message).toMatch(/owner/i);
    await app.rt.waitForIdle();
    expect(holds(PRODUCTION, OWNER, DEMO.admin)).toBe(true);
  });
});
