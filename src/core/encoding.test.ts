import { describe, expect, it } from 'vitest';
import { base64ToBytes, bytesToBase64, bytesToHex, hexToBytes, timingSafeEqual } from './encoding.ts';

describe('encoding', () => {
  it('round-trips hex and rejects odd or non-hex input', () => {
    expect(bytesToHex(hexToBytes('00ff10Ab')!)).toBe('00ff10ab');
    expect([hexToBytes('abc'), hexToBytes('zz'), hexToBytes('')]).toEqual([null, null, null]);
  });

  it('decodes base64 and base64url, with or without padding', () => {
    const bytes = Uint8Array.of(251, 255, 191, 0, 1);
    const std = bytesToBase64(bytes);
    expect(std).toBe('+/+/AAE=');
    for (const text of ['+/+/AAE=', '+/+/AAE', '-_-_AAE', '-_-_AAE=']) expect(base64ToBytes(text)).toEqual(bytes);
  });

  it('rejects non-canonical base64 (non-zero unused bits) and garbage', () => {
    expect(base64ToBytes('+/+/AAF=')).toBeNull();
    expect([base64ToBytes('a'), base64ToBytes('ab$d'), base64ToBytes('')]).toEqual([null, null, null]);
    expect(base64ToBytes('+/-_AAE=')).toBeNull(); // both alphabets in one string
  });

  it('compares in constant time semantics', () => {
    expect(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(timingSafeEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(timingSafeEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false);
  });
});
