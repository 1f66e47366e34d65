// A scene for the inbox: the relay as wrangler deploys it, on Miniflare, with the local inbox on and no target
// credentials, fed a few signed vendor events (two Prequel transfer failures, grouped, and — on `recover()` —
// their recoveries; a change to audit; a Prelude balance failure). Used by the browser test and by `npm run screenshot` (docs/inbox.png).
import { constants, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRelay, serveRelay } from './serve-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const fixture = (path) => JSON.parse(readFileSync(join(root, 'test/fixtures', path), 'utf8'));

/** Debian's chromium (apt-get install chromium), or CHROMIUM_PATH; null when there is none. */
export function chromiumPath() {
  const candidates = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);
  return candidates.find((p) => existsSync(p)) ?? null;
}

export async function startScene() {
  const prequel = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const prelude = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = randomBytes(18).toString('base64url');
  const outbound = [];
  const { mf, url } = await serveRelay(bundleRelay(join(root, 'rules.example.yaml')), {
    bindings: {
      PREQUEL_WEBHOOK_PUBLIC_KEY: prequel.publicKey.export({ type: 'spki', format: 'pem' }),
      PRELUDE_WEBHOOK_PUBLIC_KEY: prelude.publicKey.export({ type: 'spki', format: 'pem' }),
      ADMIN_TOKEN: token,
      INBOX: 'on',
    },
    // Nothing may leave: every target lacks credentials, so everything goes to the inbox.
    outboundService: async (request) => {
      outbound.push(request.url);
      return new Response('not on this network', { status: 599 });
    },
  });
  const post = async (source, payload) => {
    const body = JSON.stringify(payload);
    const headers = { 'content-type': 'application/json' };
    if (source === 'prequel') {
      const ts = new Date().toISOString();
      headers['x-prequel-webhook-timestamp'] = ts;
      headers['x-prequel-webhook-signature'] = sign('sha256', Buffer.from(`${ts}.${body}`), prequel.privateKey).toString('hex');
    } else {
      const sig = sign('sha256', Buffer.from(body), { key: prelude.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      headers['x-webhook-signature'] = `rsassa-pss-sha256=${sig.toString('base64')}`;
    }
    const res = await fetch(new URL(`/hooks/${source}`, url), { method: 'POST', body, headers });
    if (res.status !== 200) throw new Error(`${source}: ${res.status} ${await res.text()}`);
    return res.json();
  };
  const items = async () => {
    const res = await fetch(new URL('/inbox/items', url), { headers: { authorization: `Bearer ${token}` } });
    return (await res.json()).items;
  };

  const error = fixture('prequel/transfer.error.json');
  const success = fixture('prequel/transfer.success.json');
  // Two warehouses fail at once: the example groups transfer failures, so after group_wait (10 s) they are one
  // Slack message in #data-eng-alerts and one page.
  const dests = [
    { destination_id: 'dst-7f3a', destination_name: 'Acme warehouse' },
    { destination_id: 'dst-2b9c', destination_name: 'Globex lake' },
  ];
  for (const dest of dests) await post('prequel', { ...error, data: { ...error.data, ...dest, transfer_blamed_party: 'prequel' } });
  await post('prelude', fixture('prelude/transactional.message.failed.json'));
  await post('prequel', fixture('prequel/export_destination.created.json'));
  await until(async () => {
    const all = await items();
    return all.length >= 5 && all.some((i) => i.target === 'data-eng') && all.some((i) => i.target === 'oncall' && i.payload.dedup_key?.length === 32);
  });
  /** Both warehouses recover: the group's message turns resolved in place and its page resolves, at once. */
  const recover = async () => {
    for (const dest of dests) await post('prequel', { ...success, data: { ...success.data, ...dest } });
    await until(async () => (await items()).some((i) => i.kind === 'pagerduty' && i.payload.event_action === 'resolve'));
    await until(async () => (await items()).some((i) => i.kind === 'slack' && i.target === 'data-eng' && i.updates > 0));
  };
  return { url, token, outbound, items, post, recover, close: () => mf.dispose() };
}

async function until(probe, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error('the inbox scene did not settle');
    await new Promise((r) => setTimeout(r, 200));
  }
}
