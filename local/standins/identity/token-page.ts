/** The identity stand-in's page: pick a demo user, roles, MFA and authentication contexts; get a token. */
import { escapeHtml } from './http';
import type { DirectoryUser } from './identity-stand-in';

const ROLES = ['PimFlow.Admin', 'PimFlow.Auditor'];

export function tokenPage(tokenUrl: string, users: DirectoryUser[]): string {
  const options = users
    .map(
      (u) =>
        `<option value="${escapeHtml(u.userPrincipalName)}">${escapeHtml(u.displayName)} (${escapeHtml(u.userPrincipalName)})</option>`,
    )
    .join('');
  const roles = ROLES.map((r) => `<label><input type="checkbox" name="role" value="${r}"> ${r}</label>`).join(
    ' ',
  );
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>pimflow local sign-in</title>
<style>body{font-family:system-ui,sans-serif;max-width:48rem;margin:2rem auto}textarea{width:100%;height:10rem}label{margin-right:1rem}</style>
</head><body><h1>pimflow local sign-in</h1>
<p>Get an access token for the pimflow API as any demo user. Tokens come from <code>${escapeHtml(tokenUrl)}</code>.</p>
<form id="f"><p><label>User <select name="user">${options}</select></label></p>
<p>${roles}</p>
<p><label><input type="checkbox" name="mfa"> signed in with MFA (amr: mfa)</label></p>
<p><label>Authentication contexts (acrs, comma-separated) <input name="acrs" placeholder="c1"></label></p>
<p><button>Get token</button></p></form>
<textarea id="token" readonly aria-label="access token"></textarea>
<script>
document.getElementById('f').addEventListener('submit', async (e) => {
  e.preventDefault();
  const f = new FormData(e.target);
  const body = { user: f.get('user'), roles: f.getAll('role'), amr: f.get('mfa') ? ['pwd', 'mfa'] : ['pwd'],
    acrs: String(f.get('acrs') || '').split(',').map((s) => s.trim()).filter(Boolean) };
  const res = await fetch(${JSON.stringify(tokenUrl)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json();
  document.getElementById('token').value = json.access_token || json.error_description;
});
</script></body></html>`;
}
