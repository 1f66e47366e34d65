/**
 * One Durable Object per accepted event (named `<source>:<event id>`): the idempotency record, and the place
 * the event's trace grows in later stages. Strongly consistent and single-threaded per id, so two identical
 * deliveries arriving together are accepted once; the record expires by alarm after the retention period.
 */
import { DurableObject } from 'cloudflare:workers';
import type { CanonicalEvent } from '../core/event.ts';
import type { AcceptOutcome, EventLedger, RoutingDecision } from '../pipeline/ingest.ts';

interface StoredRecord {
  readonly event: CanonicalEvent;
  readonly routing: RoutingDecision;
  readonly acceptedAt: number;
  readonly deliveries: number;
}

const RECORD = 'record';

export class EventLedgerObject extends DurableObject {
  /** Serializes accept() calls: a later step (enqueueing jobs) will await I/O that input gates do not cover. */
  private tail: Promise<unknown> = Promise.resolve();

  accept(event: CanonicalEvent, routing: RoutingDecision, retentionMs: number): Promise<AcceptOutcome> {
    const run = this.tail.then(() => this.acceptNow(event, routing, retentionMs));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async acceptNow(event: CanonicalEvent, routing: RoutingDecision, retentionMs: number): Promise<AcceptOutcome> {
    const existing = await this.ctx.storage.get<StoredRecord>(RECORD);
    if (existing) {
      await this.ctx.storage.put(RECORD, { ...existing, deliveries: existing.deliveries + 1 });
      return 'duplicate';
    }
    const now = Date.now();
    await this.ctx.storage.put(RECORD, { event, routing, acceptedAt: now, deliveries: 1 } satisfies StoredRecord);
    await this.ctx.storage.setAlarm(now + retentionMs);
    return 'accepted';
  }

  /** The stored record, for tests and (later) the admin API's trace. */
  async record(): Promise<StoredRecord | null> {
    return (await this.ctx.storage.get<StoredRecord>(RECORD)) ?? null;
  }

  override async alarm(): Promise<void> {
    await this.ctx.storage.deleteAll();
  }
}

/** The ledger as ingest uses it, in front of the Durable Object namespace. */
export function createDurableLedger(namespace: DurableObjectNamespace<EventLedgerObject>, retentionMs: number): EventLedger {
  return {
    accept: (event, routing) => namespace.getByName(ledgerName(event)).accept(event, routing, retentionMs),
  };
}

export function ledgerName(event: Pick<CanonicalEvent, 'source' | 'id'>): string {
  return `${event.source}:${event.id}`;
}
