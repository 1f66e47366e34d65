// Node tier: pure tests beside the code (src/**/*.test.ts).
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
    environment: 'node',
    silent: 'passed-only',
    testTimeout: 60_000,
  },
});
