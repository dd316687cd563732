/**
 * Review-page links: bound to one instance and one reviewer, HS256 only, expiring with the instance, with their own
 * audience — an approval link is no review link (and the other way round).
 */
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signApprovalLink, verifyApprovalLink } from '../../shared/approvals/http/approval-link';
import {
  REVIEW_LINK_AUDIENCE,
  REVIEW_LINK_ISSUER,
  reviewPageUrl,
  signReviewLink,
  verifyReviewLink,
} from '../../shared/reviews/http/review-link';

const KEY = Buffer.alloc(32, 42).toString('base64');
const SETTINGS = { PUBLIC_BASE_URL: 'https://pimflow.example/', APPROVAL_LINK_SIGNING_KEY: KEY };
const NOW = new Date('2026-03-02T09:00:00Z');
const END = new Date('2026-03-16T09:00:00Z');
const CLAIMS = {
  instanceId: '0b6a1f8e-2c1d-4a57-9a61-8f0f4c1d2e3f',
  reviewerId: '5086750c-97de-48f3-afc6-375703a718bb',
  expiresAt: END,
};

function tokenOf(url: string): string {
  const parsed = new URL(url);
  return parsed.searchParams.get('token') ?? '';
}

describe('review links', () => {
  it('points at the review page and round-trips the claims, with a fresh id per link', async () => {
    const url = await reviewPageUrl(SETTINGS, CLAIMS, NOW);
    expect(url).toMatch(
      /^https:\/\/pimflow\.example\/api\/accessReviews\/review\?token=[\w-]+\.[\w-]+\.[\w-]+$/,
    );
    const again = await reviewPageUrl(SETTINGS, CLAIMS, NOW);
    const a = await verifyReviewLink(SETTINGS, tokenOf(url), NOW);
    const b = await verifyReviewLink(SETTINGS, tokenOf(again), NOW);
    expect(a).toEqual({
      ok: true,
      claims: {
        instanceId: CLAIMS.instanceId,
        reviewerId: CLAIMS.reviewerId,
        linkId: expect.any(String) as string,
        expiresAt: END,
      },
    });
    expect(a.ok && b.ok && a.claims.linkId !== b.claims.linkId).toBe(true);
  });

  it('normalises the reviewer id to lower case (reviewer ids in decision items are)', async () => {
    const { token } = await signReviewLink(KEY, { ...CLAIMS, reviewerId: CLAIMS.reviewerId.toUpperCase() });
    expect(await verifyReviewLink(SETTINGS, token, NOW)).toMatchObject({
      ok: true,
      claims: { reviewerId: CLAIMS.reviewerId },
    });
  });

  it('expires with the instance, to the second', async () => {
    const { token } = await signReviewLink(KEY, { ...CLAIMS, now: NOW });
    expect((await verifyReviewLink(SETTINGS, token, new Date('2026-03-16T08:59:59Z'))).ok).toBe(true);
    expect(await verifyReviewLink(SETTINGS, token, END)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('refuses changed claims, other keys, other algorithms, other audiences, and junk', async () => {
    const { token } = await signReviewLink(KEY, { ...CLAIMS, now: NOW });
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    expect(claims).toMatchObject({
      aud: REVIEW_LINK_AUDIENCE,
      iss: REVIEW_LINK_ISSUER,
      sub: CLAIMS.reviewerId,
    });
    const changed = (patch: Record<string, unknown>) =>
      `${header}.${base64url.encode(JSON.stringify({ ...claims, ...patch }))}.${signature}`;
    const other = await signReviewLink(Buffer.alloc(32, 1).toString('base64'), CLAIMS);
    const none = new UnsecuredJWT({ ...claims }).encode();
    const key = new Uint8Array(Buffer.from(KEY, 'base64'));
    const hs512 = await new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS512' }).sign(key);
    const otherAudience = await new SignJWT({ ...claims, aud: 'pimflow:something-else' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key);
    const noInstance = await new SignJWT({ ...claims, rvi: undefined })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(key);
    const cases: [string, string | null | undefined][] = [
      ['another reviewer', changed({ sub: 'c1aa92a1-3b8e-47a9-b756-6f6490a3d1ed' })],
      ['another instance', changed({ rvi: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0' })],
      ['a later expiry', changed({ exp: Number(claims.exp) + 86_400 })],
      ['another key', other.token],
      ['alg none', none],
      ['HS512', hs512],
      ['another audience', otherAudience],
      ['no instance claim', noInstance],
      ['no token', null],
      ['empty', ''],
      ['junk', 'not-a-token'],
      ['far too long', `${'a'.repeat(3000)}.b.c`],
    ];
    for (const [name, bad] of cases) {
      const verified = await verifyReviewLink(SETTINGS, bad, NOW);
      expect(verified, name).toMatchObject({ ok: false, reason: 'invalid' });
    }
  });

  it('is no approval link, and an approval link is no review link', async () => {
    const approval = await signApprovalLink(KEY, {
      approvalId: CLAIMS.instanceId,
      stepId: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
      groupId: 'e3d4b516-8621-440b-a7a2-58d0c8c710af',
      approverId: CLAIMS.reviewerId,
      expiresDateTime: END,
      now: NOW,
    });
    expect(await verifyReviewLink(SETTINGS, approval.token, NOW)).toMatchObject({
      ok: false,
      reason: 'invalid',
    });
    const review = await signReviewLink(KEY, { ...CLAIMS, now: NOW });
    expect(await verifyApprovalLink(KEY, review.token, NOW)).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
