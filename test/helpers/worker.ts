/**
 * Calls into the real Worker (its default export, inside workerd) with deliveries signed by the test keys.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import worker from '../../src/index.ts';
import type { Env } from '../../src/core/env.ts';
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

/** `env`: the Worker runs with these bindings instead (e.g. FIRST_ATTEMPT=queue: the queue consumer's path). */
export async function postBilling(body: string, id: string, options: { key?: 0 | 1; sentAt?: number; env?: Env } = {}): Promise<Response> {
  const headers = await standardWebhooksHeaders(keys.billing[options.key ?? 0], id, Math.floor((options.sentAt ?? Date.now()) / 1000), body);
  if (!options.env) return post('/hooks/billing', body, headers);
  const ctx = createExecutionContext();
  const res = await worker.fetch(new Request('https://relay.test/hooks/billing', { method: 'POST', body, headers }), options.env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The Worker's bindings with the queue consumer making every attempt (FIRST_ATTEMPT=queue). */
export const consumerEnv = (): Env => ({ ...(env as unknown as Env), FIRST_ATTEMPT: 'queue' });

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
