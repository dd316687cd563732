/**
 * Nothing left granted, for Azure roles too: the product app runs in a child process on a virtual clock and is
 * SIGKILLed while the revoke of an Azure role assignment is in flight (ARM made slow). After a restart the role
 * assignment is gone from the ARM stand-in and the end recorded once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp } from '../../bench/child-app';
import { testStorage, waitFor, waitForNudging } from '../helpers';
import {
  ADMIN,
  arm,
  CONTRIBUTOR,
  FINANCE_RG,
  PRODUCTION,
  roleDefinitionId,
  type ArmItem,
} from './azure-scenario';

let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), name: 'pim-azure-crash' });
});
afterAll(async () => {
  await app?.dispose();
});

async function putRequest(
  collection: 'roleAssignmentScheduleRequests' | 'roleEligibilityScheduleRequests',
  properties: Record<string, unknown>,
  as: { as: string; roles?: string[]; amr?: string[] },
): Promise<ArmItem> {
  const res = await app.api(arm(FINANCE_RG, `${collection}/${crypto.randomUUID()}`), {
    ...as,
    method: 'PUT',
    body: { properties },
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return (await res.json()) as ArmItem;
}

describe('SIGKILL during the revoke of an Azure role', () => {
  it('removes the role assignment after a restart and records the end once', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await app.start(t0);
    const managed = await app.api('managedAzureScopes', { ...ADMIN, body: { scope: PRODUCTION } });
    expect(managed.status, await managed.clone().text()).toBe(201);
    const ben = app.user('benjamin.lee');
    await putRequest(
      'roleEligibilityScheduleRequests',
      {
        principalId: ben.id,
        roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
        requestType: 'AdminAssign',
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P90D' } },
      },
      ADMIN,
    );
    await waitFor('the eligibility', async () => {
      const res = await app.api(arm(FINANCE_RG, 'roleEligibilityScheduleInstances?$filter=asTarget()'), {
        as: ben.userPrincipalName,
      });
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });
    const activation = await putRequest(
      'roleAssignmentScheduleRequests',
      {
        principalId: ben.id,
        roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
        requestType: 'SelfActivate',
        justification: 'incident 42',
        scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT1H' } },
      },
      { as: ben.userPrincipalName },
    );
    const holders = () => app.azureRoleHolders(FINANCE_RG, CONTRIBUTOR);
    await waitFor('the role assignment', async () => (holders().includes(ben.id) ? true : undefined));

    // Make ARM slow, move past the end, and kill the runtime while the revoke is on its way.
    await app.armFaults({ delayMs: 1500 });
    void app.advance('PT1H').catch(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 400));
    await app.kill();
    expect(holders()).toContain(ben.id);

    await app.start(new Date(t0.getTime() + 3600_000));
    await waitForNudging(
      'the revoke after the restart',
      async () => (holders().includes(ben.id) ? undefined : true),
      () => app.advance('PT1M'),
    );
    const audit = await waitFor('the audit of the end', async () => {
      const names = (await app.audits(`correlationId eq '${activation.name}'`)).map(
        (a) => a.activityDisplayName,
      );
      return names.some((n) => /expiry/i.test(n)) ? names : undefined;
    });
    expect(audit.filter((n) => /expiry/i.test(n))).toHaveLength(1);
  }, 120_000);
});
