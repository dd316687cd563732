#!/usr/bin/env node
/**
 * `npm start`: runs the function app in this folder on pimflow's local runtime and prints one `<name>: <url>`
 * line per endpoint. An app whose package.json says `"pimflow": { "localStandIns": true }` (pimflow itself) also
 * gets its outside world: stand-ins for Entra ID, Graph, ACS e-mail and Cosmos DB (local/dev-environment.ts).
 * Settings: see docs/local-runtime.md.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DEMO_ADMIN_UPN, startDevEnvironment, type DevEnvironment } from './dev-environment';
import { startRuntime } from './runtime';
import { ensureLocalTls, type TlsMaterial } from './standins/tls';
import { trustLocalCa } from './trust';

async function main(): Promise<void> {
  const appDir = path.resolve(process.argv[2] ?? process.cwd());
  const localDir = process.env.PIMFLOW_LOCAL_DIR ?? path.join(appDir, '.local');
  const pkg = JSON.parse(readFileSync(path.join(appDir, 'package.json'), 'utf8')) as {
    pimflow?: { localStandIns?: boolean };
  };

  const tlsDir = path.join(localDir, 'tls');
  const port = (name: string) => (process.env[name] === undefined ? undefined : Number(process.env[name]));
  let dev: DevEnvironment | undefined;
  let tls: TlsMaterial | undefined;
  if (pkg.pimflow?.localStandIns) {
    // Trust the stand-ins' local CA (re-running this process with NODE_EXTRA_CA_CERTS if need be).
    tls = await trustLocalCa(tlsDir);
    if (!tls) return;
    dev = await startDevEnvironment({
      dir: path.join(localDir, 'standins'),
      tls,
      ports: {
        cosmos: port('PIMFLOW_COSMOS_PORT'),
        graph: port('PIMFLOW_GRAPH_PORT'),
        mail: port('PIMFLOW_MAIL_PORT'),
        identity: port('PIMFLOW_IDENTITY_PORT'),
        arm: port('PIMFLOW_ARM_PORT'),
      },
    });
  }

  const tablePort = Number(process.env.PIMFLOW_STORAGE_PORT ?? 10002);
  const runtime = await startRuntime({
    appDir,
    // The API over HTTPS too, with the local CA's certificate (Graph's SDKs send tokens only over HTTPS).
    https: { ...(tls ?? ensureLocalTls(tlsDir)), port: port('PIMFLOW_HTTPS_PORT') },
    azurite: {
      location: path.join(localDir, 'azurite'),
      tablePort,
      queuePort: tablePort - 1,
      blobPort: tablePort - 2,
    },
    settingsFor: dev?.settingsFor,
    // The host keys (master, function, the Durable extension's system key), made on first start.
    keysDir: path.join(localDir, 'secrets'),
    // Tests in other processes: a virtual clock they move with POST /admin/pimflow/clock?advance=PT1H (master key).
    virtualClock: process.env.PIMFLOW_VIRTUAL_CLOCK ? new Date(process.env.PIMFLOW_VIRTUAL_CLOCK) : undefined,
    // Azurite outlives a crash on purpose; on a clean exit it stops with the runtime.
    stopStorageOnExit: process.env.PIMFLOW_KEEP_STORAGE !== 'true',
  }).catch(async (err: unknown) => {
    await dev?.close();
    throw err;
  });
  const endpoints = runtime.banner.filter((line) => !line.startsWith(' '));
  const functions = runtime.banner.filter((line) => line.startsWith(' '));
  // The portal is the app's own (functions/portal.ts), served beside the API.
  const portal = dev ? [`portal: ${runtime.urls.api}/portal/`] : [];
  for (const line of [...endpoints, ...portal, ...(dev?.banner ?? []), 'functions:', ...functions]) {
    console.log(line);
  }
  if (dev) await sendTestEmail(runtime.urls.api, dev);
  console.log('ready');

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    runtime
      .stop()
      .then(() => dev?.close())
      .then(() => process.exit(0))
      .catch((err: unknown) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/** Shows e-mail working end to end: the demo admin asks the API for its test message. */
async function sendTestEmail(api: string, dev: DevEnvironment): Promise<void> {
  try {
    const token = await dev.identity.issueUserToken({
      user: DEMO_ADMIN_UPN,
      roles: ['PimFlow.Admin'],
      amr: ['pwd', 'mfa'],
    });
    const res = await fetch(`${api}/admin/testEmail`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    if (res.status !== 202)
      throw new Error(`POST /api/admin/testEmail answered ${res.status}: ${await res.text()}`);
    console.log(`test e-mail: sent to ${DEMO_ADMIN_UPN}, see ${dev.mail.mailboxUrl}`);
  } catch (err) {
    console.warn(`test e-mail: not sent (${err instanceof Error ? err.message : String(err)})`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
