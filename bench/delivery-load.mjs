// `npm run load`: the relay under load, end to end. The Worker is bundled by wrangler exactly as it deploys
// (with bench/load/rules.yaml), served by Miniflare over HTTP with its real local Queues and Durable Objects;
// every target points at a sink inside Miniflare's outbound service that fails a chosen fraction of requests.
// A few thousand signed Prequel events go in at a chosen concurrency; the script then waits for the queue to
// drain and prints: events sent, jobs expected, delivered, duplicates, lost, p50/p99 ingest latency beside
// a bare Hono Worker served the same way, under the same load, in the same run (the ratio), and the
// notification latency: from the sender's request to the sink's first 2xx answer for each job.
//
//   npm run load -- [--events 3000] [--concurrency 32] [--fail 0.2] [--drain-timeout 180] [--consumer]
import { createHash, generateKeyPairSync, randomUUID, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { bundleRelay, serveRelay } from '../scripts/serve-bundle.mjs';
import { TARGET_TEST_SECRETS } from '../test/helpers/target-secrets.ts';
import { bundleWorker, COMPATIBILITY_DATE } from './workerd.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({
  options: {
    events: { type: 'string', default: '3000' },
    concurrency: { type: 'string', default: '32' },
    fail: { type: 'string', default: '0.2' },
    'drain-timeout': { type: 'string', default: '180' },
    // FIRST_ATTEMPT=queue: the queue consumer makes every attempt (the default: the first right after the answer).
    consumer: { type: 'boolean', default: false },
  },
});
const EVENTS = Number(values.events);
const CONCURRENCY = Number(values.concurrency);
const FAIL = Number(values.fail);
const DRAIN_TIMEOUT_MS = Number(values['drain-timeout']) * 1000;
if (!(EVENTS > 0 && CONCURRENCY > 0 && FAIL >= 0 && FAIL < 1)) {
  console.error('usage: npm run load -- [--events N>0] [--concurrency N>0] [--fail 0..0.99] [--drain-timeout seconds]');
  process.exit(2);
}

// ---- the events: Prequel deliveries, signed as Prequel signs them (RSA PKCS#1 v1.5 over "ts.body") ----------
const fixture = (name) => JSON.parse(readFileSync(join(root, 'test/fixtures/prequel', `${name}.json`), 'utf8'));
const TEMPLATES = [fixture('transfer.error'), fixture('export_destination.updated'), fixture('recipient.created')].filter(Boolean);
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });

function makeEvents(n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const base = TEMPLATES[i % TEMPLATES.length];
    const body = JSON.stringify({ ...base, data: { ...base.data, load_seq: i, load_run: randomUUID() } });
    const ts = new Date().toISOString();
    const signature = sign('sha256', Buffer.from(`${ts}.${body}`), privateKey).toString('hex');
    out.push({
      body,
      jobs: base.type === 'transfer.error' ? 2 : 1,
      headers: { 'content-type': 'application/json', 'x-prequel-webhook-timestamp': ts, 'x-prequel-webhook-signature': signature },
    });
  }
  return out;
}

// ---- the sink: answers every target, failing FAIL of requests; counts deliveries per (target, event) -------
/** When each event's request was sent (performance.now()), by its id (`pq_` + SHA-256 of the body). */
const sentAt = new Map();
const idOf = (body) => `pq_${createHash('sha256').update(body).digest('hex')}`;

function createSink() {
  const delivered = new Map(); // key → 2xx answers
  const firstAt = new Map(); // key → when its first 2xx answer was given
  let requests = 0;
  let failed = 0;
  const keyOf = (url, body) => {
    const text = url.hostname.startsWith('slack') ? decodeURIComponent(body.replace(/\+/g, ' ')) : body;
    const id = /load (pq_[0-9a-f]{64})/.exec(text)?.[1] ?? /"id":"(pq_[0-9a-f]{64})"/.exec(text)?.[1];
    return id ? `${url.hostname.split('.')[0]}:${id}` : null;
  };
  const handle = async (request) => {
    const url = new URL(request.url);
    const body = await request.text();
    requests++;
    if (Math.random() < FAIL) {
      failed++;
      return new Response('sink: injected failure', { status: 503 });
    }
    const key = keyOf(url, body);
    if (!key) return new Response(`sink: cannot tell which event this is (${url.hostname})`, { status: 400 });
    delivered.set(key, (delivered.get(key) ?? 0) + 1);
    if (!firstAt.has(key)) firstAt.set(key, performance.now());
    if (url.hostname.startsWith('slack')) return Response.json({ ok: true, channel: 'CLOAD', ts: `${Date.now() / 1000}` });
    if (url.hostname.startsWith('pagerduty')) return Response.json({ status: 'success', message: 'Event processed', dedup_key: 'k' }, { status: 202 });
    return new Response(null, { status: 204 });
  };
  return {
    handle,
    stats: () => {
      let duplicates = 0;
      const byTarget = {};
      for (const [key, n] of delivered) {
        duplicates += n - 1;
        const t = key.split(':')[0];
        byTarget[t] = (byTarget[t] ?? 0) + n - 1;
      }
      return { requests, failed, delivered: delivered.size, duplicates, byTarget };
    },
    /** Notification latency per job: its first 2xx answer, less its event's request start. */
    notifyLatencies: () =>
      [...firstAt]
        .map(([key, at]) => at - (sentAt.get(key.slice(key.indexOf(':') + 1)) ?? Infinity))
        .filter((ms) => Number.isFinite(ms) && ms >= 0)
        .sort((a, b) => a - b),
  };
}

// ---- serving: the relay as wrangler bundles it, and the bare Hono baseline, both on Miniflare over HTTP ----
async function serve(script, extra = {}) {
  const mf = new Miniflare(convertV4MiniflareOptions({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE, host: '127.0.0.1', port: 0, ...extra }));
  return { mf, url: new URL('/hooks/prequel', await mf.ready).toString() };
}

// ---- the load: CONCURRENCY senders in a loop, each request timed -----------------------------------------
async function drive(url, events) {
  const latencies = [];
  const statuses = new Map();
  let next = 0;
  const started = performance.now();
  const sender = async () => {
    while (next < events.length) {
      const e = events[next++];
      const t0 = performance.now();
      sentAt.set((e.id ??= idOf(e.body)), t0);
      const res = await fetch(url, { method: 'POST', body: e.body, headers: e.headers });
      await res.arrayBuffer();
      latencies.push(performance.now() - t0);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, sender));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
  return { p50: pct(50), p99: pct(99), rps: events.length / seconds, statuses: Object.fromEntries(statuses) };
}

const fmt = (ms) => `${ms.toFixed(1)} ms`;

async function main() {
  console.log(
    `load: ${EVENTS} signed Prequel events, concurrency ${CONCURRENCY}, sink failing ${(FAIL * 100).toFixed(0)} % of requests, first attempt ${values.consumer ? 'by the queue consumer (FIRST_ATTEMPT=queue)' : 'at once (the default)'}`,
  );
  const events = makeEvents(EVENTS);
  const expected = events.reduce((n, e) => n + e.jobs, 0);
  const warmup = makeEvents(20);

  // Baseline first: a bare Hono Worker on the same server, same requests.
  const bare = await serve(await bundleWorker(join(here, 'bare-hono.worker.ts')));
  await drive(bare.url, warmup);
  const base = await drive(bare.url, events);
  await bare.mf.dispose();

  const sink = createSink();
  const served = await serveRelay(bundleRelay(join(here, 'load/rules.yaml')), {
    bindings: {
      PREQUEL_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }),
      // Fake credentials (the sink accepts anything), kept with the other test secrets under test/.
      LOAD_PD_ROUTING_KEY: TARGET_TEST_SECRETS.PAGERDUTY_ROUTING_KEY,
      LOAD_SLACK_TOKEN: TARGET_TEST_SECRETS.SLACK_BOT_TOKEN,
      LOAD_HOOK_SECRET: `whsec_${Buffer.from(randomUUID()).toString('base64')}`,
      ...(values.consumer ? { FIRST_ATTEMPT: 'queue' } : {}),
    },
    outboundService: sink.handle,
  });
  const relay = { mf: served.mf, url: new URL('/hooks/prequel', served.url).toString() };
  // Warm-up events are delivered too: count them in what is expected.
  await drive(relay.url, warmup);
  const expectedAll = expected + warmup.reduce((n, e) => n + e.jobs, 0);
  const ingest = await drive(relay.url, events);
  const accepted = ingest.statuses[200] ?? 0;

  // Drain: wait until every expected job has been delivered (or the timeout), then a little longer for strays.
  const drainStart = performance.now();
  let last = -1;
  while (performance.now() - drainStart < DRAIN_TIMEOUT_MS) {
    const s = sink.stats();
    if (s.delivered >= expectedAll) break;
    if (s.delivered !== last && process.stdout.isTTY) {
      process.stdout.write(`\r  draining: ${s.delivered}/${expectedAll} delivered, ${s.failed} injected failures so far`);
      last = s.delivered;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  const drainSeconds = (performance.now() - drainStart) / 1000;
  await new Promise((r) => setTimeout(r, 3000));
  const s = sink.stats();
  await relay.mf.dispose();
  process.stdout.write('\n');

  const lost = expectedAll - s.delivered;
  const notify = sink.notifyLatencies();
  const q = (p) => notify[Math.min(notify.length - 1, Math.floor((p / 100) * notify.length))] ?? NaN;
  console.log(`
  events sent          ${EVENTS} (+${warmup.length} warm-up), accepted ${accepted}, statuses ${JSON.stringify(ingest.statuses)}
  jobs expected        ${expectedAll}
  delivered            ${s.delivered} (drained ${drainSeconds.toFixed(1)} s after the last event)
  duplicates           ${s.duplicates}${s.duplicates ? ` ${JSON.stringify(s.byTarget)}` : ''}
  lost                 ${lost}
  sink requests        ${s.requests} (${s.failed} failed on purpose, ${((s.failed / Math.max(1, s.requests)) * 100).toFixed(1)} %)

  ingest latency       relay p50 ${fmt(ingest.p50)}  p99 ${fmt(ingest.p99)}  (${ingest.rps.toFixed(0)} events/s)
  bare Hono Worker     p50 ${fmt(base.p50)}  p99 ${fmt(base.p99)}  (${base.rps.toFixed(0)} requests/s)
  ratio relay / bare   p50 ${(ingest.p50 / base.p50).toFixed(2)}×  p99 ${(ingest.p99 / base.p99).toFixed(2)}×

  notification         p50 ${fmt(q(50))}  p99 ${fmt(q(99))}  over ${notify.length} jobs, from the sender's request to the receiver's first 2xx (retries of injected failures included)
`);
  if (lost !== 0 || s.duplicates !== 0 || accepted !== EVENTS) {
    console.error('load: FAILED — every event must be accepted and every job delivered exactly once');
    process.exit(1);
  }
}

await main();
