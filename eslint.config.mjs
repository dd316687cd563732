// ESLint flat config: typescript-eslint's recommended type-aware rules, Prettier for formatting, and a fence
// around orchestrations/ so orchestrator code stays deterministic (no Node built-ins, no I/O modules).
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import { builtinModules } from 'node:module';

const ioModules = [
  '@azure/*',
  '@microsoft/*',
  'axios',
  'node-fetch',
  'undici',
  'jose',
  '**/shared/adapters/**',
  '**/local/**',
];

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
          patterns: [{ group: ioModules, message: 'Orchestrators do no I/O: call an activity instead.' }],
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
  prettier,
);
