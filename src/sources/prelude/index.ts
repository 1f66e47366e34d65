/**
 * Prelude (SMS, verification, auth): RSA-PSS / SHA-256 over the raw body, header
 * `X-Webhook-Signature: rsassa-pss-sha256=<base64 or base64url>`. The salt length is
 * undocumented: 32 (the digest length, what every public verifier uses) is tried first, then the maximum.
 * No timestamp: replay protection is the event id. Single events and `{app_id, events[]}` batches.
 */
import { base64ToBytes } from '../../core/encoding.ts';
import type { CanonicalEvent } from '../../core/event.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { IngestError } from '../../core/errors.ts';
import type { PreludeSourceConfig } from '../../rules/config.ts';
import { envelopeError, importRsaKeys, isObject, stringField, verifyQuietly, type JsonObject } from '../shared.ts';
import type { NormalizeContext, SourceKindHandler } from '../types.ts';

export const PRELUDE_SIGNATURE = 'x-webhook-signature';
const SCHEME_PREFIX = 'rsassa-pss-sha256=';
const ALGORITHM = { name: 'RSA-PSS', hash: 'SHA-256' } as const;
const SHA256_BYTES = 32;

/** Salt lengths to try, in order: the digest length, then the largest the key allows (RFC 8017 §9.1.1). */
export function saltLengths(key: CryptoKey): number[] {
  const modulusBits = (key.algorithm as CryptoKeyRsaKeyAlgorithm).modulusLength;
  const max = Math.ceil((modulusBits - 1) / 8) - SHA256_BYTES - 2;
  return max > SHA256_BYTES ? [SHA256_BYTES, max] : [SHA256_BYTES];
}

export const prelude: SourceKindHandler<PreludeSourceConfig> = {
  kind: 'prelude',
  signatureHeaders: [PRELUDE_SIGNATURE],
  importKeys: (texts) => importRsaKeys(texts, ALGORITHM),

  async verify(delivery, _config, keys) {
    const header = delivery.headers.get(PRELUDE_SIGNATURE)!.trim();
    if (!header.startsWith(SCHEME_PREFIX)) {
      return err({ reason: 'malformed_header', header: PRELUDE_SIGNATURE, detail: `expected "${SCHEME_PREFIX}<signature>"` });
    }
    const signature = base64ToBytes(header.slice(SCHEME_PREFIX.length));
    if (!signature) return err({ reason: 'malformed_header', header: PRELUDE_SIGNATURE, detail: 'signature is not base64' });
    for (const [i, key] of keys.entries()) {
      for (const saltLength of saltLengths(key)) {
        if (await verifyQuietly(key, signature, delivery.body, { name: 'RSA-PSS', saltLength })) {
          return ok({ note: `key #${i + 1}, salt ${saltLength}` });
        }
      }
    }
    return err({ reason: 'bad_signature', detail: `no match against ${keys.length} configured key(s), salt lengths 32 and max` });
  },

  /** Only when some event lacks an id, whose fallback is derived from the body. */
  needsBodyDigest(body) {
    if (!isObject(body)) return false;
    const list = Array.isArray(body.events) ? body.events : [body];
    return list.some((e) => !isObject(e) || !stringField(e, 'id'));
  },

  normalize(body, context) {
    if (!isObject(body)) return envelopeError('body must be a JSON object');
    if ('events' in body) {
      if (!Array.isArray(body.events)) return envelopeError('"events" must be an array');
      const appId = stringField(body, 'app_id');
      const events: CanonicalEvent[] = [];
      for (const [i, element] of body.events.entries()) {
        const one = normalizeOne(element, context, appId, `events[${i}]`, `pl_${context.bodySha256Hex!}_${i}`);
        if (one.ok) events.push(one.value);
        else if (context.reject) context.reject(`events[${i}]`, one.error.detail);
        else return one;
      }
      return ok(events);
    }
    const one = normalizeOne(body, context, null, 'body', `pl_${context.bodySha256Hex!}`);
    return one.ok ? ok([one.value]) : one;
  },
};

const ENVELOPE_KEYS = new Set(['id', 'type', 'created_at', 'correlation_id', 'payload']);

/**
 * One event. Prelude documents an `evt_…` id on every event; should one arrive without it, the id is derived
 * from the signed body (and the position in a batch), so a re-sent identical delivery still deduplicates.
 */
function normalizeOne(
  element: unknown,
  context: NormalizeContext,
  appId: string | null,
  where: string,
  fallbackId: string,
): Result<CanonicalEvent, IngestError> {
  if (!isObject(element)) return envelopeError(`${where} must be a JSON object`);
  const type = stringField(element, 'type');
  if (!type) return envelopeError(`${where} is missing string "type"`);
  const id = stringField(element, 'id') ?? fallbackId;
  // Single events carry `payload`; batch elements may carry their fields inline.
  const data: JsonObject = isObject(element.payload) ? element.payload : withoutEnvelopeKeys(element);
  const meta: Record<string, string> = {};
  if (appId) meta.appId = appId;
  return ok({
    source: context.source,
    kind: 'prelude',
    type,
    id,
    occurredAt: stringField(element, 'created_at') ?? stringField(data, 'occurred_at') ?? stringField(data, 'created_at'),
    receivedAt: context.receivedAt,
    correlationId: correlationId(element, data),
    data,
    meta,
  });
}

/** Prelude puts `correlation_id` at the top level, in `payload`, or in `payload.metadata`. */
function correlationId(element: JsonObject, data: JsonObject): string | null {
  return (
    stringField(element, 'correlation_id') ??
    stringField(data, 'correlation_id') ??
    (isObject(data.metadata) ? stringField(data.metadata, 'correlation_id') : null)
  );
}

/** Own keys only: `Object.fromEntries` defines `__proto__` as a plain key instead of setting the prototype. */
function withoutEnvelopeKeys(element: JsonObject): JsonObject {
  return Object.fromEntries(Object.entries(element).filter(([k]) => !ENVELOPE_KEYS.has(k)));
}
