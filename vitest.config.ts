import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Process and lease tests start real servers; keep workers modest on 2-core CI machines.
    maxWorkers: 4,
  },
});
