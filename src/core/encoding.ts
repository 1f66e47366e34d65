/**
 * Byte helpers for signature work: hex, base64 (standard and url-safe), concatenation, constant-time compare.
 * Pure: no I/O. Decoders return null on malformed input instead of throwing.
 */
/** Value of an ASCII hex digit, or -1: a table, because per-byte slicing and parseInt cost ~20 µs per signature. */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;
  HEX_VALUE['0123456789ABCDEF'.charCodeAt(i)] = i;
}

export function hexToBytes(hex: string): Uint8Array<ArrayBuffer> | null {
  if (hex.length === 0 || hex.length % 2 !== 0) return null;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = hex.charCodeAt(2 * i);
    const lo = hex.charCodeAt(2 * i + 1);
    const h = hi < 128 ? HEX_VALUE[hi]! : -1;
    const l = lo < 128 ? HEX_VALUE[lo]! : -1;
    if ((h | l) < 0) return null;
    out[i] = (h << 4) | l;
  }
  return out;
}

const HEX_DIGITS = '0123456789abcdef';
export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += HEX_DIGITS[b >> 4]! + HEX_DIGITS[b & 15]!;
  return s;
}

const B64_RE = /^[A-Za-z0-9+/_-]*={0,2}$/;
const B64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * Decodes standard base64 or base64url, with or without padding (senders disagree), but not
 * a mix of the two alphabets. Only the canonical encoding is accepted: atob ignores non-zero unused bits in the last character, which would let
 * several header texts stand for one signature.
 */
export function base64ToBytes(input: string): Uint8Array<ArrayBuffer> | null {
  const s = input.trim();
  if (s.length === 0 || !B64_RE.test(s)) return null;
  if (/[+/]/.test(s) && /[-_]/.test(s)) return null; // one alphabet or the other, never both
  let std = s.replace(/-/g, '+').replace(/_/g, '/').replace(/=+$/, '');
  const tail = std.length % 4;
  if (tail === 1) return null;
  if (tail !== 0) {
    // The last character carries 4 (tail 2) or 2 (tail 3) unused bits, which must be zero.
    const last = B64_ALPHABET.indexOf(std[std.length - 1]!);
    if ((last & (tail === 2 ? 0x0f : 0x03)) !== 0) return null;
    std += '='.repeat(4 - tail);
  }
  let bin: string;
  try {
    bin = atob(std);
  } catch {
    return null;
  }
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function bytesToBase64(bytes: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  let len = 0;
  for (const p of parts) len += p.length;
  const out = new Uint8Array(len);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Constant-time equality of two byte strings (length is not secret). */
export function timingSafeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

export const utf8 = new TextEncoder();
