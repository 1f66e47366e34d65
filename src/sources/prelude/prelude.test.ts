import { describe, expect, it } from 'vitest';
import kat from '../../../test/fixtures/kat.json';
import { PRELUDE_FIXTURES } from '../../../test/helpers/fixtures.ts';
import { makeTestKeys } from '../../../test/helpers/keys.ts';
import { preludeHeaders } from '../../../test/helpers/signers.ts';
import type { PreludeSourceConfig } from '../../rules/config.ts';
import { depsFor, NOW, runSourceContract, send, type SourceContract } from '../../../test/kits/source-contract.ts';
import { answerActivation } from './activation.ts';
import { prelude } from './index.ts';

const keys = makeTestKeys();
const config: PreludeSourceConfig = {
  kind: 'prelude',
  auth: { type: 'signature', keys: ['${PL_KEYS}'] },
  maxBodyBytes: 256 * 1024,
  activation: { verificationToken: '${PL_TOKEN}', appIds: ['app_01jqebhswje1ka1z7ahr9rfsgt'] },
};
// Both rotation keys in one secret, as a user pasting two PEM blocks into one Worker secret would do.
const env = { PL_KEYS: `${keys.prelude[0].publicPem}\n${keys.prelude[1].publicPem}`, PL_TOKEN: keys.verificationToken };
const contract: SourceContract = {
  name: 'prelude',
  config,
  env,
  sign: (body, key) => preludeHeaders((key === 'stranger' ? keys.stranger : keys.prelude[key]).privatePem, body),
  fixtures: PRELUDE_FIXTURES,
  signature: { header: 'x-webhook-signature', prefix: 'rsassa-pss-sha256=', encoding: 'base64' },
};

runSourceContract(contract);

describe('prelude known-answer vectors (signed by OpenSSL, RSA-3072)', () => {
  const c = { ...contract, env: { ...env, PL_KEYS: kat.prelude.spki_pem } };
  it('verifies a salt-32 signature in standard base64', async () => {
    const r = await send(c, kat.prelude.body, {
      'content-type': 'application/json',
      'x-webhook-signature': `rsassa-pss-sha256=${kat.prelude.signature_salt32_base64}`,
    });
    expect(r.ok && r.value.events).toEqual([{ id: 'evt_kat_0001', type: 'migration.hook_failed', status: 'accepted' }]);
  });
  it('verifies a maximum-salt signature in base64url', async () => {
    const r = await send(c, kat.prelude.body, {
      'content-type': 'application/json',
      'x-webhook-signature': `rsassa-pss-sha256=${kat.prelude.signature_saltmax_base64url}`,
    });
    expect(r.ok && r.value.accepted).toBe(1);
  });
});

describe('prelude signature header forms', () => {
  const body = PRELUDE_FIXTURES.find((f) => f.name === 'migration.hook_failed')!.body;
  it('accepts base64url and the maximum salt length from live keys', async () => {
    for (const encoding of ['base64', 'base64url'] as const) {
      for (const saltLength of [32, 222]) {
        const r = await send(contract, body, await preludeHeaders(keys.prelude[0].privatePem, body, { encoding, saltLength }), depsFor(contract));
        expect(r.ok, `${encoding} salt ${saltLength}`).toBe(true);
      }
    }
  });
  it('rejects a salt length it does not try (20)', async () => {
    const r = await send(contract, body, await preludeHeaders(keys.prelude[0].privatePem, body, { saltLength: 20 }));
    expect(!r.ok && r.error.reason).toBe('bad_signature');
  });
  it('rejects a header without the rsassa-pss-sha256= scheme', async () => {
    const headers = await contract.sign(body, 0, NOW);
    const r = await send(contract, body, { ...headers, 'x-webhook-signature': headers['x-webhook-signature']!.replace('rsassa-pss-sha256=', 'sha256=') });
    expect(!r.ok && r.error).toMatchObject({ reason: 'malformed_header', header: 'x-webhook-signature' });
  });
});

describe('prelude normalization', () => {
  const ctx = { source: 'prelude', receivedAt: '2026-11-23T12:00:00.000Z', headers: new Headers(), bodySha256Hex: 'cd'.repeat(32) };
  const parse = (name: string): unknown => JSON.parse(PRELUDE_FIXTURES.find((f) => f.name === name)!.body);

  it('finds the correlation id at the top level, in payload, and in payload.metadata', () => {
    const top = prelude.normalize(parse('transactional.message.failed'), ctx);
    const inPayload = prelude.normalize(parse('migration.hook_failed'), ctx);
    const inMetadata = prelude.normalize(parse('transactional.message.failed.unknown_recipient'), ctx);
    expect([top, inPayload, inMetadata].map((r) => r.ok && r.value[0]!.correlationId)).toEqual([
      'order-A-1042',
      '123e4567-e89b-12d3-a456-426614174000',
      'signup-77',
    ]);
  });

  it('splits a Session/Auth batch into one event per element, keeping the app id', () => {
    const r = prelude.normalize(parse('session.batch'), ctx);
    expect(r.ok && r.value.map((e) => [e.id, e.type, e.meta.appId, e.correlationId])).toEqual([
      ['evt_01js0user000000000000001', 'user.created', 'app_01jqebhswje1ka1z7ahr9rfsgt', null],
      ['evt_01js0user000000000000002', 'user.session.created', 'app_01jqebhswje1ka1z7ahr9rfsgt', 'web-login-5'],
      ['evt_01js0user000000000000003', 'migration.hook_failed', 'app_01jqebhswje1ka1z7ahr9rfsgt', '123e4567-e89b-12d3-a456-426614174000'],
    ]);
  });

  it('keeps the payload as data and the envelope time as occurredAt', () => {
    const r = prelude.normalize(parse('transactional.message.failed'), ctx);
    expect(r.ok && r.value[0]).toMatchObject({
      kind: 'prelude',
      occurredAt: '2025-04-02T09:15:00Z',
      data: { status: 'failed', reason: 'insufficient_balance' },
    });
  });

  it('derives a stable id when an event arrives without one', () => {
    const r = prelude.normalize({ app_id: 'a', events: [{ type: 'user.created', user_id: 'u1' }] }, ctx);
    expect(r.ok && r.value[0]).toMatchObject({ id: `pl_${'cd'.repeat(32)}_0`, data: { user_id: 'u1' } });
  });

  it.each([
    ['a string', '"x"', 'body must be a JSON object'],
    ['events that are not an array', '{"events":{}}', '"events" must be an array'],
    ['a batch element without type', '{"events":[{"id":"evt_1"}]}', 'events[0] is missing string "type"'],
    ['a batch element that is not an object', '{"events":[1]}', 'events[0] must be a JSON object'],
  ])('rejects %s', (_, text, detail) => {
    const r = prelude.normalize(JSON.parse(text), ctx);
    expect(!r.ok && r.error).toEqual({ reason: 'invalid_envelope', detail });
  });
});

describe('prelude activation challenge', () => {
  const query = (extra: Record<string, string> = {}) =>
    new URLSearchParams({
      event: 'activate',
      verification_token: keys.verificationToken,
      challenge: '1234567890',
      app_id: 'app_01jqebhswje1ka1z7ahr9rfsgt',
      ...extra,
    });
  it('answers with the challenge when token and app id match', async () => {
    expect(await answerActivation(query(), config, env)).toEqual({ ok: true, value: '{"challenge":1234567890}' });
  });
  it('echoes a challenge beyond 2^53 without losing digits', async () => {
    const r = await answerActivation(query({ challenge: '123456789012345678901234567890' }), config, env);
    expect(r.ok && r.value).toBe('{"challenge":123456789012345678901234567890}');
  });
  it.each([
    ['a wrong token', { verification_token: 'nope' }, 'verification_token differs'],
    ['another app', { app_id: 'app_other' }, 'app_id is not one of the configured apps'],
    ['a non-integer challenge', { challenge: '12a' }, 'challenge is not an integer'],
    ['another event', { event: 'ping' }, 'event is not "activate"'],
  ])('rejects %s', async (_, extra, detail) => {
    expect(await answerActivation(query(extra), config, env)).toEqual({ ok: false, error: { reason: 'activation_rejected', detail } });
  });
  it('names the missing parameters', async () => {
    const r = await answerActivation(new URLSearchParams({ event: 'activate' }), config, env);
    expect(!r.ok && r.error).toMatchObject({ reason: 'missing_parameters', parameters: ['verification_token', 'challenge', 'app_id'] });
  });
  it('refuses when the source has no activation settings', async () => {
    const r = await answerActivation(query(), { ...config, activation: null }, env);
    expect(!r.ok && r.error.reason).toBe('activation_rejected');
  });
});
