// Prequel's signature, as the benchmarks and the deployed-bundle test send it: RSA PKCS#1 v1.5 SHA-256 over
// `timestamp.body`, hex, with the timestamp in its own header (PROTOCOLS.md §1). Signed afresh at each call.
import { sign } from 'node:crypto';

export function prequelHeaders(body, privateKey, at = new Date()) {
  const ts = at.toISOString();
  return {
    'content-type': 'application/json',
    'x-prequel-webhook-timestamp': ts,
    'x-prequel-webhook-signature': sign('sha256', Buffer.from(`${ts}.${body}`), privateKey).toString('hex'),
  };
}
