/**
 * Nothing left granted, for Entra roles too: the product app runs in a child process on a virtual clock and is
 * SIGKILLed while the revoke of a directory role assignment is in flight (Graph made slow). After a restart the role
 * assignment is gone from the directory and the end recorded once.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChildApp } from '../../bench/child-app';
import { testStorage, waitFor, waitForNudging } from '../helpers';
import { DEMO } from '../pim-harness';

const ROLES = 'roleManagement/directory';
const HELPDESK_ADMINISTRATOR = '729827e3-9c14-49f7-bb1b-9608f156bbb8';
const admin = { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] };
let app: ChildApp;

beforeAll(async () => {
  app = await ChildApp.create({ storage: testStorage(), name: 'pim-role-crash' });
});
afterAll(async () => {
  await app?.dispose();
});

describe('SIGKILL during the revoke of a directory role', () => {
  it('removes the role assignment after a restart and records the end once', async () => {
    const t0 = new Date('2026-03-02T09:00:00Z');
    await app.start(t0);
    const managed = await app.api('managedRoles', {
      ...admin,
      body: { roleDefinitionId: HELPDESK_ADMINISTRATOR },
    });
    expect(managed.status, await managed.clone().text()).toBe(201);
    const ben = app.user('benjamin.lee');
    const eligible = await app.api(`${ROLES}/roleEligibilityScheduleRequests`, {
      ...admin,
      body: {
        action: 'adminAssign',
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: ben.id,
        justification: 'on call',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P90D' } },
      },
    });
    expect(eligible.status, await eligible.clone().text()).toBe(201);
    await waitFor('the eligibility', async () => {
      const res = await app.api(
        `${ROLES}/roleEligibilityScheduleInstances/filterByCurrentUser(on='principal')`,
        {
          as: ben.userPrincipalName,
        },
      );
      return ((await res.json()) as { value: unknown[] }).value.length === 1 ? true : undefined;
    });
    const activation = await app.api(`${ROLES}/roleAssignmentScheduleRequests`, {
      as: ben.userPrincipalName,
      body: {
        action: 'selfActivate',
        roleDefinitionId: HELPDESK_ADMINISTRATOR,
        directoryScopeId: '/',
        principalId: ben.id,
        justification: 'incident 42',
        scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
      },
    });
    expect(activation.status, await activation.clone().text()).toBe(201);
    const requestId = ((await activation.json()) as { id: string }).id;
    const holders = () => app.roleHolders(HELPDESK_ADMINISTRATOR);
    await waitFor('the role assignment', async () => (holders().includes(ben.id) ? true : undefined));

    // Make Graph slow, move past the end, and kill the runtime while the revoke is on its way.
    await app.graphFaults({ delayMs: 1500 });
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
      const names = (await app.audits(`correlationId eq '${requestId}'`)).map((a) => a.activityDisplayName);
      return names.includes('Remove member from role (PIM expiry)') ? names : undefined;
    });
    expect(audit.filter((n) => n === 'Remove member from role (PIM expiry)')).toHaveLength(1);
    // The group the role is also held by (the Helpdesk Admin-Group, from the baseline) keeps its assignment.
    expect(holders()).toContain(DEMO.helpdeskGroup);
  }, 120_000);
});
