/**
 * Microsoft's ARM SDK for role management (`@azure/arm-authorization`'s AuthorizationManagementClient) pointed at
 * pimflow's API over HTTPS (`app.apiHttps`), with pimflow's tokens: an admin makes a user eligible, the user asks
 * to activate (approval required), reads the request back, finds it with `asTarget()`, and cancels it — as a
 * script written for Azure would.
 */
import { AuthorizationManagementClient } from '@azure/arm-authorization';
import type { AccessToken, TokenCredential } from '@azure/core-auth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPimApp, type ApiCall, type PimApp } from '../pim-harness';
import {
  ADMIN,
  CONTRIBUTOR,
  FINANCE_RG,
  manageScope,
  PRODUCTION,
  requireApproval,
  roleDefinitionId,
} from './azure-scenario';

let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

/** The SDK as `call.as`, its tokens from the identity stand-in (the scope asked for is pimflow's API). */
function client(call: ApiCall & { as: string }): AuthorizationManagementClient {
  const credential: TokenCredential = {
    async getToken(): Promise<AccessToken> {
      const token = await app.token({ amr: ['pwd', 'mfa'], ...call });
      return { token, expiresOnTimestamp: Date.now() + 3_600_000 };
    },
  };
  return new AuthorizationManagementClient(credential, '00000000-0000-0000-0000-000000000000', {
    endpoint: app.apiHttps,
    credentialScopes: ['api://pimflow/.default'],
    retryOptions: { maxRetries: 0 },
  });
}

/** The SDK's scope: ARM's examples write it without the leading slash. */
const sdkScope = (scope: string) => scope.replace(/^\//, '');

describe('AuthorizationManagementClient against pimflow', () => {
  it('creates, gets, lists with asTarget() and cancels a request', async () => {
    await manageScope(app, PRODUCTION);
    await requireApproval(app, FINANCE_RG, CONTRIBUTOR);
    const ruby = app.user('ruby.walsh');
    const admin = client(ADMIN);
    const eligibilityName = crypto.randomUUID();
    const eligibility = await admin.roleEligibilityScheduleRequests.create(
      sdkScope(FINANCE_RG),
      eligibilityName,
      {
        principalId: ruby.id,
        roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
        requestType: 'AdminAssign',
        justification: 'Finance month-end',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
      },
    );
    expect(eligibility.name).toBe(eligibilityName);
    expect(eligibility.requestType).toBe('AdminAssign');
    expect(eligibility.scope?.toLowerCase()).toBe(FINANCE_RG.toLowerCase());
    await app.rt.waitForIdle();

    const user = client({ as: ruby.userPrincipalName });
    const name = crypto.randomUUID();
    const created = await user.roleAssignmentScheduleRequests.create(sdkScope(FINANCE_RG), name, {
      principalId: ruby.id,
      roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
      requestType: 'SelfActivate',
      justification: 'Month-end close',
      scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT2H' } },
    });
    expect(created).toMatchObject({
      name,
      status: 'PendingApproval',
      requestType: 'SelfActivate',
      principalId: ruby.id,
      roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
    });
    expect(created.expandedProperties?.principal?.displayName).toBe(ruby.displayName);

    const got = await user.roleAssignmentScheduleRequests.get(sdkScope(FINANCE_RG), name);
    expect(got.status).toBe('PendingApproval');
    expect(got.createdOn).toBeInstanceOf(Date);

    const mine = [];
    for await (const r of user.roleAssignmentScheduleRequests.listForScope(sdkScope(FINANCE_RG), {
      filter: 'asTarget()',
    }))
      mine.push(r);
    expect(mine.map((r) => r.name)).toEqual([name]);

    const eligible = [];
    for await (const i of user.roleEligibilityScheduleInstances.listForScope(sdkScope(FINANCE_RG), {
      filter: 'asTarget()',
    }))
      eligible.push(i);
    expect(eligible.map((i) => [i.memberType, i.roleDefinitionId])).toEqual([
      ['Direct', roleDefinitionId(CONTRIBUTOR)],
    ]);

    await user.roleAssignmentScheduleRequests.cancel(sdkScope(FINANCE_RG), name);
    await app.rt.waitForIdle();
    const canceled = await user.roleAssignmentScheduleRequests.get(sdkScope(FINANCE_RG), name);
    expect(canceled.status).toBe('Canceled');

    // Role definitions, read from ARM, in ARM's shape.
    const contributor = await user.roleDefinitions.get(sdkScope(FINANCE_RG), CONTRIBUTOR);
    expect(contributor).toMatchObject({
      name: CONTRIBUTOR,
      roleName: 'Contributor',
      roleType: 'BuiltInRole',
    });

    // ARM's errors reach the SDK as RestError with ARM's code.
    await expect(
      user.roleAssignmentScheduleRequests.get(sdkScope(FINANCE_RG), crypto.randomUUID()),
    ).rejects.toMatchObject({ statusCode: 404, code: 'RoleAssignmentScheduleRequestNotFound' });
  });
});
