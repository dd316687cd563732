// The Cosmos DB stand-in in a process of its own, for tests that SIGKILL it. It runs the TypeScript sources
// directly (transpiled as they are required), so the test needs no build. Usage: node cosmos-stand-in-child.js
// <journal file>; prints `cosmos: <endpoint>` once it answers. PIMFLOW_TEST_TLS_DIR names the local CA's folder.
const path = require('node:path');
require('../../harness/register-ts');

const root = path.resolve(__dirname, '../../..');
const { startCosmosStandIn } = require(path.join(root, 'local/standins/cosmos/cosmos-stand-in.ts'));
const { ensureLocalTls } = require(path.join(root, 'local/standins/tls.ts'));

startCosmosStandIn({
  tls: ensureLocalTls(process.env.PIMFLOW_TEST_TLS_DIR),
  journalFile: process.argv[2],
}).then(
  (standIn) => process.stdout.write(`cosmos: ${standIn.endpoint}\n`),
  (error) => {
    process.stderr.write(`${error.stack ?? error}\n`);
    process.exit(1);
  },
);
