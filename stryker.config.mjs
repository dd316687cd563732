// @ts-check
/**
 * Mutation testing of pimflow's critical rules with Stryker (`npm run mutate`; see docs/testing.md).
 *
 * One run covers the modules named in MUTATE (comma-separated keys of MODULES below; default: the fast ones),
 * each with the test files that are meant to kill its mutants. Stryker copies the project into a sandbox
 * (.stryker-tmp/), inserts every mutant into the source there (switched on one at a time at run time), and runs the
 * selected tests in-process through its vitest runner, only those that cover the mutant (coverageAnalysis perTest).
 *
 * How mutants reach the code under test:
 * - Unit tests import the modules from source (test/pim/request-rules.test.ts, test/pim-drift/drift.test.ts, ...):
 *   vitest transforms the mutated sandbox file, so every mutant is seen. These are the default.
 * - App tests (test/pim-harness.ts) load the app the way the Functions host does: `require` of the compiled
 *   `dist/{functions,orchestrations}/*.js`, even in-process. They see mutants only if the sandbox's dist/ is built
 *   from the mutated source: MUTATE_APP=1 adds each module's app tests and a `tsc` build in the sandbox. Slow (each
 *   mutant re-runs a test file's app start); use it for one module at a time.
 * - Tests that spawn `node dist/...` child processes (the crash tests) are never part of a mutate run.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import process from 'node:process';

/** @type {Record<string, { mutate: string[]; unit: string[]; app: string[] }>} */
const MODULES = {
  'request-rules': {
    mutate: ['shared/requests/domain/request-rules.ts'],
    unit: ['test/pim/request-rules.test.ts'],
    app: ['test/pim/step-up.test.ts', 'test/pim/member-activation.test.ts'],
  },
  'request-integrity': {
    mutate: ['shared/requests/domain/request-integrity.ts'],
    unit: ['test/pim/request-integrity.test.ts'],
    app: ['test/pim/integrity.test.ts'],
  },
  drift: {
    mutate: ['shared/drift/domain/drift.ts'],
    unit: ['test/pim-drift/drift.test.ts'],
    app: ['test/pim-drift/drift-api.test.ts'],
  },
  decide: {
    mutate: ['shared/reviews/decide.ts'],
    unit: ['test/reviews/decide.test.ts'],
    app: ['test/reviews/decisions-api.test.ts'],
  },
  auth: {
    mutate: ['shared/auth/*.ts'],
    unit: ['test/auth/token-validation.test.ts', 'test/auth/principal.test.ts'],
    app: ['test/pim/step-up.test.ts', 'test/pim-policy/managed-groups-access.test.ts'],
  },
  approvals: {
    mutate: ['shared/approvals/**/*.ts'],
    // approvals.test.ts runs the app for its stand-ins but calls the approval service from source.
    unit: ['test/pim-approvals/approval-link.test.ts', 'test/pim-approvals/approvals.test.ts'],
    app: ['test/pim-approvals/serial-approval.test.ts', 'test/pim/owner-approval.test.ts'],
  },
  'submit-request': {
    mutate: ['shared/requests/submit-request.ts'],
    unit: [],
    app: ['test/pim/requests-api.test.ts', 'test/pim/step-up.test.ts', 'test/pim/member-activation.test.ts'],
  },
  orchestrations: {
    mutate: ['orchestrations/*.ts'],
    unit: ['test/pim-drift/drift-orchestrator.test.ts'],
    app: [
      'test/pim/member-activation.test.ts',
      'test/pim/guaranteed-revoke.test.ts',
      'test/pim-approvals/serial-approval.test.ts',
      'test/pim-lifecycle/expiry-and-renewal.test.ts',
      'test/reviews/instance-run.test.ts',
      'test/reviews/apply.test.ts',
      'test/pim-drift/drift-api.test.ts',
    ],
  },
  'review-apply': {
    mutate: [
      'shared/reviews/domain/review-decision.ts',
      'shared/reviews/apply-activities.ts',
      'shared/reviews/apply-chunk.ts',
    ],
    unit: [],
    app: ['test/reviews/apply.test.ts', 'test/reviews/instance-run.test.ts'],
  },
};
const DEFAULT = ['request-rules', 'request-integrity', 'drift', 'decide', 'auth'];

const names = (process.env.MUTATE ?? DEFAULT.join(','))
  .split(',')
  .map((n) => n.trim())
  .filter(Boolean);
const unknown = names.filter((n) => !(n in MODULES));
if (unknown.length > 0)
  throw new Error(
    `MUTATE: unknown module(s) ${unknown.join(', ')}; known: ${Object.keys(MODULES).join(', ')}`,
  );
const withApp = process.env.MUTATE_APP === '1';
const picked = names.map((n) => /** @type {(typeof MODULES)[string]} */ (MODULES[n]));
const testFiles = [...new Set(picked.flatMap((m) => (withApp ? [...m.unit, ...m.app] : m.unit)))];
if (testFiles.length === 0)
  throw new Error(`MUTATE=${names.join(',')} has no unit tests: run it with MUTATE_APP=1 (slow)`);

// Stryker's vitest runner runs tests in worker threads of its own process, where NODE_EXTRA_CA_CERTS set later
// (test/global-setup.ts does, for vitest's forks) is not read: trust the stand-ins' local CA from the start. The
// sandbox copies .local/tls, so the stand-ins there use this same CA.
const require = createRequire(import.meta.url);
const { ensureLocalTls } = require('./dist/local/standins/tls.js');
process.env.NODE_EXTRA_CA_CERTS = ensureLocalTls(path.resolve('.local/tls')).caPath;

const label = names.join('+') + (withApp ? '+app' : '');

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  vitest: { configFile: 'vitest.config.mts', related: false },
  // MUTATE_TYPECHECK=1: mutants that don't type-check become CompileErrors instead of being run (vitest strips
  // types and runs them, and they are nearly always killed). It makes a run 8-20 times slower on 2 cores (drift:
  // 45 s → 6 min), so it is for checking a survivor, not the default.
  checkers: process.env.MUTATE_TYPECHECK === '1' ? ['typescript'] : [],
  // The checker type-checks only the critical modules and what they import, not local/ and bench/.
  tsconfigFile: 'tsconfig.mutate.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: picked.flatMap((m) => m.mutate),
  testFiles,
  ...(withApp ? { buildCommand: 'npx tsc -p .' } : {}),
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants, run while a file loads) are not re-evaluated between runs by the
  // vitest runner here, so they "survive" whatever the tests do (drift.ts's ROLES = [] fails 10 tests by hand).
  ignoreStatic: true,
  concurrency: 1,
  timeoutMS: 20_000,
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: `reports/mutation/${label}.html` },
  jsonReporter: { fileName: `reports/mutation/${label}.json` },
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  ignorePatterns: ['/reports', '/coverage', '/bench/results', '/.local/*', '!/.local/tls'],
};
