/**
 * Benchmark Worker, run inside workerd by bench/run.mjs: the ingest CPU path (checks, verify, parse,
 * normalize), the whole request path (Request + body read + CPU path), and as the baseline in the same
 * isolate a bare crypto.subtle.verify of the same signed message.
 * Timing is taken outside (workerd's clocks do not advance during pure computation), over many iterations.
 */
import { ingest, verifyAndNormalize, type EventLedger, type IngestDeps } from '../src/pipeline/ingest.ts';
import { createCredentialCache } from '../src/sources/credentials.ts';

interface BenchCase {
  readonly source: 'prequel' | 'prelude' | 'billing';
  readonly body: string;
  readonly headers: Record<string, string>;
  /** What the bare baseline verifies: the exact signed bytes, the signature, and how to import the key. */
  readonly bare: {
    readonly message: string;
    readonly signatureBase64: string;
    readonly keyFormat: 'spki' | 'raw';
    readonly keyBase64: string;
    readonly algorithm: 'RSASSA-PKCS1-v1_5' | 'RSA-PSS' | 'HMAC';
  };
  readonly now: number;
}

interface BenchEnv {
  readonly CASES: string;
  readonly [name: string]: unknown;
}

const RULES: IngestDeps['rules'] = {
  settings: { maxBodyBytes: 256 * 1024, dedupRetentionMs: 15 * 86_400_000 },
  sources: {
    prequel: { kind: 'prequel', auth: { type: 'signature', keys: ['${PREQUEL_KEY}'] }, maxBodyBytes: 256 * 1024, maxAgeMs: 300_000, maxFutureMs: 60_000 },
    prelude: { kind: 'prelude', auth: { type: 'signature', keys: ['${PRELUDE_KEY}'] }, maxBodyBytes: 256 * 1024, activation: null },
    billing: { kind: 'standard-webhooks', auth: { type: 'signature', keys: ['${BILLING_SECRET}'] }, maxBodyBytes: 256 * 1024, toleranceMs: 300_000 },
  },
};

/** Every event counts as new, so each iteration does the same work; the ledger's own cost is not measured here. */
const alwaysNew: EventLedger = { accept: async () => ({ outcome: 'accepted', jobs: [] }) };
const silent = { log: () => undefined };
const credentials = createCredentialCache();
const bareKeys = new Map<string, Promise<CryptoKey>>();
const enc = new TextEncoder();

const fromB64 = (s: string): Uint8Array<ArrayBuffer> => Uint8Array.from(atob(s), (c) => c.charCodeAt(0));

async function runBare(c: BenchCase, n: number): Promise<number> {
  const id = `${c.source}:${c.bare.keyBase64.slice(-16)}`;
  let key = bareKeys.get(id);
  if (!key) {
    const alg = c.bare.algorithm === 'HMAC' ? { name: 'HMAC', hash: 'SHA-256' } : { name: c.bare.algorithm, hash: 'SHA-256' };
    key = crypto.subtle.importKey(c.bare.keyFormat, fromB64(c.bare.keyBase64), alg, false, ['verify']);
    bareKeys.set(id, key);
  }
  const k = await key;
  const sig = fromB64(c.bare.signatureBase64);
  const msg = enc.encode(c.bare.message);
  const alg = c.bare.algorithm === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: 32 } : c.bare.algorithm;
  let good = 0;
  for (let i = 0; i < n; i++) if (await crypto.subtle.verify(alg, k, sig, msg)) good++;
  return good;
}

/** The floor no implementation can go under: the bare verify plus one JSON.parse of the same body. */
async function runFloor(c: BenchCase, n: number): Promise<number> {
  const k = await bareKeys.get(`${c.source}:${c.bare.keyBase64.slice(-16)}`)!;
  const sig = fromB64(c.bare.signatureBase64);
  const msg = enc.encode(c.bare.message);
  const alg = c.bare.algorithm === 'RSA-PSS' ? { name: 'RSA-PSS', saltLength: 32 } : c.bare.algorithm;
  let good = 0;
  for (let i = 0; i < n; i++) if ((await crypto.subtle.verify(alg, k, sig, msg)) && JSON.parse(c.body)) good++;
  return good;
}

/** The ingest CPU path on a body already read: checks, verify, parse, normalize (no ledger write). */
async function runIngest(c: BenchCase, n: number, env: BenchEnv): Promise<number> {
  const deps = { env, now: () => c.now, credentials };
  const body = new Uint8Array(enc.encode(c.body));
  const headers = new Headers(c.headers);
  const config = RULES.sources[c.source]!;
  let good = 0;
  for (let i = 0; i < n; i++) {
    const r = await verifyAndNormalize({ source: c.source, config, headers, body, pathToken: null }, deps);
    if (r.ok && r.value.events.length === 1) good++;
  }
  return good;
}

/** The whole request path up to the ledger: the runtime's Request, body read, then the CPU path. */
async function runRequest(c: BenchCase, n: number, env: BenchEnv): Promise<number> {
  const deps: IngestDeps = { rules: RULES, env, now: () => c.now, ledger: alwaysNew, credentials, log: silent, route: () => ({ routes: [] }) };
  const bytes = enc.encode(c.body);
  const headers = { ...c.headers, 'content-length': String(bytes.length) };
  let good = 0;
  for (let i = 0; i < n; i++) {
    const request = new Request('https://relay.bench/hooks/x', { method: 'POST', headers, body: bytes });
    const r = await ingest({ source: c.source, headers: request.headers, body: request.body, arrayBuffer: () => request.arrayBuffer(), pathToken: null }, deps);
    if (r.ok && r.value.accepted === 1) good++;
  }
  return good;
}

export default {
  async fetch(request: Request, env: BenchEnv): Promise<Response> {
    const url = new URL(request.url);
    const cases = JSON.parse(env.CASES) as Record<string, BenchCase>;
    const c = cases[url.searchParams.get('case') ?? '']!;
    const n = Number(url.searchParams.get('n') ?? '100');
    const mode = url.searchParams.get('mode');
    const runs: Record<string, () => Promise<number>> = {
      bare: () => runBare(c, n),
      floor: () => runFloor(c, n),
      ingest: () => runIngest(c, n, env),
      request: () => runRequest(c, n, env),
    };
    const good = await runs[mode ?? 'ingest']!();
    return Response.json({ n, good });
  },
};
