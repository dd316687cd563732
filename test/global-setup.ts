/**
 * One Azurite for the whole test run (each test uses its own task hub), on ports away from `npm start`'s, with
 * data in a temporary folder. Stopped at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureAzurite } from '../local/azurite';
import { ensureLocalTls } from '../local/standins/tls';
import { findChromium } from './browser';

export default async function setup(): Promise<() => Promise<void>> {
  const chromium = findChromium();
  if (chromium) {
    console.log(`Browser tests: running in ${chromium}`);
  } else {
    const line = '!'.repeat(100);
    console.warn(
      `\n${line}\n!!! BROWSER TESTS WILL BE SKIPPED: no Chromium found. Install Debian's chromium (apt-get install chromium)\n` +
        `!!! or set CHROMIUM_PATH. CI (.ci/run) installs it.\n${line}\n`,
    );
  }
  const location = mkdtempSync(path.join(os.tmpdir(), 'pimflow-test-azurite-'));
  const base = Number(process.env.PIMFLOW_TEST_STORAGE_PORT ?? 20000);
  const azurite = await ensureAzurite({ location, blobPort: base, queuePort: base + 1, tablePort: base + 2 });
  process.env.PIMFLOW_TEST_STORAGE = azurite.connectionString;
  // The stand-ins' local CA, trusted by the test workers (forked after this, so they read it at start).
  const tls = ensureLocalTls(path.join(__dirname, '..', '.local', 'tls'));
  process.env.NODE_EXTRA_CA_CERTS = tls.caPath;
  process.env.PIMFLOW_TEST_TLS_DIR = path.dirname(tls.caPath);
  return async () => {
    await azurite.stop();
    rmSync(location, { recursive: true, force: true });
  };
}
