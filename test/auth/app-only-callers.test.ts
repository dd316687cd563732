/**
 * App-only tokens (client credentials) through the HTTP API, as Entra ID issues them: an app gets exactly what the
 * pimflow app roles assigned to it give, never what a person's identity gives (self-service, /me, ownership); and
 * tokens that must not pass (no `exp`) don't. Every refusal is checked to have changed nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, BASE, makeEligible, manageGroup } from '../pim/pim-scenario';
import { appCaller, claimsOf } from './app-token';

const GROUP = DEMO.helpdeskGroup;
const OTHER_GROUP = 'ebaa089b-edbe-45ee-acf0-778162edf39e'; // Cloud Ops: not under management here
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

async function storedRequests(): Promise<{ id: string; action: string; principalId: string }[]> {
  const list = async (kind: string) =>
    (
      await app.json<{ value: { id: string; action: string; principalId: string }[] }>(
        `${BASE}/${kind}ScheduleRequests?$top=999`,
        ADMIN,
      )
    ).value;
  return [...(await list('eligibility')), ...(await list('assignment'))];
}

const expectProblem = (res: Response, status: number, detail: RegExp) => expectApiError(res, status, detail);

const assignBody = (principalId: string, groupId = GROUP) => ({
  action: 'adminAssign',
  accessId: 'member',
  groupId,
  principalId,
  justification: 'Automation',
  scheduleInfo: { expiration: { type: 'afterDuration', duration: 'P30D' } },
});

describe('app-only tokens from the identity stand-in', () => {
  it('are what Entra ID issues for client credentials: idtyp app, the assigned roles, no scp', async () => {
    const admin = await appCaller(app, ['PimFlow.Admin']);
    expect(claimsOf(admin.token)).toMatchObject({
      idtyp: 'app',
      roles: ['PimFlow.Admin'],
      oid: admin.objectId,
      sub: admin.objectId,
      aud: 'api://pimflow',
      tid: DEMO.tenantId,
    });
    expect(claimsOf(admin.token).scp).toBeUndefined();
    expect(claimsOf(admin.token).exp).toEqual(expect.any(Number));
    // No roles assigned: Entra still issues a token, with no roles claim at all.
    expect(claimsOf((await appCaller(app, [])).token).roles).toBeUndefined();
  });
});

describe('what an app may do', () => {
  it('without any pimflow app role: 403 everywhere, and nothing changes', async () => {
    const none = await appCaller(app, []);
    const before = await storedRequests();
    const liam = app.user('liam.obrien').id;
    for (const path of [
      'managedGroups',
      `managedGroups/${GROUP}`,
      `${BASE}/eligibilityScheduleRequests`,
      `${BASE}/assignmentScheduleInstances`,
      'auditLogs/directoryAudits',
      'driftReports',
    ]) {
      await expectProblem(await app.api(path, { headers: none.headers }), 403, /app-only token.*app roles/);
    }
    await expectProblem(
      await app.api(`${BASE}/eligibilityScheduleRequests`, { headers: none.headers, body: assignBody(liam) }),
      403,
      /PimFlow\.Admin or PimFlow\.Auditor/,
    );
    await expectProblem(
      await app.api('managedGroups', { headers: none.headers, body: { groupId: OTHER_GROUP } }),
      403,
      /app-only/,
    );
    await app.rt.waitForIdle();
    expect(await storedRequests()).toEqual(before);
    expect((await app.api(`managedGroups/${OTHER_GROUP}`, ADMIN)).status).toBe(404);
  });

  it('with PimFlow.Admin: what admins do (assign, list, read the audit log)', async () => {
    const admin = await appCaller(app, ['PimFlow.Admin']);
    expect((await app.api('managedGroups', { headers: admin.headers })).status).toBe(200);
    expect((await app.api('auditLogs/directoryAudits', { headers: admin.headers })).status).toBe(200);
    const grace = app.user('grace.okafor').id;
    const res = await app.api(`${BASE}/eligibilityScheduleRequests`, {
      headers: admin.headers,
      body: assignBody(grace),
    });
    expect(res.status, await res.clone().text()).toBe(201);
    const created = (await res.json()) as { id: string; createdBy: { user: { id: string } } };
    expect(created.createdBy.user.id).toBe(admin.objectId);
    await app.rt.waitForIdle();
    const schedules = await app.json<{ value: { principalId: string }[] }>(
      `${BASE}/eligibilitySchedules?$filter=principalId eq '${grace}'`,
      { headers: admin.headers },
    );
    expect(schedules.value).toHaveLength(1);
  });

  it('with PimFlow.Auditor: reads, and changes nothing', async () => {
    const auditor = await appCaller(app, ['PimFlow.Auditor']);
    expect((await app.api('auditLogs/directoryAudits', { headers: auditor.headers })).status).toBe(200);
    expect((await app.api(`managedGroups/${GROUP}`, { headers: auditor.headers })).status).toBe(200);
    const before = await storedRequests();
    await expectProblem(
      await app.api(`${BASE}/eligibilityScheduleRequests`, {
        headers: auditor.headers,
        body: assignBody(app.user('mia.chen').id),
      }),
      403,
      /admin|owner/i,
    );
    await expectProblem(
      await app.api('managedGroups', { headers: auditor.headers, body: { groupId: OTHER_GROUP } }),
      403,
      /PimFlow\.Admin/,
    );
    await app.rt.waitForIdle();
    expect(await storedRequests()).toEqual(before);
    expect((await app.api(`managedGroups/${OTHER_GROUP}`, ADMIN)).status).toBe(404);
  });

  it('never self-service, whatever its roles: /me, self actions and filterByCurrentUser refuse it', async () => {
    const admin = await appCaller(app, ['PimFlow.Admin', 'PimFlow.Auditor']);
    await expectProblem(await app.api('me', { headers: admin.headers }), 403, /signed-in user.*app-only/);
    const before = await storedRequests();
    for (const action of ['selfActivate', 'selfDeactivate', 'selfExtend', 'selfRenew']) {
      await expectProblem(
        await app.api(`${BASE}/assignmentScheduleRequests`, {
          headers: admin.headers,
          body: {
            action,
            accessId: 'member',
            groupId: GROUP,
            principalId: admin.objectId,
            justification: 'Automation',
            scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
          },
        }),
        403,
        new RegExp(`${action}.*app-only`),
      );
    }
    for (const path of [
      `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')`,
      `${BASE}/eligibilityScheduleRequests/filterByCurrentUser(on='createdBy')`,
      `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='approver')`,
      `${BASE}/assignmentApprovals/filterByCurrentUser(on='approver')`,
      `${BASE}/eligibilitySchedules/filterByCurrentUser(on='principal')`,
      "roleManagement/directory/roleAssignmentScheduleRequests/filterByCurrentUser(on='approver')",
      "identityGovernance/accessReviews/definitions/filterByCurrentUser(on='reviewer')",
    ]) {
      await expectApiError(await app.api(path, { headers: admin.headers }), 403, /app-only/, path);
    }
    await app.rt.waitForIdle();
    expect(await storedRequests()).toEqual(before);
    expect(app.groupMembers(GROUP)).not.toContain(admin.objectId);
  });
});

describe('tokens that are not what they claim', () => {
  it('a token with no scp and no idtyp (a v1.0-style app token) is app-only, even naming a user', async () => {
    const ethan = app.user('ethan.brown');
    await makeEligible(app, GROUP, ethan.id, 'member', 1);
    const token = await app.dev.identity.signToken({
      oid: ethan.id,
      sub: ethan.id,
      name: ethan.displayName,
      preferred_username: ethan.userPrincipalName,
      roles: ['PimFlow.Admin'],
      amr: ['pwd', 'mfa'],
    });
    const headers = { authorization: `Bearer ${token}` };
    await expectProblem(await app.api('me', { headers }), 403, /app-only/);
    const before = await storedRequests();
    await expectProblem(
      await app.api(`${BASE}/assignmentScheduleRequests`, {
        headers,
        body: {
          action: 'selfActivate',
          accessId: 'member',
          groupId: GROUP,
          principalId: ethan.id,
          justification: 'Ticket queue',
          scheduleInfo: { expiration: { type: 'afterDuration', duration: 'PT1H' } },
        },
      }),
      403,
      /app-only/,
    );
    await app.rt.waitForIdle();
    expect(await storedRequests()).toEqual(before);
    expect(app.groupMembers(GROUP)).not.toContain(ethan.id);
    // The same user with a delegated scope is a user.
    const user = await app.dev.identity.signToken({ oid: ethan.id, scp: 'access_as_user', idtyp: 'user' });
    expect((await app.api('me', { headers: { authorization: `Bearer ${user}` } })).status).toBe(200);
    // idtyp app wins over a scope.
    const app2 = await app.dev.identity.signToken({ oid: ethan.id, scp: 'access_as_user', idtyp: 'app' });
    expect((await app.api('me', { headers: { authorization: `Bearer ${app2}` } })).status).toBe(403);
  });

  it('a token without exp is refused (401), and nothing changes', async () => {
    const admin = app.user(DEMO.adminUpn);
    const claims = {
      oid: admin.id,
      scp: 'access_as_user',
      idtyp: 'user',
      roles: ['PimFlow.Admin'],
      amr: ['pwd', 'mfa'],
    };
    const noExp = await app.dev.identity.signToken(claims, { omit: ['exp'] });
    expect(claimsOf(noExp).exp).toBeUndefined();
    const headers = { authorization: `Bearer ${noExp}` };
    const before = await storedRequests();
    const me = await app.api('me', { headers });
    expect(me.headers.get('www-authenticate')).toMatch(/^Bearer .*invalid_token/);
    await expectProblem(me, 401, /"exp"/);
    await expectProblem(
      await app.api(`${BASE}/eligibilityScheduleRequests`, {
        headers,
        body: assignBody(app.user('liam.obrien').id),
      }),
      401,
      /expir|"exp"/,
    );
    await expectProblem(
      await app.api('managedGroups', { headers, body: { groupId: OTHER_GROUP } }),
      401,
      /"exp"/,
    );
    await app.rt.waitForIdle();
    expect(await storedRequests()).toEqual(before);
    expect((await app.api(`managedGroups/${OTHER_GROUP}`, ADMIN)).status).toBe(404);
    // The same claims with an expiry pass.
    const withExp = await app.dev.identity.signToken(claims);
    expect((await app.api('me', { headers: { authorization: `Bearer ${withExp}` } })).status).toBe(200);
  });
});
