// Test-only app (test/harness/stubbed-orchestrations.ts): the product's orchestrators, from their TypeScript
// sources, with stub activities in place of the real ones. The harness names both before the runtime loads this
// file (globalThis.pimflowStubbed); each activity calls the test's current stub for its name.
require('../../../harness/register-ts');
const df = require('durable-functions');

const setup = globalThis.pimflowStubbed;
if (!setup) throw new Error('Start this app through test/harness/stubbed-orchestrations.ts');
for (const file of setup.orchestrations) require(file);
for (const name of setup.activityNames) {
  df.app.activity(name, { handler: (input) => setup.call(name, input) });
}
