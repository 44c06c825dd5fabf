import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: {
    alias: [
      { find: /^@optibid\/core$/, replacement: here('./packages/core/src/index.ts') },
      { find: /^@optibid\/core\/(.*)$/, replacement: here('./packages/core/src/$1') },
      { find: /^@optibid\/contracts$/, replacement: here('./packages/contracts/src/index.ts') },
      { find: /^@optibid\/contracts\/(.*)$/, replacement: here('./packages/contracts/src/$1') },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'apps/server/src/**/*.test.ts', 'apps/server/test/**/*.test.ts', 'apps/web/lib/**/*.test.ts', 'apps/web/e2e/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 180_000,
    maxWorkers: 2,
    globalSetup: [here('./apps/server/test/global-setup.ts')],
  },
});
