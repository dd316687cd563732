/**
 * Deciding from an e-mail link. `GET /api/approvals/decide?token=...` shows the confirmation page and never acts
 * (link scanners and previews open links); `POST /api/approvals/decide` (form-encoded `token`, `reviewResult`,
 * `justification`) verifies the token, decides the step, and records the link as used in the same ETag-guarded write,
 * so it acts once. With APPROVAL_REQUIRE_SIGN_IN the POST must also carry an access token of the approver the link
 * was sent to: the `Authorization: Bearer` header, or (from the page's form) the `access_token` field (RFC 6750 §2.2).
 */
import type { HttpResponseInit } from '@azure/functions';
import type { CallerPrincipal } from '../../auth/principal';
import type { TokenValidator } from '../../auth/token-validator';
import type { Settings } from '../../config';
import type { ApprovalServices, RaiseDecision } from '../approval-services';
import { decideApprovalStep } from '../decide-approval';
import type { Approval, ApprovalStep } from '../domain/approval';
import { whyNotDecidable, type DecideRefused } from '../domain/decision-rules';
import { checkLinkSignIn, type LinkSignIn } from '../../http/pages/link-sign-in';
import { verifyApprovalLink, type ApprovalLinkClaims } from './approval-link';
import { errorPage, resultPage, reviewPage } from './approval-pages';
import { refusalStatus } from './refusal-status';

export interface LinkServices extends ApprovalServices {
  settings: Pick<Settings, 'APPROVAL_LINK_SIGNING_KEY' | 'APPROVAL_REQUIRE_SIGN_IN'>;
  tokens: TokenValidator;
}

const TITLES: Record<DecideRefused['reason'], string> = {
  notFound: 'Request not found',
  notApprover: 'Not your request to decide',
  ownRequest: 'You cannot approve your own request',
  alreadyDecided: 'Already decided',
  expired: 'The time to decide is over',
  canceled: 'Request canceled',
  justificationRequired: 'A justification is required',
  justificationTooLong: 'The justification is too long',
  linkUsed: 'This link has already been used',
  notStarted: 'This stage has not started yet',
};

type Loaded =
  | { ok: true; claims: ApprovalLinkClaims; approval: Approval; step: ApprovalStep }
  | { ok: false; response: HttpResponseInit };

/** Verifies the token and finds what it points at; an error page when the link can't be used. */
async function load(services: LinkServices, token: string | null, now: Date): Promise<Loaded> {
  const verified = await verifyApprovalLink(services.settings.APPROVAL_LINK_SIGNING_KEY, token, now);
  if (!verified.ok) {
    return {
      ok: false,
      response:
        verified.reason === 'expired'
          ? errorPage(
              410,
              'This link has expired',
              `${verified.detail} The request can no longer be approved or denied with it.`,
            )
          : errorPage(400, 'This link is not valid', verified.detail),
    };
  }
  const claims = verified.claims;
  const approval = await services.approvals.find(claims.approvalId, claims.groupId);
  const step = approval?.steps.find((s) => s.id === claims.stepId);
  if (!approval || !step) {
    return {
      ok: false,
      response: errorPage(404, TITLES.notFound, 'The request this link is for no longer exists.'),
    };
  }
  return { ok: true, claims, approval, step };
}

function refusalPage(refusal: DecideRefused, approval?: Approval): HttpResponseInit {
  return errorPage(refusalStatus(refusal.reason), TITLES[refusal.reason], refusal.detail, approval);
}

/** Why the approver's sign-in doesn't do, as a page. */
function signInRefusal(refused: Exclude<LinkSignIn, { ok: true }>, approval: Approval): HttpResponseInit {
  switch (refused.why) {
    case 'notSignedIn':
      return errorPage(
        401,
        'Sign-in required',
        `Deciding this request needs you signed in as the approver it was sent to (${refused.message}). Go back, and give an access token, or decide through the API.`,
        approval,
        { 'www-authenticate': refused.wwwAuthenticate },
      );
    case 'appOnly':
      return errorPage(
        403,
        'Sign in as the approver',
        'That access token is an app-only token (client credentials): approving needs the approver signed in, with a token issued to them.',
        approval,
      );
    case 'someoneElse':
      return errorPage(
        403,
        'Signed in as someone else',
        'This link was sent to another approver: sign in as that approver, or use your own link.',
        approval,
      );
  }
}

/** GET: the confirmation page, or why the link can't be used. Reads only. */
export async function showDecisionPage(
  services: LinkServices,
  token: string | null,
): Promise<HttpResponseInit> {
  const now = services.clock.now();
  const loaded = await load(services, token, now);
  if (!loaded.ok) return loaded.response;
  const { claims, approval, step } = loaded;
  const refusal = whyNotDecidable(
    approval,
    step,
    { approver: { id: claims.approverId }, linkId: claims.linkId },
    undefined,
    now,
  );
  if (refusal) return refusalPage(refusal, refusal.reason === 'notFound' ? undefined : approval);
  const approver = await services.directory.getUser(claims.approverId).catch(() => null);
  return reviewPage({
    approval,
    step,
    token: token as string,
    approverName: approver?.displayName ?? null,
    requireSignIn: services.settings.APPROVAL_REQUIRE_SIGN_IN === true,
  });
}

/** POST: verify, (sign-in), decide, record the link used; the result page or why not. */
export async function submitDecision(
  services: LinkServices,
  form: URLSearchParams,
  authorization: string | null,
  raiseDecision: RaiseDecision,
): Promise<HttpResponseInit> {
  const now = services.clock.now();
  const token = form.get('token');
  const loaded = await load(services, token, now);
  if (!loaded.ok) return loaded.response;
  const { claims, approval, step } = loaded;
  const requireSignIn = services.settings.APPROVAL_REQUIRE_SIGN_IN === true;
  const justification = form.get('justification') ?? '';
  const reviewResult = form.get('reviewResult');
  const again = (status: number, message: string, approverName: string | null) =>
    reviewPage({
      approval,
      step,
      token: token as string,
      approverName,
      requireSignIn,
      error: { status, message },
      justification,
    });

  let signedIn: CallerPrincipal | undefined;
  if (requireSignIn) {
    const check = await checkLinkSignIn(
      services.tokens,
      authorization,
      form.get('access_token'),
      claims.approverId,
    );
    if (!check.ok) return signInRefusal(check, approval);
    signedIn = check.signedIn;
  }

  const approverName =
    signedIn?.displayName ??
    (await services.directory.getUser(claims.approverId).catch(() => null))?.displayName ??
    null;
  if (reviewResult !== 'Approve' && reviewResult !== 'Deny') {
    return again(400, 'Choose Approve or Deny.', approverName);
  }
  const result = await decideApprovalStep(services, {
    approvalId: claims.approvalId,
    groupId: claims.groupId,
    stepId: claims.stepId,
    approver: { id: claims.approverId, displayName: approverName },
    reviewResult,
    justification,
    raiseDecision,
    linkId: claims.linkId,
    now,
  });
  if (result.outcome === 'refused') {
    if (result.reason === 'justificationRequired' || result.reason === 'justificationTooLong')
      return again(400, result.detail, approverName);
    return refusalPage(result, result.reason === 'notFound' ? undefined : approval);
  }
  return resultPage({
    approval: result.approval,
    decision: result.decision,
    eventRaised: result.eventRaised,
  });
}
