/**
 * Access reviews at the edge: no app-only token decides review items (whatever its roles; reviewing is a person's),
 * while an admin app still reads and manages; forged `$skiptoken`s on the instance and decision lists are a 400.
 * Each refusal is checked to have changed nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appCaller } from '../auth/app-token';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { manageGroup } from '../pim/pim-scenario';
import { decisions, eligible, REVIEWS, startReview, users, type StartedReview } from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
let app: PimApp;
let review: StartedReview;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date(Math.floor(Date.now() / 60_000) * 60_000) });
  await manageGroup(app, GROUP);
  for (const upn of ['ava.martinez', 'grace.okafor']) await eligible(app, GROUP, app.user(upn).id);
  await app.rt.waitForIdle();
  review = await startReview(app, GROUP, {
    displayName: 'Edges review',
    reviewers: users(app.user('priya.nair').id),
    settings: { recommendationsEnabled: true },
  });
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const expectProblem = (res: Response, status: number, detail: RegExp, what = '') =>
  expectApiError(res, status, detail, what);

describe('app-only tokens and reviews', () => {
  it('never decide items, whatever their roles; an admin app still reads; nothing changes', async () => {
    const admin = await appCaller(app, ['PimFlow.Admin', 'PimFlow.Auditor']);
    const before = await decisions(app, review);
    expect(before.length).toBeGreaterThan(0);
    expect((await app.api(review.url, { headers: admin.headers })).status).toBe(200);
    expect((await app.api(`${review.url}/decisions`, { headers: admin.headers })).status).toBe(200);
    const item = before[0]?.id as string;
    await expectProblem(
      await app.api(`${review.url}/decisions/${item}`, {
        headers: admin.headers,
        method: 'PATCH',
        body: { decision: 'Deny', justification: 'automation' },
      }),
      403,
      /decide access review items.*app-only/,
      'PATCH decision',
    );
    await expectProblem(
      await app.api(`${review.url}/batchRecordDecisions`, {
        headers: admin.headers,
        body: { decision: 'Deny', justification: 'automation' },
      }),
      403,
      /app-only/,
      'batchRecordDecisions',
    );
    await expectProblem(
      await app.api(`${review.url}/acceptRecommendations`, { headers: admin.headers, method: 'POST' }),
      403,
      /app-only/,
      'acceptRecommendations',
    );
    await app.rt.waitForIdle();
    const after = await decisions(app, review);
    expect(after).toEqual(before);
    expect(after.every((i) => i.decision === 'NotReviewed')).toBe(true);
  });
});

describe('forged $skiptokens on review lists', () => {
  it('are a 400 on definitions, instances and decisions', async () => {
    const before = await decisions(app, review);
    for (const path of [
      REVIEWS,
      `${REVIEWS}/${review.definitionId}/instances`,
      `${review.url}/decisions`,
      `${review.url}/decisions?$format=csv`,
    ]) {
      for (const token of ['AAAA', 'eyJ0b2tlbiI6MX0', `${'A'.repeat(40)}.${'B'.repeat(22)}`]) {
        const sep = path.includes('?') ? '&' : '?';
        await expectProblem(
          await app.api(`${path}${sep}$skiptoken=${token}`, { as: DEMO.adminUpn, roles: ['PimFlow.Admin'] }),
          400,
          /\$skiptoken is not one this API issued/,
          `${path} ${token}`,
        );
      }
    }
    expect(await decisions(app, review)).toEqual(before);
  });
});
