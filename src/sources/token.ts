/**
 * Constant-time comparison of shared tokens (inbound token auth, Prelude's activation token): both sides are
 * hashed first so neither their content nor their length leaks through timing.
 */
import { timingSafeEqual, utf8 } from '../core/encoding.ts';

async function sha256(text: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', utf8.encode(text)));
}

export async function tokensMatch(presented: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(presented), sha256(expected)]);
  return timingSafeEqual(a, b);
}
