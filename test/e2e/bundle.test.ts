/**
 * The Worker exactly as `wrangler deploy` uploads it (its own bundler, not the test runner's), served by
 * Miniflare with wrangler.toml's Durable Objects and Queues: a signed Prequel failure goes in, and the page
 * and the Slack message come out through the real SDKs. This is the check that caught pdjs failing on every
 * page in the deployed bundle while the workerd tests (bundled by Vite) passed.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGET_TEST_SECRETS } from '../helpers/target-secrets.ts';
// @ts-expect-error -- a plain .mjs helper shared with `npm run load`
import { bundleRelay, serveRelay } from '../../scripts/serve-bundle.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/prequel/transfer.error.json', import.meta.url), 'utf8')) as { data: object };

interface Seen {
  readonly url: string;
  readonly body: string;
}

describe('the deployed bundle', () => {
  let dispose: (() => Promise<void>) | null = null;
  afterAll(async () => {
    await dispose?.();
  });

  it('verifies, routes, queues and delivers through the real Slack and PagerDuty SDKs', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    // The owner's own test key, configured beside the vendor's (two keys in one secret, as during a rotation).
    const owner = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const seen: Seen[] = [];
    const outboundService = async (request: Request): Promise<Response> => {
      const url = new URL(request.url);
      seen.push({ url: request.url, body: await request.text() });
      if (url.hostname === 'slack.com') return Response.json({ ok: true, channel: 'C0DATA', ts: '1.2' });
      if (url.hostname === 'events.pagerduty.com') return Response.json({ status: 'success', message: 'Event processed', dedup_key: 'k' }, { status: 202 });
      return new Response('not on the test network', { status: 599 });
    };
    // The example's rules, whatever rules.yaml this checkout has: the assertions below are about them.
    const script = bundleRelay(new URL('../../rules.example.yaml', import.meta.url).pathname) as string;
    // The size budget: 150 KiB gzipped (level 9, as BENCHMARKS.md measures it); no eval or new Function.
    const gzipped = gzipSync(script, { level: 9 }).length / 1024;
    expect(gzipped, `bundle ${gzipped.toFixed(1)} KiB gzipped`).toBeLessThan(150);
    expect(script).not.toMatch(/\beval\(|new Function\(/);
    const { mf, url } = (await serveRelay(script, {
      bindings: {
        PREQUEL_WEBHOOK_PUBLIC_KEY: `${publicKey.export({ type: 'spki', format: 'pem' }) as string}\n${owner.publicKey.export({ type: 'spki', format: 'pem' }) as string}`,
        SLACK_BOT_TOKEN: TARGET_TEST_SECRETS.SLACK_BOT_TOKEN,
        PAGERDUTY_ROUTING_KEY: TARGET_TEST_SECRETS.PAGERDUTY_ROUTING_KEY,
      },
      outboundService,
    })) as { mf: { dispose(): Promise<void> }; url: URL };
    dispose = () => mf.dispose();

    const body = JSON.stringify({ ...fixture, data: { ...fixture.data, destination_id: 'dst-bundle', transfer_blamed_party: 'prequel' } });
    const ts = new Date().toISOString();
    const res = await fetch(new URL('/hooks/prequel', url), {
      method: 'POST',
      body,
      headers: {
        'content-type': 'application/json',
        'x-prequel-webhook-timestamp': ts,
        'x-prequel-webhook-signature': sign('sha256', Buffer.from(`${ts}.${body}`), privateKey).toString('hex'),
      },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ accepted: 1 });

    const deadline = Date.now() + 30_000;
    const page = () => seen.find((s) => s.url === 'https://events.pagerduty.com/v2/enqueue');
    const post = () => seen.find((s) => s.url === 'https://slack.com/api/chat.postMessage');
    while ((!page() || !post()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(JSON.parse(page()!.body)).toMatchObject({
      routing_key: TARGET_TEST_SECRETS.PAGERDUTY_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'prequel-transfer-dst-bundle',
    });
    expect(new URLSearchParams(post()!.body).get('channel')).toBe('#data-eng-alerts');

    // `npm run send -- --to <deployed relay> --key <owner's private key>`: production checked end to end.
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-send-'));
    writeFileSync(join(dir, 'owner.pem'), owner.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const root = new URL('../..', import.meta.url).pathname;
    const sent = spawnSync(
      process.execPath,
      [
        join(root, 'scripts/send.mjs'),
        join(root, 'test/fixtures/prequel/export_destination.created.json'),
        '--to',
        url.toString(),
        '--key',
        join(dir, 'owner.pem'),
      ],
      { cwd: root, encoding: 'utf8' },
    );
    expect(sent.stderr).toBe('');
    expect(sent.stdout).toMatch(/^200 \{"ok":true,"accepted":1/);
    expect(sent.status).toBe(0);
    // Without a key of its own, --to refuses to guess.
    const keyless = spawnSync(process.execPath, [join(root, 'scripts/send.mjs'), 'test/fixtures/prequel/transfer.error.json', '--to', url.toString()], {
      cwd: root,
      encoding: 'utf8',
    });
    expect([keyless.status, keyless.stderr.trim()]).toEqual([
      2,
      'send: --to signs with your own keys: give --key <private.pem> (Prequel, Prelude) or --secret-env <VAR> (Standard Webhooks)',
    ]);
  }, 120_000);
});
