/**
 * E-mail approval links. `GET /api/approvals/decide?token=...` shows the request with Approve / Deny and never acts
 * (link scanners must not approve); `POST /api/approvals/decide` (form-encoded `token`, `reviewResult`,
 * `justification`) decides once. Anonymous: the signed, expiring, single-use token is the credential — plus an
 * access token of the approver when APPROVAL_REQUIRE_SIGN_IN is set. A cross-site POST (`Sec-Fetch-Site:
 * cross-site`, which browsers send) is refused before anything is read, as on the access review page. See
 * docs/approvals.md.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { readBodyText } from '../shared/http/body';
import { errorPage } from '../shared/approvals/http/approval-pages';
import { showDecisionPage, submitDecision } from '../shared/approvals/http/link-decision';
import { getAppServices } from '../shared/composition-root';

const MAX_FORM_BYTES = 16 * 1024;

export async function approvalDecidePage(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  return showDecisionPage(services, request.query.get('token'));
}

export async function approvalDecideSubmit(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  // Decisions are taken on the page itself: a form another site makes the approver's browser post is refused first.
  if (request.headers.get('sec-fetch-site') === 'cross-site') {
    return errorPage(
      403,
      'Not sent from the approval page',
      'Decisions are taken on the approval page itself.',
    );
  }
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return errorPage(
      415,
      'Unsupported form',
      'Send the decision as a form (application/x-www-form-urlencoded).',
    );
  }
  const body = await readBodyText(request, MAX_FORM_BYTES);
  if (!body.ok) return errorPage(413, 'Too much text', 'The form is larger than a decision can be.');
  const services = await getAppServices();
  const client = df.getClient(context);
  return submitDecision(
    services,
    new URLSearchParams(body.text),
    request.headers.get('authorization'),
    (id, name, payload) => client.raiseEvent(id, name, payload),
  );
}

app.http('approvalDecidePage', {
  route: 'approvals/decide',
  methods: ['GET'],
  authLevel: 'anonymous',
  handler: approvalDecidePage,
});
app.http('approvalDecideSubmit', {
  route: 'approvals/decide',
  methods: ['POST'],
  authLevel: 'anonymous',
  extraInputs: [df.input.durableClient()],
  handler: approvalDecideSubmit,
});
