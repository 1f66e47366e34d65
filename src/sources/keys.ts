/**
 * Public-key material in every form a vendor hands out: PEM `PUBLIC KEY` (SPKI), PEM
 * `RSA PUBLIC KEY` (PKCS#1, wrapped into SPKI here because WebCrypto imports only SPKI), bare base64 DER of
 * either, a JWK or a JWKS. One env value may hold several keys (rotation). Parsing is pure; import is WebCrypto.
 */
import { base64ToBytes, concatBytes } from '../core/encoding.ts';
import { err, ok, type Result } from '../core/result.ts';

export type KeyMaterial = { readonly format: 'spki'; readonly der: Uint8Array<ArrayBuffer> } | { readonly format: 'jwk'; readonly jwk: JsonWebKey };

const PEM_RE = /-----BEGIN ([A-Z ]+)-----([\s\S]*?)-----END \1-----/g;

/** DER length bytes for ASN.1. */
function derLength(n: number): Uint8Array {
  if (n < 0x80) return Uint8Array.of(n);
  const bytes: number[] = [];
  for (let v = n; v > 0; v >>= 8) bytes.unshift(v & 0xff);
  return Uint8Array.of(0x80 | bytes.length, ...bytes);
}

function derNode(tag: number, content: Uint8Array): Uint8Array {
  return concatBytes(Uint8Array.of(tag), derLength(content.length), content);
}

/** AlgorithmIdentifier { rsaEncryption (1.2.840.113549.1.1.1), NULL }. */
const RSA_ALGORITHM_ID = Uint8Array.of(0x30, 0x0d, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01, 0x05, 0x00);

/** Wraps a PKCS#1 RSAPublicKey into a SubjectPublicKeyInfo (RFC 5280 §4.1). */
export function pkcs1ToSpki(pkcs1: Uint8Array): Uint8Array<ArrayBuffer> {
  const bitString = derNode(0x03, concatBytes(Uint8Array.of(0x00), pkcs1));
  return concatBytes(derNode(0x30, concatBytes(RSA_ALGORITHM_ID, bitString)));
}

/** Offset of the first element inside the outer SEQUENCE, or -1 when the bytes are not a DER SEQUENCE. */
function firstChildOffset(der: Uint8Array): number {
  if (der.length < 4 || der[0] !== 0x30) return -1;
  const l = der[1]!;
  return l < 0x80 ? 2 : 2 + (l & 0x7f);
}

/** SPKI starts with a nested SEQUENCE (the AlgorithmIdentifier); PKCS#1 with an INTEGER (the modulus). */
function derToSpki(der: Uint8Array<ArrayBuffer>): Uint8Array<ArrayBuffer> | null {
  const off = firstChildOffset(der);
  if (off < 0 || off >= der.length) return null;
  if (der[off] === 0x30) return der;
  if (der[off] === 0x02) return pkcs1ToSpki(der);
  return null;
}

function jwkMaterials(value: unknown): KeyMaterial[] | null {
  if (typeof value !== 'object' || value === null) return null;
  const keys = (value as { keys?: unknown }).keys;
  const list = Array.isArray(keys) ? keys : [value];
  const out: KeyMaterial[] = [];
  for (const k of list) {
    if (typeof k !== 'object' || k === null || (k as JsonWebKey).kty !== 'RSA') continue;
    // The JWK's own alg/key_ops/use would bind it to one scheme; the source kind decides the scheme instead.
    const { kty, n, e } = k as JsonWebKey;
    out.push({ format: 'jwk', jwk: { kty, n, e, ext: true } });
  }
  return out;
}

/**
 * Every public key found in one configured value. Env values often arrive with literal `\n` escapes
 * (pasted into a dashboard): those are turned back into newlines first.
 */
export function parsePublicKeys(text: string): Result<KeyMaterial[], string> {
  const src = text.replace(/\\n/g, '\n').trim();
  if (src === '') return err('the value is empty');
  if (src.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(src);
    } catch {
      return err('the value starts like a JWK but is not valid JSON');
    }
    const keys = jwkMaterials(parsed);
    return keys && keys.length > 0 ? ok(keys) : err('the JSON holds no RSA JWK');
  }
  if (src.includes('-----BEGIN')) {
    const out: KeyMaterial[] = [];
    for (const m of src.matchAll(PEM_RE)) {
      const label = m[1]!;
      const der = base64ToBytes(m[2]!.replace(/\s+/g, ''));
      if (!der) return err(`a PEM block (${label}) has invalid base64`);
      if (label === 'PUBLIC KEY') {
        const spki = derToSpki(der);
        if (!spki) return err('a PEM PUBLIC KEY block is not DER');
        out.push({ format: 'spki', der: spki });
      } else if (label === 'RSA PUBLIC KEY') out.push({ format: 'spki', der: pkcs1ToSpki(der) });
      else return err(`a PEM block is a ${label}, not a public key`);
    }
    return out.length > 0 ? ok(out) : err('no complete PEM block found');
  }
  // Bare base64 DER; several keys may be separated by whitespace or commas.
  const out: KeyMaterial[] = [];
  for (const part of src.split(/[\s,]+/)) {
    const der = base64ToBytes(part);
    const spki = der && derToSpki(der);
    if (!spki) return err('the value is neither PEM, JWK nor base64 DER');
    out.push({ format: 'spki', der: spki });
  }
  return ok(out);
}

export type VerifyAlgorithm = SubtleCryptoImportKeyAlgorithm;

/** RSA keys shorter than this are refused (NIST SP 800-131A: 1024-bit RSA is disallowed; 2048 is the floor). */
export const MIN_RSA_BITS = 2048;

/**
 * Imports every key for verification with one algorithm; a key that WebCrypto refuses, or an RSA key below
 * 2048 bits (forgeable by anyone with a few dollars of compute), fails the whole set with a clear error.
 */
export async function importVerifyKeys(materials: readonly KeyMaterial[], algorithm: VerifyAlgorithm): Promise<Result<CryptoKey[], string>> {
  const keys: CryptoKey[] = [];
  for (const [i, m] of materials.entries()) {
    let key: CryptoKey;
    try {
      key =
        m.format === 'spki'
          ? await crypto.subtle.importKey('spki', m.der, algorithm, false, ['verify'])
          : await crypto.subtle.importKey('jwk', m.jwk, algorithm, false, ['verify']);
    } catch (e) {
      return err(`key #${i + 1} could not be imported as ${algorithm.name} (${e instanceof Error ? e.name : 'error'})`);
    }
    const bits = (key.algorithm as { modulusLength?: number }).modulusLength;
    if (typeof bits === 'number' && bits < MIN_RSA_BITS) return err(`key #${i + 1} is a ${bits}-bit RSA key: at least ${MIN_RSA_BITS} bits are required`);
    keys.push(key);
  }
  return ok(keys);
}
