/**
 * Turning a raw vendor payload (as saved from a webhook) into canonical events offline, the way the Worker
 * does after verification: the source is named, or guessed from the payload's shape.
 */
import { createHash } from 'node:crypto';
import type { CanonicalEvent } from '../core/event.ts';
import type { RulesConfig, SourceConfig } from '../rules/config.ts';
import { handlerFor } from '../sources/registry.ts';

export type ToEvents = { ok: true; events: CanonicalEvent[]; source: string } | { ok: false; error: string };

/** Which source kind a payload looks like: Prelude has `payload` or `events`; Prequel an API version. */
export function guessKind(body: unknown): SourceConfig['kind'] | null {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return null;
  const b = body as Record<string, unknown>;
  if ('events' in b || 'payload' in b) return 'prelude';
  if ('api_version' in b || 'version' in b) return 'prequel';
  if ('type' in b && 'data' in b) return 'standard-webhooks';
  return null;
}

export function payloadToEvents(text: string, rules: Pick<RulesConfig, 'sources'>, sourceName: string | null, receivedAt = new Date().toISOString()): ToEvents {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (e) {
    return { ok: false, error: `the event file is not JSON: ${e instanceof Error ? e.message : String(e)}` };
  }
  let name = sourceName;
  if (name === null) {
    const kind = guessKind(body);
    name = Object.entries(rules.sources).find(([, s]) => s.kind === kind)?.[0] ?? null;
    if (name === null) return { ok: false, error: `cannot tell which source sent this (looks like ${kind ?? 'nothing known'}); name it with --source` };
  }
  const config = rules.sources[name];
  if (!config || !Object.hasOwn(rules.sources, name))
    return { ok: false, error: `no source "${name}" in the rules (sources: ${Object.keys(rules.sources).join(', ')})` };
  const headers = new Headers(
    config.kind === 'standard-webhooks' ? { 'webhook-id': `msg_explain_${createHash('sha256').update(text).digest('hex').slice(0, 16)}` } : {},
  );
  const events = handlerFor(config).normalize(body, { source: name, receivedAt, headers, bodySha256Hex: createHash('sha256').update(text).digest('hex') });
  return events.ok ? { ok: true, events: events.value, source: name } : { ok: false, error: `not a ${config.kind} event: ${events.error.detail}` };
}
