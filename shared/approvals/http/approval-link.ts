/**
 * E-mail approval links: a JWT (HS256, signed with APPROVAL_LINK_SIGNING_KEY) bound to one approval, one step, one
 * group and one approver (`sub`), with its own id (`jti`) and an `exp` equal to the step's expiry. The link opens a
 * confirmation page (GET never acts); the decision is a POST carrying the token, which is verified here and then
 * recorded as used in the same write as the decision (see approval-service.ts), so each link acts at most once.
 */
import { randomUUID } from 'node:crypto';
import { errors, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';

export const APPROVAL_LINK_ISSUER = 'pimflow';
export const APPROVAL_LINK_AUDIENCE = 'pimflow:approval-link';
/** Tokens we issue are about 450 characters; anything much longer is not one of ours. */
const MAX_TOKEN_LENGTH = 2048;

export interface ApprovalLinkClaims {
  approvalId: string;
  stepId: string;
  groupId: string;
  /** The approver the link was mailed to (`sub`). */
  approverId: string;
  /** The link's own id (`jti`): what "used" is recorded against. */
  linkId: string;
  expiresAt: Date;
}

export type LinkVerification =
  { ok: true; claims: ApprovalLinkClaims } | { ok: false; reason: 'expired' | 'invalid'; detail: string };

const payloadSchema = z.object({
  sub: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number(),
  apr: z.string().min(1),
  stp: z.string().min(1),
  grp: z.string().min(1),
});

function keyBytes(base64Key: string): Uint8Array {
  const key = Buffer.from(base64Key, 'base64');
  if (key.length < 32) throw new Error('APPROVAL_LINK_SIGNING_KEY must be base64 of at least 32 bytes');
  return new Uint8Array(key);
}

/** Signs a link token for one approver of one step. The token expires with the step. */
export async function signApprovalLink(
  base64Key: string,
  claims: {
    approvalId: string;
    stepId: string;
    groupId: string;
    approverId: string;
    expiresDateTime: string | Date;
    now: Date;
    linkId?: string;
  },
): Promise<{ token: string; linkId: string }> {
  const linkId = claims.linkId ?? randomUUID();
  const exp = Math.floor(new Date(claims.expiresDateTime).getTime() / 1000);
  const token = await new SignJWT({ apr: claims.approvalId, stp: claims.stepId, grp: claims.groupId })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(APPROVAL_LINK_ISSUER)
    .setAudience(APPROVAL_LINK_AUDIENCE)
    .setSubject(claims.approverId)
    .setJti(linkId)
    .setIssuedAt(Math.floor(claims.now.getTime() / 1000))
    .setExpirationTime(exp)
    .sign(keyBytes(base64Key));
  return { token, linkId };
}

/** Checks signature (HS256 only), issuer, audience, expiry (against `now`, no tolerance) and the claims' shape. */
export async function verifyApprovalLink(
  base64Key: string,
  token: string | null | undefined,
  now: Date,
): Promise<LinkVerification> {
  if (!token) return { ok: false, reason: 'invalid', detail: 'The link has no token.' };
  if (token.length > MAX_TOKEN_LENGTH || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) {
    return { ok: false, reason: 'invalid', detail: 'The link is not one pimflow issued.' };
  }
  try {
    const { payload } = await jwtVerify(token, keyBytes(base64Key), {
      algorithms: ['HS256'],
      issuer: APPROVAL_LINK_ISSUER,
      audience: APPROVAL_LINK_AUDIENCE,
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
        approvalId: p.apr,
        stepId: p.stp,
        groupId: p.grp,
        approverId: p.sub,
        linkId: p.jti,
        expiresAt: new Date(p.exp * 1000),
      },
    };
  } catch (err) {
    if (err instanceof errors.JWTExpired) {
      return { ok: false, reason: 'expired', detail: 'The link has expired: the approval step is over.' };
    }
    if (err instanceof errors.JOSEError) {
      return {
        ok: false,
        reason: 'invalid',
        detail: 'The link is not valid (it was changed or not issued by pimflow).',
      };
    }
    throw err;
  }
}

/** Where the link points: the confirmation page, `GET {PUBLIC_BASE_URL}/api/approvals/decide?token=...`. */
export function approvalLinkUrl(publicBaseUrl: string, token: string): string {
  const url = new URL(`${publicBaseUrl.replace(/\/+$/, '')}/api/approvals/decide`);
  url.searchParams.set('token', token);
  return url.toString();
}
