// `npm run storm`: the bad hour. N signed `transfer.error` events for N destinations (first-party blame) sent
// within a few seconds, then a `transfer.success` for each, against the relay as `wrangler deploy` bundles it,
// served by Miniflare with its real Queues and Durable Objects — twice in one run: with rules.example.yaml as it
// is (its transfer-failure route groups: `group_by: [source, type]`, 10 s / 5 m), and, as the baseline, with that
// route's grouping taken out (the example before grouping: an alert, a page and a Slack message per destination,
// paced, pages held to the budget). Every Slack and PagerDuty request is answered by a sink that records it with its time. Prints,
// for each: top-level Slack messages in #data-eng-alerts, their updates and thread replies, pages (PagerDuty
// incidents by dedup key), the time to the first notification, the time until the channel is quiet (nothing
// reached Slack or PagerDuty for --quiet seconds: 60 by default, longer than a paced job's re-queue), and
// whether every page was resolved once every destination recovered.
//
//   npm run storm -- [--events 120] [--quiet 60] [--only example|ungrouped]
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { URL, URLSearchParams } from 'node:url';
import { parseDocument } from 'yaml';
import { bundleRelay, serveRelay } from '../scripts/serve-bundle.mjs';
import { TARGET_TEST_SECRETS } from '../test/helpers/target-secrets.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({ options: { events: { type: 'string', default: '120' }, quiet: { type: 'string', default: '60' }, only: { type: 'string' } } });
const N = Number(values.events);
const QUIET_MS = Number(values.quiet) * 1000;
if (!(N > 0 && QUIET_MS > 0)) {
  console.error('usage: npm run storm -- [--events N>0] [--quiet seconds]');
  process.exit(2);
}
const PAGE_ROUTE = 'Every other transfer failure pages on-call and tells data engineering';

/** The example with its transfer-failure route's grouping taken out. */
function ungroupedExample() {
  const doc = parseDocument(readFileSync(join(root, 'rules.example.yaml'), 'utf8'));
  const route = doc.get('routes').items.find((r) => r.get('name') === PAGE_ROUTE);
  for (const key of ['group_by', 'group_wait', 'group_interval']) route.delete(key);
  const out = join(here, '.generated', 'storm-ungrouped.yaml');
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, doc.toString());
  return out;
}

const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/prequel/transfer.error.json'), 'utf8'));
const success = JSON.parse(readFileSync(join(root, 'test/fixtures/prequel/transfer.success.json'), 'utf8'));

function signed(base, i, run) {
  const body = JSON.stringify({
    ...base,
    data: { ...base.data, destination_id: `dest-${run}-${i}`, destination_name: `Warehouse ${i}`, transfer_blamed_party: 'prequel', storm: run },
  });
  const ts = new Date().toISOString();
  const signature = sign('sha256', Buffer.from(`${ts}.${body}`), privateKey).toString('hex');
  return { body, headers: { 'content-type': 'application/json', 'x-prequel-webhook-timestamp': ts, 'x-prequel-webhook-signature': signature } };
}

function createSink() {
  const seen = [];
  let ts = 0;
  const handle = async (request) => {
    const url = new URL(request.url);
    const body = await request.text();
    const at = performance.now();
    if (process.env.STORM_DEBUG) console.error('sink:', request.method, url.href, request.headers.get('content-type'), body.slice(0, 100));
    if (url.hostname === 'slack.com') {
      // The SDK sends a form, or JSON; either way the same fields.
      const fields = (request.headers.get('content-type') ?? '').includes('json') ? JSON.parse(body) : Object.fromEntries(new URLSearchParams(body));
      seen.push({ at, to: 'slack', method: url.pathname.split('/').pop(), channel: fields.channel, thread: fields.thread_ts ?? null });
      return Response.json({ ok: true, channel: fields.channel, ts: fields.ts ?? `${1_700_000_000 + ++ts}.000100` });
    }
    if (url.hostname.includes('pagerduty')) {
      const e = JSON.parse(body);
      seen.push({ at, to: 'pagerduty', action: e.event_action, key: e.dedup_key });
      return Response.json({ status: 'success', message: 'Event processed', dedup_key: e.dedup_key }, { status: 202 });
    }
    seen.push({ at, to: url.hostname });
    return new Response(null, { status: 204 });
  };
  return { handle, seen };
}

async function send(url, events, concurrency = 8) {
  let next = 0;
  const statuses = {};
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < events.length) {
        const e = events[next++];
        const res = await fetch(url, { method: 'POST', body: e.body, headers: e.headers });
        await res.arrayBuffer();
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
      }
    }),
  );
  return statuses;
}

/** Waits until nothing reached Slack or PagerDuty for QUIET_MS (at most `maxMs`). */
async function quiet(sink, since, maxMs) {
  const start = performance.now();
  for (;;) {
    const last = sink.seen.filter((s) => (s.to === 'slack' || s.to === 'pagerduty') && s.at >= since).at(-1)?.at ?? since;
    if (performance.now() - last >= QUIET_MS || performance.now() - start > maxMs) return last;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function run(label, rulesFile, tag) {
  const sink = createSink();
  const served = await serveRelay(bundleRelay(rulesFile), {
    bindings: {
      ...TARGET_TEST_SECRETS,
      PREQUEL_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }),
      PRELUDE_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }),
      PRELUDE_VERIFICATION_TOKEN: 'storm',
      BILLING_WEBHOOK_SECRET: `whsec_${Buffer.from('storm-billing-secret-0123456789').toString('base64')}`,
      AUDIT_SIGNING_SECRET: `whsec_${Buffer.from('storm-audit-secret-0123456789ab').toString('base64')}`,
    },
    outboundService: sink.handle,
  });
  const url = new URL('/hooks/prequel', served.url).toString();
  try {
    const t0 = performance.now();
    const failures = await send(
      url,
      Array.from({ length: N }, (_, i) => signed(fixture, i, tag)),
    );
    const sentIn = performance.now() - t0;
    const quietAt = await quiet(sink, t0, 300_000);
    const storm = sink.seen.filter((s) => s.at >= t0);
    const notify = storm.filter((s) => s.to === 'slack' || s.to === 'pagerduty');
    const channel = storm.filter((s) => s.to === 'slack' && s.channel === '#data-eng-alerts');
    const t1 = performance.now();
    const recovered = await send(
      url,
      Array.from({ length: N }, (_, i) => signed(success, i, tag)),
    );
    await quiet(sink, t1, 300_000);
    const pd = sink.seen.filter((s) => s.to === 'pagerduty');
    const lastAction = new Map();
    for (const e of pd) lastAction.set(e.key, e.action);
    const triggered = new Set(pd.filter((e) => e.action === 'trigger').map((e) => e.key));
    const unresolved = [...triggered].filter((k) => lastAction.get(k) !== 'resolve');
    return {
      label,
      statuses: { failures, recovered },
      sentIn,
      topLevel: channel.filter((s) => s.method === 'chat.postMessage' && !s.thread).length,
      updates: channel.filter((s) => s.method === 'chat.update').length,
      replies: channel.filter((s) => s.method === 'chat.postMessage' && s.thread).length,
      pages: triggered.size,
      pdEvents: pd.length,
      unresolved: unresolved.length,
      firstMs: notify.length ? notify[0].at - t0 : null,
      quietMs: quietAt - t0,
    };
  } finally {
    await served.mf.dispose();
  }
}

const s = (ms) => (ms === null ? '—' : `${(ms / 1000).toFixed(1)} s`);
console.log(`storm: ${N} transfer.error events for ${N} destinations, then a transfer.success for each`);
const results = [];
if (values.only !== 'ungrouped') results.push(await run('rules.example.yaml (transfer failures grouped)', undefined, 'a'));
if (values.only !== 'example') results.push(await run('the example without grouping (baseline)', ungroupedExample(), 'b'));
console.log('');
console.log(
  '| rules | sent in | top-level Slack messages | updates / thread replies | pages | first notification | channel quiet after | pages unresolved after recovery |',
);
console.log('|---|---|---|---|---|---|---|---|');
for (const r of results)
  console.log(
    `| ${r.label} | ${s(r.sentIn)} | ${r.topLevel} | ${r.updates} / ${r.replies} | ${r.pages} | ${s(r.firstMs)} | ${s(r.quietMs)} | ${r.unresolved} |`,
  );
for (const r of results)
  if (JSON.stringify(r.statuses).includes('"5')) console.error(`storm: ${r.label}: some requests were refused ${JSON.stringify(r.statuses)}`);
