/**
 * What the portal needs to sign people in, from the app's settings: served as `/api/portal/config.json` so one build
 * of the portal runs against any tenant (the local stand-in, Entra ID, a sovereign cloud) without rebuilding.
 */
import type { Settings } from '../config';

export interface PortalConfig {
  /** The portal's app registration (a single-page application platform with the portal's redirect URI). */
  clientId: string;
  /** `https://login.microsoftonline.com/{tenant}`: the issuer without its `/v2.0`. */
  authority: string;
  /** Hosts MSAL may trust without asking Microsoft's instance discovery (only needed off Entra ID's public cloud). */
  knownAuthorities: string[];
  /** The delegated scope of the pimflow API the portal asks for. */
  apiScope: string;
}

export type PortalConfigOutcome = { ok: true; config: PortalConfig } | { ok: false; reason: string };

export function portalConfig(settings: Settings): PortalConfigOutcome {
  if (!settings.PORTAL_CLIENT_ID) {
    return {
      ok: false,
      reason:
        'The portal has no app registration: set PORTAL_CLIENT_ID (infra/scripts/setup-entra.sh prints it).',
    };
  }
  const authority = settings.AUTH_ISSUER.replace(/\/v2\.0\/?$/, '');
  // Entra ID's v2.0 access tokens name the API by its application ID URI or client id; both scope forms work.
  const audience = settings.AUTH_AUDIENCE.replace(/\/$/, '');
  return {
    ok: true,
    config: {
      clientId: settings.PORTAL_CLIENT_ID,
      authority,
      knownAuthorities: [new URL(authority).host],
      apiScope: `${audience}/access_as_user`,
    },
  };
}
