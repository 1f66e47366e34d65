/**
 * Sample events the rules check renders every template against, one per shape a route can receive, so a
 * template that fails on real data fails `switchyard check`, not a page. Values follow the vendors' docs.
 * Pure data.
 */
import type { CanonicalEvent } from '../core/event.ts';

const base = { id: 'evt_sample', occurredAt: '2026-01-15T10:30:00Z', receivedAt: '2026-01-15T10:30:01.000Z', correlationId: 'corr-sample' };

export const SAMPLE_EVENTS: readonly CanonicalEvent[] = [
  {
    ...base,
    source: 'prequel',
    kind: 'prequel',
    type: 'transfer.error',
    meta: { apiVersion: '2023-10-15' },
    data: {
      destination_id: '00000000-0000-0000-0000-000000000000',
      destination_name: 'Foo Bar',
      id_in_provider_system: 'acme',
      models: ['users'],
      rows_transferred: 1179,
      transfer_blamed_party: 'third_party',
      transfer_status: 'PARTIAL_FAILURE',
      transfer_log: 'Exception in thread "main"',
      transfer_log_pretty: 'Credentials expired',
      in_app_url: 'https://app.prequel.co/export/destinations/0/transfers',
    },
  },
  {
    ...base,
    source: 'prequel',
    kind: 'prequel',
    type: 'export_destination.updated',
    meta: { apiVersion: '2023-10-15' },
    data: {
      current_resource: { id: 'd1', name: 'Acme Inc', vendor: 'snowflake', is_enabled: false },
      previous_resource: { id: 'd1', name: 'Acme Inc', vendor: 'snowflake', is_enabled: true },
    },
  },
  {
    ...base,
    source: 'prelude',
    kind: 'prelude',
    type: 'migration.hook_failed',
    meta: {},
    data: { reason: 'request_failed', occurred_at: '2026-01-15T10:30:00Z', dispatch_id: 'd-1' },
  },
  {
    ...base,
    source: 'prelude',
    kind: 'prelude',
    type: 'transactional.message.failed',
    meta: {},
    data: { id: 'tx_1', to: '+33612345678', status: 'failed', reason: 'insufficient_balance', metadata: { correlation_id: 'c' } },
  },
  { ...base, source: 'billing', kind: 'standard-webhooks', type: 'invoice.payment_failed', meta: {}, data: { invoice_id: 'in_1', amount_due: 12900 } },
];
