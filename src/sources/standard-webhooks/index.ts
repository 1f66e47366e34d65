/**
 * Standard Webhooks (generic inbound): HMAC-SHA256 over `id.timestamp.body`, `webhook-signature` holding one
 * or more space-separated `v1,<base64>` signatures, `whsec_` secrets (several, for rotation), unix-seconds
 * timestamp with a tolerance (spec: standard-webhooks/standard-webhooks spec/standard-webhooks.md).
 */
import { base64ToBytes, concatBytes, utf8 } from '../../core/encoding.ts';
import { err, ok, type Result } from '../../core/result.ts';
import type { StandardWebhooksSourceConfig } from '../../rules/config.ts';
import { envelopeError, isObject, stringField, verifyQuietly } from '../shared.ts';
import { checkWindow } from '../timestamps.ts';
import type { SourceKindHandler } from '../types.ts';

export const SW_ID = 'webhook-id';
export const SW_TIMESTAMP = 'webhook-timestamp';
export const SW_SIGNATURE = 'webhook-signature';
const SECRET_PREFIX = 'whsec_';
const UNIX_SECONDS_RE = /^\d{1,12}$/;
const MAX_ID_LENGTH = 256;

/** Secrets are `whsec_` + base64 of the key bytes; a secret without the prefix is taken as base64 too. */
export async function importHmacKeys(texts: readonly string[]): Promise<Result<CryptoKey[], string>> {
  const keys: CryptoKey[] = [];
  for (const [i, text] of texts.entries()) {
    for (const part of text.split(/\s+/).filter(Boolean)) {
      const raw = base64ToBytes(part.startsWith(SECRET_PREFIX) ? part.slice(SECRET_PREFIX.length) : part);
      if (!raw || raw.length < 16) return err(`secret entry #${i + 1} is not a whsec_<base64> secret of at least 16 bytes`);
      keys.push(await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']));
    }
  }
  return keys.length > 0 ? ok(keys) : err('no secret configured');
}

export const standardWebhooks: SourceKindHandler<StandardWebhooksSourceConfig> = {
  kind: 'standard-webhooks',
  signatureHeaders: [SW_ID, SW_TIMESTAMP, SW_SIGNATURE],
  importKeys: importHmacKeys,

  async verify(delivery, config, keys) {
    const id = delivery.headers.get(SW_ID)!;
    if (id === '' || id.length > MAX_ID_LENGTH || /\s/.test(id))
      return err({ reason: 'malformed_header', header: SW_ID, detail: `must be 1–${MAX_ID_LENGTH} characters without white space` });
    const timestamp = delivery.headers.get(SW_TIMESTAMP)!.trim();
    if (!UNIX_SECONDS_RE.test(timestamp)) return err({ reason: 'malformed_header', header: SW_TIMESTAMP, detail: 'not unix seconds' });
    const window = checkWindow(Number(timestamp) * 1000, delivery.now, config.toleranceMs, config.toleranceMs);
    if (!window.ok) return window;

    const signatures: Uint8Array<ArrayBuffer>[] = [];
    for (const entry of delivery.headers.get(SW_SIGNATURE)!.split(' ')) {
      const comma = entry.indexOf(',');
      if (comma < 0 || entry.slice(0, comma) !== 'v1') continue; // other schemes (v1a, …) are not ours
      const sig = base64ToBytes(entry.slice(comma + 1));
      if (sig) signatures.push(sig);
    }
    if (signatures.length === 0) return err({ reason: 'malformed_header', header: SW_SIGNATURE, detail: 'no v1,<base64> signature' });

    const signed = concatBytes(utf8.encode(`${id}.${timestamp}.`), delivery.body);
    for (const [i, key] of keys.entries()) {
      for (const sig of signatures) {
        // subtle.verify compares in constant time; the signature is never compared as a string.
        if (await verifyQuietly(key, sig, signed, 'HMAC')) return ok({ note: `secret #${i + 1}` });
      }
    }
    return err({ reason: 'bad_signature', detail: `no match against ${keys.length} secret(s) × ${signatures.length} signature(s)` });
  },

  needsBodyDigest: () => false,

  normalize(body, context) {
    if (!isObject(body)) return envelopeError('body must be a JSON object');
    const type = stringField(body, 'type');
    if (!type) return envelopeError('missing string "type"');
    return ok([
      {
        source: context.source,
        kind: 'standard-webhooks',
        type,
        id: context.headers.get(SW_ID)!,
        occurredAt: stringField(body, 'timestamp'),
        receivedAt: context.receivedAt,
        correlationId: stringField(body, 'correlation_id'),
        data: 'data' in body ? body.data : body,
        meta: {},
      },
    ]);
  },
};
