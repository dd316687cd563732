/**
 * The redirect URI's page: MSAL (v5) hands the sign-in answer from here to the window that asked for it (a popup's
 * opener, a silent iframe's parent) or, after a full-page sign-in, returns to the page the user was on.
 */
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

broadcastResponseToMainFrame().catch(() => {
  // Nothing to hand over (opened by hand, or an old link): go to the portal's start page.
  window.location.replace(new URL('./', window.location.href).toString());
});
