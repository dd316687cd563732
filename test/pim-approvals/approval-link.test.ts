/** Approval link tokens: bound to approval, step, group and approver; HS256 only; expiring with the step. */
import { base64url, SignJWT, UnsecuredJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  APPROVAL_LINK_AUDIENCE,
  APPROVAL_LINK_ISSUER,
  approvalLinkUrl,
  signApprovalLink,
  verifyApprovalLink,
} from '../../shared/approvals/http/approval-link';

const KEY = Buffer.alloc(32, 42).toString('base64');
const NOW = new Date('2026-03-02T09:00:00Z');
const CLAIMS = {
  approvalId: '0b6a1f8e-2c1d-4a57-9a61-8f0f4c1d2e3f',
  stepId: '6f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0',
  groupId: 'e3d4b516-8621-440b-a7a2-58d0c8c710af',
  approverId: '5086750c-97de-48f3-afc6-375703a718bb',
  expiresDateTime: '2026-03-03T09:00:00.000Z',
  now: NOW,
};

describe('approval links', () => {
  it('round-trips the claims, with a fresh id per link', async () => {
    const a = await signApprovalLink(KEY, CLAIMS);
    const b = await signApprovalLink(KEY, CLAIMS);
    expect(a.linkId).not.toBe(b.linkId);
    const verified = await verifyApprovalLink(KEY, a.token, NOW);
    expect(verified).toEqual({
      ok: true,
      claims: {
        approvalId: CLAIMS.approvalId,
        stepId: CLAIMS.stepId,
        groupId: CLAIMS.groupId,
        approverId: CLAIMS.approverId,
        linkId: a.linkId,
        expiresAt: new Date(CLAIMS.expiresDateTime),
      },
    });
  });

  it('expires with the step, to the second', async () => {
    const { token } = await signApprovalLink(KEY, CLAIMS);
    expect((await verifyApprovalLink(KEY, token, new Date('2026-03-03T08:59:59Z'))).ok).toBe(true);
    expect(await verifyApprovalLink(KEY, token, new Date('2026-03-03T09:00:00Z'))).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses changed claims, other keys, other algorithms, other audiences, and junk', async () => {
    const { token } = await signApprovalLink(KEY, CLAIMS);
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(new TextDecoder().decode(base64url.decode(payload))) as Record<string, unknown>;
    const changed = (patch: Record<string, unknown>) =>
      `${header}.${base64url.encode(JSON.stringify({ ...claims, ...patch }))}.${signature}`;
    const other = await signApprovalLink(Buffer.alloc(32, 1).toString('base64'), CLAIMS);
    const none = new UnsecuredJWT({ ...claims }).encode();
    const hs512 = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: 'HS512' })
      .sign(new Uint8Array(Buffer.from(KEY, 'base64')));
    const wrongAudience = await new SignJWT({ ...claims, aud: 'api://pimflow' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new Uint8Array(Buffer.from(KEY, 'base64')));
    const missingGroup = await new SignJWT({ apr: CLAIMS.approvalId, stp: CLAIMS.stepId })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(APPROVAL_LINK_ISSUER)
      .setAudience(APPROVAL_LINK_AUDIENCE)
      .setSubject(CLAIMS.approverId)
      .setJti('x')
      .setExpirationTime('1d')
      .sign(new Uint8Array(Buffer.from(KEY, 'base64')));
    for (const bad of [
      changed({ sub: 'c1aa92a1-3b8e-47a9-b756-6f6490a3d1ed' }),
      changed({ exp: 4102444800 }),
      changed({ apr: '11111111-1111-4111-8111-111111111111' }),
      other.token,
      none,
      hs512,
      wrongAudience,
      missingGroup,
      `${token}x`,
      'a.b',
      'x'.repeat(5000),
      null,
    ]) {
      expect(await verifyApprovalLink(KEY, bad, NOW), String(bad).slice(0, 40)).toMatchObject({
        ok: false,
        reason: 'invalid',
      });
    }
  });

  it('points at the confirmation page', () => {
    expect(approvalLinkUrl('https://pimflow.example.com/', 'a.b.c')).toBe(
      'https://pimflow.example.com/api/approvals/decide?token=a.b.c',
    );
  });
});
