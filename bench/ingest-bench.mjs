// Ingest path vs bare verify, both executed inside workerd (Miniflare) in the same isolate and run.
// workerd's clock does not advance during pure computation, so each sample is timed from outside: the slope
// between n/4 and n iterations run inside one request, which cancels the request's own overhead.
import { constants, createHash, generateKeyPairSync, randomBytes, createHmac, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, cpuMs, median, startWorker, workerdPids } from './workerd.mjs';

const here = dirname(fileURLToPath(import.meta.url));

function rfc3339(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function makeCases() {
  const now = Date.now();
  const pq = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pl = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const whRaw = randomBytes(24);
  const cases = {};
  for (const size of ['2k', '64k']) {
    const body = readFileSync(resolve(here, `fixtures/body-${size}.json`), 'utf8');
    const ts = rfc3339(now);
    const pqMsg = `${ts}.${body}`;
    const pqSig = sign('sha256', Buffer.from(pqMsg), { key: pq.privateKey, padding: constants.RSA_PKCS1_PADDING });
    cases[`prequel-${size}`] = {
      source: 'prequel',
      body,
      now,
      headers: {
        'content-type': 'application/json',
        'x-prequel-webhook-timestamp': ts,
        'x-prequel-webhook-signature': pqSig.toString('hex'),
        'x-prequel-webhook-digest': createHash('sha256').update(body).digest('hex'),
      },
      bare: {
        message: pqMsg,
        signatureBase64: pqSig.toString('base64'),
        keyFormat: 'spki',
        keyBase64: pq.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        algorithm: 'RSASSA-PKCS1-v1_5',
      },
    };
    // Prelude: the same body shaped as a Prelude event.
    const plBody = JSON.stringify({
      id: `evt_bench_${size}`,
      type: 'migration.hook_failed',
      payload: JSON.parse(body).data,
      created_at: new Date(now).toISOString(),
    });
    const plSig = sign('sha256', Buffer.from(plBody), { key: pl.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
    cases[`prelude-${size}`] = {
      source: 'prelude',
      body: plBody,
      now,
      headers: { 'content-type': 'application/json', 'x-webhook-signature': `rsassa-pss-sha256=${plSig.toString('base64')}` },
      bare: {
        message: plBody,
        signatureBase64: plSig.toString('base64'),
        keyFormat: 'spki',
        keyBase64: pl.publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
        algorithm: 'RSA-PSS',
      },
    };
    const id = `msg_bench_${size}`;
    const swTs = String(Math.floor(now / 1000));
    const swMsg = `${id}.${swTs}.${body}`;
    const swSig = createHmac('sha256', whRaw).update(swMsg).digest();
    cases[`billing-${size}`] = {
      source: 'billing',
      body,
      now,
      headers: { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': swTs, 'webhook-signature': `v1,${swSig.toString('base64')}` },
      bare: { message: swMsg, signatureBase64: swSig.toString('base64'), keyFormat: 'raw', keyBase64: whRaw.toString('base64'), algorithm: 'HMAC' },
    };
  }
  return {
    cases,
    bindings: {
      PREQUEL_KEY: pq.publicKey.export({ type: 'spki', format: 'pem' }),
      PRELUDE_KEY: pl.publicKey.export({ type: 'spki', format: 'pem' }),
      BILLING_SECRET: `whsec_${whRaw.toString('base64')}`,
    },
  };
}

/** The benchmark Worker, bundled, with fresh keys and cases, running in Miniflare's workerd. */
export async function startIngestWorker(extra = {}) {
  const script = await bundleWorker(resolve(here, 'ingest.worker.ts'));
  const { cases, bindings } = makeCases();
  const mf = await startWorker(script, { bindings: { ...bindings, CASES: JSON.stringify(cases) }, ...extra });
  return { mf, cases, script };
}

export async function ingestBench({ quick = false } = {}) {
  const { mf, cases } = await startIngestWorker();
  const workerd = workerdPids();
  // CPU time of the workerd process's threads, which is steadier than wall time on a shared machine.
  const call = async (name, mode, n) => {
    const c0 = cpuMs(workerd);
    const res = await mf.dispatchFetch(`http://bench/?case=${name}&mode=${mode}&n=${n}`);
    const out = await res.json();
    const ms = cpuMs(workerd) - c0;
    if (out.good !== n) throw new Error(`${name} ${mode}: only ${out.good}/${n} verified`);
    return ms;
  };
  // Per-event cost = slope between two iteration counts, so the request's fixed overhead cancels out.
  const perEvent = async (name, mode, n) => (((await call(name, mode, n)) - (await call(name, mode, n / 4))) * 1000) / (n - n / 4);
  const rounds = quick ? 3 : 7;
  const rows = [];
  console.log(`\ningest path vs bare crypto.subtle.verify, inside workerd (${rounds} rounds, median µs per event)`);
  for (const name of Object.keys(cases)) {
    const n = name.endsWith('64k') ? (quick ? 200 : 800) : quick ? 400 : 2000;
    const modes = ['bare', 'floor', 'ingest', 'request'];
    for (const mode of modes) await call(name, mode, 20); // warm: key import, JIT
    const samples = Object.fromEntries(modes.map((m) => [m, []]));
    for (let r = 0; r < rounds; r++) for (const mode of modes) samples[mode].push(await perEvent(name, mode, n));
    const [b, f, i, q] = modes.map((m) => median(samples[m]));
    rows.push({
      case: name,
      'bare verify': b.toFixed(1),
      'verify+parse floor': f.toFixed(1),
      'ingest path': i.toFixed(1),
      'ingest/verify': (i / b).toFixed(2),
      'ingest/floor': (i / f).toFixed(2),
      '+Request & body read': q.toFixed(1),
    });
  }
  console.table(rows);
  console.log('ingest path = size/header/timestamp checks, digest, verify, JSON.parse, normalize on the read body (goal: ingest/verify ≤ 1.5)');
  console.log('verify+parse floor = the bare verify plus one JSON.parse of the body: what any verifying, parsing relay must spend');
  console.log('+Request & body read = also building the Request and reading its body, as the runtime does once per delivery');
  await mf.dispose();
  return rows;
}
