import { defineConfig } from 'vitest/config';

// Tests import the TypeScript sources directly; the crash test spawns the built CLI (npm test builds first).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Two cores: files in parallel, but not so many that timing-sensitive stream tests starve.
    maxWorkers: 2,
    reporters: ['default'],
  },
});
