import { describe, expect, it } from 'vitest';
import { makeTestKeys } from '../../test/helpers/keys.ts';
import { prequelHeaders, rfc3339 } from '../../test/helpers/signers.ts';
import { createCredentialCache } from '../sources/credentials.ts';
import { NOW, silentLogger, toIngestRequest } from '../../test/kits/source-contract.ts';
import { ingest, type EventLedger, type IngestDeps, type IngestRequest } from './ingest.ts';
import { createMemoryLedger, NO_ROUTES } from '../../test/kits/memory-ledger.ts';

const keys = makeTestKeys();
const rules: IngestDeps['rules'] = {
  settings: { maxBodyBytes: 1024, dedupRetentionMs: 15 * 86_400_000 },
  sources: {
    prequel: { kind: 'prequel', auth: { type: 'signature', keys: ['${PQ}'] }, maxBodyBytes: 4096, maxAgeMs: 300_000, maxFutureMs: 60_000 },
    unsigned: { kind: 'prelude', auth: { type: 'token', token: '${INBOUND_TOKEN}' }, maxBodyBytes: 1024, activation: null },
    unset: { kind: 'prequel', auth: { type: 'signature', keys: ['${NOT_SET}'] }, maxBodyBytes: 1024, maxAgeMs: 1, maxFutureMs: 1 },
    garbled: { kind: 'prequel', auth: { type: 'signature', keys: ['${GARBLED}'] }, maxBodyBytes: 1024, maxAgeMs: 1, maxFutureMs: 1 },
  },
};
const env = {
  PQ: keys.prequel[0].publicPem,
  INBOUND_TOKEN: 's3cret-token-value',
  GARBLED: '-----BEGIN PUBLIC KEY-----\nnot base64!\n-----END PUBLIC KEY-----',
};

function deps(ledger: EventLedger = createMemoryLedger()): IngestDeps {
  return { rules, env, now: () => NOW, ledger, credentials: createCredentialCache(), log: silentLogger, route: NO_ROUTES };
}

const event = JSON.stringify({ id: 'evt_1', type: 'transactional.message.failed', payload: { reason: 'network' }, created_at: '2026-11-23T11:59:00Z' });
const json = { 'content-type': 'application/json' };
const req = (source: string, headers: Record<string, string>, body = event, pathToken: string | null = null): IngestRequest => ({
  ...toIngestRequest(source, headers, new TextEncoder().encode(body)),
  pathToken,
});

describe('ingest step order and reasons', () => {
  it('rejects an unknown source, and never treats Object.prototype keys as sources', async () => {
    for (const name of ['stripe', 'constructor', '__proto__', 'toString']) {
      const r = await ingest(req(name, json), deps());
      expect(!r.ok && r.error.reason).toBe('unknown_source');
    }
  });

  it.each([
    ['missing', {}, 'unsupported_content_type'],
    ['text/plain', { 'content-type': 'text/plain' }, 'unsupported_content_type'],
    ['form', { 'content-type': 'application/x-www-form-urlencoded' }, 'unsupported_content_type'],
  ])('rejects content type %s before reading the body', async (_, headers, reason) => {
    const r = await ingest(req('prequel', headers), deps());
    expect(!r.ok && r.error.reason).toBe(reason);
  });

  it.each([['application/json; charset=utf-8'], ['Application/JSON'], ['application/cloudevents+json']])('accepts content type %s', async (type) => {
    const r = await ingest(req('unsigned', { 'content-type': type, authorization: 'Bearer s3cret-token-value' }), deps());
    expect(r.ok).toBe(true);
  });

  it('refuses a declared Content-Length over the source limit without reading', async () => {
    let read = false;
    const request: IngestRequest = {
      source: 'prequel',
      headers: new Headers({ ...json, 'content-length': '5000' }),
      body: new ReadableStream(),
      arrayBuffer: () => {
        read = true;
        return Promise.resolve(new ArrayBuffer(0));
      },
      pathToken: null,
    };
    const r = await ingest(request, deps());
    expect(!r.ok && r.error).toMatchObject({ reason: 'body_too_large', limit: 4096 });
    expect(read).toBe(false);
  });

  it('stops reading a body without Content-Length as soon as it passes the limit', async () => {
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(c) {
        pulled++;
        c.enqueue(new Uint8Array(1000));
      },
    });
    const request: IngestRequest = {
      source: 'unsigned',
      headers: new Headers(json),
      body: stream,
      arrayBuffer: () => Promise.reject(new Error('unused')),
      pathToken: null,
    };
    const r = await ingest(request, deps());
    expect(!r.ok && r.error.reason).toBe('body_too_large');
    expect(pulled).toBeLessThanOrEqual(3);
  });

  it('reads a streamed body without Content-Length when it fits', async () => {
    const bytes = new TextEncoder().encode(event);
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        c.enqueue(bytes.slice(0, 10));
        c.enqueue(bytes.slice(10));
        c.close();
      },
    });
    const request: IngestRequest = {
      source: 'unsigned',
      headers: new Headers({ ...json, authorization: 'Bearer s3cret-token-value' }),
      body: stream,
      arrayBuffer: () => Promise.reject(new Error('unused')),
      pathToken: null,
    };
    const r = await ingest(request, deps());
    expect(r.ok && r.value.events).toEqual([{ id: 'evt_1', type: 'transactional.message.failed', status: 'accepted' }]);
  });

  it('answers 503-class source_unconfigured when a referenced secret is unset, naming it but no value', async () => {
    const body = '{"type":"transfer.error","data":{}}';
    const r = await ingest(req('unset', await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(NOW)), body), deps());
    expect(!r.ok && r.error).toEqual({ reason: 'source_unconfigured', detail: 'unset secret or variable: NOT_SET' });
  });

  it('answers source_unconfigured when the key text cannot be parsed', async () => {
    const body = '{"type":"transfer.error","data":{}}';
    const r = await ingest(req('garbled', await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(NOW)), body), deps());
    expect(!r.ok && r.error.reason).toBe('source_unconfigured');
    expect(!r.ok && r.error.detail).toContain('invalid base64');
  });

  it('describes malformed JSON without quoting the body (it may hold personal data)', async () => {
    const body = '{"to": "+33612345678", "name": "Ada Lovelace" oops}';
    const r = await ingest(req('unsigned', { ...json, authorization: 'Bearer s3cret-token-value' }, body), deps());
    expect(!r.ok && r.error.reason).toBe('malformed_json');
    expect(!r.ok && r.error.detail).not.toMatch(/Ada|\+336/);
    expect(!r.ok && r.error.detail).toMatch(/position \d+/);
  });

  it('rejects a body that is not UTF-8 as malformed JSON', async () => {
    const r = await ingest(
      { ...toIngestRequest('unsigned', { ...json, authorization: 'Bearer s3cret-token-value' }, Uint8Array.of(0x7b, 0xff, 0x7d)), pathToken: null },
      deps(),
    );
    expect(!r.ok && r.error.reason).toBe('malformed_json');
  });
});

describe('token-authenticated sources', () => {
  it('accepts the token as a bearer header or as the last path segment', async () => {
    const bearer = await ingest(req('unsigned', { ...json, authorization: 'Bearer s3cret-token-value' }), deps());
    const path = await ingest(req('unsigned', json, event, 's3cret-token-value'), deps());
    expect([bearer.ok, path.ok]).toEqual([true, true]);
  });

  it.each([
    ['no token', json, null, 'no token in Authorization header or path'],
    ['a wrong bearer token', { ...json, authorization: 'Bearer nope' }, null, 'token differs'],
    ['a wrong path token', json, 's3cret-token-valuf', 'token differs'],
    ['a token prefix', json, 's3cret', 'token differs'],
  ])('rejects %s', async (_, headers, pathToken, detail) => {
    const r = await ingest(req('unsigned', headers, event, pathToken), deps());
    expect(!r.ok && r.error).toEqual({ reason: 'bad_token', detail });
  });
});

describe('recording', () => {
  it('answers ledger_unavailable when the ledger fails, so the sender retries and nothing is lost', async () => {
    const failing: EventLedger = { accept: () => Promise.reject(new Error('Durable Object reset')) };
    const r = await ingest(req('unsigned', { ...json, authorization: 'Bearer s3cret-token-value' }), deps(failing));
    expect(!r.ok && r.error).toMatchObject({ reason: 'ledger_unavailable' });
  });

  it('keeps what a partly failed batch recorded: the retry counts those as duplicates and accepts the rest', async () => {
    const inner = createMemoryLedger();
    let calls = 0;
    const flaky: EventLedger = { accept: (e, r, a) => (++calls === 2 ? Promise.reject(new Error('overloaded')) : inner.accept(e, r, a)) };
    const batch = JSON.stringify({ app_id: 'a', events: [1, 2, 3].map((i) => ({ id: `evt_${i}`, type: 'user.created', payload: {} })) });
    const headers = { ...json, authorization: 'Bearer s3cret-token-value' };
    const first = await ingest(req('unsigned', headers, batch), deps(flaky));
    expect(first.ok).toBe(false);
    const retry = await ingest(req('unsigned', headers, batch), deps(flaky));
    expect(retry.ok && [retry.value.accepted, retry.value.duplicates]).toEqual([1, 2]);
    expect([...inner.events.keys()].sort()).toEqual(['unsigned:evt_1', 'unsigned:evt_2', 'unsigned:evt_3']);
  });
});
