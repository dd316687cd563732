/**
 * Signed links, the one kind of credential pimflow mails: a JWT (HS256, signed with APPROVAL_LINK_SIGNING_KEY,
 * issuer `pimflow`) with an audience per kind of link (so no kind is accepted as another), a subject (whom it was
 * mailed to), its own id (`jti`), issued-at and an expiry, plus the kind's own claims. Approval links (acting once:
 * the link id is recorded as used in the same write as the decision) and review-page links are both made here.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import type { z } from 'zod';

export const LINK_ISSUER = 'pimflow';
/** Tokens we issue are 400 to 450 characters; anything much longer is not one of ours. */
const MAX_TOKEN_LENGTH = 2048;
const TOKEN_SHAPE = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

/** One kind of link: its audience, the shape of its payload, and what to say when one is refused. */
export interface LinkKind<P> {
  audience: string;
  /** The whole payload (sub, jti, exp and the kind's claims) as it must be. */
  payload: z.ZodType<P>;
  expiredDetail: string;
  invalidDetail: string;
}

export type LinkCheck<P> =
  { ok: true; payload: P } | { ok: false; reason: 'expired' | 'invalid'; detail: string };

function keyBytes(base64Key: string): Uint8Array {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length < 32) throw new Error('APPROVAL_LINK_SIGNING_KEY must be base64 of at least 32 bytes');
  return new Uint8Array(key);
}

/** Signs a link token: `claims` are the kind's own; the link id is new unless given. */
export async function signLink(
  base64Key: string,
  link: {
    audience: string;
    subject: string;
    claims: Record<string, string>;
    issuedAt: Date;
    expiresAt: Date;
    linkId?: string;
  },
): Promise<{ token: string; linkId: string }> {
  const linkId = link.linkId ?? randomUUID();
  const token = await new SignJWT(link.claims)
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(LINK_ISSUER)
    .setAudience(link.audience)
    .setSubject(link.subject)
    .setJti(linkId)
    .setIssuedAt(Math.floor(link.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(link.expiresAt.getTime() / 1000))
    .sign(keyBytes(base64Key));
  return { token, linkId };
}

/** Checks signature (HS256 only), issuer, audience, expiry (against `now`, no tolerance) and the payload's shape. */
export async function verifyLink<P>(
  base64Key: string,
  kind: LinkKind<P>,
  token: string | null | undefined,
  now: Date,
): Promise<LinkCheck<P>> {
  if (!token) return { ok: false, reason: 'invalid', detail: 'The link has no token.' };
  if (token.length > MAX_TOKEN_LENGTH || !TOKEN_SHAPE.test(token))
    return { ok: false, reason: 'invalid', detail: 'The link is not one pimflow issued.' };
  try {
    const { payload } = await jwtVerify(token, keyBytes(base64Key), {
      algorithms: ['HS256'],
      issuer: LINK_ISSUER,
      audience: kind.audience,
      currentDate: now,
      clockTolerance: 0,
      requiredClaims: ['sub', 'jti', 'exp'],
    });
    const parsed = kind.payload.safeParse(payload);
    if (!parsed.success)
      return { ok: false, reason: 'invalid', detail: 'The link is not one pimflow issued.' };
    return { ok: true, payload: parsed.data };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return { ok: false, reason: 'expired', detail: kind.expiredDetail };
    if (err instanceof errors.JOSEError) return { ok: false, reason: 'invalid', detail: kind.invalidDetail };
    throw err;
  }
}

/** Where a link points: `{publicBaseUrl}/api/{route}?token=...`. */
export function linkUrl(publicBaseUrl: string, route: string, token: string): string {
  const url = new URL(`${publicBaseUrl.replace(/\/+$/, '')}/api/${route}`);
  url.searchParams.set('token', token);
  return url.toString();
}
