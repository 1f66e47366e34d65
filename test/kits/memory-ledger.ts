/**
 * An in-memory EventLedger for the Node test tier and benchmarks: the same accept-once contract as the
 * Durable Object, without its durability. Never used by the Worker.
 */
import type { CanonicalEvent } from '../../src/core/event.ts';
import type { EventLedger } from '../../src/pipeline/ingest.ts';
import { eventKey, planJobs } from '../../src/core/jobs.ts';
import type { AcceptResult, RoutingDecision } from '../../src/core/delivery.ts';

/** Accepts each event once and hands its jobs back, as the Durable Object does in inline mode. */
export function createMemoryLedger(): EventLedger & { readonly events: Map<string, CanonicalEvent> } {
  const events = new Map<string, CanonicalEvent>();
  return {
    events,
    async accept(event, routing): Promise<AcceptResult> {
      const key = eventKey(event);
      if (events.has(key)) return { outcome: 'duplicate', jobs: [] };
      events.set(key, event);
      return { outcome: 'accepted', jobs: await planJobs(event, routing) };
    },
  };
}

/** Routing for tests that are not about routing: no route matches. */
export const NO_ROUTES = (): RoutingDecision => ({ routes: [] });
