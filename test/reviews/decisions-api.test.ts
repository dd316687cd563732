/**
 * The instance and decision APIs through HTTP: who decides (only an item's reviewers; not other users, not admins),
 * the reason required on approval, batchRecordDecisions and acceptRecommendations, reset, stop (final), sendReminder,
 * reviewers changed on the current instance, listing with $filter and paging, CSV, and bad input on every endpoint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectApiError } from '../helpers';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { ADMIN, manageGroup } from '../pim/pim-scenario';
import {
  AUDITOR,
  byPrincipal,
  decisions,
  eligible,
  instance,
  REVIEWS,
  startReview,
  users,
  type StartedReview,
} from './instance-helpers';

const GROUP = DEMO.helpdeskGroup;
const NOW = new Date(Math.floor(Date.now() / 60_000) * 60_000);
const PRINCIPALS = ['ava.martinez', 'grace.okafor', 'noah.williams', 'benjamin.lee', 'james.wilson'];

let app: PimApp;
const id = (upn: string) => app.user(upn).id;
const as = (upn: string) => ({ as: `${upn}@pimflow.example` });

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  await manageGroup(app, GROUP);
  for (const upn of PRINCIPALS) await eligible(app, GROUP, id(upn));
  await app.rt.waitForIdle();
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

const expectProblem = (res: Response, status: number, detail?: RegExp) => expectApiError(res, status, detail);

function patch(review: StartedReview, itemId: string, who: object, body: unknown) {
  return app.api(`${review.url}/decisions/${itemId}`, { ...who, method: 'PATCH', body });
}

describe('Deciding', () => {
  let review: StartedReview;
  beforeAll(async () => {
    review = await startReview(app, GROUP, {
      displayName: 'Decisions review',
      reviewers: users(id('priya.nair'), id('lucas.dubois')),
      settings: { justificationRequiredOnApproval: true, recommendationsEnabled: true },
    });
  });

  it('lets a reviewer decide, with a reason to approve; not another user, nor an admin', async () => {
    const items = await decisions(app, review, as('priya.nair'));
    expect(items).toHaveLength(5);
    const ava = byPrincipal(items, id('ava.martinez'));
    await expectProblem(
      await patch(review, ava.id, as('priya.nair'), { decision: 'Approve' }),
      400,
      /justification/,
    );
    await expectProblem(
      await patch(review, ava.id, as('priya.nair'), { decision: 'Approve', justification: '   ' }),
      400,
      /justification/,
    );
    const ok = await patch(review, ava.id, as('priya.nair'), {
      decision: 'Approve',
      justification: 'On call',
    });
    expect(ok.status, await ok.clone().text()).toBe(204);
    await expectProblem(
      await patch(review, ava.id, as('ethan.brown'), { decision: 'Deny' }),
      403,
      /reviewers of this review/,
    );
    await expectProblem(await patch(review, ava.id, ADMIN, { decision: 'Deny' }), 403, /Admins manage/);
    // A reviewer can change their mind while the review runs; Deny needs no reason.
    const deny = await patch(review, ava.id, as('lucas.dubois'), { decision: 'Deny' });
    expect(deny.status).toBe(204);
    const item = await app.json<{
      decision: string;
      reviewedBy: { id: string };
      justification: string | null;
    }>(`${review.url}/decisions/${ava.id}`, as('priya.nair'));
    expect(item).toMatchObject({
      decision: 'Deny',
      reviewedBy: { id: id('lucas.dubois') },
      justification: null,
    });
    // Audited.
    const audit = await app.json<{ value: { activityDisplayName: string }[] }>(
      `auditLogs/directoryAudits?$filter=${encodeURIComponent(`correlationId eq '${review.instanceId}'`)}`,
      ADMIN,
    );
    expect(
      audit.value.filter((a) => a.activityDisplayName.startsWith('Access review decision')),
    ).toHaveLength(2);
  });

  it('refuses bad decision bodies and unknown items', async () => {
    const [item] = await decisions(app, review, as('priya.nair'));
    const itemId = item?.id ?? '';
    await expectProblem(
      await patch(review, itemId, as('priya.nair'), { decision: 'NotReviewed' }),
      400,
      /decision/,
    );
    await expectProblem(await patch(review, itemId, as('priya.nair'), { decision: 'Deny', extra: 1 }), 400);
    await expectProblem(
      await patch(review, itemId, as('priya.nair'), { decision: 'Deny', justification: 'x'.repeat(1001) }),
      400,
    );
    await expectProblem(await patch(review, itemId, as('priya.nair'), '{not json'), 400, /not valid JSON/);
    await expectProblem(
      await app.api(`${review.url}/decisions/${itemId}`, {
        ...as('priya.nair'),
        method: 'PATCH',
        body: 'decision=Deny',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      }),
      415,
    );
    await expectProblem(
      await patch(review, 'nope', as('priya.nair'), { decision: 'Deny' }),
      400,
      /decision id/,
    );
    await expectProblem(
      await patch(review, crypto.randomUUID(), as('priya.nair'), { decision: 'Deny' }),
      404,
    );
    await expectProblem(await app.api(`${review.url}/decisions/${itemId}`), 401);
    // Someone who reviews nothing here can't read the items.
    await expectProblem(await app.api(`${review.url}/decisions/${itemId}`, as('ethan.brown')), 403);
  });

  it('lists with $filter, $top and nextLink; reviewers their items, auditors all', async () => {
    const page = await app.json<{ value: { id: string }[]; '@odata.nextLink'?: string }>(
      `${review.url}/decisions?$top=2`,
      AUDITOR,
    );
    expect(page.value).toHaveLength(2);
    const next = page['@odata.nextLink'];
    expect(next).toBeDefined();
    const rest = await app.json<{ value: { id: string }[] }>(
      (next ?? '').slice((next ?? '').indexOf('/api/') + 5),
      AUDITOR,
    );
    expect(rest.value.length).toBeGreaterThan(0);
    const denied = await decisions(
      app,
      review,
      ADMIN,
      `&$filter=${encodeURIComponent("decision eq 'Deny'")}`,
    );
    expect(denied.map((i) => i.principal.id)).toEqual([id('ava.martinez')]);
    const noah = await decisions(
      app,
      review,
      as('lucas.dubois'),
      `&$filter=${encodeURIComponent(`principal/id eq '${id('noah.williams')}'`)}`,
    );
    expect(noah).toHaveLength(1);
    const bad = async (query: string, detail: RegExp) =>
      expectProblem(await app.api(`${review.url}/decisions?${query}`, ADMIN), 400, detail);
    await bad(`$filter=${encodeURIComponent("decision eq 'Maybe'")}`, /decision must be/);
    await bad(`$filter=${encodeURIComponent("reviewedBy eq 'x'")}`, /not supported/);
    await bad(`$filter=${encodeURIComponent("principalId eq 'x'")}`, /GUID/);
    await bad('$top=0', /\$top/);
    await bad('$skiptoken=%21%21', /skiptoken/);
    await bad('$orderby=decision', /not supported/);
    await bad('$format=xml', /\$format/);
  });

  it('exports the results as CSV', async () => {
    for (const call of [
      { path: `${review.url}/decisions?$format=csv`, headers: {} as Record<string, string> },
      { path: `${review.url}/decisions`, headers: { accept: 'text/csv' } },
    ]) {
      const res = await app.api(call.path, { ...ADMIN, headers: call.headers });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
      const lines = (await res.text()).trim().split('\r\n');
      expect(lines[0]).toBe(
        'principal,principalType,userPrincipalName,principalId,resource,accessId,assignmentType,recommendation,lastSignInDateTime,decision,justification,reviewedBy,reviewedDateTime,applyResult,appliedDateTime',
      );
      expect(lines).toHaveLength(6);
      const ava = lines.find((l) => l.startsWith('Ava Martinez,'));
      expect(ava).toContain(',user,ava.martinez@pimflow.example,');
      expect(ava).toContain(',Helpdesk Admin-Group,member,eligible,Approve,');
      expect(ava).toContain(',Deny,,lucas.dubois@pimflow.example,');
      expect(ava).toMatch(/,New,$/);
    }
  });

  it('records a batch for the caller’s pending items, and accepts recommendations', async () => {
    await expectProblem(
      await app.api(`${review.url}/batchRecordDecisions`, {
        ...as('priya.nair'),
        body: { decision: 'Approve' },
      }),
      400,
      /justification/,
    );
    await expectProblem(
      await app.api(`${review.url}/batchRecordDecisions`, {
        ...as('priya.nair'),
        body: { decision: 'Nope' },
      }),
      400,
    );
    await expectProblem(
      await app.api(`${review.url}/batchRecordDecisions`, {
        ...as('ethan.brown'),
        body: { decision: 'Deny' },
      }),
      403,
    );
    const one = await app.api(`${review.url}/batchRecordDecisions`, {
      ...as('priya.nair'),
      body: { decision: 'DontKnow', principalId: id('james.wilson') },
    });
    expect(one.status, await one.clone().text()).toBe(204);
    let items = await decisions(app, review);
    expect(byPrincipal(items, id('james.wilson')).decision).toBe('DontKnow');
    expect(byPrincipal(items, id('grace.okafor')).decision).toBe('NotReviewed');
    // Grace never signed in, Noah and Benjamin not in 30 days: Deny; nothing left to approve.
    const accepted = await app.api(`${review.url}/acceptRecommendations`, {
      ...as('lucas.dubois'),
      method: 'POST',
    });
    expect(accepted.status, await accepted.clone().text()).toBe(204);
    items = await decisions(app, review);
    for (const upn of ['grace.okafor', 'noah.williams', 'benjamin.lee'])
      expect(byPrincipal(items, id(upn))).toMatchObject({
        decision: 'Deny',
        reviewedBy: { id: id('lucas.dubois') },
      });
    expect(byPrincipal(items, id('james.wilson')).decision).toBe('DontKnow');
    await expectProblem(
      await app.api(`${review.url}/acceptRecommendations`, { ...as('priya.nair'), body: { x: 1 } }),
      400,
    );
  });

  it('resets every decision while in progress (admins only)', async () => {
    await expectProblem(
      await app.api(`${review.url}/resetDecisions`, { ...as('priya.nair'), method: 'POST' }),
      403,
    );
    const res = await app.api(`${review.url}/resetDecisions`, { ...ADMIN, method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(204);
    const items = await decisions(app, review);
    expect(
      items.every(
        (i) =>
          i.decision === 'NotReviewed' &&
          i.reviewedBy?.id === '00000000-0000-0000-0000-000000000000' &&
          i.justification === null,
      ),
    ).toBe(true);
  });

  it('stops for good: decisions are refused, a second stop is a conflict, the review completes', async () => {
    await expectProblem(await app.api(`${review.url}/stop`, { ...as('priya.nair'), method: 'POST' }), 403);
    await expectProblem(await app.api(`${review.url}/stop`, { ...ADMIN, body: { now: true } }), 400);
    const res = await app.api(`${review.url}/stop`, { ...ADMIN, method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(204);
    const [item] = await decisions(app, review, as('priya.nair'));
    await expectProblem(
      await patch(review, item?.id ?? '', as('priya.nair'), { decision: 'Deny' }),
      409,
      /stopped|Completed/,
    );
    await expectProblem(await app.api(`${review.url}/stop`, { ...ADMIN, method: 'POST' }), 409);
    await app.rt.waitForIdle();
    const done = await instance(app, review);
    expect(done).toMatchObject({ status: 'Completed', stoppedBy: { id: DEMO.admin } });
    expect(new Date(done.completedDateTime ?? 0).getTime()).toBeLessThan(NOW.getTime() + 86_400_000);
    await expectProblem(await app.api(`${review.url}/resetDecisions`, { ...ADMIN, method: 'POST' }), 409);
    await expectProblem(await app.api(`${review.url}/sendReminder`, { ...ADMIN, method: 'POST' }), 409);
    await expectProblem(
      await app.api(review.url, { ...ADMIN, method: 'PATCH', body: { reviewers: users(id('ethan.brown')) } }),
      409,
      /current instance/,
    );
  });
});

describe('Managing the current instance', () => {
  let review: StartedReview;
  beforeAll(async () => {
    review = await startReview(app, GROUP, {
      displayName: 'Managed review',
      reviewers: users(id('priya.nair')),
      fallbackReviewers: users(id('daniel.kim')),
      settings: { mailNotificationsEnabled: true },
    });
  });

  it('reads the instance: Graph fields plus the group role', async () => {
    const i = await app.json<Record<string, unknown>>(review.url, AUDITOR);
    expect(i).toMatchObject({
      id: review.instanceId,
      status: 'InProgress',
      groupId: GROUP,
      accessId: 'member',
      reviewers: [{ query: `/users/${id('priya.nair')}` }],
      fallbackReviewers: [{ query: `/users/${id('daniel.kim')}` }],
    });
    expect(await app.json<Record<string, unknown>>(review.url, as('priya.nair'))).toMatchObject({
      id: review.instanceId,
    });
    const list = await app.json<{ value: { id: string }[] }>(
      `${REVIEWS}/${review.definitionId}/instances`,
      ADMIN,
    );
    expect(list.value.map((x) => x.id)).toEqual([review.instanceId]);
    await expectProblem(await app.api(`${REVIEWS}/${review.definitionId}/instances`, as('priya.nair')), 403);
    await expectProblem(await app.api(review.url, as('ethan.brown')), 403);
    await expectProblem(await app.api(`${REVIEWS}/${review.definitionId}/instances/not-a-guid`, ADMIN), 400);
    await expectProblem(
      await app.api(`${REVIEWS}/${review.definitionId}/instances/${crypto.randomUUID()}`, ADMIN),
      404,
    );
    await expectProblem(await app.api(`${REVIEWS}/${crypto.randomUUID()}/instances`, ADMIN), 404);
    await expectProblem(await app.api(`${REVIEWS}/${review.definitionId}/instances?$top=abc`, ADMIN), 400);
  });

  it('adds and removes reviewers; pending items follow, new reviewers are mailed, fallbacks can’t be removed', async () => {
    const url = review.url;
    const body = (b: unknown) => ({ ...ADMIN, method: 'PATCH', body: b });
    await expectProblem(await app.api(url, body({})), 400, /reviewers/);
    await expectProblem(await app.api(url, body({ status: 'Completed' })), 400);
    await expectProblem(
      await app.api(url, body({ reviewers: [{ query: '/groups/x/owners' }] })),
      400,
      /Unsupported/,
    );
    await expectProblem(
      await app.api(url, body({ reviewers: users('00000000-0000-4000-8000-000000000001') })),
      400,
      /No such user/,
    );
    await expectProblem(await app.api(url, body({ fallbackReviewers: [] })), 400, /not removed/);
    await expectProblem(
      await app.api(url, {
        ...as('priya.nair'),
        method: 'PATCH',
        body: { reviewers: users(id('ethan.brown')) },
      }),
      403,
    );
    // Priya out, Ethan in; Lucas added as a fallback reviewer.
    const res = await app.api(
      url,
      body({
        reviewers: users(id('ethan.brown')),
        fallbackReviewers: users(id('daniel.kim'), id('lucas.dubois')),
      }),
    );
    expect(res.status, await res.clone().text()).toBe(204);
    expect(await decisions(app, review, as('ethan.brown'))).toHaveLength(5);
    await expectProblem(await app.api(`${url}/decisions`, as('priya.nair')), 403);
    const mail = (await app.mailTo('ethan.brown@pimflow.example')).filter((m) =>
      m.subject.includes('Managed review'),
    );
    expect(mail).toHaveLength(1);
    const i = await app.json<{ fallbackReviewers: { query: string }[] }>(url, ADMIN);
    expect(i.fallbackReviewers).toHaveLength(2);
    const contacted = await app.json<{ value: { id: string }[] }>(`${url}/contactedReviewers`, ADMIN);
    expect(contacted.value.map((r) => r.id).sort()).toEqual([id('priya.nair'), id('ethan.brown')].sort());
    await expectProblem(await app.api(`${url}/contactedReviewers`, as('ethan.brown')), 403);
  });

  it('sends reminders on request to reviewers with items left (admins only)', async () => {
    await expectProblem(
      await app.api(`${review.url}/sendReminder`, { ...as('ethan.brown'), method: 'POST' }),
      403,
    );
    const res = await app.api(`${review.url}/sendReminder`, { ...ADMIN, method: 'POST' });
    expect(res.status, await res.clone().text()).toBe(204);
    const reminders = (await app.mailTo('ethan.brown@pimflow.example')).filter((m) =>
      m.subject.startsWith('Reminder: review access to Helpdesk Admin-Group'),
    );
    expect(reminders).toHaveLength(1);
    expect(reminders[0]?.text).toContain('Items left: 5');
    expect(
      (await app.mailTo('priya.nair@pimflow.example')).filter((m) => m.subject.startsWith('Reminder')),
    ).toHaveLength(0);
  });
});
