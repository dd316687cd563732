/** `npm run bench`: runs every benchmark and prints its table. BENCH=<name> runs one. */
import { runLocalRuntimeBench } from './local-runtime.bench';

const benches: Record<string, () => Promise<void>> = {
  'local-runtime': runLocalRuntimeBench,
};

async function main(): Promise<void> {
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
