// `npm run peers`: the same alerts through Prometheus Alertmanager (Debian's `prometheus-alertmanager`, grouping
// off: group_by ['...'], group_wait 0s) and through Switchyard as `wrangler deploy` bundles it (on Miniflare with
// its local Queues and Durable Objects; once with the queue consumer making the first attempt, once with
// the default first attempt at once), each alert to one HTTP webhook; a bare Hono Worker served the same way takes the
// same requests as the ingest baseline. Prints, per system: ingest p50 / p99, requests per second, and the
// notification p50 / p99 from the sender's request to the webhook's receipt. One run, one machine.
//
//   npm run peers -- [--events 1000] [--concurrency 16]
// Without prometheus-alertmanager installed it says how to get it (apt-get install prometheus-alertmanager)
// and still compares Switchyard with the bare Worker.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, generateKeyPairSync, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { bundleRelay, serveRelay } from '../scripts/serve-bundle.mjs';
import { bundleWorker, COMPATIBILITY_DATE } from './workerd.mjs';
import { prequelHeaders } from './signing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const { values } = parseArgs({ options: { events: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '16' } } });
const N = Number(values.events);
const C = Number(values.concurrency);
if (!(N > 0 && C > 0)) {
  console.error('usage: npm run peers -- [--events N>0] [--concurrency N>0]');
  process.exit(2);
}

const pct = (xs, p) => xs[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const ms = (x) => (x === undefined || Number.isNaN(x) ? '—' : `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`);

/** Sends `requests` (each { id, send() }) at concurrency C; times each and remembers when each id went out. */
async function drive(requests, sentAt) {
  const latencies = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: C }, async () => {
      while (next < requests.length) {
        const r = requests[next++];
        const t0 = performance.now();
        sentAt?.set(r.id, t0);
        const res = await r.send();
        await res.arrayBuffer();
        if (!res.ok) failures++;
        latencies.push(performance.now() - t0);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return { p50: pct(latencies, 50), p99: pct(latencies, 99), rps: requests.length / seconds, failures };
}

/** Waits until every measured alert has reached the webhook (or 60 s), then their latencies, sorted. */
async function notified(firstAt, sentAt) {
  const measured = () => [...firstAt].filter(([id]) => sentAt.has(id));
  const deadline = Date.now() + 60_000;
  while (measured().length < sentAt.size && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  return measured()
    .map(([id, at]) => at - sentAt.get(id))
    .sort((a, b) => a - b);
}

// ---- the bare Hono Worker ---------------------------------------------------------------------------------
async function bare(bodies) {
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      modules: true,
      script: await bundleWorker(join(here, 'bare-hono.worker.ts')),
      compatibilityDate: COMPATIBILITY_DATE,
      host: '127.0.0.1',
      port: 0,
    }),
  );
  const url = new URL('/hooks/prequel', await mf.ready);
  const make = (b) => ({ id: b.id, send: () => fetch(url, { method: 'POST', body: b.body, headers: b.headers }) });
  await drive(bodies.slice(0, 20).map(make));
  const r = await drive(bodies.map(make));
  await mf.dispose();
  return { ...r, notify: [] };
}

// ---- Switchyard ---------------------------------------------------------------------------------------------
const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/prequel/transfer.error.json'), 'utf8'));
function prequelBodies(n) {
  return Array.from({ length: n }, () => {
    const body = JSON.stringify({ ...fixture, data: { ...fixture.data, destination_id: randomUUID(), transfer_blamed_party: 'prequel' } });
    return { id: `pq_${createHash('sha256').update(body).digest('hex')}`, body, headers: prequelHeaders(body, privateKey) };
  });
}

async function switchyard(firstAttempt) {
  const firstAt = new Map();
  const sentAt = new Map();
  const served = await serveRelay(bundleRelay(join(here, 'peers/rules.yaml')), {
    bindings: { PREQUEL_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }), ...(firstAttempt ? {} : { FIRST_ATTEMPT: 'queue' }) },
    outboundService: async (request) => {
      const body = await request.text();
      const id = /"id":"(pq_[0-9a-f]{64})"/.exec(body)?.[1];
      if (id && !firstAt.has(id)) firstAt.set(id, performance.now());
      return new Response(null, { status: 204 });
    },
  });
  const url = new URL('/hooks/prequel', served.url);
  const make = (b) => ({ id: b.id, send: () => fetch(url, { method: 'POST', body: b.body, headers: b.headers }) });
  await drive(prequelBodies(20).map(make));
  const bodies = prequelBodies(N);
  const r = await drive(bodies.map(make), sentAt);
  const notify = await notified(firstAt, sentAt);
  await served.mf.dispose();
  return { ...r, notify, bodies };
}

// ---- Alertmanager -----------------------------------------------------------------------------------------
function alertmanagerBinary() {
  const found = spawnSync('sh', ['-c', 'command -v prometheus-alertmanager || command -v alertmanager'], { encoding: 'utf8' }).stdout.trim();
  return found || null;
}

async function alertmanager(binary) {
  const firstAt = new Map();
  const sentAt = new Map();
  const sink = createServer((req, res) => {
    let text = '';
    req.on('data', (c) => (text += c));
    req.on('end', () => {
      const at = performance.now();
      try {
        for (const a of JSON.parse(text).alerts ?? []) if (!firstAt.has(a.labels.id)) firstAt.set(a.labels.id, at);
      } catch {
        /* not a webhook payload */
      }
      res.writeHead(200).end();
    });
  });
  await new Promise((r) => sink.listen(0, '127.0.0.1', r));
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-peers-'));
  writeFileSync(
    join(dir, 'alertmanager.yml'),
    `route:\n  receiver: hook\n  group_by: ['...']\n  group_wait: 0s\n  group_interval: 1s\n  repeat_interval: 1h\nreceivers:\n  - name: hook\n    webhook_configs:\n      - url: http://127.0.0.1:${sink.address().port}/alerts\n        send_resolved: false\n`,
  );
  const port = 19093;
  const am = spawn(
    binary,
    [`--config.file=${join(dir, 'alertmanager.yml')}`, `--storage.path=${dir}`, `--web.listen-address=127.0.0.1:${port}`, '--cluster.listen-address='],
    { stdio: 'ignore' },
  );
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${base}/-/ready`)
      .then((r) => r.ok)
      .catch(() => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const alerts = (n) =>
    Array.from({ length: n }, () => {
      const id = randomUUID();
      const body = JSON.stringify([
        {
          labels: { alertname: 'TransferError', id, destination: id },
          annotations: { summary: 'Transfer to Foo Bar failed' },
          startsAt: new Date().toISOString(),
        },
      ]);
      return { id, send: () => fetch(`${base}/api/v2/alerts`, { method: 'POST', body, headers: { 'content-type': 'application/json' } }) };
    });
  await drive(alerts(20));
  const r = await drive(alerts(N), sentAt);
  const notify = await notified(firstAt, sentAt);
  am.kill('SIGTERM');
  sink.close();
  return { ...r, notify };
}

// ---- the run ---------------------------------------------------------------------------------------------
console.log(`peers: ${N} alerts at concurrency ${C}, each to one HTTP webhook`);
const rows = [];
const binary = alertmanagerBinary();
if (binary) {
  const version =
    spawnSync(binary, ['--version'], { encoding: 'utf8' }).stderr.split('\n')[0] ||
    spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0];
  rows.push([`Alertmanager (${version.replace(/^alertmanager, version (\S+).*/, '$1')}, grouping off)`, await alertmanager(binary)]);
} else console.log('  prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager): Switchyard against the bare Worker only');
const consumer = await switchyard(false);
rows.push(['Switchyard (first attempt by the queue consumer)', consumer]);
rows.push(['Switchyard (first attempt at once, the default)', await switchyard(true)]);
rows.push(['bare Hono Worker', await bare(consumer.bodies)]);

console.log("\n| | ingest p50 / p99 | requests/s | notification p50 / p99 (from the sender's request) | notified |");
console.log('|---|---|---|---|---|');
for (const [label, r] of rows)
  console.log(
    `| ${label} | ${ms(r.p50)} / ${ms(r.p99)} | ${r.rps.toFixed(0)} | ${r.notify.length ? `${ms(pct(r.notify, 50))} / ${ms(pct(r.notify, 99))}` : '—'} | ${r.notify.length ? `${r.notify.length} / ${N}` : '—'}${r.failures ? ` (${r.failures} failed requests)` : ''} |`,
  );
