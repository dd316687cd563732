/**
 * MSAL for the portal: Entra ID's authorization code flow with PKCE (a single-page application registration), the
 * session kept per tab (sessionStorage). Tokens for the API come silently (cache, then refresh token); when the API
 * asks for more (a claims challenge: MFA or an authentication context) or the session is gone, the user signs in in a
 * popup, or by a full-page redirect when the browser blocks popups.
 */
import {
  BrowserAuthError,
  InteractionRequiredAuthError,
  PublicClientApplication,
  type AccountInfo,
} from '@azure/msal-browser';
import type { TokenSource } from '../api/client';
import { PORTAL_BASE, type PortalConfig } from './portal-config';

export function createMsal(config: PortalConfig): PublicClientApplication {
  return new PublicClientApplication({
    auth: {
      clientId: config.clientId,
      authority: config.authority,
      knownAuthorities: config.knownAuthorities,
      redirectUri: new URL('redirect.html', PORTAL_BASE).href,
      postLogoutRedirectUri: PORTAL_BASE,
    },
    cache: { cacheLocation: 'sessionStorage' },
  });
}

export function signIn(msal: PublicClientApplication, config: PortalConfig): Promise<void> {
  return msal.loginRedirect({ scopes: [config.apiScope], prompt: 'select_account' });
}

export function signOut(msal: PublicClientApplication, account: AccountInfo | null): Promise<void> {
  return msal.logoutRedirect({ account: account ?? undefined });
}

export function tokenSource(msal: PublicClientApplication, config: PortalConfig): TokenSource {
  return {
    async token(claims) {
      const account = msal.getActiveAccount() ?? msal.getAllAccounts()[0];
      const request = { scopes: [config.apiScope], account, ...(claims ? { claims } : {}) };
      if (account) {
        try {
          return (await msal.acquireTokenSilent({ ...request, account })).accessToken;
        } catch (err) {
          if (!(err instanceof InteractionRequiredAuthError) && !(err instanceof BrowserAuthError)) throw err;
        }
      }
      try {
        const result = await msal.acquireTokenPopup(request);
        msal.setActiveAccount(result.account);
        return result.accessToken;
      } catch (err) {
        if (err instanceof BrowserAuthError && err.errorCode === 'popup_window_error') {
          await msal.acquireTokenRedirect(request);
        }
        throw err;
      }
    },
  };
}
