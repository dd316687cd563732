/**
 * `POST /api/admin/testEmail` (PimFlow.Admin): sends the "pimflow is running" message, to the caller or to the
 * addresses given, to show e-mail works end to end.
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { z } from 'zod';
import { APP_ROLES } from '../shared/auth/principal';
import { authenticate } from '../shared/http/caller';
import { parseJsonBody } from '../shared/http/json-body';
import { testMessage } from '../shared/mail/templates/test-message';
import { getAppServices } from '../shared/composition-root';
import { APP_VERSION } from '../shared/version';
import { problem } from '../shared/http/problem';

const bodySchema = z.strictObject({ to: z.array(z.email()).min(1).max(50).optional() }).default({});

export async function sendTestEmail(request: HttpRequest): Promise<HttpResponseInit> {
  const services = await getAppServices();
  const auth = await authenticate(request, services.tokens, [APP_ROLES.admin]);
  if (!auth.ok) return auth.response;
  const body = await parseJsonBody(request, bodySchema);
  if (!body.ok) return body.response;
  const to = body.value.to ?? (auth.caller.userPrincipalName ? [auth.caller.userPrincipalName] : []);
  if (to.length === 0) return problem(400, 'Give "to": your token names no e-mail address to send to.');
  const message = testMessage({
    apiUrl: `${services.settings.PUBLIC_BASE_URL.replace(/\/$/, '')}/api`,
    version: APP_VERSION,
    startedAt: services.clock.now(),
    recipientName: auth.caller.displayName,
  });
  const sent = await services.mailer.send({ to, ...message });
  return { status: 202, jsonBody: { id: sent.id, to } };
}

app.http('adminTestEmail', {
  route: 'admin/testEmail',
  methods: ['POST'],
  authLevel: 'anonymous',
  handler: sendTestEmail,
});
