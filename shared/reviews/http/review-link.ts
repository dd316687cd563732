/**
 * Review-page links: the link mailed to a reviewer when an access review instance starts (and in reminders). A JWT
 * (HS256, signed with APPROVAL_LINK_SIGNING_KEY like approval links, but with its own audience so neither kind of
 * link is accepted as the other) bound to one instance and one reviewer (`sub`), with its own id (`jti`) and an `exp`
 * equal to the instance's end. The link opens the reviewer's page (GET never acts); decisions are POSTs carrying the
 * token in the form body. Unlike approval links it is not single-use: a reviewer decides many items with it, each at
 * most once (the decision item records who decided).
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const REVIEW_LINK_ISSUER = 'pimflow';
export const REVIEW_LINK_AUDIENCE = 'pimflow:review-link';
/** Where the page lives, under `/api`. */
export const REVIEW_PAGE_ROUTE = 'accessReviews/review';
/** Tokens we issue are about 400 characters; anything much longer is not one of ours. */
const MAX_TOKEN_LENGTH = 2048;

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

const payloadSchema = z.object({
  sub: z.string().min(1).max(64),
  jti: z.string().min(1).max(64),
  exp: z.number(),
  rvi: z.guid(),
});

function keyBytes(base64Key: string): Uint8Array {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length < 32) throw new Error('APPROVAL_LINK_SIGNING_KEY must be base64 of at least 32 bytes');
  return new Uint8Array(key);
}

/** Signs a review-link token for one reviewer of one instance; it expires with the instance. */
export async function signReviewLink(
  base64Key: string,
  claims: { instanceId: string; reviewerId: string; expiresAt: Date; now?: Date; linkId?: string },
): Promise<{ token: string; linkId: string }> {
  const linkId = claims.linkId ?? randomUUID();
  const token = await new SignJWT({ rvi: claims.instanceId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(REVIEW_LINK_ISSUER)
    .setAudience(REVIEW_LINK_AUDIENCE)
    .setSubject(claims.reviewerId.toLowerCase())
    .setJti(linkId)
    .setIssuedAt(Math.floor((claims.now ?? new Date()).getTime() / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(keyBytes(base64Key));
  return { token, linkId };
}

/** The page's address for a token: `{PUBLIC_BASE_URL}/api/accessReviews/review?token=...`. */
export function reviewLinkUrl(publicBaseUrl: string, token: string): string {
  const url = new URL(`${publicBaseUrl.replace(/\/+$/, '')}/api/${REVIEW_PAGE_ROUTE}`);
  url.searchParams.set('token', token);
  return url.toString();
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
  if (!token) return { ok: false, reason: 'invalid', detail: 'The link has no token.' };
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, reason: 'invalid', detail: 'The link is not one pimflow issued.' };
  }
  try {
    const { payload } = await jwtVerify(token, keyBytes(settings.APPROVAL_LINK_SIGNING_KEY), {
      algorithms: ['HS256'],
      issuer: REVIEW_LINK_ISSUER,
      audience: REVIEW_LINK_AUDIENCE,
      currentDate: now,
      clockTolerance: 0,
      requiredClaims: ['sub', 'jti', 'exp'],
    });
    const parsed = payloadSchema.safeParse(payload);
    if (!parsed.success)
      return { ok: false, reason: 'invalid', detail: 'The link is not one pimflow issued.' };
    const p = parsed.data;
    return {
      ok: true,
      claims: {
        instanceId: p.rvi.toLowerCase(),
        reviewerId: p.sub.toLowerCase(),
        linkId: p.jti,
        expiresAt: new Date(p.exp * 1000),
      },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      return { ok: false, reason: 'expired', detail: 'The link has expired: the review is over.' };
    }
    if (err instanceof errors.JOSEError) {
      return {
        ok: false,
        reason: 'invalid',
        detail: 'The link is not valid (it was changed, is not a review link, or was not issued by pimflow).',
      };
    }
    throw err;
  }
}
