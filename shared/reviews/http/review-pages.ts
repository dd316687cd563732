/**
 * The reviewer's page behind the e-mail link of an access review (review-link.ts).
 *
 * `GET /api/accessReviews/review?token=...` verifies the link and shows the review (name, description for reviewers,
 * due date) with the reviewer's pending items, at most REVIEW_PAGE_SIZE at a time with a link to the next ones: who
 * (name, UPN, type), which access (role of group, eligible or active), the recommendation and its evidence (last
 * sign-in, or never signed in), and per item Approve / Deny / Don't know with a reason. It never acts (link scanners
 * and previews open links). `POST /api/accessReviews/review` (form-encoded, the token in the body) records the chosen
 * decisions through `recordDecision` — the same path as the API — and shows the page again: decided items leave the
 * pending list; refused ones stay, with the reason shown and what was typed kept.
 *
 * The same safety as approval links: the signed, expiring token bound to the instance and the reviewer is the
 * credential (with APPROVAL_REQUIRE_SIGN_IN, also an access token of that reviewer); a cross-site POST is refused;
 * pages run no script (strict CSP), are never cached and never leak the link as referrer; every value is escaped.
 */
import type { HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import type { CallerPrincipal } from '../../auth/principal';
import { AuthenticationError, type TokenValidator } from '../../auth/token-validator';
import type { Settings } from '../../config';
import type { Directory } from '../../directory/directory';
import { html, type SafeHtml } from '../../mail/html';
import { formatUtc } from '../../mail/templates/approval-format';
import { PAGE_HEADERS } from '../../approvals/http/approval-pages';
import type { Stored } from '../../storage/stored';
import { cosmosStatus } from '../../storage/cosmos-status';
import { decisionsOpen, recordDecision, type DecideServices, type ReviewerDecision } from '../decide';
import type { ReviewDecision } from '../domain/review-decision';
import type { ReviewDefinition } from '../domain/review-definition';
import type { ReviewInstance } from '../domain/review-instance';
import { verifyReviewLink, type ReviewLinkClaims } from './review-link';

/** Items shown (and decidable) per page. */
export const REVIEW_PAGE_SIZE = 200;
/** A form of REVIEW_PAGE_SIZE items with long reasons stays well below this. */
export const MAX_REVIEW_FORM_BYTES = 1024 * 1024;
const MAX_REASON_FIELD = 4000;
const DECIDE_CONCURRENCY = 8;
/** Where the forms post and the links point: relative to the page, so it works behind any host name. */
const PAGE_ACTION = 'review';

export interface ReviewPageServices extends DecideServices {
  settings: Pick<Settings, 'APPROVAL_LINK_SIGNING_KEY' | 'APPROVAL_REQUIRE_SIGN_IN'>;
  directory: Pick<Directory, 'getUser'>;
  tokens: TokenValidator;
}

// ---------------------------------------------------------------------------------------------------------------
// Rendering

const STYLE = `
body{margin:0;background:#f5f5f5;font-family:Segoe UI,Helvetica,Arial,sans-serif;color:#242424}
main{max-width:780px;margin:32px auto;background:#fff;border-radius:6px;padding:24px 28px}
header{font-weight:600;color:#0f6cbd;margin-bottom:12px}
h1{font-size:22px;margin:0 0 16px}
h2{font-size:18px;margin:24px 0 12px}
table{border-collapse:collapse;margin:0 0 12px}
th{text-align:left;color:#616161;font-weight:normal;padding:3px 16px 3px 0;vertical-align:top}
td{padding:3px 0;white-space:pre-wrap;word-break:break-word}
table.list th,table.list td{padding:4px 12px 4px 0;border-bottom:1px solid #e0e0e0}
fieldset{border:1px solid #d1d1d1;border-radius:4px;margin:0 0 16px;padding:12px 16px}
legend{font-weight:600;padding:0 6px}
.choices{display:flex;gap:18px;margin:8px 0}
.choices label{font-weight:normal}
label.reason{display:block;font-weight:600;margin:8px 0 4px}
textarea,input[type=password]{width:100%;box-sizing:border-box;font:inherit;padding:6px}
button{font:inherit;padding:10px 22px;border-radius:4px;border:1px solid #0f6cbd;cursor:pointer;background:#0f6cbd;color:#fff}
.note{color:#616161;font-size:14px}
.deny{color:#b10e1c}
.error{background:#fde7e9;border-left:4px solid #b10e1c;padding:8px 12px;margin:0 0 12px}
.ok{background:#dff6dd;border-left:4px solid #107c10;padding:8px 12px;margin:0 0 16px}
.info{background:#ebf3fc;border-left:4px solid #0f6cbd;padding:8px 12px;margin:0 0 16px}
`;

function page(
  status: number,
  title: string,
  body: SafeHtml,
  extraHeaders: Record<string, string> = {},
): HttpResponseInit {
  const document = html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="robots" content="noindex, nofollow" />
        <title>${title} – pimflow</title>
        <style>
          ${STYLE}
        </style>
      </head>
      <body>
        <main>
          <header>pimflow access review</header>
          ${body}
        </main>
      </body>
    </html>`;
  return { status, headers: { ...PAGE_HEADERS, ...extraHeaders }, body: document.value };
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

const PRINCIPAL_TYPES: Record<ReviewDecision['principal']['type'], string> = {
  user: 'User',
  group: 'Group',
  servicePrincipal: 'Service principal',
};

const DECISION_LABELS: Record<ReviewDecision['decision'], string> = {
  Approve: 'Approved',
  Deny: 'Denied',
  DontKnow: "Don't know",
  NotReviewed: 'Not reviewed',
};

function roleOf(item: ReviewDecision): string {
  return `${item.resource.accessId} of ${item.resource.displayName ?? item.resource.groupId}`;
}

function lookBack(duration: string): string {
  const days = /^P(\d+)D$/.exec(duration)?.[1];
  if (days) return days === '1' ? 'the last day' : `the last ${days} days`;
  return `the look-back period (${duration})`;
}

/** The evidence behind the recommendation: the last sign-in, or never. */
export function signInEvidence(item: ReviewDecision): string {
  if (item.principal.type !== 'user') return 'No sign-in data (not a user)';
  return item.lastSignInDateTime ? `Last sign-in ${formatUtc(item.lastSignInDateTime)}` : 'Never signed in';
}

function recommendationText(item: ReviewDecision, definition: ReviewDefinition): string {
  const period = lookBack(definition.settings.recommendationLookBackDuration);
  switch (item.recommendation) {
    case 'Approve':
      return `Approve (signed in within ${period})`;
    case 'Deny':
      return item.principal.type === 'user' && !item.lastSignInDateTime
        ? 'Deny (never signed in)'
        : `Deny (no sign-in within ${period})`;
    default:
      return 'No recommendation';
  }
}

function itemFacts(item: ReviewDecision, definition: ReviewDefinition): SafeHtml {
  const rows: [string, string | null][] = [
    ['Account', item.principal.userPrincipalName ?? null],
    ['Type', PRINCIPAL_TYPES[item.principal.type]],
    ['Access', roleOf(item)],
    ['Assignment', item.assignmentType === 'eligible' ? 'Eligible' : 'Active'],
    ['Recommendation', recommendationText(item, definition)],
    ['Evidence', signInEvidence(item)],
  ];
  return html`<table>
    ${rows
      .filter((row): row is [string, string] => row[1] !== null && row[1] !== '')
      .map(
        ([label, value]) =>
          html`<tr>
            <th scope="row">${label}</th>
            <td>${value}</td>
          </tr>`,
      )}
  </table>`;
}

function principalName(item: ReviewDecision): string {
  return item.principal.displayName ?? item.principal.userPrincipalName ?? item.principal.id;
}

/** What the reviewer typed for an item, kept when the page is shown again. */
export interface ItemEntry {
  decision?: ReviewerDecision;
  reason?: string;
  /** Why this item's decision was refused. */
  error?: string;
}

function itemFieldset(
  item: ReviewDecision,
  definition: ReviewDefinition,
  entry: ItemEntry | undefined,
): SafeHtml {
  const required = definition.settings.justificationRequiredOnApproval;
  const choice = (value: ReviewerDecision, label: string) =>
    html`<label
      ><input
        type="radio"
        name="decision:${item.id}"
        value="${value}"
        ${entry?.decision === value ? html`checked` : null}
      />
      ${label}</label
    >`;
  return html`<fieldset id="item-${item.id}">
    <legend>${principalName(item)} – ${item.assignmentType} ${item.resource.accessId}</legend>
    ${entry?.error ? html`<p class="error" role="alert">${entry.error}</p>` : null}
    ${itemFacts(item, definition)}
    <div class="choices">
      ${choice('Approve', 'Approve')} ${choice('Deny', 'Deny')} ${choice('DontKnow', "Don't know")}
    </div>
    <label class="reason" for="reason-${item.id}"
      >Reason${required ? ' (required to approve)' : ' (optional)'}</label
    >
    <textarea id="reason-${item.id}" name="reason:${item.id}" rows="2" maxlength="1000">
${entry?.reason ?? ''}</textarea>
  </fieldset>`;
}

function reviewHeader(
  definition: ReviewDefinition,
  instance: ReviewInstance,
  reviewerName: string | null,
): SafeHtml {
  const rows: [string, string][] = [
    ['Access', `${instance.accessId} of ${instance.groupDisplayName ?? instance.groupId}`],
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
    <table>
      ${rows
        .filter(([, value]) => value !== '')
        .map(
          ([label, value]) =>
            html`<tr>
              <th scope="row">${label}</th>
              <td>${value}</td>
            </tr>`,
        )}
    </table>`;
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

// ---------------------------------------------------------------------------------------------------------------
// GET and POST

type Loaded =
  | {
      ok: true;
      claims: ReviewLinkClaims;
      instance: Stored<ReviewInstance>;
      definition: Stored<ReviewDefinition>;
    }
  | { ok: false; response: HttpResponseInit };

/** Verifies the token and finds the review it is for; an error page when the link can't be used. */
async function load(services: ReviewPageServices, token: string | null, now: Date): Promise<Loaded> {
  const verified = await verifyReviewLink(services.settings, token, now);
  if (!verified.ok) {
    return {
      ok: false,
      response:
        verified.reason === 'expired'
          ? reviewErrorPage(
              410,
              'This link has expired',
              `${verified.detail} Decisions can no longer be recorded with it.`,
            )
          : reviewErrorPage(400, 'This link is not valid', verified.detail),
    };
  }
  const claims = verified.claims;
  const instance = await services.reviews.findInstance(claims.instanceId);
  const definition =
    instance && (await services.reviews.definitions.find(instance.definitionId, instance.definitionId));
  if (!instance || !definition) {
    return {
      ok: false,
      response: reviewErrorPage(
        404,
        'Review not found',
        'The access review this link is for no longer exists.',
      ),
    };
  }
  return { ok: true, claims, instance, definition };
}

async function reviewerName(services: ReviewPageServices, id: string): Promise<string | null> {
  return (await services.directory.getUser(id).catch(() => null))?.displayName ?? null;
}

const getQuerySchema = z.object({
  token: z.string().max(4096).nullable(),
  after: z
    .string()
    .max(8192)
    .regex(/^[A-Za-z0-9_-]+$/, 'not a page link this page issued')
    .nullable(),
});

type Listing = { ok: true; items: Stored<ReviewDecision>[]; continuation?: string } | { ok: false };

async function listItems(
  services: ReviewPageServices,
  instanceId: string,
  reviewerId: string,
  pendingOnly: boolean,
  continuation: string | undefined,
): Promise<Listing> {
  try {
    const result = await services.reviews.listDecisions({
      instanceId,
      reviewerId,
      ...(pendingOnly ? { decision: 'NotReviewed' as const } : {}),
      pageSize: REVIEW_PAGE_SIZE,
      continuationToken: continuation,
    });
    return { ok: true, items: result.items, continuation: result.continuationToken };
  } catch (err) {
    // A continuation the store can't read (changed by hand, or from an older page) is the link's fault.
    if (continuation !== undefined && cosmosStatus(err) === 400) return { ok: false };
    throw err;
  }
}

const BAD_PAGE_LINK = (): HttpResponseInit =>
  reviewErrorPage(400, 'This page link is not valid', 'Open the link from your e-mail again.');

/** GET: the reviewer's page (pending items, or the read-only view of a closed review), or why not. Reads only. */
export async function showReviewPage(
  services: ReviewPageServices,
  query: { token: string | null; after: string | null },
): Promise<HttpResponseInit> {
  const parsed = getQuerySchema.safeParse(query);
  if (!parsed.success) return BAD_PAGE_LINK();
  const now = services.clock.now();
  const loaded = await load(services, parsed.data.token, now);
  if (!loaded.ok) return loaded.response;
  const { claims, instance, definition } = loaded;
  const token = parsed.data.token as string;
  const after = parsed.data.after ? Buffer.from(parsed.data.after, 'base64url').toString('utf8') : undefined;
  if (after === '') return BAD_PAGE_LINK();
  const open = decisionsOpen(instance) === undefined;
  const listing = await listItems(services, instance.id, claims.reviewerId, open, after);
  if (!listing.ok) return BAD_PAGE_LINK();
  const name = await reviewerName(services, claims.reviewerId);
  if (!open) {
    return closedPage({
      definition,
      instance,
      reviewerName: name,
      token,
      items: listing.items,
      continuation: listing.continuation,
    });
  }
  return pendingPage({
    definition,
    instance,
    reviewerName: name,
    token,
    items: listing.items,
    continuation: listing.continuation,
    later: after !== undefined,
    requireSignIn: services.settings.APPROVAL_REQUIRE_SIGN_IN === true,
  });
}

const FIELD = /^(decision|reason):([0-9a-fA-F-]{36})$/;

const formSchema = z.object({
  token: z.string().min(1).max(4096),
  access_token: z.string().max(16384).optional(),
  items: z
    .array(
      z.object({
        id: z.guid(),
        decision: z.enum(['Approve', 'Deny', 'DontKnow']).optional(),
        reason: z.string().max(MAX_REASON_FIELD).optional(),
      }),
    )
    .max(REVIEW_PAGE_SIZE),
});
type ReviewForm = z.infer<typeof formSchema>;

/** The form as this page sends it: `token`, `decision:{id}`, `reason:{id}`, optionally `access_token`. */
export function parseReviewForm(
  form: URLSearchParams,
): { ok: true; form: ReviewForm } | { ok: false; detail: string } {
  const items = new Map<string, { id: string; decision?: string; reason?: string }>();
  const raw: { token?: string; access_token?: string } = {};
  for (const [key, value] of form) {
    if (key === 'token' || key === 'access_token') {
      if (raw[key] !== undefined) return { ok: false, detail: `The form has ${key} twice.` };
      raw[key] = value;
      continue;
    }
    const field = FIELD.exec(key);
    if (!field?.[1] || !field[2])
      return { ok: false, detail: `The form has an unknown field "${key.slice(0, 60)}".` };
    const id = field[2].toLowerCase();
    const entry = items.get(id) ?? { id };
    const kind = field[1] as 'decision' | 'reason';
    if (entry[kind] !== undefined) return { ok: false, detail: `The form has ${kind} for one item twice.` };
    entry[kind] = value;
    items.set(id, entry);
  }
  const parsed = formSchema.safeParse({ ...raw, items: [...items.values()] });
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path[0] === 'items' ? 'an item' : String(issue?.path[0] ?? 'the form');
    return {
      ok: false,
      detail: `The form is not one this page sent (${where}: ${issue?.message ?? 'invalid'}).`,
    };
  }
  return { ok: true, form: parsed.data };
}

async function inChunks<T, R>(values: readonly T[], size: number, run: (v: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < values.length; i += size)
    out.push(...(await Promise.all(values.slice(i, i + size).map(run))));
  return out;
}

/** POST: verify, (sign-in), record each chosen decision, and show the page again with what happened. */
export async function submitReviewPage(
  services: ReviewPageServices,
  body: URLSearchParams,
  headers: { authorization: string | null; secFetchSite: string | null },
): Promise<HttpResponseInit> {
  if (headers.secFetchSite === 'cross-site') {
    return reviewErrorPage(
      403,
      'Not sent from the review page',
      'Decisions are taken on the review page itself.',
    );
  }
  const parsed = parseReviewForm(body);
  if (!parsed.ok) return reviewErrorPage(400, 'This form is not valid', parsed.detail);
  const form = parsed.form;
  const now = services.clock.now();
  const loaded = await load(services, form.token, now);
  if (!loaded.ok) return loaded.response;
  const { claims, instance, definition } = loaded;
  const requireSignIn = services.settings.APPROVAL_REQUIRE_SIGN_IN === true;

  let signedIn: CallerPrincipal | undefined;
  if (requireSignIn) {
    const bearer = headers.authorization ?? (form.access_token ? `Bearer ${form.access_token.trim()}` : null);
    try {
      signedIn = await services.tokens.validate(bearer);
    } catch (err) {
      if (!(err instanceof AuthenticationError)) throw err;
      return reviewErrorPage(
        401,
        'Sign-in required',
        `Recording decisions needs you signed in as the reviewer this link was sent to (${err.message}). Go back, and give an access token, or decide through the API.`,
        { 'www-authenticate': err.wwwAuthenticate },
      );
    }
    if (signedIn.kind !== 'user') {
      return reviewErrorPage(
        403,
        'Sign in as the reviewer',
        'That access token is an app-only token (client credentials): reviewing needs the reviewer signed in, with a token issued to them.',
      );
    }
    if (signedIn.objectId.toLowerCase() !== claims.reviewerId) {
      return reviewErrorPage(
        403,
        'Signed in as someone else',
        'This link was sent to another reviewer: sign in as that reviewer, or use your own link.',
      );
    }
  }
  const reviewer = await services.directory.getUser(claims.reviewerId).catch(() => null);
  const name = signedIn?.displayName ?? reviewer?.displayName ?? null;

  const showAgain = async (extra: {
    entries?: Map<string, ItemEntry>;
    recorded?: { item: ReviewDecision; decision: ReviewerDecision }[];
    errors?: string[];
    status: number;
  }): Promise<HttpResponseInit> => {
    const current = (await services.reviews.findInstance(instance.id)) ?? instance;
    const open = decisionsOpen(current) === undefined;
    const listing = await listItems(services, instance.id, claims.reviewerId, open, undefined);
    const items = listing.ok ? listing.items : [];
    if (!open) {
      return closedPage({
        definition,
        instance: current,
        reviewerName: name,
        token: form.token,
        items,
        continuation: listing.ok ? listing.continuation : undefined,
        status: extra.recorded?.length ? 200 : 409,
      });
    }
    // Refusals of items not on the page (not yours, not found) are listed above the form.
    const shown = new Set(items.map((i) => i.id));
    const loose = [...(extra.entries ?? [])]
      .filter(([id, e]) => e.error && !shown.has(id))
      .map(([id, e]) => `Item ${id}: ${e.error ?? ''}`);
    return pendingPage({
      definition,
      instance: current,
      reviewerName: name,
      token: form.token,
      items,
      continuation: listing.ok ? listing.continuation : undefined,
      later: false,
      requireSignIn,
      entries: extra.entries,
      recorded: extra.recorded,
      errors: [...(extra.errors ?? []), ...loose],
      status: extra.status,
    });
  };

  if (decisionsOpen(instance) !== undefined) return showAgain({ status: 409 });
  const chosen = form.items.filter(
    (i): i is typeof i & { decision: ReviewerDecision } => i.decision !== undefined,
  );
  const entries = new Map<string, ItemEntry>(
    form.items.map((i) => [i.id, { decision: i.decision, reason: i.reason }]),
  );
  if (chosen.length === 0) {
    return showAgain({
      entries,
      errors: ["Choose Approve, Deny or Don't know for at least one item."],
      status: 400,
    });
  }

  const results = await inChunks(chosen, DECIDE_CONCURRENCY, async (choice) => ({
    choice,
    result: await recordDecision(services, {
      instanceId: instance.id,
      definitionId: instance.definitionId,
      decisionId: choice.id,
      reviewer: {
        id: claims.reviewerId,
        displayName: name,
        userPrincipalName: signedIn?.userPrincipalName ?? reviewer?.userPrincipalName ?? null,
      },
      decision: choice.decision,
      // Browsers send a textarea's line breaks as CRLF; store them as LF (and count them once).
      justification: choice.reason?.trim() ? choice.reason.replace(/\r\n?/g, '\n') : null,
      preloaded: {
        instance,
        justificationRequiredOnApproval: definition.settings.justificationRequiredOnApproval,
      },
    }),
  }));
  const recorded: { item: ReviewDecision; decision: ReviewerDecision }[] = [];
  let status = 200;
  for (const { choice, result } of results) {
    if (result.ok) {
      recorded.push({ item: result.item, decision: choice.decision });
      entries.delete(choice.id);
    } else {
      if (status === 200) status = result.status;
      entries.set(choice.id, { decision: choice.decision, reason: choice.reason, error: result.detail });
    }
  }
  return showAgain({ entries, recorded, status });
}
