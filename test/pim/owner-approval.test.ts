/**
 * Table-1's Owner row end to end on the virtual clock: activation needs approval by another owner and lasts at
 * most 2 hours. Approve (by API and from the e-mail link), deny, timeout, self-approval refused, two approvers at
 * once (exactly one wins), cancel while pending.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import { activate, ADMIN, BASE, configureTable1, makeEligible, manageGroup } from './pim-scenario';

const GROUP = DEMO.helpdeskGroup;
// The group's owners in the demo tenant: Sofia Rossi and the demo admin.
const SOFIA = 'sofia.rossi@pimflow.example';
let app: PimApp;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: new Date('2026-03-02T09:00:00Z') });
  await manageGroup(app, GROUP);
  await configureTable1(app, GROUP);
  for (const upn of [
    'jack.thompson',
    'daniel.kim',
    'james.wilson',
    'benjamin.lee',
    'oscar.petrov',
    'ruby.walsh',
  ]) {
    await makeEligible(app, GROUP, app.user(upn).id, 'owner', 6);
  }
  await makeEligible(app, GROUP, DEMO.admin, 'owner', 6);
}, 90_000);
afterAll(async () => {
  await app?.stop();
});

async function requestOwner(
  upn: string,
  duration = 'PT2H',
): Promise<{ id: string; approvalId: string; status: string }> {
  const res = await activate(app, upn, GROUP, 'owner', { duration });
  expect(res.status, await res.clone().text()).toBe(201);
  const request = (await res.json()) as { id: string; approvalId: string; status: string };
  await app.rt.waitForIdle();
  return request;
}

/** Reads the approval (as an admin) for its step id, then decides that step as `as`, Graph's way. */
async function decide(
  approvalId: string,
  as: string,
  reviewResult: 'Approve' | 'Deny',
  justification = 'Looks right',
): Promise<Response> {
  const approval = await app.json<{ steps: { id: string }[] }>(
    `${BASE}/assignmentApprovals/${approvalId}`,
    ADMIN,
  );
  const stepId = approval.steps[0]?.id as string;
  return app.api(`${BASE}/assignmentApprovals/${approvalId}/steps/${stepId}`, {
    as,
    method: 'PATCH',
    body: { reviewResult, justification },
  });
}

async function status(requestId: string): Promise<string> {
  return (await app.json<{ status: string }>(`${BASE}/assignmentScheduleRequests/${requestId}`, ADMIN))
    .status;
}

describe('owner activation (Table-1: approval by the other owners, at most 2 h)', () => {
  it('waits for an approver, grants ownership once approved, and removes it after 2 hours', async () => {
    const jack = app.user('jack.thompson');
    const request = await requestOwner('jack.thompson');
    expect(request.status).toBe('PendingApproval');
    expect(request.approvalId).toBe(request.id);
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(jack.id);
    // Both other owners are asked, each with their own link.
    for (const owner of [SOFIA, DEMO.adminUpn]) {
      const mail = await app.mailTo(owner);
      expect(
        mail.some((m) => m.text.includes(jack.displayName) && /approvals\/decide\?token=/.test(m.text)),
        owner,
      ).toBe(true);
    }
    expect((await decide(request.approvalId, SOFIA, 'Approve')).status).toBe(204);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).toContain(jack.id);
    expect(await status(request.id)).toBe('Provisioned');
    // The other approver is told and can no longer decide.
    expect((await decide(request.approvalId, DEMO.adminUpn, 'Deny')).status).toBe(409);
    await app.rt.advance('PT2H');
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(jack.id);
  });

  it('refuses more than 2 hours', async () => {
    const res = await activate(app, 'daniel.kim', GROUP, 'owner', { duration: 'PT3H' });
    expect(res.status).toBe(400);
  });

  it('ends denied requests without granting anything', async () => {
    const daniel = app.user('daniel.kim');
    const request = await requestOwner('daniel.kim');
    expect((await decide(request.approvalId, SOFIA, 'Deny', 'Not on the rota')).status).toBe(204);
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('Denied');
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(daniel.id);
    expect((await app.mailTo(daniel.userPrincipalName)).some((m) => /denied/.test(m.subject))).toBe(true);
  });

  it('times out after a day when nobody decides', async () => {
    const james = app.user('james.wilson');
    const request = await requestOwner('james.wilson');
    await app.rt.advance('PT23H59M');
    expect(await status(request.id)).toBe('PendingApproval');
    await app.rt.advance('PT1M');
    expect(await status(request.id)).toBe('TimedOut');
    expect((await decide(request.approvalId, SOFIA, 'Approve')).status).toBeGreaterThanOrEqual(400);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).not.toContain(james.id);
  });

  it('never lets requesters approve their own request, admins included', async () => {
    const request = await requestOwner(DEMO.adminUpn);
    const approval = await app.json<{ steps: { id: string }[] }>(
      `${BASE}/assignmentApprovals/${request.approvalId}`,
      ADMIN,
    );
    const own = await app.api(
      `${BASE}/assignmentApprovals/${request.approvalId}/steps/${approval.steps[0]?.id}`,
      {
        ...ADMIN,
        method: 'PATCH',
        body: { reviewResult: 'Approve', justification: 'me' },
      },
    );
    expect(own.status).toBe(403);
    // The admin is not even asked: only Sofia got a link for this request.
    const adminMail = await app.mailTo(DEMO.adminUpn);
    expect(adminMail.filter((m) => m.text.includes(request.id))).toHaveLength(0);
    expect((await decide(request.approvalId, SOFIA, 'Deny')).status).toBe(204);
  });

  it('takes exactly one of two decisions that arrive at once', async () => {
    const benjamin = app.user('benjamin.lee');
    const request = await requestOwner('benjamin.lee');
    const [a, b] = await Promise.all([
      decide(request.approvalId, SOFIA, 'Approve'),
      decide(request.approvalId, DEMO.adminUpn, 'Deny'),
    ]);
    expect([a.status, b.status].sort()).toEqual([204, 409]);
    await app.rt.waitForIdle();
    const final = await status(request.id);
    expect(final === 'Provisioned' ? a.status : b.status).toBe(204);
    expect(app.groupMembers(GROUP, 'owners').includes(benjamin.id)).toBe(final === 'Provisioned');
  });

  it('lets the requester cancel while it waits for approval', async () => {
    const oscar = app.user('oscar.petrov');
    const request = await requestOwner('oscar.petrov');
    const res = await app.api(`${BASE}/assignmentScheduleRequests/${request.id}/cancel`, {
      as: oscar.userPrincipalName,
      method: 'POST',
    });
    expect(res.status).toBe(204);
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('Canceled');
    expect((await decide(request.approvalId, SOFIA, 'Approve')).status).toBeGreaterThanOrEqual(400);
  });

  it('approves from the e-mail link: GET shows the page and changes nothing, POST decides once', async () => {
    const ruby = app.user('ruby.walsh');
    const request = await requestOwner('ruby.walsh');
    const mail = (await app.mailTo(SOFIA)).find(
      (m) => m.text.includes(request.id) || m.text.includes(ruby.displayName),
    );
    const link = /(https?:\/\/\S+\/api\/approvals\/decide\?token=[\w.-]+)/.exec(mail?.text ?? '')?.[1];
    expect(link).toBeDefined();
    const page = await fetch(link as string);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain(ruby.displayName);
    await app.rt.waitForIdle();
    expect(await status(request.id)).toBe('PendingApproval');
    const token = new URL(link as string).searchParams.get('token') as string;
    const post = () =>
      fetch(`${app.rt.urls.api}/approvals/decide`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token,
          reviewResult: 'Approve',
          justification: 'Approved from mail',
        }).toString(),
      });
    expect((await post()).status).toBe(200);
    expect((await post()).status).toBeGreaterThanOrEqual(400);
    await app.rt.waitForIdle();
    expect(app.groupMembers(GROUP, 'owners')).toContain(ruby.id);
  });
});
