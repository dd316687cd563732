/**
 * The reviewer's pages (behind the e-mail link, see review-pages.ts): the review with the pending items and their
 * form, the read-only view of a closed review, and error pages. In the shared page shell (shared/http/pages/).
 */
import type { HttpResponseInit } from '@azure/functions';
import { html, type SafeHtml } from '../../mail/html';
import { formatUtc } from '../../mail/templates/approval-format';
import { factsTable, htmlPage, type PageKind } from '../../http/pages/page-shell';
import type { ReviewerDecision } from '../decide';
import type { ReviewDecision } from '../domain/review-decision';
import type { ReviewDefinition } from '../domain/review-definition';
import type { ReviewInstance } from '../domain/review-instance';
import { PAGE_ACTION, REVIEW_PAGE_SIZE } from './review-form';
import { DECISION_LABELS, itemFieldset, principalName, roleOf, type ItemEntry } from './review-page-items';
import { reviewedRoleLabel } from '../domain/reviewed-role';

/** The review pages' own style, on top of the shared one. */
const REVIEW_PAGES: PageKind = {
  banner: 'pimflow access review',
  style: `
main{max-width:780px}
h2{font-size:18px;margin:24px 0 12px}
table{margin:0 0 12px}
table.list th,table.list td{padding:4px 12px 4px 0;border-bottom:1px solid #e0e0e0}
fieldset{border:1px solid #d1d1d1;border-radius:4px;margin:0 0 16px;padding:12px 16px}
legend{font-weight:600;padding:0 6px}
.choices{display:flex;gap:18px;margin:8px 0}
.choices label{font-weight:normal}
label.reason{display:block;font-weight:600;margin:8px 0 4px}
textarea,input[type=password]{padding:6px}
button{font:inherit;padding:10px 22px;border-radius:4px;border:1px solid #0f6cbd;cursor:pointer;background:#0f6cbd;color:#fff}
.deny{color:#b10e1c}
.error{margin:0 0 12px}
.info{background:#ebf3fc;border-left:4px solid #0f6cbd;padding:8px 12px;margin:0 0 16px}
`,
};

function page(
  status: number,
  title: string,
  body: SafeHtml,
  extraHeaders: Record<string, string> = {},
): HttpResponseInit {
  return htmlPage(REVIEW_PAGES, status, title, body, extraHeaders);
}

/** A link or form that can't be used (expired, changed, not found...): says why; nothing was changed. */
export function reviewErrorPage(
  status: number,
  title: string,
  detail: string,
  extraHeaders: Record<string, string> = {},
): HttpResponseInit {
  const body = html`<h1>${title}</h1>
    <p class="error" role="alert">${detail}</p>
    <p class="note">Nothing was changed.</p>`;
  return page(status, title, body, extraHeaders);
}

function reviewHeader(
  definition: ReviewDefinition,
  instance: ReviewInstance,
  reviewerName: string | null,
): SafeHtml {
  const rows: [string, string][] = [
    ['Access', reviewedRoleLabel(instance)],
    ['Started', formatUtc(instance.startDateTime)],
    ['Due', formatUtc(instance.endDateTime)],
    ['Reviewer', reviewerName ?? ''],
  ];
  return html`<h1>${definition.displayName}</h1>
    ${
      definition.descriptionForReviewers
        ? html`<p class="description">${definition.descriptionForReviewers}</p>`
        : null
    }
    ${factsTable(rows)}`;
}

function nextLink(token: string, continuation: string | undefined, label: string): SafeHtml | null {
  if (!continuation) return null;
  const query = new URLSearchParams({
    token,
    after: Buffer.from(continuation, 'utf8').toString('base64url'),
  });
  return html`<p><a href="${PAGE_ACTION}?${query.toString()}">${label}</a></p>`;
}

export interface PendingPageParams {
  definition: ReviewDefinition;
  instance: ReviewInstance;
  reviewerName: string | null;
  token: string;
  items: ReviewDecision[];
  continuation?: string;
  /** Whether this is a later page (reached through a next link). */
  later: boolean;
  requireSignIn: boolean;
  entries?: ReadonlyMap<string, ItemEntry>;
  /** After a POST: what was recorded. */
  recorded?: { item: ReviewDecision; decision: ReviewerDecision }[];
  /** Problems not tied to an item shown on this page. */
  errors?: string[];
  status?: number;
}

/** The review with the reviewer's pending items and the form to decide them. Showing it changes nothing. */
export function pendingPage(p: PendingPageParams): HttpResponseInit {
  const recorded = p.recorded ?? [];
  const body = html`${reviewHeader(p.definition, p.instance, p.reviewerName)}
    ${
      recorded.length
        ? html`<div class="ok" role="status">
            <p>Recorded ${recorded.length === 1 ? '1 decision' : `${recorded.length} decisions`}:</p>
            <ul>
              ${recorded.map(
                (r) =>
                  html`<li>${principalName(r.item)} (${roleOf(r.item)}): ${DECISION_LABELS[r.decision]}</li>`,
              )}
            </ul>
          </div>`
        : null
    }
    ${(p.errors ?? []).map((e) => html`<p class="error" role="alert">${e}</p>`)}
    ${
      p.items.length === 0
        ? html`<h2>Nothing left to review</h2>
            <p class="info">
              ${
                p.later
                  ? 'There are no more pending items after the previous page.'
                  : 'You have no pending items in this review. Thank you.'
              }
            </p>`
        : html`<h2>Pending items</h2>
            <p class="note">
              Choose Approve, Deny or Don't know for the items you have decided, then press Submit decisions.
              Items you leave unchosen stay pending.
            </p>
            <form method="post" action="${PAGE_ACTION}">
              <input type="hidden" name="token" value="${p.token}" />
              ${p.items.map((item) => itemFieldset(item, p.definition, p.entries?.get(item.id)))}
              ${
                p.requireSignIn
                  ? html`<label class="reason" for="access_token">Access token (sign-in required)</label>
                      <input
                        id="access_token"
                        type="password"
                        name="access_token"
                        autocomplete="off"
                        required
                      />
                      <p class="note">
                        Your organisation requires reviewers to be signed in, not just to hold this link.
                        Paste an access token for pimflow's API issued to you, or decide through the API
                        instead.
                      </p>`
                  : null
              }
              <button type="submit">Submit decisions</button>
            </form>
            ${nextLink(p.token, p.continuation, `Next ${REVIEW_PAGE_SIZE} pending items`)}`
    }
    <p class="note">
      Nothing is decided until you press Submit decisions. This link is yours alone and works until the review
      is due.
    </p>`;
  return page(p.status ?? 200, p.definition.displayName, body);
}

/** A review that no longer takes decisions (completed, stopped, applied): what was decided, read only. */
export function closedPage(p: {
  definition: ReviewDefinition;
  instance: ReviewInstance;
  reviewerName: string | null;
  token: string;
  items: ReviewDecision[];
  continuation?: string;
  status?: number;
}): HttpResponseInit {
  const why = p.instance.stoppedBy
    ? `This review was stopped${p.instance.completedDateTime ? ` on ${formatUtc(p.instance.completedDateTime)}` : ''}: decisions can no longer be recorded.`
    : p.instance.status === 'NotStarted'
      ? `This review has not started yet: it starts ${formatUtc(p.instance.startDateTime)}.`
      : `This review is ${p.instance.status === 'InProgress' ? 'closing' : 'completed'}${p.instance.completedDateTime ? ` (${formatUtc(p.instance.completedDateTime)})` : ''}: decisions can no longer be recorded.`;
  const body = html`${reviewHeader(p.definition, p.instance, p.reviewerName)}
    <p class="info" role="status">${why}</p>
    ${
      p.items.length
        ? html`<h2>Your items</h2>
            <table class="list">
              <tr>
                <th scope="col">Who</th>
                <th scope="col">Access</th>
                <th scope="col">Decision</th>
                <th scope="col">Reason</th>
              </tr>
              ${p.items.map(
                (item) =>
                  html`<tr>
                    <td>${principalName(item)}</td>
                    <td>${roleOf(item)} (${item.assignmentType})</td>
                    <td>${DECISION_LABELS[item.decision]}</td>
                    <td>${item.justification ?? ''}</td>
                  </tr>`,
              )}
            </table>
            ${nextLink(p.token, p.continuation, 'More items')}`
        : null
    }
    <p class="note">Nothing was changed.</p>`;
  return page(p.status ?? 200, p.definition.displayName, body);
}
