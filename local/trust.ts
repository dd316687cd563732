/**
 * Node reads NODE_EXTRA_CA_CERTS only when it starts. A process that must trust the stand-ins' local CA and doesn't
 * yet runs itself again with it set, forwarding signals and the exit code.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureLocalTls, processTrusts, type TlsMaterial } from './standins/tls';

const CA_FILE = 'pimflow-local-ca.pem';

/**
 * The local CA to use: one the launcher already trusts (the tests'), else the one in `defaultDir`. Returns undefined
 * after re-running this process trusting it (the caller should then do nothing more).
 */
export async function trustLocalCa(defaultDir: string): Promise<TlsMaterial | undefined> {
  const trusted = process.env.NODE_EXTRA_CA_CERTS;
  const dir =
    trusted && path.basename(trusted) === CA_FILE && existsSync(trusted) ? path.dirname(trusted) : defaultDir;
  const tls = ensureLocalTls(dir);
  if (processTrusts(tls)) return tls;
  const child = spawn(process.execPath, process.argv.slice(1), {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: tls.caPath },
    stdio: 'inherit',
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => child.kill(signal));
  const code = await new Promise<number>((resolve) => child.on('exit', (c, s) => resolve(c ?? (s ? 1 : 0))));
  process.exit(code);
}
