// ESLint for the whole repository (`npm run lint`). Besides typescript-eslint and the React
// hooks / Next.js rules for the web app, the import rules below keep the architecture of the
// README: core imports nothing of ours and does no I/O, contracts imports nothing of ours, the
// web app never imports the server (and takes from core only the pure rules), and apps/server's
// infrastructure never reaches up into modules/ nor a module into another module's internals.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import nextPlugin from '@next/eslint-plugin-next';
import globals from 'globals';
import serverBoundaries from './scripts/eslint/server-boundaries.js';

const TS = ['**/*.ts', '**/*.tsx', '**/*.mts'];

/** Node built-ins that do I/O or start processes/threads: none of them in core or contracts. */
const IO_MODULES = ['fs', 'fs/promises', 'net', 'http', 'http2', 'https', 'child_process', 'cluster', 'dgram', 'dns', 'tls', 'readline', 'worker_threads', 'module', 'os', 'inspector', 'repl', 'v8', 'vm']
  .flatMap((m) => [m, `node:${m}`]);

/** Globals that reach outside the process's pure computation: environment, network, Node buffers. */
const IO_GLOBALS = ['process', 'fetch', 'Buffer', 'XMLHttpRequest', 'WebSocket', 'localStorage'].map((name) => ({ name, message: 'core and contracts are pure: configuration and I/O come in as arguments' }));

const ourPackages = { group: ['@optibid/*', '@optibid/*/**'], message: 'this package imports nothing of ours (README, Architecture)' };
const outsideThePackage = { group: ['**/apps/**', '**/packages/*/src/**'], message: 'no relative imports into another workspace' };
const noIo = { paths: IO_MODULES.map((name) => ({ name, message: 'core and contracts are pure: no I/O (the HiGHS worker pool in optimization/solver-pool.ts is the one exception)' })) };

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/out/**', '**/.next/**', '**/next-env.d.ts', 'test-artifacts/**', 'data/**', 'coverage/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // `_`-prefixed parameters and rest siblings are deliberate.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: TS,
    rules: {
      // TypeScript checks these itself, more precisely.
      'no-undef': 'off',
      'no-redeclare': 'off',
    },
  },

  {
    // `any` where it is the honest type: the untyped HiGHS module and its worker messages, and the
    // API tests reading JSON responses.
    files: ['packages/core/src/optimization/solver-pool.ts', 'packages/core/src/optimization/highs-solve.ts', 'apps/server/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },

  // packages/core: pure domain.
  {
    files: ['packages/core/src/**/*.ts'],
    ignores: ['packages/core/src/**/*.test.ts', 'packages/core/src/**/test-helpers.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...noIo, patterns: [ourPackages, outsideThePackage] }],
      'no-restricted-globals': ['error', ...IO_GLOBALS],
    },
  },
  {
    // The HiGHS worker pool: the one place core starts threads (and resolves the highs package for them).
    files: ['packages/core/src/optimization/solver-pool.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ourPackages, outsideThePackage] }] },
  },
  {
    // Tests and fixture loaders may read files, but still import nothing of ours.
    files: ['packages/core/src/**/*.test.ts', 'packages/core/src/**/test-helpers.ts', 'packages/core/test-fixtures/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [ourPackages, outsideThePackage] }] },
  },

  // packages/contracts: schemas only.
  {
    files: ['packages/contracts/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { ...noIo, patterns: [ourPackages, outsideThePackage] }],
      'no-restricted-globals': ['error', ...IO_GLOBALS],
    },
  },

  // apps/web: never the server; from core only the pure rules and time helpers (the root entry pulls in HiGHS and the worker pool).
  {
    files: ['apps/web/**/*.ts', 'apps/web/**/*.tsx'],
    ignores: ['apps/web/e2e/**'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks, '@next/next': nextPlugin },
    settings: { next: { rootDir: 'apps/web/' } },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
      'react-hooks/rules-of-hooks': 'error',
      'react-hooks/exhaustive-deps': 'error',
      'no-restricted-imports': ['error', {
        paths: [{ name: '@optibid/core', message: 'import @optibid/core/rules or @optibid/core/time: the root entry pulls in HiGHS and the worker pool' }],
        patterns: [
          { group: ['@optibid/server', '@optibid/server/**', '**/apps/server/**', '**/server/src/**'], message: 'the web app never imports the server; it talks to it over HTTP and WebSocket' },
          { regex: '^@optibid/core/(?!(rules|time)$)', message: 'from core the web app imports only @optibid/core/rules and @optibid/core/time (pure: no HiGHS, no worker pool)' },
          { group: ['**/packages/*/src/**'], message: 'import workspaces by package name' },
        ],
      }],
    },
  },
  {
    // The browser tests start the real server; they are test code, not the web app.
    files: ['apps/web/e2e/**/*.ts'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['apps/web/next.config.mjs'],
    languageOptions: { globals: { ...globals.node } },
  },

  // apps/server: infrastructure never imports modules/, modules only each other's index.
  {
    files: ['apps/server/src/**/*.ts'],
    plugins: { optibid: { rules: { 'server-boundaries': serverBoundaries } } },
    rules: { 'optibid/server-boundaries': 'error' },
  },
);
