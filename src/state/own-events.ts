/**
 * The relay's own events (a budget's digest, a group's notification, a health notice): recorded in the event
 * ledger like a vendor's — idempotent by id, so a retried alarm or call records one once — with jobs to the
 * route they are addressed to, handed to the one dispatch (the queue, or the caller's inline runner).
 */
import type { Env } from '../core/env.ts';
import type { CanonicalEvent } from '../core/event.ts';
import type { JobEffect } from '../core/jobs.ts';
import { deliveryMode, dispatcher, type InlineRunner } from '../pipeline/dispatch.ts';
import { eventStore } from './event-store.ts';

/** Kept as long as a vendor's events are by default: Prelude's two weeks and a day. */
const OWN_EVENT_RETENTION_MS = 15 * 86_400_000;

/** Records the event with one job per target of `route`, dispatches them; the number of jobs. */
export async function recordOwnEvent(
  env: Env,
  event: CanonicalEvent,
  route: { readonly index: number; readonly name: string; readonly notify: readonly string[] },
  how: { readonly auth: string; readonly effect?: JobEffect; readonly inline: InlineRunner },
): Promise<number> {
  const accepted = await eventStore(env).accept(
    event,
    { routes: [{ index: route.index, name: route.name, notify: route.notify }] },
    { retentionMs: OWN_EVENT_RETENTION_MS, mode: deliveryMode(env), auth: how.auth, ...(how.effect ? { effect: how.effect } : {}) },
  );
  await dispatcher(env, how.inline)(accepted.jobs);
  return accepted.jobs.length;
}
