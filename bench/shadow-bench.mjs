// What shadow rules cost at ingest (issue 17): the shared workload's 1,000 events (../shared/bench/events.json),
// each signed as its vendor signs it, through the real ingest path (read, verify, parse, normalize, route,
// record in an in-memory ledger) with the shared 500 rules live — once without shadow rules, once with a
// second 500-rule file as the shadow (the same rules in reverse order, so every route is evaluated again and
// the decisions differ in order). Both configurations alternate in the same process; the figure is the
// median per-event time of each and their ratio.
import { constants, createHash, generateKeyPairSync, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ingest } from '../src/pipeline/ingest.ts';
import { routeWith } from '../src/pipeline/route.ts';
import { compileRuleSet } from '../src/rules/ruleset.ts';
import { createCredentialCache } from '../src/sources/credentials.ts';
import { toRoutes } from './switchyard-adapter.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../shared/bench');

export async function shadowBench({ quick = false } = {}) {
  const rules = JSON.parse(readFileSync(resolve(shared, 'rules.json'), 'utf8'));
  const events = JSON.parse(readFileSync(resolve(shared, 'events.json'), 'utf8'));
  const pq = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pl = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const now = Date.now();
  const ts = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const deliveries = events.map(({ source, event }) => {
    const body = JSON.stringify(
      source === 'prelude' ? { id: `evt_${createHash('sha256').update(JSON.stringify(event)).digest('hex').slice(0, 24)}`, ...event } : event,
    );
    const headers =
      source === 'prequel'
        ? {
            'content-type': 'application/json',
            'x-prequel-webhook-timestamp': ts,
            'x-prequel-webhook-signature': sign('sha256', Buffer.from(`${ts}.${body}`), { key: pq.privateKey, padding: constants.RSA_PKCS1_PADDING }).toString(
              'hex',
            ),
          }
        : {
            'content-type': 'application/json',
            'x-webhook-signature': `rsassa-pss-sha256=${sign('sha256', Buffer.from(body), { key: pl.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }).toString('base64')}`,
          };
    return { source, body: new Uint8Array(Buffer.from(body)), headers };
  });
  const env = {
    PREQUEL_KEY: pq.publicKey.export({ type: 'spki', format: 'pem' }),
    PRELUDE_KEY: pl.publicKey.export({ type: 'spki', format: 'pem' }),
  };
  const config = {
    settings: { maxBodyBytes: 256 * 1024, dedupRetentionMs: 15 * 86_400_000 },
    sources: {
      prequel: { kind: 'prequel', auth: { type: 'signature', keys: ['${PREQUEL_KEY}'] }, maxBodyBytes: 256 * 1024, maxAgeMs: 3_600_000, maxFutureMs: 60_000 },
      prelude: { kind: 'prelude', auth: { type: 'signature', keys: ['${PRELUDE_KEY}'] }, maxBodyBytes: 256 * 1024, activation: null },
    },
  };
  const version = (hash) => ({ hash, builtAt: new Date(now).toISOString() });
  const live = { set: compileRuleSet(toRoutes(rules)), version: version('live00000000') };
  const shadow = { set: compileRuleSet(toRoutes([...rules].reverse())), version: version('shadow000000') };
  const credentials = createCredentialCache();
  const ledger = { accept: async () => ({ outcome: 'accepted', jobs: [] }) };
  const silent = { log: () => undefined };
  let matchedLive = 0;
  let matchedShadow = 0;
  const configs = {
    'live only': routeWith(live, null),
    'live + shadow': routeWith(live, shadow),
  };

  async function pass(route) {
    const deps = { rules: config, env, now: () => now, ledger, credentials, log: silent, route };
    const t0 = performance.now();
    for (const d of deliveries) {
      const request = new globalThis.Request('https://relay.bench/hooks/x', { method: 'POST', headers: d.headers, body: d.body });
      const r = await ingest(
        { source: d.source, headers: request.headers, body: request.body, arrayBuffer: () => request.arrayBuffer(), pathToken: null },
        deps,
      );
      if (!r.ok) throw new Error(`ingest refused a workload event: ${r.error.reason} ${r.error.detail ?? ''}`);
    }
    return ((performance.now() - t0) * 1000) / deliveries.length;
  }

  // Correctness first: the shadow's decision is recorded and names the same routes (in reverse order).
  for (const { source, body } of deliveries.slice(0, 50)) {
    const raw = JSON.parse(Buffer.from(body).toString('utf8'));
    const event = { source, type: raw.type, data: raw.data ?? raw.payload, id: 'x' };
    const d = configs['live + shadow'](event);
    matchedLive += d.routes.length;
    matchedShadow += d.shadow.routes.length;
  }
  if (matchedLive !== matchedShadow) throw new Error(`the shadow matched ${matchedShadow} routes where the live rules matched ${matchedLive}`);

  const rounds = quick ? 3 : 7;
  const samples = { 'live only': [], 'live + shadow': [] };
  await pass(configs['live only']); // warm-up
  await pass(configs['live + shadow']);
  for (let i = 0; i < rounds; i++) for (const [name, route] of Object.entries(configs)) samples[name].push(await pass(route));
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = median(samples['live only']);
  const withShadow = median(samples['live + shadow']);
  console.log(`\nshadow rules at ingest: ${deliveries.length} signed workload events, 500 live rules, ${rounds} alternating rounds (median µs per event)`);
  console.log(`  live only       ${base.toFixed(1)} µs`);
  console.log(
    `  live + shadow   ${withShadow.toFixed(1)} µs   ratio ${(withShadow / base).toFixed(3)}× (+${((withShadow / base - 1) * 100).toFixed(1)} %; goal ≤ +10 %)`,
  );
  return { base, withShadow };
}

if (import.meta.url === `file://${process.argv[1]}`) await shadowBench({ quick: process.argv.includes('--quick') });
