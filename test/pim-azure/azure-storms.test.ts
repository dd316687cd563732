/**
 * ARM answering 429s and 409s while people activate and their access ends: every activation still ends with exactly
 * one role assignment in the ARM stand-in (pimflow's deterministic name; a 409 RoleAssignmentExists is "already
 * there", confirmed by reading back), and every expiry removes it, with one grant and one removal audited each.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor, waitForNudging } from '../helpers';
import { startPimApp, type PimApp } from '../pim-harness';
import {
  ADMIN,
  CONTRIBUTOR,
  FINANCE_RG,
  manageScope,
  PRODUCTION,
  putRequest,
  roleDefinitionId,
} from './azure-scenario';

let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const contributors = (principalId: string) =>
  app
    .azureAssignments(FINANCE_RG)
    .filter((a) => a.roleDefinitionId.toLowerCase().endsWith(CONTRIBUTOR) && a.principalId === principalId);

describe('ARM 429 and 409 storms', () => {
  it('grants and revokes each activation once, whatever ARM answers on the way', async () => {
    await manageScope(app, PRODUCTION);
    const people = ['benjamin.lee', 'ruby.walsh', 'olivia.carter'].map((u) => app.user(u));
    for (const p of people) {
      const { res } = await putRequest(
        app,
        FINANCE_RG,
        'roleEligibilityScheduleRequests',
        {
          principalId: p.id,
          roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
          requestType: 'AdminAssign',
          justification: 'rota',
          scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'P30D' } },
        },
        ADMIN,
      );
      expect(res.status, await res.clone().text()).toBe(201);
    }

    // A third of ARM's answers are 429 (Retry-After 1 s), and the first role assignment PUTs answer 409
    // RoleAssignmentExists although nothing was created: pimflow must not believe it without reading back.
    app.dev.arm.setFaults({
      throttleRate: 0.33,
      retryAfterSeconds: 1,
      next: [
        { method: 'PUT', path: '/roleAssignments/', status: 409, code: 'RoleAssignmentExists', count: 3 },
      ],
    });
    const names: string[] = [];
    for (const p of people) {
      const { res, name } = await putRequest(
        app,
        FINANCE_RG,
        'roleAssignmentScheduleRequests',
        {
          principalId: p.id,
          roleDefinitionId: roleDefinitionId(CONTRIBUTOR),
          requestType: 'SelfActivate',
          justification: 'incident 7',
          scheduleInfo: { expiration: { type: 'AfterDuration', duration: 'PT1H' } },
        },
        { as: p.userPrincipalName, amr: ['pwd', 'mfa'] },
      );
      expect(res.status, await res.clone().text()).toBe(201);
      names.push(name);
    }
    for (const p of people) {
      await waitForNudging(
        `${p.userPrincipalName}'s Contributor assignment`,
        async () => (contributors(p.id).length > 0 ? true : undefined),
        () => app.rt.advance(1000),
      );
      expect(contributors(p.id)).toHaveLength(1);
    }

    // The same storm while their hour ends.
    app.dev.arm.setFaults({
      throttleRate: 0.33,
      retryAfterSeconds: 1,
      next: [{ method: 'DELETE', path: '/roleAssignments/', status: 429, count: 4 }],
    });
    await app.rt.advance(3600_000);
    for (const p of people) {
      await waitForNudging(
        `${p.userPrincipalName}'s assignment gone`,
        async () => (contributors(p.id).length === 0 ? true : undefined),
        () => app.rt.advance(60_000),
      );
    }
    app.dev.arm.setFaults({});
    for (const name of names) {
      const activities = await waitFor(`the audit of request ${name}`, async () => {
        const records = await app.json<{ value: { activityDisplayName: string }[] }>(
          `auditLogs/directoryAudits?$top=999&$filter=${encodeURIComponent(`correlationId eq '${name}'`)}`,
          ADMIN,
        );
        const all = records.value.map((r) => r.activityDisplayName);
        return all.some((n) => /expiry/i.test(n)) ? all : undefined;
      });
      expect(
        activities.filter((n) => /expiry/i.test(n)),
        activities.join(', '),
      ).toHaveLength(1);
    }
    // Nothing else was touched: the seeded Owner of the subscription is still there.
    expect(
      app
        .azureAssignments(PRODUCTION)
        .some((a) => a.roleDefinitionId.toLowerCase().endsWith('8e3af657-a8ff-443c-a75c-2fe8c4bcb635')),
    ).toBe(true);
  }, 240_000);
});
