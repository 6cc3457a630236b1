import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: [
      {
        find: /^@parley\/core\/observability$/,
        replacement: fileURLToPath(new URL('./packages/core/src/observability/index.ts', import.meta.url)),
      },
      {
        find: /^@parley\/core$/,
        replacement: fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['packages/*/src/**/*.test.{ts,tsx}', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each test file runs in its own process; the machine has two cores.
    maxWorkers: 2,
  },
});
