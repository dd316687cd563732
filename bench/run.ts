/** `npm run bench`: runs every benchmark and prints its table. BENCH=<name> runs one. */
import path from 'node:path';
import { trustLocalCa } from '../local/trust';
import { runAccessReviewBench } from './access-review.bench';
import { runLocalRuntimeBench } from './local-runtime.bench';
import { runDriftBench } from './drift.bench';
import { runLifecycleBench } from './lifecycle.bench';
import { runPimBench } from './pim.bench';
import { runPortalBench } from './portal.bench';

async function main(): Promise<void> {
  // The PIM bench talks HTTPS to the stand-ins: trust their local CA (re-running this process if need be).
  const tls = await trustLocalCa(path.resolve(__dirname, '..', '..', '.local', 'tls'));
  if (!tls) return;
  const benches: Record<string, () => Promise<void>> = {
    'local-runtime': runLocalRuntimeBench,
    pim: () => runPimBench(tls),
    drift: () => runDriftBench(tls),
    lifecycle: () => runLifecycleBench(tls),
    'access-review': () => runAccessReviewBench(tls),
    portal: () => runPortalBench(tls),
  };
  const only = process.env.BENCH;
  for (const [name, run] of Object.entries(benches)) {
    if (only && only !== name) continue;
    await run();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
