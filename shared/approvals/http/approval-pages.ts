/**
 * The HTML pages behind e-mail approval links: the confirmation page (the request, with Approve / Deny and a
 * justification box), the result page and error pages. No scripts: a strict CSP forbids them, and forms post only
 * to ourselves. Every value is escaped by the `html` tag; pages are never cached and never leak the link as referrer
 * (the shell, headers and base style: shared/http/pages/page-shell.ts).
 */
import type { HttpResponseInit } from '@azure/functions';
import { html, type SafeHtml } from '../../mail/html';
import { factsTable, htmlPage, type PageKind } from '../../http/pages/page-shell';
import { accessWords, approvalWindow, formatUtc, requestAsk } from '../../mail/templates/approval-format';
import type { ApprovalDecision } from '../../requests/domain/schedule-request';
import { stageLabel, type Approval, type ApprovalStep } from '../domain/approval';

/** Where the form posts: relative to the page (`/api/approvals/decide`), so it works behind any host name. */
const FORM_ACTION = 'decide';
const API_STEP_PATH = '/api/identityGovernance/privilegedAccess/group/assignmentApprovals';

/** The approval pages' own style, on top of the shared one. */
const APPROVAL_PAGES: PageKind = {
  banner: 'pimflow',
  style: `
main{max-width:640px}
table{margin:0 0 16px}
label{display:block;font-weight:600;margin:16px 0 6px}
textarea,input[type=password]{padding:8px}
.buttons{margin-top:16px;display:flex;gap:12px}
button{font:inherit;padding:10px 22px;border-radius:4px;border:1px solid #0f6cbd;cursor:pointer}
button.approve{background:#0f6cbd;color:#fff}
button.deny{background:#fff;color:#b10e1c;border-color:#b10e1c}
.error{margin:0 0 16px}
code{font-size:13px;word-break:break-all}
`,
};

function page(
  status: number,
  title: string,
  body: SafeHtml,
  extraHeaders: Record<string, string> = {},
): HttpResponseInit {
  return htmlPage(APPROVAL_PAGES, status, title, body, extraHeaders);
}

function requestFacts(approval: Approval, step: ApprovalStep | undefined): SafeHtml {
  const r = approval.request;
  const ticket = [r.ticketNumber, r.ticketSystem ? `(${r.ticketSystem})` : null].filter(Boolean).join(' ');
  const rows: [string, string | null][] = [
    ['Requested by', r.principalDisplayName ?? approval.requesterId],
    ...wordsOf(approval).facts,
    ['When', approvalWindow(r.startDateTime, r.endDateTime)],
    ['Justification', r.justification],
    ['Ticket', ticket || null],
    ['Approval', step ? stageLabel(approval, step) : null],
    ['Escalated', step?.escalation?.escalatedDateTime ? formatUtc(step.escalation.escalatedDateTime) : null],
    ['Decide by', step?.expiresDateTime ? formatUtc(step.expiresDateTime) : null],
    ['Request', approval.requestId],
  ];
  return factsTable(rows);
}

export interface ReviewPageParams {
  approval: Approval;
  step: ApprovalStep;
  token: string;
  approverName: string | null;
  /** APPROVAL_REQUIRE_SIGN_IN: the form asks for an access token too. */
  requireSignIn: boolean;
  /** Shown above the form (e.g. "a justification is required"), with the status to answer. */
  error?: { status: number; message: string };
  justification?: string;
}

/** The confirmation page: what is asked, and a form that POSTs the decision. Showing it changes nothing. */
export function reviewPage(p: ReviewPageParams): HttpResponseInit {
  const required = p.step.isApproverJustificationRequired;
  const who = p.approval.request.principalDisplayName ?? p.approval.requesterId;
  const words = wordsOf(p.approval);
  const group = words.name;
  const ask = requestAsk(p.approval.request.action, words, p.approval.request.endDateTime);
  const stage = stageLabel(p.approval, p.step);
  const body = html`<h1>Approve or deny this request?</h1>
    ${p.error ? html`<p class="error" role="alert">${p.error.message}</p>` : null}
    <p>
      ${p.approverName ? `Hello ${p.approverName}: ` : ''}<strong>${who}</strong>
      ${ask.before}<strong>${group}</strong>${ask.after}.
    </p>
    ${stage ? html`<p>You decide ${stage.toLowerCase()} of its approval.</p>` : null}
    ${requestFacts(p.approval, p.step)}
    <form method="post" action="${FORM_ACTION}">
      <input type="hidden" name="token" value="${p.token}" />
      <label for="justification">Justification${required ? ' (required)' : ' (optional)'}</label>
      <textarea
        id="justification"
        name="justification"
        rows="4"
        maxlength="1000"
        ${required ? html`required` : null}
      >
${p.justification ?? ''}</textarea>
      ${
        p.requireSignIn
          ? html`<label for="access_token">Access token (sign-in required)</label>
              <input id="access_token" type="password" name="access_token" autocomplete="off" required />
              <p class="note">
                Your organisation requires approvers to be signed in, not just to hold this link. Paste an
                access token for pimflow's API issued to you, or decide through the API instead:
                <code>PATCH ${API_STEP_PATH}/${p.approval.id}/steps/${p.step.id}</code> with
                <code>{"reviewResult":"Approve","justification":"..."}</code>.
              </p>`
          : null
      }
      <div class="buttons">
        <button class="approve" type="submit" name="reviewResult" value="Approve">Approve</button>
        <button class="deny" type="submit" name="reviewResult" value="Deny">Deny</button>
      </div>
    </form>
    <p class="note">
      Nothing is decided until you press a button. This link is yours alone and works once. The first approver
      to decide settles ${stage ? 'this stage' : 'the request'}; the requester and the other approvers are
      told.
    </p>`;
  return page(p.error?.status ?? 200, 'Approve or deny', body);
}

/** After a decision: what was decided, and whether the request was told (503 when not, though the decision stands). */
export function resultPage(p: {
  approval: Approval;
  decision: ApprovalDecision;
  eventRaised: boolean;
}): HttpResponseInit {
  const verb = p.decision.reviewResult === 'Approve' ? 'approved' : 'denied';
  const who = p.approval.request.principalDisplayName ?? p.approval.requesterId;
  const step = p.approval.steps.find((s) => s.id === p.decision.stepId);
  const stage = step ? stageLabel(p.approval, step) : null;
  const continues = p.approval.status === 'InProgress' && p.decision.reviewResult === 'Approve';
  const title = continues && stage ? `${stage} approved` : `Request ${verb}`;
  const body = html`<h1>${title}</h1>
    <p class="ok" role="status">
      ${
        continues && stage
          ? `You approved ${stage.toLowerCase()} of ${who}'s request: it now goes to the approvers of the next stage. The requester and the other approvers of this stage have been told.`
          : `You ${verb} ${who}'s request. The requester and the other approvers have been told.`
      }
    </p>
    ${requestFacts(p.approval, undefined)}
    ${p.decision.justification ? html`<p>Your justification: ${p.decision.justification}</p>` : null}
    ${
      p.eventRaised
        ? null
        : html`<p class="error" role="alert">
            Your decision is recorded, but the request could not be told right away. It will act on your
            decision at the latest when the approval's time runs out
            (${formatUtc(step?.expiresDateTime ?? p.decision.reviewedDateTime)}).
          </p>`
    }
    <p class="note">You can close this page.</p>`;
  return page(p.eventRaised ? 200 : 503, title, body, p.eventRaised ? {} : { 'retry-after': '60' });
}

/** A link that can't be used (expired, used, changed, already decided...): says why; nothing was decided. */
export function errorPage(
  status: number,
  title: string,
  detail: string,
  approval?: Approval,
  extraHeaders: Record<string, string> = {},
): HttpResponseInit {
  const body = html`<h1>${title}</h1>
    <p class="error" role="alert">${detail}</p>
    ${approval ? requestFacts(approval, undefined) : null}
    <p class="note">Nothing was changed.</p>`;
  return page(status, title, body, extraHeaders);
}

/** The approval's access in words (group role or directory role), named as when it was opened. */
function wordsOf(approval: Approval) {
  return accessWords({
    resourceType: approval.resourceType,
    accessId: approval.accessId,
    groupName: approval.request.groupDisplayName ?? approval.groupId,
  });
}
