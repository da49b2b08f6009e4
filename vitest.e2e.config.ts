import { defineConfig } from 'vitest/config';

// End-to-end tests share one sandbox per run: files run one after another, never in parallel.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 15 * 60_000,
    hookTimeout: 20 * 60_000,
    globalSetup: ['test/e2e/global-setup.ts'],
  },
});
