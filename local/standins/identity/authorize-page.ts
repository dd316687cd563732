/**
 * The stand-in's sign-in page for /authorize: instead of a password, pick a demo user, say whether they signed in
 * with MFA and which authentication contexts (Conditional Access) they satisfied. When the app passed a claims
 * challenge those boxes are ticked and required, and the page says why. No script, no external assets.
 */
import type { ClaimsDemand } from './claims-request';
import type { DirectoryUser } from './identity-stand-in';
import { escapeHtml } from './http';

/** The demo tenant's Conditional Access authentication contexts (what pimflow's policies may ask for). */
export const AUTHENTICATION_CONTEXTS: { id: string; name: string }[] = [
  { id: 'c1', name: 'Privileged role activation' },
  { id: 'c2', name: 'Compliant device' },
  { id: 'c3', name: 'Trusted location' },
];

export interface SignInPageModel {
  action: string;
  clientName: string;
  /** The /authorize parameters, carried as hidden fields. */
  params: URLSearchParams;
  users: { user: DirectoryUser; appRoles: string[] }[];
  selectedUser: string | undefined;
  demand: ClaimsDemand;
  error?: string;
}

const PAGE_STYLE =
  'body{font-family:system-ui,sans-serif;max-width:40rem;margin:1rem auto;padding:0 1rem;line-height:1.4}' +
  'fieldset{margin:1rem 0;border:1px solid #888;border-radius:4px}label{display:block;padding:.35rem 0}' +
  '.upn,.roles{display:block;margin-left:1.6rem;color:#444;font-size:.9rem}' +
  '.why,.error{padding:.5rem .75rem;border-left:4px solid}.why{border-color:#0f6cbd;background:#ebf3fc}' +
  '.error{border-color:#c50f1f;background:#fdf3f4}button{font-size:1rem;padding:.5rem 1.25rem}';

export function signInPage(m: SignInPageModel): (nonce: string) => string {
  const hidden = [...m.params]
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  const selected = m.selectedUser?.toLowerCase();
  const users = m.users
    .map(({ user, appRoles }, i) => {
      const checked =
        selected === user.id.toLowerCase() || selected === user.userPrincipalName.toLowerCase()
          ? ' checked'
          : '';
      const roles = appRoles.length > 0 ? `App roles: ${appRoles.join(', ')}` : 'No app roles';
      return `<label><input type="radio" name="signin_user" value="${escapeHtml(user.id)}"${checked}${i === 0 ? ' required' : ''}> ${escapeHtml(user.displayName)}<span class="upn">${escapeHtml(user.userPrincipalName)}</span><span class="roles">${escapeHtml(roles)}</span></label>`;
    })
    .join('');
  const why = reasons(m.demand);
  const contexts = AUTHENTICATION_CONTEXTS.map(({ id, name }) => {
    const asked = m.demand.acrs.includes(id) ? ' checked required' : '';
    return `<label><input type="checkbox" name="signin_acr" value="${id}"${asked}> ${id} — ${escapeHtml(name)}</label>`;
  }).join('');
  const mfa = m.demand.mfa ? ' checked required' : '';
  return (nonce) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in — pimflow local Entra ID</title>
<style nonce="${nonce}">${PAGE_STYLE}</style></head><body><main>
<h1>Sign in</h1>
<p>to <strong>${escapeHtml(m.clientName)}</strong> in the local demo tenant. Pick who you are; no password is asked.</p>
${why.length > 0 ? `<p class="why" id="why">${why.map(escapeHtml).join(' ')}</p>` : ''}
${m.error ? `<p class="error" role="alert" id="error">${escapeHtml(m.error)}</p>` : ''}
<form method="post" action="${escapeHtml(m.action)}">${hidden}
<fieldset><legend>User</legend>${users}</fieldset>
<fieldset><legend>How you signed in</legend>
<label><input type="checkbox" name="signin_mfa" value="true"${mfa}> Signed in with multifactor authentication (MFA)</label>
</fieldset>
<fieldset><legend>Authentication contexts satisfied (Conditional Access)</legend>${contexts}</fieldset>
<button type="submit">Sign in</button>
</form></main></body></html>`;
}

/** Why the app asked for more: the claims challenge in words. */
export function reasons(demand: ClaimsDemand): string[] {
  const out: string[] = [];
  if (demand.mfa) out.push('The app asks you to sign in again with MFA.');
  for (const acr of demand.acrs) {
    const name = AUTHENTICATION_CONTEXTS.find((c) => c.id === acr)?.name ?? 'an authentication context';
    out.push(`The app asks you to satisfy the authentication context ${acr} (${name}).`);
  }
  return out;
}

/** A page that shows an error the stand-in will not send to an untrusted redirect URI. */
export function errorPage(title: string, message: string): (nonce: string) => string {
  return simplePage(title, `<p role="alert">${escapeHtml(message)}</p>`);
}

export function signedOutPage(): (nonce: string) => string {
  return simplePage(
    'You signed out',
    '<p>You signed out of the local demo tenant. You can close this window.</p>',
  );
}

/** response_mode=form_post: the answer posted to the redirect URI by the browser. */
export function formPostPage(redirectUri: string, fields: Record<string, string>): (nonce: string) => string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(v)}">`)
    .join('');
  return (nonce) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Working…</title></head>
<body><form method="post" action="${escapeHtml(redirectUri)}" id="f">${inputs}
<noscript><button type="submit">Continue</button></noscript></form>
<script nonce="${nonce}">document.getElementById('f').submit();</script></body></html>`;
}

function simplePage(title: string, body: string): (nonce: string) => string {
  return (nonce) => `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>${escapeHtml(title)} — pimflow local Entra ID</title>
<style nonce="${nonce}">${PAGE_STYLE}</style></head><body><main><h1>${escapeHtml(title)}</h1>${body}</main></body></html>`;
}
