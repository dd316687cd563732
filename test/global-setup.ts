/**
 * One Azurite for the whole test run (each test uses its own task hub), on free ports (or from
 * PIMFLOW_TEST_STORAGE_PORT, and the two above it, when set), with data in a temporary folder. Stopped at the end.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePorts } from '../bench/child-process';
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
  const base = process.env.PIMFLOW_TEST_STORAGE_PORT;
  // Picked by the OS unless given: two test runs on one machine must not share (and stop) one Azurite.
  const [blobPort, queuePort, tablePort] = (
    base ? [0, 1, 2].map((i) => Number(base) + i) : await freePorts(3)
  ) as [number, number, number];
  const azurite = await ensureAzurite({ location, blobPort, queuePort, tablePort });
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
