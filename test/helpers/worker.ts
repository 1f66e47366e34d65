/**
 * Calls into the real Worker (its default export, inside workerd) with deliveries signed by the test keys.
 */
import { env, exports } from 'cloudflare:workers';
import type { TestKeys } from './keys.ts';
import { prequelHeaders, preludeHeaders, rfc3339, standardWebhooksHeaders, type PreludeSignOptions } from './signers.ts';

export const keys = JSON.parse(env.TEST_KEYS) as TestKeys;

export function post(path: string, body: string | Uint8Array, headers: Record<string, string>): Promise<Response> {
  return exports.default.fetch(new Request(`https://relay.test${path}`, { method: 'POST', body, headers }));
}

/** A signed Prequel delivery to /hooks/prequel, or to `source` (another source of kind prequel). */
export async function postPrequel(
  body: string,
  options: { key?: 0 | 1; sentAt?: number; extra?: Record<string, string>; source?: string } = {},
): Promise<Response> {
  const headers = await prequelHeaders(keys.prequel[options.key ?? 0].privatePem, body, rfc3339(options.sentAt ?? Date.now()));
  return post(`/hooks/${options.source ?? 'prequel'}`, body, { ...headers, ...options.extra });
}

export async function postPrelude(body: string, options: PreludeSignOptions & { key?: 0 | 1 } = {}): Promise<Response> {
  return post('/hooks/prelude', body, await preludeHeaders(keys.prelude[options.key ?? 0].privatePem, body, options));
}

export async function postBilling(body: string, id: string, options: { key?: 0 | 1; sentAt?: number } = {}): Promise<Response> {
  const headers = await standardWebhooksHeaders(keys.billing[options.key ?? 0], id, Math.floor((options.sentAt ?? Date.now()) / 1000), body);
  return post('/hooks/billing', body, headers);
}

export interface IngestBody {
  readonly ok: boolean;
  readonly accepted?: number;
  readonly duplicates?: number;
  readonly events?: { id: string; type: string; status: string }[];
  readonly error?: { reason: string; message: string };
}

export async function json(response: Response): Promise<IngestBody> {
  return (await response.json()) as IngestBody;
}
