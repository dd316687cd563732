/**
 * Review-page links: the link mailed to a reviewer when an access review instance starts (and in reminders). A signed
 * link (shared/auth/signed-link.ts, like approval links but with its own audience so neither kind is accepted as the
 * other) bound to one instance and one reviewer (`sub`), with its own id (`jti`) and an `exp` equal to the instance's
 * end. The link opens the reviewer's page (GET never acts); decisions are POSTs carrying the token in the form body.
 * Unlike approval links it is not single-use: a reviewer decides many items with it, each at most once (the decision
 * item records who decided).
 */
import { z } from 'zod';
import { LINK_ISSUER, linkUrl, signLink, verifyLink, type LinkKind } from '../../auth/signed-link';

export const REVIEW_LINK_ISSUER = LINK_ISSUER;
export const REVIEW_LINK_AUDIENCE = 'pimflow:review-link';
/** Where the page lives, under `/api`. */
export const REVIEW_PAGE_ROUTE = 'accessReviews/review';

export interface ReviewLinkSettings {
  PUBLIC_BASE_URL: string;
  APPROVAL_LINK_SIGNING_KEY: string;
}

export interface ReviewLinkClaims {
  instanceId: string;
  /** The reviewer the link was mailed to (`sub`). */
  reviewerId: string;
  /** The link's own id (`jti`). */
  linkId: string;
  /** The instance's end: after it, the link is refused as expired. */
  expiresAt: Date;
}

export type ReviewLinkVerification =
  { ok: true; claims: ReviewLinkClaims } | { ok: false; reason: 'expired' | 'invalid'; detail: string };

const REVIEW_LINK: LinkKind<{ sub: string; jti: string; exp: number; rvi: string }> = {
  audience: REVIEW_LINK_AUDIENCE,
  payload: z.object({
    sub: z.string().min(1).max(64),
    jti: z.string().min(1).max(64),
    exp: z.number(),
    rvi: z.guid(),
  }),
  expiredDetail: 'The link has expired: the review is over.',
  invalidDetail:
    'The link is not valid (it was changed, is not a review link, or was not issued by pimflow).',
};

/** Signs a review-link token for one reviewer of one instance; it expires with the instance. */
export function signReviewLink(
  base64Key: string,
  claims: { instanceId: string; reviewerId: string; expiresAt: Date; now?: Date; linkId?: string },
): Promise<{ token: string; linkId: string }> {
  return signLink(base64Key, {
    audience: REVIEW_LINK_AUDIENCE,
    subject: claims.reviewerId.toLowerCase(),
    claims: { rvi: claims.instanceId },
    issuedAt: claims.now ?? new Date(),
    expiresAt: claims.expiresAt,
    linkId: claims.linkId,
  });
}

/** The page's address for a token: `{PUBLIC_BASE_URL}/api/accessReviews/review?token=...`. */
export function reviewLinkUrl(publicBaseUrl: string, token: string): string {
  return linkUrl(publicBaseUrl, REVIEW_PAGE_ROUTE, token);
}

/**
 * The link to mail a reviewer: their review page of one instance, valid until the instance ends. `now` (the
 * issued-at time) defaults to the wall clock; pass the services' clock where there is one.
 */
export async function reviewPageUrl(
  settings: ReviewLinkSettings,
  claims: { instanceId: string; reviewerId: string; expiresAt: Date },
  now?: Date,
): Promise<string> {
  const { token } = await signReviewLink(settings.APPROVAL_LINK_SIGNING_KEY, { ...claims, now });
  return reviewLinkUrl(settings.PUBLIC_BASE_URL, token);
}

/**
 * Checks signature (HS256 only), issuer, audience (an approval link is refused), expiry against `now` (default: the
 * wall clock; no tolerance) and the claims' shape.
 */
export async function verifyReviewLink(
  settings: Pick<ReviewLinkSettings, 'APPROVAL_LINK_SIGNING_KEY'>,
  token: string | null | undefined,
  now: Date = new Date(),
): Promise<ReviewLinkVerification> {
  const checked = await verifyLink(settings.APPROVAL_LINK_SIGNING_KEY, REVIEW_LINK, token, now);
  if (!checked.ok) return checked;
  const p = checked.payload;
  return {
    ok: true,
    claims: {
      instanceId: p.rvi.toLowerCase(),
      reviewerId: p.sub.toLowerCase(),
      linkId: p.jti,
      expiresAt: new Date(p.exp * 1000),
    },
  };
}
