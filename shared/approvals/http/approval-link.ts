/**
 * E-mail approval links: a signed link (shared/auth/signed-link.ts) bound to one approval, one step, one group and
 * one approver (`sub`), with its own id (`jti`) and an `exp` equal to the step's expiry. The link opens a
 * confirmation page (GET never acts); the decision is a POST carrying the token, which is verified here and then
 * recorded as used in the same write as the decision (see approval-service.ts), so each link acts at most once.
 */
import { z } from 'zod';
import { LINK_ISSUER, linkUrl, signLink, verifyLink, type LinkKind } from '../../auth/signed-link';

export const APPROVAL_LINK_ISSUER = LINK_ISSUER;
export const APPROVAL_LINK_AUDIENCE = 'pimflow:approval-link';

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

const APPROVAL_LINK: LinkKind<{
  sub: string;
  jti: string;
  exp: number;
  apr: string;
  stp: string;
  grp: string;
}> = {
  audience: APPROVAL_LINK_AUDIENCE,
  payload: z.object({
    sub: z.string().min(1),
    jti: z.string().min(1),
    exp: z.number(),
    apr: z.string().min(1),
    stp: z.string().min(1),
    grp: z.string().min(1),
  }),
  expiredDetail: 'The link has expired: the approval step is over.',
  invalidDetail: 'The link is not valid (it was changed or not issued by pimflow).',
};

/** Signs a link token for one approver of one step. The token expires with the step. */
export function signApprovalLink(
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
  return signLink(base64Key, {
    audience: APPROVAL_LINK_AUDIENCE,
    subject: claims.approverId,
    claims: { apr: claims.approvalId, stp: claims.stepId, grp: claims.groupId },
    issuedAt: claims.now,
    expiresAt: new Date(claims.expiresDateTime),
    linkId: claims.linkId,
  });
}

/** Checks signature (HS256 only), issuer, audience, expiry (against `now`, no tolerance) and the claims' shape. */
export async function verifyApprovalLink(
  base64Key: string,
  token: string | null | undefined,
  now: Date,
): Promise<LinkVerification> {
  const checked = await verifyLink(base64Key, APPROVAL_LINK, token, now);
  if (!checked.ok) return checked;
  const p = checked.payload;
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
}

/** Where the link points: the confirmation page, `GET {PUBLIC_BASE_URL}/api/approvals/decide?token=...`. */
export function approvalLinkUrl(publicBaseUrl: string, token: string): string {
  return linkUrl(publicBaseUrl, 'approvals/decide', token);
}
