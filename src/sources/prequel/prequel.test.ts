import { describe, expect, it } from 'vitest';
import kat from '../../../test/fixtures/kat.json';
import { makeTestKeys, rsaPair } from '../../../test/helpers/keys.ts';
import { PREQUEL_FIXTURES } from '../../../test/helpers/fixtures.ts';
import { prequelDigest, prequelHeaders, rfc3339 } from '../../../test/helpers/signers.ts';
import { depsFor, NOW, runSourceContract, send, type SourceContract } from '../../../test/kits/source-contract.ts';
import type { PrequelSourceConfig } from '../../rules/config.ts';
import { prequel } from './index.ts';

const keys = makeTestKeys();
const config: PrequelSourceConfig = {
  kind: 'prequel',
  auth: { type: 'signature', keys: ['${PQ_KEY_A}', '${PQ_KEY_B}'] },
  maxBodyBytes: 256 * 1024,
  maxAgeMs: 300_000,
  maxFutureMs: 60_000,
};
const contract: SourceContract = {
  name: 'prequel',
  config,
  env: { PQ_KEY_A: keys.prequel[0].publicPem, PQ_KEY_B: keys.prequel[1].publicPem },
  sign: (body, key, sentAt) => prequelHeaders((key === 'stranger' ? keys.stranger : keys.prequel[key]).privatePem, body, rfc3339(sentAt)),
  fixtures: PREQUEL_FIXTURES,
  signature: { header: 'x-prequel-webhook-signature', prefix: '', encoding: 'hex' },
  timestamp: { header: 'x-prequel-webhook-timestamp', maxAgeMs: 300_000, maxFutureMs: 60_000 },
};

runSourceContract(contract);

describe('prequel known-answer vectors (signed by OpenSSL)', () => {
  const sentAt = Date.parse(kat.prequel.timestamp) + 1000;
  const headers = {
    'content-type': 'application/json',
    'x-prequel-webhook-timestamp': kat.prequel.timestamp,
    'x-prequel-webhook-signature': kat.prequel.signature_hex,
  };
  for (const [format, text] of [
    ['PEM SPKI', kat.prequel.spki_pem],
    ['PEM PKCS#1', kat.prequel.pkcs1_pem],
    ['JWK', JSON.stringify(kat.prequel.jwk)],
    ['JWKS', JSON.stringify({ keys: [kat.prequel.jwk] })],
    ['base64 SPKI DER', kat.prequel.spki_der_base64],
    ['base64 PKCS#1 DER', kat.prequel.pkcs1_der_base64],
    ['PEM with literal \\n escapes', kat.prequel.spki_pem.replace(/\n/g, '\\n')],
  ] as const) {
    it(`verifies with the key given as ${format}`, async () => {
      const c = { ...contract, env: { PQ_KEY_A: text, PQ_KEY_B: keys.stranger.publicPem } };
      const result = await send(c, kat.prequel.body, headers, depsFor(c, sentAt));
      expect(result.ok ? result.value.events : result.error).toEqual([
        { id: expect.stringMatching(/^pq_[0-9a-f]{64}$/), type: 'transfer.error', status: 'accepted' },
      ]);
    });
  }

  it('derives the event id from the body alone: a re-send with a new timestamp and signature is a duplicate', async () => {
    const deps = depsFor(contract);
    const body = PREQUEL_FIXTURES[0]!.body;
    const first = await send(contract, body, await contract.sign(body, 0, NOW - 60_000), deps);
    const again = await send(contract, body, await contract.sign(body, 1, NOW - 1000), deps);
    expect(first.ok && first.value.accepted).toBe(1);
    expect(again.ok && again.value.duplicates).toBe(1);
    expect(first.ok && again.ok && first.value.events[0]!.id).toBe(again.ok && again.value.events[0]!.id);
  });
});

describe('prequel digest header', () => {
  const body = PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body;
  it('accepts a matching X-Prequel-Webhook-Digest', async () => {
    const headers = { ...(await contract.sign(body, 0, NOW)), 'x-prequel-webhook-digest': await prequelDigest(body) };
    expect((await send(contract, body, headers)).ok).toBe(true);
  });
  it('rejects a mismatching digest even when the signature is good', async () => {
    const headers = { ...(await contract.sign(body, 0, NOW)), 'x-prequel-webhook-digest': await prequelDigest(`${body} `) };
    const result = await send(contract, body, headers);
    expect(!result.ok && result.error.reason).toBe('digest_mismatch');
  });
  it('rejects a digest that is not hex as a malformed header', async () => {
    const headers = { ...(await contract.sign(body, 0, NOW)), 'x-prequel-webhook-digest': 'zz' };
    const result = await send(contract, body, headers);
    expect(!result.ok && result.error.reason).toBe('malformed_header');
  });
});

describe('prequel timestamps and normalization', () => {
  it('rejects a timestamp that is not RFC 3339', async () => {
    const body = PREQUEL_FIXTURES[0]!.body;
    const headers = { ...(await contract.sign(body, 0, NOW)), 'x-prequel-webhook-timestamp': String(NOW / 1000) };
    const result = await send(contract, body, headers);
    expect(!result.ok && result.error).toMatchObject({ reason: 'malformed_header', header: 'x-prequel-webhook-timestamp' });
  });

  it('normalizes transfer.error into the canonical event', () => {
    const body = JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body) as unknown;
    const result = prequel.normalize(body, {
      source: 'prequel',
      receivedAt: '2026-11-23T12:00:00.000Z',
      headers: new Headers(),
      bodySha256Hex: 'ab'.repeat(32),
    });
    expect(result.ok && result.value).toEqual([
      {
        source: 'prequel',
        kind: 'prequel',
        type: 'transfer.error',
        id: `pq_${'ab'.repeat(32)}`,
        occurredAt: '2023-10-15T19:19:08+00:00',
        receivedAt: '2026-11-23T12:00:00.000Z',
        correlationId: null,
        data: expect.objectContaining({ transfer_blamed_party: 'third_party', destination_name: 'Foo Bar' }),
        meta: { apiVersion: '2023-10-15' },
      },
    ]);
  });

  it('accepts the older "version" envelope field', () => {
    const r = prequel.normalize(
      { type: 'transfer.error', version: '2023-10-15', created_at: 'x', data: {} },
      { source: 'p', receivedAt: 'r', headers: new Headers(), bodySha256Hex: '00' },
    );
    expect(r.ok && r.value[0]!.meta).toEqual({ apiVersion: '2023-10-15' });
  });

  it.each([
    ['an array', '[]', 'body must be a JSON object'],
    ['no type', '{"data":{}}', 'missing string "type"'],
    ['no data', '{"type":"transfer.error"}', 'missing object "data"'],
  ])('rejects an envelope with %s', (_, text, detail) => {
    const r = prequel.normalize(JSON.parse(text), { source: 'p', receivedAt: 'r', headers: new Headers(), bodySha256Hex: '00' });
    expect(!r.ok && r.error).toEqual({ reason: 'invalid_envelope', detail });
  });

  it('refuses an RSA key shorter than 2048 bits with a clear reason', async () => {
    const weak = rsaPair(1024);
    const c = { ...contract, env: { PQ_KEY_A: weak.publicPem, PQ_KEY_B: keys.stranger.publicPem } };
    const body = PREQUEL_FIXTURES[0]!.body;
    const result = await send(c, body, await prequelHeaders(weak.privatePem, body, rfc3339(NOW)), depsFor(c));
    expect(!result.ok && result.error).toMatchObject({
      reason: 'source_unconfigured',
      detail: expect.stringContaining('is a 1024-bit RSA key: at least 2048 bits are required'),
    });
  });

  it('imports a 4096-bit key as well', async () => {
    const big = rsaPair(4096);
    const c = { ...contract, env: { PQ_KEY_A: big.publicPem, PQ_KEY_B: keys.stranger.publicPem } };
    const body = PREQUEL_FIXTURES[0]!.body;
    const result = await send(c, body, await prequelHeaders(big.privatePem, body, rfc3339(NOW)), depsFor(c));
    expect(result.ok).toBe(true);
  });
});
