/**
 * Single-page app registrations: the `spa` platform of an Entra ID app registration. Entra ID only ever sends a
 * code to a redirect URI registered here, and only redeems a SPA's code or refresh token cross-origin with PKCE.
 */
import { TokenRequestError } from './token-request-error';

export interface SpaClient {
  clientId: string;
  displayName: string;
  /** Exact redirect URIs, compared as Entra ID does (scheme, host, port, path; case-insensitive host). */
  redirectUris: string[];
}

export class SpaClients {
  private readonly clients = new Map<string, SpaClient>();

  constructor(
    initial: SpaClient[],
    private readonly tenantId: string,
  ) {
    for (const c of initial) this.register(c);
  }

  /** Registers a SPA, or adds redirect URIs to one already registered under that client id. */
  register(client: SpaClient): SpaClient {
    const existing = this.clients.get(client.clientId.toLowerCase());
    if (existing) {
      for (const uri of client.redirectUris) {
        if (!existing.redirectUris.some((u) => sameUri(u, uri))) existing.redirectUris.push(uri);
      }
      return existing;
    }
    const registered = { ...client, redirectUris: [...client.redirectUris] };
    this.clients.set(client.clientId.toLowerCase(), registered);
    return registered;
  }

  find(clientId: string | null): SpaClient | undefined {
    return clientId ? this.clients.get(clientId.toLowerCase()) : undefined;
  }

  /** The client, or Entra ID's AADSTS700016 (the error Entra shows for an unknown application). */
  require(clientId: string | null): SpaClient {
    const client = this.find(clientId);
    if (!client) {
      throw new TokenRequestError(
        `AADSTS700016: Application with identifier '${clientId ?? ''}' was not found in the directory '${this.tenantId}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant.`,
        'unauthorized_client',
      );
    }
    return client;
  }

  /** Entra ID's AADSTS50011 unless `redirectUri` is one of the client's. */
  requireRedirectUri(client: SpaClient, redirectUri: string | null): string {
    if (!redirectUri || !client.redirectUris.some((u) => sameUri(u, redirectUri))) {
      throw new TokenRequestError(
        `AADSTS50011: The redirect URI '${redirectUri ?? ''}' specified in the request does not match the redirect URIs configured for the application '${client.clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal.`,
      );
    }
    return redirectUri;
  }

  /** Whether a sign-out may send the browser to `uri`: a registered redirect URI of some SPA, or its origin. */
  allowsPostLogoutRedirect(uri: string): boolean {
    for (const client of this.clients.values()) {
      for (const registered of client.redirectUris) {
        if (sameUri(registered, uri)) return true;
        const origin = safeUrl(registered)?.origin;
        if (origin && (uri === origin || uri === `${origin}/`)) return true;
      }
    }
    return false;
  }
}

function sameUri(a: string, b: string): boolean {
  const x = safeUrl(a);
  const y = safeUrl(b);
  return !!x && !!y && x.href === y.href;
}

function safeUrl(s: string): URL | undefined {
  try {
    return new URL(s);
  } catch {
    return undefined;
  }
}
