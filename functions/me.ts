/**
 * `GET /api/me`: who the API thinks is calling (object id, roles, MFA, authentication contexts). A signed-in user's
 * endpoint: app-only tokens are refused (403).
 */
import { app, type HttpRequest, type HttpResponseInit } from '@azure/functions';
import { authenticate } from '../shared/http/caller';
import { getAppServices } from '../shared/composition-root';

export async function me(request: HttpRequest): Promise<HttpResponseInit> {
  const { tokens } = await getAppServices();
  const auth = await authenticate(request, tokens, [], { userOnly: 'ask who they are (/me)' });
  if (!auth.ok) return auth.response;
  const c = auth.caller;
  return {
    jsonBody: {
      id: c.objectId,
      tenantId: c.tenantId,
      displayName: c.displayName ?? null,
      userPrincipalName: c.userPrincipalName ?? null,
      roles: c.roles,
      authenticationMethods: c.authenticationMethods,
      authenticationContexts: c.authenticationContexts,
    },
  };
}

app.http('me', { route: 'me', methods: ['GET'], authLevel: 'anonymous', handler: me });
