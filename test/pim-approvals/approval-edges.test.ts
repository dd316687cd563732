/**
 * Who can't decide an approval, and how that changes nothing: a cross-site POST of the approval page's form
 * (`Sec-Fetch-Site: cross-site`), an app-only token on the Graph-shaped PATCH (whatever its roles), and an app-only
 * token given as the sign-in on the page when APPROVAL_REQUIRE_SIGN_IN is set.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApproval } from '../../shared/approvals/open-approval';
import { submitDecision } from '../../shared/approvals/http/link-decision';
import type { AppServices } from '../../shared/composition-root';
import { appCaller } from '../auth/app-token';
import { DEMO, startPimApp, type PimApp } from '../pim-harness';
import {
  approvalMails,
  approvalSettings,
  eventsRaised,
  HELPDESK,
  linkIn,
  newRequest,
  postDecision,
  raiseRecorder,
  startWaitingInstance,
  tokenOf,
} from './approval-fixtures';
import { expectApiError } from '../helpers';

const NOW = new Date('2026-03-02T09:00:00Z');
const APPROVALS = 'identityGovernance/privilegedAccess/group/assignmentApprovals';
let app: PimApp;
let services: AppServices;

beforeAll(async () => {
  app = await startPimApp({ virtualClock: NOW });
  services = await app.services();
});
afterAll(async () => {
  await app?.stop();
});

/** Olivia asks for owner of Helpdesk; its owners (Sofia and the admin) approve. A real instance waits. */
async function openRequest() {
  const olivia = app.user('olivia.carter');
  const request = newRequest(olivia, HELPDESK, { start: NOW });
  const opened = await openApproval(services, {
    request,
    settings: approvalSettings(HELPDESK, [{ type: 'groupOwners' }]),
    now: NOW,
  });
  if ('noApprovers' in opened) throw new Error('expected approvers');
  const instanceId = await startWaitingInstance(app, request);
  const [mail] = await approvalMails(app, 'sofia.rossi@pimflow.example', request.id);
  if (!mail) throw new Error('no approval mail to Sofia');
  const approval = await services.approvals.find(opened.approvalId, HELPDESK);
  if (!approval) throw new Error('approval not stored');
  return {
    request,
    approval,
    stepId: approval.steps[0]?.id as string,
    token: tokenOf(linkIn(mail)),
    instanceId,
  };
}

async function undecided(approvalId: string): Promise<void> {
  await app.rt.waitForIdle();
  const approval = await services.approvals.find(approvalId, HELPDESK);
  expect(approval?.status).toBe('InProgress');
  expect(approval?.steps.every((s) => s.reviewResult === 'NotReviewed')).toBe(true);
}

describe('the approval page', () => {
  it('refuses a cross-site POST and changes nothing; the same form from the page itself decides', async () => {
    const { approval, token, instanceId } = await openRequest();
    const form = { token, reviewResult: 'Approve', justification: 'ok' };
    const refused = await postDecision(app, form, { 'sec-fetch-site': 'cross-site' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await refused.text()).toMatch(/Not sent from the approval page[\s\S]*Nothing was changed/);
    await undecided(approval.id);
    expect(await eventsRaised(app, instanceId)).toEqual([]);

    const decided = await postDecision(app, form, { 'sec-fetch-site': 'same-origin' });
    expect(decided.status, await decided.clone().text()).toBe(200);
    await app.rt.waitForIdle();
    const after = await services.approvals.find(approval.id, HELPDESK);
    expect(after?.steps[0]?.reviewResult).toBe('Approve');
  });

  it('with sign-in required, refuses an app-only token as the sign-in (403) and decides nothing', async () => {
    const { approval, token } = await openRequest();
    const admin = await appCaller(app, ['PimFlow.Admin']);
    const recorder = raiseRecorder();
    const page = await submitDecision(
      { ...services, settings: { ...services.settings, APPROVAL_REQUIRE_SIGN_IN: true } },
      new URLSearchParams({ token, reviewResult: 'Approve' }),
      admin.headers.authorization,
      recorder.raise,
    );
    expect(page.status).toBe(403);
    expect(String(page.body)).toMatch(/app-only token/);
    expect(recorder.calls).toEqual([]);
    await undecided(approval.id);
  });
});

describe('the approvals API', () => {
  it('refuses an app-only token on PATCH steps, whatever its roles, and decides nothing', async () => {
    const { approval, stepId, instanceId } = await openRequest();
    const admin = await appCaller(app, ['PimFlow.Admin', 'PimFlow.Auditor']);
    // Reading is what admins and auditors do: allowed.
    expect((await app.api(`${APPROVALS}/${approval.id}`, { headers: admin.headers })).status).toBe(200);
    const res = await app.api(`${APPROVALS}/${approval.id}/steps/${stepId}`, {
      headers: admin.headers,
      method: 'PATCH',
      body: { reviewResult: 'Approve', justification: 'automation' },
    });
    await expectApiError(res, 403, /approve or deny.*app-only/);
    await undecided(approval.id);
    expect(await eventsRaised(app, instanceId)).toEqual([]);
    // An approver signed in as a user still decides.
    const ok = await app.api(`${APPROVALS}/${approval.id}/steps/${stepId}`, {
      as: DEMO.adminUpn,
      method: 'PATCH',
      body: { reviewResult: 'Deny', justification: 'not now' },
    });
    expect(ok.status, await ok.clone().text()).toBe(204);
  });
});
