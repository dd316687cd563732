/**
 * E-mail approval links. `GET /api/approvals/decide?token=...` shows the request with Approve / Deny and never acts
 * (link scanners must not approve); `POST /api/approvals/decide` (form-encoded `token`, `reviewResult`,
 * `justification`) decides once. Anonymous: the signed, expiring, single-use token is the credential — plus an
 * access token of the approver when APPROVAL_REQUIRE_SIGN_IN is set. See docs/approvals.md.
 */
import { app, type HttpRequest, type HttpResponseInit, type InvocationContext } from '@azure/functions';
import * as df from 'durable-functions';
import { errorPage } from '../shared/pim/approvals/approval-pages';
import { showDecisionPage, submitDecision } from '../shared/pim/approvals/link-decision';
import { getServices } from '../shared/services';

const MAX_FORM_BYTES = 16 * 1024;

export async function approvalDecidePage(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getServices();
  return showDecisionPage(services, request.query.get('token'));
}

export async function approvalDecideSubmit(
  request: HttpRequest,
  context: InvocationContext,
): Promise<HttpResponseInit> {
  const type = request.headers.get('content-type') ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(type)) {
    return errorPage(
      415,
      'Unsupported form',
      'Send the decision as a form (application/x-www-form-urlencoded).',
    );
  }
  if (Number(request.headers.get('content-length') ?? 0) > MAX_FORM_BYTES) {
    return errorPage(413, 'Too much text', 'The form is larger than a decision can be.');
  }
  const text = await request.text();
  if (Buffer.byteLength(text) > MAX_FORM_BYTES) {
    return errorPage(413, 'Too much text', 'The form is larger than a decision can be.');
  }
  const services = await getServices();
  const client = df.getClient(context);
  return submitDecision(
    services,
    new URLSearchParams(text),
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
