/** What the function app says about sign-in (`/api/portal/config.json`, from its settings). */
export interface PortalConfig {
  clientId: string;
  authority: string;
  knownAuthorities: string[];
  apiScope: string;
}

/** The portal's own base URL (`…/api/portal/`), whatever page of it is open. */
export const PORTAL_BASE = new URL(import.meta.env.BASE_URL, window.location.origin).href;

export async function loadPortalConfig(): Promise<PortalConfig> {
  const res = await fetch(new URL('config.json', PORTAL_BASE), { cache: 'no-cache' });
  const body = (await res.json().catch(() => ({}))) as Partial<PortalConfig> & { detail?: string };
  if (!res.ok || !body.clientId || !body.authority || !body.apiScope) {
    throw new Error(body.detail ?? `The portal's settings could not be read (HTTP ${res.status}).`);
  }
  return {
    clientId: body.clientId,
    authority: body.authority,
    knownAuthorities: body.knownAuthorities ?? [],
    apiScope: body.apiScope,
  };
}
