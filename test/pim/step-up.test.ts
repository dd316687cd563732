/**
 * Step-up on activation, through the HTTP API: a role that requires MFA refuses a token whose `amr` lacks `mfa`
 * (a password-only sign-in), and a role that requires an authentication context refuses a token whose `acrs` lacks
 * that context — each with 401 and a claims challenge naming what is missing (so the client can sign in again),
 * and nothing granted: no request stored, no membership. The same user with the right token then activates.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, makeEligible, manageGroup, patchRule } from './pim-scenario';
import { apiErrorMessage } from '../helpers';

const GROUP = DEMO.helpdeskGroup;
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  // member: MFA (and a justification), no authentication context; owner: the authentication context c7.
  const mfa = await patchRule(app, GROUP, 'member', 'Enablement_EndUser_Assignment', (r) => ({
    ...r,
    enabledRules: ['Justification', 'MultiFactorAuthentication'],
  }));
  expect(mfa.status, await mfa.clone().text()).toBe(204);
  const context = await patchRule(app, GROUP, 'owner', 'AuthenticationContext_EndUser_Assignment', (r) => ({
    ...r,
    isEnabled: true,
    claimValue: 'c7',
  }));
  expect(context.status, await context.clone().text()).toBe(204);
  await makeEligible(app, GROUP, app.user('grace.okafor').id, 'member');
  await makeEligible(app, GROUP, app.user('leo.fischer').id, 'owner');
}, 60_000);
afterAll(async () => {
  await app?.stop();
});

/** The claims challenge of a 401, decoded: `Bearer ..., error="insufficient_claims", claims="<base64 JSON>"`. */
async function challengeOf(res: Response): Promise<unknown> {
  expect(res.status, await res.clone().text()).toBe(401);
  const header = res.headers.get('www-authenticate') ?? '';
  expect(header).toMatch(/^Bearer /);
  expect(header).toContain('error="insufficient_claims"');
  const claims = /claims="([^"]+)"/.exec(header)?.[1];
  expect(claims, header).toBeDefined();
  return JSON.parse(Buffer.from(claims ?? '', 'base64').toString('utf8'));
}

/** Nothing granted: no request stored for the principal (as they and an admin see it), no membership. */
async function expectNothingFor(upn: string, accessId: 'member' | 'owner'): Promise<void> {
  const user = app.user(upn);
  await app.rt.waitForIdle();
  const mine = await app.json<{ value: unknown[] }>(
    `${BASE}/assignmentScheduleRequests/filterByCurrentUser(on='principal')`,
    { as: user.userPrincipalName },
  );
  expect(mine.value).toHaveLength(0);
  const all = await app.json<{ value: { principalId: string }[] }>(
    `${BASE}/assignmentScheduleRequests?$filter=${encodeURIComponent(`groupId eq '${GROUP}'`)}`,
    ADMIN,
  );
  expect(all.value.filter((r) => r.principalId === user.id)).toHaveLength(0);
  expect(app.groupMembers(GROUP, accessId === 'member' ? 'members' : 'owners')).not.toContain(user.id);
}

describe('step-up on activation', () => {
  it('refuses a token without mfa on a role that requires MFA: 401, a claims challenge for mfa, nothing granted', async () => {
    for (const amr of [['pwd'], ['pwd', 'rsa'], ['wia']]) {
      const res = await activate(app, 'grace.okafor', GROUP, 'member', { amr, acrs: [] });
      expect(await challengeOf(res), amr.join(',')).toEqual({
        access_token: { amr: { essential: true, values: ['mfa'] } },
      });
      expect(apiErrorMessage(await res.json())).toMatch(/multi-factor authentication/);
    }
    await expectNothingFor('grace.okafor', 'member');

    // The same user, signed in again with MFA, activates.
    const ok = await activate(app, 'grace.okafor', GROUP, 'member', { amr: ['pwd', 'mfa'], acrs: [] });
    expect(ok.status, await ok.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP)).toContain(app.user('grace.okafor').id);
  });

  it('refuses a token without the required authentication context: 401, a claims challenge naming it, nothing granted', async () => {
    for (const acrs of [[], ['c1'], ['c70']]) {
      const res = await activate(app, 'leo.fischer', GROUP, 'owner', { acrs, amr: ['pwd', 'mfa'] });
      expect(await challengeOf(res), acrs.join(',')).toEqual({
        access_token: { acrs: { essential: true, value: 'c7' } },
      });
      expect(apiErrorMessage(await res.json())).toMatch(/authentication context c7/);
    }
    await expectNothingFor('leo.fischer', 'owner');

    const ok = await activate(app, 'leo.fischer', GROUP, 'owner', { acrs: ['c1', 'c7'], amr: ['pwd'] });
    expect(ok.status, await ok.clone().text()).toBe(201);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).toContain(app.user('leo.fischer').id);
  });
});
