/**
 * Test-side signers for the three inbound schemes, in WebCrypto so they run both in Node and in workerd.
 * They build exactly what the vendors send; the verifiers under test never share code with them.
 */
const enc = new TextEncoder();

function pemToDer(pem: string): Uint8Array<ArrayBuffer> {
  const b64 = pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  const bin = atob(b64);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

const toHex = (b: ArrayBuffer): string => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
const toB64 = (b: ArrayBuffer): string => btoa(String.fromCharCode(...new Uint8Array(b)));
const toB64Url = (b: ArrayBuffer): string => toB64(b).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');

const keyCache = new Map<string, Promise<CryptoKey>>();
function privateKey(pkcs8Pem: string, algorithm: { name: string; hash: string }): Promise<CryptoKey> {
  const id = `${algorithm.name}|${pkcs8Pem}`;
  let k = keyCache.get(id);
  if (!k) keyCache.set(id, (k = crypto.subtle.importKey('pkcs8', pemToDer(pkcs8Pem), algorithm, false, ['sign'])));
  return k;
}

export async function prequelHeaders(pkcs8Pem: string, body: string, timestamp: string): Promise<Record<string, string>> {
  const key = await privateKey(pkcs8Pem, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  const sig = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, enc.encode(`${timestamp}.${body}`));
  return { 'content-type': 'application/json', 'x-prequel-webhook-timestamp': timestamp, 'x-prequel-webhook-signature': toHex(sig) };
}

export async function prequelDigest(body: string): Promise<string> {
  return toHex(await crypto.subtle.digest('SHA-256', enc.encode(body)));
}

export interface PreludeSignOptions {
  readonly saltLength?: number;
  readonly encoding?: 'base64' | 'base64url';
}

export async function preludeHeaders(pkcs8Pem: string, body: string, options: PreludeSignOptions = {}): Promise<Record<string, string>> {
  const key = await privateKey(pkcs8Pem, { name: 'RSA-PSS', hash: 'SHA-256' });
  const sig = await crypto.subtle.sign({ name: 'RSA-PSS', saltLength: options.saltLength ?? 32 }, key, enc.encode(body));
  const text = options.encoding === 'base64url' ? toB64Url(sig) : toB64(sig);
  return { 'content-type': 'application/json', 'x-webhook-signature': `rsassa-pss-sha256=${text}` };
}

export async function standardWebhooksHeaders(secret: string, id: string, timestampSeconds: number, body: string): Promise<Record<string, string>> {
  const raw = pemToDer(secret.replace(/^whsec_/, ''));
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', key, enc.encode(`${id}.${timestampSeconds}.${body}`));
  return { 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestampSeconds), 'webhook-signature': `v1,${toB64(sig)}` };
}

/** RFC 3339 with whole seconds, as Prequel sends it. */
export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}
