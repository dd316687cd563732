/**
 * The Microsoft Graph client for a base URL such as `https://graph.microsoft.com/v1.0`. The token's scope is
 * the base URL's origin + `/.default`, and the host is a custom host so the client attaches the token to it (it
 * only does so for Microsoft's Graph hosts and the ones named in `customHosts`); the same code serves Azure and a
 * local stand-in.
 */
import {
  AuthenticationHandler,
  Client,
  HTTPMessageHandler,
  TelemetryHandler,
} from '@microsoft/microsoft-graph-client';
import { TokenCredentialAuthenticationProvider } from '@microsoft/microsoft-graph-client/authProviders/azureTokenCredentials';
import type { TokenCredential } from '@azure/core-auth';

export function createGraphClient(baseUrl: string, credential: TokenCredential): Client {
  const url = new URL(baseUrl);
  const authProvider = new TokenCredentialAuthenticationProvider(credential, {
    scopes: [`${url.origin}/.default`],
  });
  return Client.initWithMiddleware({
    baseUrl: url.origin,
    defaultVersion: url.pathname.replace(/^\/+|\/+$/g, ''),
    customHosts: new Set([url.hostname]),
    // The default chain minus RetryHandler (retries are ours: retry-policy.ts) and RedirectHandler (Graph's
    // directory API doesn't redirect).
    middleware: [new AuthenticationHandler(authProvider), new TelemetryHandler(), new HTTPMessageHandler()],
  });
}
