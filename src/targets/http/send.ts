/**
 * Sending a generic HTTP request: `${NAME}` references in URL and headers resolved from the env, a timeout,
 * redirects not followed (a webhook receiver that redirects is misconfigured), and optional Standard
 * Webhooks signing of exactly the bytes sent, so receivers can verify us (`webhook-id` is the stable job id,
 * the same on every retry, as the spec asks).
 */
import { bytesToBase64, base64ToBytes, utf8 } from '../../core/encoding.ts';
import type { HttpTargetConfig } from './config.ts';
import { interpolate } from '../../core/interpolate.ts';
import { classifyStatus, describeError, permanent, redactSecrets, retryable, type Outcome } from '../../core/outcome.ts';
import type { SendDeps } from '../kind.ts';
import type { HttpRequestSpec } from './render.ts';

/** Standard Webhooks signature of `id.timestamp.body` (spec: standard-webhooks/standard-webhooks). */
export async function signStandardWebhooks(secret: string, id: string, timestampSeconds: number, body: string): Promise<string> {
  const raw = base64ToBytes(secret.startsWith('whsec_') ? secret.slice(6) : secret);
  if (!raw) throw new Error('signing secret is not whsec_<base64>');
  const key = await crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  const sig = await crypto.subtle.sign('HMAC', key, utf8.encode(`${id}.${timestampSeconds}.${body}`));
  return `v1,${bytesToBase64(new Uint8Array(sig))}`;
}

/**
 * A header value as sent: visible ASCII as it is; anything else (CR/LF from an event recorded before ids were
 * screened, non-Latin text) percent-encoded, since a header cannot carry it and the request would fail.
 */
export function headerSafe(value: string): string {
  return /^[\x20-\x7e]*$/.test(value) ? value : encodeURIComponent(value);
}

export async function sendHttp(spec: HttpRequestSpec, config: HttpTargetConfig, deps: SendDeps & { readonly messageId: string }): Promise<Outcome> {
  const secrets: string[] = [];
  const resolve = (text: string): string | null => {
    const r = interpolate(text, deps.env);
    if (!r.ok) return null;
    if (r.value !== text) secrets.push(r.value);
    return r.value;
  };
  const base = resolve(config.url);
  if (base === null) return permanent(null, `http: unset secret or variable in url`);
  const headers = new Headers();
  for (const [name, value] of Object.entries(config.headers)) {
    const v = resolve(value);
    if (v === null) return permanent(null, `http: unset secret or variable in header ${name}`);
    headers.set(name, v);
  }
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    return permanent(null, 'http: the url is not a valid URL');
  }
  // The URL's own parameters (an api_key, say) are never repeated or overridden by what the payload adds.
  const fixed = new Set(url.searchParams.keys());
  for (const [k, v] of spec.query) if (!fixed.has(k)) url.searchParams.append(k, v);
  if (spec.contentType) headers.set('content-type', spec.contentType);
  headers.set('user-agent', 'Switchyard');
  headers.set('x-switchyard-route', encodeURIComponent(spec.meta.route));
  headers.set('x-switchyard-severity', headerSafe(spec.meta.severity));
  headers.set('x-switchyard-event-id', headerSafe(spec.meta.eventId));
  headers.set('x-switchyard-event-type', headerSafe(spec.meta.eventType));
  if (config.signingSecret) {
    const secret = resolve(config.signingSecret);
    if (secret === null) return permanent(null, 'http: unset signing secret');
    const ts = Math.floor(deps.now() / 1000);
    headers.set('webhook-id', deps.messageId);
    headers.set('webhook-timestamp', String(ts));
    try {
      headers.set('webhook-signature', await signStandardWebhooks(secret, deps.messageId, ts, spec.body ?? ''));
    } catch (e) {
      return permanent(null, `http: ${describeError(e, secrets)}`);
    }
  }
  let response: Response;
  try {
    response = await deps.fetch(url.toString(), {
      method: spec.method,
      headers,
      body: spec.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs),
    });
  } catch (e) {
    return retryable(null, `http: ${describeError(e, secrets)}`);
  }
  await response.body?.cancel().catch(() => undefined);
  const reason = redactSecrets(`http: ${spec.method} answered ${response.status}`, secrets);
  if (response.status >= 300 && response.status < 400) return permanent(response.status, `${reason} (redirects are not followed)`);
  return classifyStatus(response.status, reason, response.headers.get('retry-after'), deps.now());
}
