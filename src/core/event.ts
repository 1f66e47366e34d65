/**
 * The canonical event every source normalizes into, and that rules match against. Pure types.
 */

export type SourceKind = 'prequel' | 'prelude' | 'standard-webhooks';

/**
 * The source of the relay's own events (a budget's digest, a group's notification): recorded and delivered like
 * any event, never routed by the rules, and reserved (no source of rules.yaml may take the name).
 */
export const RELAY_SOURCE = 'switchyard';

export interface CanonicalEvent {
  /** The source's name in rules.yaml (the `:source` of `/hooks/:source`). */
  readonly source: string;
  /** Which verifier/normalizer produced it; 'switchyard' for what the relay says itself (a paging budget's digest). */
  readonly kind: SourceKind | 'switchyard';
  /** The vendor's event type, e.g. `transfer.error`. */
  readonly type: string;
  /**
   * Idempotency identity: the vendor's event id (`evt_…`, `webhook-id`) or, for Prequel, which sends none,
   * `pq_` + SHA-256 of the signed body.
   */
  readonly id: string;
  /** When the vendor says the event happened (RFC 3339), when it says so. */
  readonly occurredAt: string | null;
  /** When this relay accepted the delivery (RFC 3339, from the injected clock). */
  readonly receivedAt: string;
  /** The vendor's correlation id, when one was sent. */
  readonly correlationId: string | null;
  /** The event's own data: Prequel `data`, Prelude `payload`, Standard Webhooks `data`. */
  readonly data: unknown;
  /** Envelope facts worth keeping that are not data (api version, Prelude app id, …). */
  readonly meta: Readonly<Record<string, string>>;
}
