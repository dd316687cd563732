#!/usr/bin/env node
/**
 * `npm start`: runs the function app in this folder on pimflow's local runtime and prints one `<name>: <url>`
 * line per endpoint. Settings: PORT (default 7071), PIMFLOW_STORAGE_PORT (Azurite's table port, default 10002;
 * blob and queue use the two ports below it), AzureWebJobsStorage (a real account instead of Azurite).
 */
import path from 'node:path';
import { startRuntime } from './runtime';

async function main(): Promise<void> {
  const appDir = path.resolve(process.argv[2] ?? process.cwd());
  const tablePort = Number(process.env.PIMFLOW_STORAGE_PORT ?? 10002);
  const runtime = await startRuntime({
    appDir,
    azurite: { tablePort, queuePort: tablePort - 1, blobPort: tablePort - 2 },
    // Azurite outlives this process on purpose (crash safety); stop it with the runtime on a clean exit.
    stopStorageOnExit: process.env.PIMFLOW_KEEP_STORAGE !== 'true',
  });
  for (const line of runtime.banner) console.log(line);
  console.log('ready');
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    runtime
      .stop()
      .then(() => process.exit(0))
      .catch((err) => {
        console.error(err);
        process.exit(1);
      });
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
