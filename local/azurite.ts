/**
 * Azurite, the Azure Storage emulator, as the local task hub's storage. It runs as its own detached process so a
 * crash (even SIGKILL) of the runtime does not take the task hub's data down with it; a restarted runtime finds it
 * answering on its port and reuses it. Azurite keeps table data in memory and saves it to `location` every few
 * seconds and on a clean shutdown.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Azurite's well-known development account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT = 'devstoreaccount1';
export const DEV_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzuriteOptions {
  location: string;
  blobPort: number;
  queuePort: number;
  tablePort: number;
  host?: string;
}

export interface AzuriteHandle {
  connectionString: string;
  tableEndpoint: string;
  /** Whether this process started it (and so may stop it on a clean shutdown). */
  startedHere: boolean;
  stop(): Promise<void>;
}

export function azuriteConnectionString(o: AzuriteOptions): string {
  const host = o.host ?? '127.0.0.1';
  return (
    `DefaultEndpointsProtocol=http;AccountName=${DEV_ACCOUNT};AccountKey=${DEV_KEY};` +
    `BlobEndpoint=http://${host}:${o.blobPort}/${DEV_ACCOUNT};QueueEndpoint=http://${host}:${o.queuePort}/${DEV_ACCOUNT};` +
    `TableEndpoint=http://${host}:${o.tablePort}/${DEV_ACCOUNT};`
  );
}

/** Reuses an Azurite already answering on the table port, or starts one. */
export async function ensureAzurite(o: AzuriteOptions, timeoutMs = 30_000): Promise<AzuriteHandle> {
  const host = o.host ?? '127.0.0.1';
  const tableEndpoint = `http://${host}:${o.tablePort}/${DEV_ACCOUNT}`;
  const connectionString = azuriteConnectionString(o);
  const pidFile = path.join(o.location, 'azurite.pid');
  const existing = await probe(host, o.tablePort);
  if (existing === 'azurite') {
    return { connectionString, tableEndpoint, startedHere: false, stop: () => stopByPidFile(pidFile) };
  }
  if (existing === 'other') {
    throw new Error(
      `Port ${o.tablePort} is taken by something that is not Azurite; set a free storage port.`,
    );
  }
  mkdirSync(o.location, { recursive: true });
  const log = openSync(path.join(o.location, 'azurite.log'), 'a');
  const child = spawn(
    process.execPath,
    [
      require.resolve('azurite/dist/src/azurite.js'),
      '--location',
      o.location,
      '--blobHost',
      host,
      '--blobPort',
      String(o.blobPort),
      '--queueHost',
      host,
      '--queuePort',
      String(o.queuePort),
      '--tableHost',
      host,
      '--tablePort',
      String(o.tablePort),
      '--skipApiVersionCheck',
      '--loose',
      '--disableTelemetry',
    ],
    { detached: true, stdio: ['ignore', log, log] },
  );
  child.unref();
  if (child.pid) writeFileSync(pidFile, String(child.pid));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if ((await probe(host, o.tablePort)) === 'azurite') {
      return { connectionString, tableEndpoint, startedHere: true, stop: () => stopByPidFile(pidFile) };
    }
    if (child.exitCode !== null) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(
    `Azurite did not start on ${host}:${o.tablePort}; see ${path.join(o.location, 'azurite.log')}`,
  );
}

async function probe(host: string, port: number): Promise<'azurite' | 'other' | 'none'> {
  try {
    const res = await fetch(`http://${host}:${port}/${DEV_ACCOUNT}/Tables`, {
      signal: AbortSignal.timeout(2000),
    });
    await res.arrayBuffer();
    return (res.headers.get('server') ?? '').toLowerCase().includes('azurite') ? 'azurite' : 'other';
  } catch {
    return 'none';
  }
}

/** SIGTERM lets Azurite save its data before it exits. */
async function stopByPidFile(pidFile: string): Promise<void> {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8'));
  } catch {
    return;
  }
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    rmSync(pidFile, { force: true });
    return;
  }
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  rmSync(pidFile, { force: true });
}
