// workerd tier: integration tests (test/**/*.test.ts) inside the real Workers runtime through the Cloudflare
// Vitest integration, with the Worker's own wrangler.toml (Durable Objects, and later Queues) on Miniflare.
// Keys are generated fresh for every run (node:crypto) and handed to the Worker as its secrets.
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { makeTestKeys } from './test/helpers/keys.ts';

const keys = makeTestKeys();

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        bindings: {
          // The Worker's secrets, as rules.example.yaml references them; two keys in one secret = rotation.
          PREQUEL_WEBHOOK_PUBLIC_KEY: `${keys.prequel[0].publicPem}\n${keys.prequel[1].publicPem}`,
          PRELUDE_WEBHOOK_PUBLIC_KEY: `${keys.prelude[0].publicPem}\n${keys.prelude[1].publicPem}`,
          PRELUDE_VERIFICATION_TOKEN: keys.verificationToken,
          BILLING_WEBHOOK_SECRET: `${keys.billing[0]} ${keys.billing[1]}`,
          // The signing side, for the tests only.
          TEST_KEYS: JSON.stringify(keys),
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    silent: 'passed-only',
    testTimeout: 120_000,
  },
});
