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
 * Split: review-form.ts (what the page sends), review-page-load.ts (what it reads), review-page-views.ts and
 * review-page-items.ts (what it shows). The same safety as approval links: the signed, expiring token bound to the instance and the reviewer is the
 * credential (with APPROVAL_REQUIRE_SIGN_IN, also an access token of that reviewer); a cross-site POST is refused;
 * pages run no script (strict CSP), are never cached and never leak the link as referrer; every value is escaped.
 */
import type { HttpResponseInit } from '@azure/functions';
import type { CallerPrincipal } from '../../auth/principal';
import { checkLinkSignIn, type LinkSignIn } from '../../http/pages/link-sign-in';
import { decisionsOpen, recordDecision, type ReviewerDecision } from '../decide';
import type { ReviewDecision } from '../domain/review-decision';
import { getQuerySchema, parseReviewForm } from './review-form';
import type { ItemEntry } from './review-page-items';
import {
  BAD_PAGE_LINK,
  listItems,
  loadReview,
  reviewerName,
  type ReviewPageServices,
} from './review-page-load';
import { REFUSAL_STATUS } from './refusal';
import { closedPage, pendingPage, reviewErrorPage } from './review-page-views';

export type { ReviewPageServices };

const DECIDE_CONCURRENCY = 8;

/** GET: the reviewer's page (pending items, or the read-only view of a closed review), or why not. Reads only. */
export async function showReviewPage(
  services: ReviewPageServices,
  query: { token: string | null; after: string | null },
): Promise<HttpResponseInit> {
  const parsed = getQuerySchema.safeParse(query);
  if (!parsed.success) return BAD_PAGE_LINK();
  const now = services.clock.now();
  const loaded = await loadReview(services, parsed.data.token, now);
  if (!loaded.ok) return loaded.response;
  const { claims, instance, definition } = loaded;
  const token = parsed.data.token as string;
  const after = parsed.data.after ? Buffer.from(parsed.data.after, 'base64url').toString('utf8') : undefined;
  if (after === '') return BAD_PAGE_LINK();
  const open = decisionsOpen(instance) === undefined;
  const listing = await listItems(services, instance, claims.reviewerId, open, after);
  if (!listing.ok) return BAD_PAGE_LINK();
  const name = await reviewerName(services, claims.reviewerId);
  const shown = {
    definition,
    instance,
    reviewerName: name,
    token,
    items: listing.items,
    continuation: listing.continuation,
  };
  if (!open) return closedPage(shown);
  return pendingPage({
    ...shown,
    later: after !== undefined,
    requireSignIn: services.settings.APPROVAL_REQUIRE_SIGN_IN === true,
  });
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
  const loaded = await loadReview(services, form.token, now);
  if (!loaded.ok) return loaded.response;
  const { claims, instance, definition } = loaded;
  const requireSignIn = services.settings.APPROVAL_REQUIRE_SIGN_IN === true;

  let signedIn: CallerPrincipal | undefined;
  if (requireSignIn) {
    const check = await checkLinkSignIn(
      services.tokens,
      headers.authorization,
      form.access_token,
      claims.reviewerId,
    );
    if (!check.ok) return signInRefusal(check);
    signedIn = check.signedIn;
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
    const listing = await listItems(services, instance, claims.reviewerId, open, undefined);
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
      if (status === 200) status = REFUSAL_STATUS[result.reason];
      entries.set(choice.id, { decision: choice.decision, reason: choice.reason, error: result.detail });
    }
  }
  return showAgain({ entries, recorded, status });
}

/** Why the reviewer's sign-in doesn't do, as a page. */
function signInRefusal(refused: Exclude<LinkSignIn, { ok: true }>): HttpResponseInit {
  switch (refused.why) {
    case 'notSignedIn':
      return reviewErrorPage(
        401,
        'Sign-in required',
        `Recording decisions needs you signed in as the reviewer this link was sent to (${refused.message}). Go back, and give an access token, or decide through the API.`,
        { 'www-authenticate': refused.wwwAuthenticate },
      );
    case 'appOnly':
      return reviewErrorPage(
        403,
        'Sign in as the reviewer',
        'That access token is an app-only token (client credentials): reviewing needs the reviewer signed in, with a token issued to them.',
      );
    case 'someoneElse':
      return reviewErrorPage(
        403,
        'Signed in as someone else',
        'This link was sent to another reviewer: sign in as that reviewer, or use your own link.',
      );
  }
}
