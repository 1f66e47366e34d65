/**
 * Prequel (data exports): RSA PKCS#1 v1.5 / SHA-256 over `timestamp + "." + body`, hex signature, RFC 3339
 * timestamp with a replay window, optional hex SHA-256 body digest. Prequel sends no event
 * id, so the idempotency key is derived from the signed body alone.
 */
import { concatBytes, hexToBytes, timingSafeEqual, utf8 } from '../../core/encoding.ts';
import type { CanonicalEvent } from '../../core/event.ts';
import { err, ok } from '../../core/result.ts';
import type { PrequelSourceConfig } from '../../rules/config.ts';
import { envelopeError, importRsaKeys, isObject, stringField, verifyQuietly } from '../shared.ts';
import { checkWindow, parseRfc3339 } from '../timestamps.ts';
import type { SourceKindHandler } from '../types.ts';
import { canonicalQuery, envelopeFromQuery, signedQueryForms } from './generic-get.ts';

export const PREQUEL_TIMESTAMP = 'x-prequel-webhook-timestamp';
export const PREQUEL_SIGNATURE = 'x-prequel-webhook-signature';
export const PREQUEL_DIGEST = 'x-prequel-webhook-digest';
const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' } as const;
const DOT = utf8.encode('.');

export const prequel: SourceKindHandler<PrequelSourceConfig> = {
  kind: 'prequel',
  signatureHeaders: [PREQUEL_TIMESTAMP, PREQUEL_SIGNATURE],
  importKeys: (texts) => importRsaKeys(texts, ALGORITHM),

  async verify(delivery, config, keys) {
    const timestamp = delivery.headers.get(PREQUEL_TIMESTAMP)!;
    const sentAt = parseRfc3339(timestamp);
    if (sentAt === null) return err({ reason: 'malformed_header', header: PREQUEL_TIMESTAMP, detail: 'not an RFC 3339 date-time' });
    const window = checkWindow(sentAt, delivery.now, config.maxAgeMs, config.maxFutureMs);
    if (!window.ok) return window;

    const signature = hexToBytes(delivery.headers.get(PREQUEL_SIGNATURE)!.trim());
    if (!signature) return err({ reason: 'malformed_header', header: PREQUEL_SIGNATURE, detail: 'not hex' });

    const digestHeader = delivery.headers.get(PREQUEL_DIGEST);
    if (digestHeader !== null) {
      const claimed = hexToBytes(digestHeader.trim());
      if (!claimed) return err({ reason: 'malformed_header', header: PREQUEL_DIGEST, detail: 'not hex' });
      if (!timingSafeEqual(claimed, await delivery.bodySha256()))
        return err({ reason: 'digest_mismatch', detail: 'X-Prequel-Webhook-Digest differs from SHA-256 of the body' });
    }

    // The timestamp header's bytes exactly as received, then ".", then the raw body.
    const signed = concatBytes(utf8.encode(timestamp), DOT, delivery.body);
    for (const [i, key] of keys.entries()) {
      if (await verifyQuietly(key, signature, signed, ALGORITHM.name)) return ok({ note: `key #${i + 1}` });
    }
    return err({ reason: 'bad_signature', detail: `no match against ${keys.length} configured key(s)` });
  },

  needsBodyDigest: () => true,

  query: { envelope: envelopeFromQuery, signedForms: signedQueryForms, canonical: canonicalQuery },

  normalize(body, context) {
    if (!isObject(body)) return envelopeError('body must be a JSON object');
    const type = stringField(body, 'type');
    if (!type) return envelopeError('missing string "type"');
    if (!isObject(body.data)) return envelopeError('missing object "data"');
    const apiVersion = stringField(body, 'api_version') ?? stringField(body, 'version');
    const event: CanonicalEvent = {
      source: context.source,
      kind: 'prequel',
      type,
      id: `pq_${context.bodySha256Hex!}`,
      occurredAt: stringField(body, 'created_at'),
      receivedAt: context.receivedAt,
      correlationId: null,
      data: body.data,
      meta: apiVersion ? { apiVersion } : {},
    };
    return ok([event]);
  },
};
