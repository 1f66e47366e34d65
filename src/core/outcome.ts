/**
 * What a delivery attempt came to, in the terms the retry layer decides on: ok, retryable
 * (with the server's Retry-After when it gave one), or permanent. Targets classify; they never retry.
 * Pure: no I/O.
 */
import { bytesToBase64, utf8 } from './encoding.ts';
export type Outcome =
  | { readonly kind: 'ok'; readonly status: number; readonly receipt: Receipt | null; readonly via?: 'inbox' }
  | { readonly kind: 'retryable'; readonly status: number | null; readonly retryAfterMs: number | null; readonly reason: string }
  | { readonly kind: 'permanent'; readonly status: number | null; readonly reason: string };

/** What a later update needs: Slack's channel id and message ts; PagerDuty's dedup key. */
export type Receipt = { readonly slack: { readonly channel: string; readonly ts: string } } | { readonly pagerduty: { readonly dedupKey: string } };

export const ok = (status: number, receipt: Receipt | null = null): Outcome => ({ kind: 'ok', status, receipt });
export const retryable = (status: number | null, reason: string, retryAfterMs: number | null = null): Outcome => ({
  kind: 'retryable',
  status,
  retryAfterMs,
  reason,
});
export const permanent = (status: number | null, reason: string): Outcome => ({ kind: 'permanent', status, reason });

/** Statuses worth another try: timeouts, too early, rate limits, and server errors. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 425 || status === 429 || status >= 500;
}

/** Retry-After as seconds or an HTTP date (RFC 9110 §10.2.3), in ms from `now`; null when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | null {
  if (!value) return null;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
}

/** Classifies an HTTP status the generic way (targets with vendor rules refine it). */
export function classifyStatus(status: number, reason: string, retryAfter: string | null, now: number): Outcome {
  if (status >= 200 && status < 300) return ok(status);
  if (isRetryableStatus(status)) return retryable(status, reason, parseRetryAfter(retryAfter, now));
  return permanent(status, reason);
}

/**
 * Every spelling of a secret that could turn up in an error text: as it is, percent-encoded (a URL in a
 * network error), form-encoded, and base64 in both alphabets (a Basic credential, an echo), longest first.
 */
export function secretForms(secret: string): string[] {
  const b64 = bytesToBase64(utf8.encode(secret));
  const forms = new Set([
    secret,
    encodeURIComponent(secret),
    encodeURI(secret),
    encodeURIComponent(secret).replace(/%20/g, '+'),
    b64,
    b64.replace(/=+$/, ''),
    b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, ''),
  ]);
  return [...forms].sort((a, b) => b.length - a.length);
}

/** Replaces every secret, in every spelling, that could have slipped into a message (URLs in network errors, echoes). */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (s.length < 4) continue;
    for (const form of secretForms(s)) if (form.length >= 4) out = out.split(form).join('[secret]');
  }
  return out;
}

/** A short, secret-free description of a thrown error: its name and, redacted, the start of its message. */
export function describeError(e: unknown, secrets: readonly string[]): string {
  const name = e instanceof Error ? e.name : 'Error';
  const message = e instanceof Error ? e.message : String(e);
  return redactSecrets(`${name}: ${message}`, secrets).slice(0, 200);
}
