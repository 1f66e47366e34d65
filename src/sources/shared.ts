/**
 * Small pieces every source kind uses: RSA key import over all configured values, and envelope field access.
 */
import type { IngestError } from '../core/errors.ts';
import { err, type Result } from '../core/result.ts';
import { importVerifyKeys, parsePublicKeys, type KeyMaterial, type VerifyAlgorithm } from './keys.ts';

export async function importRsaKeys(texts: readonly string[], algorithm: VerifyAlgorithm): Promise<Result<CryptoKey[], string>> {
  const materials: KeyMaterial[] = [];
  for (const [i, text] of texts.entries()) {
    const parsed = parsePublicKeys(text);
    if (!parsed.ok) return err(`public key entry #${i + 1}: ${parsed.error}`);
    materials.push(...parsed.value);
  }
  return importVerifyKeys(materials, algorithm);
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringField(obj: JsonObject, key: string): string | null {
  const v = obj[key];
  return typeof v === 'string' && v !== '' ? v : null;
}

export function envelopeError(detail: string): Result<never, IngestError> {
  return err({ reason: 'invalid_envelope', detail });
}

/** `verify` rejects (rather than returning false) on some malformed inputs, e.g. a wrong-length signature. */
export async function verifyQuietly(
  key: CryptoKey,
  signature: Uint8Array<ArrayBuffer>,
  data: Uint8Array<ArrayBuffer>,
  algorithm: string | SubtleCryptoSignAlgorithm = key.algorithm.name,
): Promise<boolean> {
  try {
    return await crypto.subtle.verify(algorithm, key, signature, data);
  } catch {
    return false;
  }
}
