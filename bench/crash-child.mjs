// One runtime of the crash test (bench/crash-test.mjs): the relay as wrangler bundles it, on Miniflare with its
// Durable Objects persisted in a folder, every outbound request forwarded to the crash test's sink. Prints
// `READY <url>` when it serves; the crash test kills its whole process group (workerd included) with SIGKILL.
import { readFileSync } from 'node:fs';
import { serveRelay } from '../scripts/serve-bundle.mjs';

const { CRASH_SCRIPT, CRASH_PERSIST, CRASH_SINK, CRASH_BINDINGS } = process.env;
const script = readFileSync(CRASH_SCRIPT, 'utf8');
const { url } = await serveRelay(script, {
  bindings: JSON.parse(CRASH_BINDINGS),
  persist: CRASH_PERSIST,
  // The sink lives in the crash test's own process, so its counts survive every kill.
  outboundService: async (request) => {
    const target = new URL(request.url);
    const headers = new Headers(request.headers);
    for (const h of ['host', 'content-length', 'connection', 'transfer-encoding']) headers.delete(h);
    headers.set('x-sink-host', target.hostname);
    return fetch(`${CRASH_SINK}${target.pathname}`, {
      method: request.method,
      headers,
      body: request.method === 'GET' ? undefined : await request.arrayBuffer(),
    });
  },
});
console.log(`READY ${url}`);
