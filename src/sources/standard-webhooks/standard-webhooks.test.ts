import { Webhook } from 'standardwebhooks';
import { describe, expect, it } from 'vitest';
import kat from '../../../test/fixtures/kat.json';
import { STANDARD_WEBHOOKS_FIXTURES } from '../../../test/helpers/fixtures.ts';
import { makeTestKeys, whsecSecret } from '../../../test/helpers/keys.ts';
import { standardWebhooksHeaders } from '../../../test/helpers/signers.ts';
import type { StandardWebhooksSourceConfig } from '../../rules/config.ts';
import { depsFor, NOW, runSourceContract, send, type SourceContract } from '../../../test/kits/source-contract.ts';

const keys = makeTestKeys();
const config: StandardWebhooksSourceConfig = {
  kind: 'standard-webhooks',
  auth: { type: 'signature', keys: ['${SW_A}', '${SW_B}'] },
  maxBodyBytes: 256 * 1024,
  toleranceMs: 300_000,
};
let counter = 0;
const contract: SourceContract = {
  name: 'billing',
  config,
  env: { SW_A: keys.billing[0], SW_B: keys.billing[1] },
  sign: (body, key, sentAt) =>
    standardWebhooksHeaders(key === 'stranger' ? whsecSecret() : keys.billing[key], `msg_${++counter}`, Math.floor(sentAt / 1000), body),
  fixtures: STANDARD_WEBHOOKS_FIXTURES,
  signature: { header: 'webhook-signature', prefix: 'v1,', encoding: 'base64' },
  timestamp: { header: 'webhook-timestamp', maxAgeMs: 300_000, maxFutureMs: 300_000 },
};

runSourceContract(contract);

describe('standard webhooks against the reference library (standardwebhooks npm package)', () => {
  const body = STANDARD_WEBHOOKS_FIXTURES[0]!.body;

  it('accepts the spec known-answer vector', async () => {
    const c = { ...contract, env: { SW_A: kat.standard_webhooks.secret, SW_B: keys.billing[1] } };
    const sentAt = Number(kat.standard_webhooks.timestamp) * 1000;
    const headers = {
      'content-type': 'application/json',
      'webhook-id': kat.standard_webhooks.id,
      'webhook-timestamp': kat.standard_webhooks.timestamp,
      'webhook-signature': kat.standard_webhooks.signature,
    };
    const r = await send(c, kat.standard_webhooks.body.replace('{"test": 2432232314}', '{"type":"x","test": 2432232314}'), headers, depsFor(c, sentAt));
    expect(!r.ok && r.error.reason).toBe('bad_signature'); // a different body must not verify…
    const ok = await send(c, '{"type":"test.event","test": 2432232314}', headers, depsFor(c, sentAt));
    expect(!ok.ok && ok.error.reason).toBe('bad_signature'); // …nor another one…
    // …while the exact vector does (its body has no "type", so it stops at normalization, after verification).
    const exact = await send(c, kat.standard_webhooks.body, headers, depsFor(c, sentAt));
    expect(!exact.ok && exact.error).toEqual({ reason: 'invalid_envelope', detail: 'missing string "type"' });
  });

  it('accepts what the reference library signs, with either rotation secret', async () => {
    for (const secret of keys.billing) {
      const wh = new Webhook(secret);
      const id = `msg_ref_${secret.slice(-6)}`;
      const signature = wh.sign(id, new Date(NOW), body);
      const r = await send(contract, body, {
        'content-type': 'application/json',
        'webhook-id': id,
        'webhook-timestamp': String(NOW / 1000),
        'webhook-signature': signature,
      });
      expect(r.ok && r.value.events).toEqual([{ id, type: 'invoice.payment_failed', status: 'accepted' }]);
    }
  });

  it('agrees with the reference library on what verifies (the library reads the real clock)', async () => {
    const headers = await standardWebhooksHeaders(keys.billing[0], 'msg_agree', Math.floor(Date.now() / 1000), body);
    expect(() => new Webhook(keys.billing[0]).verify(body, headers)).not.toThrow();
    expect(() => new Webhook(keys.billing[1]).verify(body, headers)).toThrow(/No matching signature/);
  });

  it('accepts a header with several signatures when any one matches, ignoring other schemes', async () => {
    const good = (await standardWebhooksHeaders(keys.billing[1], 'msg_multi', NOW / 1000, body))['webhook-signature']!;
    const r = await send(contract, body, {
      'content-type': 'application/json',
      'webhook-id': 'msg_multi',
      'webhook-timestamp': String(NOW / 1000),
      'webhook-signature': `v1,${btoa('x'.repeat(32))} v1a,abcdef ${good}`,
    });
    expect(r.ok).toBe(true);
  });

  it.each([
    ['a timestamp that is not unix seconds', { 'webhook-timestamp': '2026-11-23T12:00:00Z' }, 'webhook-timestamp'],
    ['a signature list without v1', { 'webhook-signature': 'v2,abc' }, 'webhook-signature'],
    ['an id with white space', { 'webhook-id': 'msg 1' }, 'webhook-id'],
  ])('rejects %s as a malformed header', async (_, change, header) => {
    const headers = { ...(await standardWebhooksHeaders(keys.billing[0], 'msg_x', NOW / 1000, body)), ...change };
    const r = await send(contract, body, headers);
    expect(!r.ok && r.error).toMatchObject({ reason: 'malformed_header', header });
  });

  it('uses webhook-id as the event id, so a redelivery is a duplicate', async () => {
    const deps = depsFor(contract);
    const h = await standardWebhooksHeaders(keys.billing[0], 'msg_dup', NOW / 1000, body);
    const first = await send(contract, body, h, deps);
    const h2 = await standardWebhooksHeaders(keys.billing[0], 'msg_dup', NOW / 1000 + 30, body);
    const second = await send(contract, body, h2, deps);
    expect([first.ok && first.value.accepted, second.ok && second.value.duplicates]).toEqual([1, 1]);
  });

  it('refuses a secret that is too short to be one', async () => {
    const c = { ...contract, env: { SW_A: 'whsec_c2hvcnQ=', SW_B: keys.billing[1] } };
    const r = await send(c, body, await standardWebhooksHeaders(keys.billing[1], 'msg_s', NOW / 1000, body));
    expect(!r.ok && r.error.reason).toBe('source_unconfigured');
  });
});
