// End-to-end tier: the relay as `wrangler deploy` bundles it, served by Miniflare over HTTP (the deployed-bundle
// test), and the local inbox driven in Debian's headless Chromium (skipped without one, required in CI). Node
// runs these; each starts its own relay.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    environment: 'node',
    silent: 'passed-only',
    testTimeout: 120_000,
    // One relay at a time on this 2-core machine.
    fileParallelism: false,
  },
});
