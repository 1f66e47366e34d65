// workerd tier: integration tests (test/**/*.test.ts) inside the real Workers runtime through the Cloudflare
// Vitest integration, with the Worker's own wrangler.toml (Durable Objects, and later Queues) on Miniflare.
// Keys are generated fresh for every run (node:crypto) and handed to the Worker as its secrets.
import { execFileSync } from 'node:child_process';
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { createFakeNetwork } from './test/helpers/fake-network.ts';
import { makeTestKeys } from './test/helpers/keys.ts';
import { TARGET_TEST_SECRETS } from './test/helpers/target-secrets.ts';

const keys = makeTestKeys();

// The rules the Worker runs on here: the example, with the workerd tests' own sources and routes added, and shadow
// rules beside them (recorded on every event, never sent).
execFileSync(
  process.execPath,
  ['scripts/build-rules.ts', 'rules.example.yaml', '--add', 'test/rules.workerd.yaml', '--shadow', 'test/rules.shadow.workerd.yaml'],
  { stdio: 'ignore' },
);

export default defineConfig({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        // Every outbound request of the Worker goes to the fake network; nothing reaches the internet.
        outboundService: createFakeNetwork(),
        bindings: {
          // The Worker's secrets, as rules.example.yaml references them; two keys in one secret = rotation.
          PREQUEL_WEBHOOK_PUBLIC_KEY: `${keys.prequel[0].publicPem}\n${keys.prequel[1].publicPem}`,
          PRELUDE_WEBHOOK_PUBLIC_KEY: `${keys.prelude[0].publicPem}\n${keys.prelude[1].publicPem}`,
          PRELUDE_VERIFICATION_TOKEN: keys.verificationToken,
          BILLING_WEBHOOK_SECRET: `${keys.billing[0]} ${keys.billing[1]}`,
          // Target credentials (fake; the fake network answers for their hosts).
          ...TARGET_TEST_SECRETS,
          AUDIT_SIGNING_SECRET: keys.billing[0],
          // Off as in production (a local .dev.vars may switch it on); inbox tests switch it on themselves.
          INBOX: 'off',
          // The signing side, for the tests only.
          TEST_KEYS: JSON.stringify(keys),
        },
      },
    }),
  ],
  test: {
    include: ['test/**/*.test.ts'],
    // test/e2e runs in Node against a served relay (vitest.e2e.config.ts).
    exclude: ['test/e2e/**', 'node_modules/**'],
    silent: 'passed-only',
    // The files share the fake network and the example's per-route state (paging budget): one at a time.
    fileParallelism: false,
    testTimeout: 120_000,
  },
});
