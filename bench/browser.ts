/**
 * Headless Chromium for browser tests and the portal benchmark: Debian's `chromium`, driven by `playwright-core`
 * (browser downloads don't work here), with the flags a closed network needs.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { TlsMaterial } from '../local/standins/tls';

const CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
];

export function findChromium(): string | undefined {
  const configured = process.env.CHROMIUM_PATH;
  if (configured) return existsSync(configured) ? configured : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

/** Launches headless Chromium; with `tls`, it accepts the stand-ins' certificate (pinned by its key, nothing else). */
export async function launchChromium(tls?: TlsMaterial): Promise<Browser> {
  const executablePath = findChromium();
  if (!executablePath) throw new Error('No Chromium found (install Debian chromium or set CHROMIUM_PATH)');
  return chromium.launch({
    executablePath,
    headless: true,
    // This machine's network is closed: without these Chromium keeps trying to reach Google's services.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      ...(tls ? [`--ignore-certificate-errors-spki-list=${spkiHash(tls.cert)}`] : []),
    ],
  });
}

function spkiHash(certPem: string): string {
  const spki = new X509Certificate(certPem).publicKey.export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(spki).digest('base64');
}

export interface SignInOptions {
  /** Signed in with multifactor authentication (the sign-in page's MFA box). */
  mfa?: boolean;
  /** Authentication contexts satisfied at sign-in (`c1`…). */
  contexts?: string[];
}

/**
 * On the identity stand-in's sign-in page (a full page, or a popup when the portal asks for more — MFA, a context):
 * pick the user, tick what was proven, continue.
 */
export async function signInOnStandIn(page: Page, upn: string, o: SignInOptions = {}): Promise<void> {
  await page.waitForURL(/\/oauth2\/v2\.0\/authorize/);
  await page.getByRole('radio', { name: new RegExp(escapeRegExp(upn), 'i') }).check();
  const mfa = page.getByRole('checkbox', { name: /multifactor/i });
  if (o.mfa && !(await mfa.isChecked())) await mfa.check();
  for (const c of o.contexts ?? []) {
    const box = page.getByRole('checkbox', { name: new RegExp(`^${escapeRegExp(c)}\\b`) });
    if (!(await box.isChecked())) await box.check();
  }
  await page.getByRole('button', { name: /sign in|continue/i }).click();
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
