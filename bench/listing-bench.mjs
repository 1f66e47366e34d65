// Listing recorded events (issue 17): 10,000 signed Prequel events accepted by the relay as it deploys (served
// by Miniflare with its Durable Objects; bench/listing/rules.yaml records them and notifies no one), then read
// back newest first through GET /admin/events: every page timed, at 100 and at 1,000 events a page, and with
// include=records (what `switchyard events export` reads). The goal: each page well under a second locally.
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleRelay, serveRelay } from '../scripts/serve-bundle.mjs';
import { prequelHeaders } from './signing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');

export async function listingBench({ quick = false } = {}) {
  const N = quick ? 2000 : 10_000;
  const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const token = `bench-${randomUUID()}`;
  const served = await serveRelay(bundleRelay(join(here, 'listing/rules.yaml')), {
    bindings: { PREQUEL_WEBHOOK_PUBLIC_KEY: publicKey.export({ type: 'spki', format: 'pem' }), ADMIN_TOKEN: token },
    outboundService: async () => new Response(null, { status: 204 }),
  });
  try {
    const fixture = JSON.parse(readFileSync(join(root, 'test/fixtures/prequel/export_destination.updated.json'), 'utf8'));
    const hook = new URL('/hooks/prequel', served.url);
    let next = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, async () => {
        while (next < N) {
          const i = next++;
          const body = JSON.stringify({ ...fixture, data: { ...fixture.data, listing_seq: i } });
          const res = await fetch(hook, { method: 'POST', body, headers: prequelHeaders(body, privateKey) });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`event ${i}: ${res.status}`);
        }
      }),
    );
    const seeded = (performance.now() - t0) / 1000;
    const results = [];
    for (const [limit, include] of [
      [100, ''],
      [1000, ''],
      [1000, 'records'],
    ]) {
      const times = [];
      const seen = new Set();
      let cursor = null;
      const start = performance.now();
      for (;;) {
        const url = new URL('/admin/events', served.url);
        url.searchParams.set('limit', String(limit));
        if (include) url.searchParams.set('include', include);
        if (cursor) url.searchParams.set('cursor', cursor);
        const p0 = performance.now();
        const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
        const page = await res.json();
        times.push(performance.now() - p0);
        if (!page.ok) throw new Error(JSON.stringify(page.error));
        for (const e of page.events) seen.add(e.key);
        cursor = page.next_cursor;
        if (!cursor) break;
      }
      const total = performance.now() - start;
      times.sort((a, b) => a - b);
      results.push({ limit, include, pages: times.length, events: seen.size, total, p50: times[Math.floor(times.length / 2)], max: times[times.length - 1] });
    }
    console.log(`\nlisting recorded events: ${N} accepted in ${seeded.toFixed(1)} s, then read back through GET /admin/events (newest first)`);
    for (const r of results)
      console.log(
        `  limit ${String(r.limit).padStart(4)}${r.include ? ' + records' : '          '}  ${String(r.pages).padStart(3)} pages, ${r.events} distinct events   page p50 ${r.p50.toFixed(1)} ms, slowest ${r.max.toFixed(1)} ms, all ${r.total.toFixed(0)} ms`,
      );
    const missing = results.filter((r) => r.events !== N);
    if (missing.length > 0) throw new Error(`a listing did not return every event once: ${JSON.stringify(missing.map((r) => r.events))}`);
    return results;
  } finally {
    await served.mf.dispose();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await listingBench({ quick: process.argv.includes('--quick') });
