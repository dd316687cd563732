/**
 * Browser tests run in headless Chromium (Debian's `chromium`, driven by `playwright-core`; browser downloads
 * don't work here). `describeInBrowser` skips its tests when no Chromium is found — and test/global-setup.ts says so
 * loudly, so a skipped browser suite never passes unnoticed.
 */
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe } from 'vitest';
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

export const describeInBrowser = findChromium() ? describe : describe.skip;

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
