// ESLint flat config: typescript-eslint's recommended rules, Prettier for formatting, a fence around
// orchestrations/ so orchestrator code stays deterministic (no Node built-ins, no I/O modules, contracts only), and
// the layers inside each feature of shared/ (docs/architecture.md, "One shape for every feature"):
//   contract.ts  — names, input/output/event types, retry policies: what orchestrators may import;
//   domain/      — pure rules and records: no Azure SDK, no HTTP, no adapters;
//   *.ts         — services (use cases) over repositories and ports: no @azure/functions, no Cosmos types, no HTTP;
//   adapters/    — Cosmos DB repositories (with shared/storage/, the only code that imports @azure/cosmos);
//   http/        — handlers and pages (with shared/http/ and functions/, the only code that imports @azure/functions).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { builtinModules } from 'node:module';

const ioModules = [
  '@azure/*',
  '@microsoft/*',
  'axios',
  'node-fetch',
  'undici',
  'jose',
  '**/adapters/**',
  '**/local/**',
];

/** Feature folders of shared/; the rest of shared/ (auth, directory, mail, storage, http, durable, ...) is platform. */
const FEATURES =
  '{requests,approvals,lifecycle,drift,reviews,policies,audit,managed-groups,managed-roles,reconcile}';

const restrict = (...patterns) => ['error', { patterns }];
const noFunctions = {
  group: ['@azure/functions'],
  message: 'Only the HTTP edge (functions/, shared/http/, shared/<feature>/http/) imports @azure/functions.',
};
const noCosmos = {
  group: ['@azure/cosmos'],
  message:
    'Only adapters (shared/<feature>/adapters/, shared/storage/) know Cosmos DB: take a repository instead.',
};
const noEdge = {
  group: ['**/http/*', '!**/http/csv'],
  message:
    'The HTTP edge calls services, not the other way round: return a domain outcome and let http/ map it.',
};
const noRoot = {
  group: ['**/composition-root'],
  message: 'Take dependencies as parameters: only functions/ (and tests) get them from the composition root.',
};

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.local/', 'coverage/', '.stryker-tmp/', 'reports/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Orchestrators replay: no I/O, no clocks, no randomness. Time comes from context.df.currentUtcDateTime.
    files: ['orchestrations/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: builtinModules
            .flatMap((m) => [m, `node:${m}`])
            .map((name) => ({
              name,
              message: 'Orchestrators must not use Node built-ins (replay must be deterministic).',
            })),
          patterns: [
            { group: ioModules, message: 'Orchestrators do no I/O: call an activity instead.' },
            {
              regex: '^\\.\\./shared/(?!durable/activity$|[a-z-]+/contract$)',
              message:
                'Orchestrators import only contracts (shared/<feature>/contract.ts) and shared/durable/activity.',
            },
          ],
        },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Use context.df.currentUtcDateTime.' },
        { object: 'Math', property: 'random', message: 'Use context.df.newGuid() or an activity.' },
      ],
      'no-restricted-syntax': [
        'error',
        {
          selector: "NewExpression[callee.name='Date'][arguments.length=0]",
          message: 'Use context.df.currentUtcDateTime.',
        },
        { selector: "CallExpression[callee.name='setTimeout']", message: 'Use context.df.createTimer().' },
        {
          selector: "CallExpression[callee.name='fetch']",
          message: 'Orchestrators do no I/O: call an activity instead.',
        },
      ],
    },
  },
  {
    files: [`shared/${FEATURES}/domain/**/*.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: ['@azure/*', '@microsoft/*', 'durable-functions'], message: 'The domain is pure: no SDKs.' },
        {
          group: ['**/adapters/*', '**/storage/*', '!**/storage/stored', '!**/storage/errors'],
          message: 'The domain knows no repositories: services pass it data.',
        },
        noEdge,
        noRoot,
      ),
    },
  },
  {
    files: [`shared/${FEATURES}/contract.ts`],
    rules: {
      '@typescript-eslint/no-restricted-imports': restrict(
        { group: ['@azure/*', '@microsoft/*'], message: 'Contracts are types and names only.' },
        {
          regex: '^\\.\\.?/(?!(\\.\\./)?durable/activity$|(\\.\\./[a-z-]+/)?contract$)',
          allowTypeImports: true,
          message:
            'Orchestrators load contracts: import only types, other contracts and shared/durable/activity.',
        },
      ),
    },
  },
  {
    files: [`shared/${FEATURES}/*.ts`],
    ignores: [`shared/${FEATURES}/contract.ts`],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(noFunctions, noCosmos, noEdge, noRoot) },
  },
  {
    files: [`shared/${FEATURES}/http/**/*.ts`, 'shared/http/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(noCosmos, noRoot) },
  },
  {
    files: [`shared/${FEATURES}/adapters/**/*.ts`, 'shared/storage/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(noFunctions, noEdge, noRoot) },
  },
  {
    files: ['shared/{access,auth,directory,durable,health,mail}/**/*.ts', 'shared/*.ts'],
    ignores: ['shared/composition-root.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(noFunctions, noCosmos, noEdge, noRoot) },
  },
  {
    files: ['functions/**/*.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': restrict(noCosmos) },
  },
  {
    // The portal runs in the browser and reaches the app only through its HTTP API.
    files: ['portal/**/*.{ts,tsx}'],
    ignores: ['portal/vite.config.ts'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      '@typescript-eslint/no-restricted-imports': restrict({
        group: ['**/shared/**', '**/local/**', '**/functions/**', '@azure/functions', '@azure/cosmos'],
        message: 'The portal is a client of the public API: it imports no server code.',
      }),
    },
  },
  prettier,
);
