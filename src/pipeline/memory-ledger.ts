/**
 * An in-memory EventLedger for the Node test tier and benchmarks: the same accept-once contract as the
 * Durable Object, without its durability. Never used by the Worker.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { AcceptOutcome, EventLedger, RoutingDecision } from './ingest.ts';

export function createMemoryLedger(): EventLedger & { readonly events: Map<string, CanonicalEvent> } {
  const events = new Map<string, CanonicalEvent>();
  return {
    events,
    async accept(event): Promise<AcceptOutcome> {
      const key = `${event.source}:${event.id}`;
      if (events.has(key)) return 'duplicate';
      events.set(key, event);
      return 'accepted';
    },
  };
}

/** Routing for tests that are not about routing: no route matches. */
export const NO_ROUTES = (): RoutingDecision => ({ routes: [] });
