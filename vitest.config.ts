import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Process and lease tests start real servers; keep workers modest on 2-core CI machines.
    maxWorkers: 4,
  },
});
