/**
 * The Worker exactly as `wrangler deploy` uploads it (its own bundler, not the test runner's), served by
 * Miniflare with wrangler.toml's Durable Objects and Queues: signed Prequel failures go in, and the example's
 * grouped page and Slack message come out through the real SDKs, then their resolve. This is the check that caught pdjs failing on every
 * page in the deployed bundle while the workerd tests (bundled by Vite) passed.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { TARGET_TEST_SECRETS } from '../helpers/target-secrets.ts';
// @ts-expect-error -- a plain .mjs helper shared with `npm run load`
import { bundleRelay, serveRelay } from '../../scripts/serve-bundle.mjs';
// @ts-expect-error -- a plain .mjs helper shared with the benchmarks
import { prequelHeaders } from '../../bench/signing.mjs';

const fixture = JSON.parse(readFileSync(new URL('../fixtures/prequel/transfer.error.json', import.meta.url), 'utf8')) as { data: object };
const successFixture = JSON.parse(readFileSync(new URL('../fixtures/prequel/transfer.success.json', import.meta.url), 'utf8')) as { data: object };

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

    // Two destinations fail at once: the example groups transfer failures, so after group_wait (10 s) one page
    // and one Slack message carry both; when both recover, the page resolves under the same key at once.
    const transfer = async (type: string, destination: string) => {
      const payload = type === 'transfer.error' ? fixture : successFixture;
      const body = JSON.stringify({ ...payload, data: { ...payload.data, destination_id: destination, transfer_blamed_party: 'prequel' } });
      const res = await fetch(new URL('/hooks/prequel', url), { method: 'POST', body, headers: prequelHeaders(body, privateKey) });
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ accepted: 1 });
    };
    const until = async (what: string, done: () => boolean) => {
      const deadline = Date.now() + 40_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`waited 40 s for ${what}; seen: ${seen.map((s) => s.url).join(', ')}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    };
    const pages = () => seen.filter((s) => s.url === 'https://events.pagerduty.com/v2/enqueue').map((s) => JSON.parse(s.body) as Record<string, unknown>);
    const posts = () => seen.filter((s) => s.url === 'https://slack.com/api/chat.postMessage').map((s) => new URLSearchParams(s.body));
    const updates = () => seen.filter((s) => s.url === 'https://slack.com/api/chat.update').map((s) => new URLSearchParams(s.body));

    const started = Date.now();
    await transfer('transfer.error', 'dst-bundle-a');
    await transfer('transfer.error', 'dst-bundle-b');
    await until('the group page and its Slack message', () => pages().length === 1 && posts().length === 1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(9_000); // collected for group_wait first
    expect(pages()[0]).toMatchObject({ routing_key: TARGET_TEST_SECRETS.PAGERDUTY_ROUTING_KEY, event_action: 'trigger', payload: { severity: 'error' } });
    const key = pages()[0]!.dedup_key as string;
    expect(key).toMatch(/^[0-9a-f]{32}$/);
    expect(posts()[0]!.get('channel')).toBe('#data-eng-alerts');
    expect(posts()[0]!.get('text')).toMatch(/^🟠 2 failing — Every other transfer failure/);
    expect(posts()[0]!.get('attachments')).toContain('`prequel-transfer-dst-bundle-a`');
    expect(posts()[0]!.get('attachments')).toContain('`prequel-transfer-dst-bundle-b`');

    await transfer('transfer.success', 'dst-bundle-a');
    await transfer('transfer.success', 'dst-bundle-b');
    await until('the resolve', () => pages().length === 2 && updates().some((u) => /all 2 recovered/.test(u.get('text') ?? '')));
    expect(pages()[1]).toMatchObject({ event_action: 'resolve', dedup_key: key });
    expect(posts().filter((p) => !p.get('thread_ts'))).toHaveLength(1);

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
