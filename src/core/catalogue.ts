/**
 * What each vendor sends: its event types and, for each, the `data` fields it documents, from the vendors' own
 * pages (Prequel's Webhooks Integration page, Prelude's webhook and migration-hook pages; see PROTOCOLS.md).
 * One catalogue per source kind; Standard Webhooks senders are free-form (a source may declare its `types`).
 * It drives `switchyard check` (an unknown type or field in a route is an error, with "did you mean"), the
 * coverage report (known types that reach no route), and the JSON Schema's completions. Pure data.
 *
 * Fields are dotted paths under `data`; `x.*` admits anything below `x` (a vendor-specific or user-defined
 * object). `values` lists a field's documented closed set: coverage tries each, and check warns of others.
 */
import type { SourceKind } from './event.ts';

export interface EventTypeSpec {
  /** One line: when the vendor sends it. */
  readonly about: string;
  readonly fields: readonly string[];
  readonly values?: Readonly<Record<string, readonly string[]>>;
}

export type EventCatalogue = Readonly<Record<string, EventTypeSpec>>;

// ---- Prequel ----------------------------------------------------------------------------------------------

const TRANSFER_FIELDS = [
  'destination_id',
  'destination_name',
  'id_in_provider_system',
  'in_app_url',
  'is_full_refresh',
  'models',
  'rows_transferred',
  'transfer_id',
  'transfer_status',
  'transfer_log',
  'transfer_log_pretty',
  'transfer_started_at',
  'transfer_ended_at',
];

/** Resource events carry the resource before and after (null on create / delete); its fields vary by vendor. */
const RESOURCE_FIELDS = ['current_resource', 'current_resource.*', 'previous_resource', 'previous_resource.*'];

const resourceEvents = (resource: string, label: string, actions: readonly string[]): Record<string, EventTypeSpec> =>
  Object.fromEntries(actions.map((action) => [`${resource}.${action}`, { about: `a ${label} was ${action}`, fields: RESOURCE_FIELDS }]));

export const PREQUEL_EVENTS: EventCatalogue = {
  'transfer.success': { about: 'a transfer succeeded', fields: TRANSFER_FIELDS },
  'transfer.error': {
    about: 'a transfer failed in part or in full; transfer_blamed_party says whose side',
    fields: [...TRANSFER_FIELDS, 'transfer_blamed_party'],
    values: { transfer_blamed_party: ['first_party', 'third_party', 'prequel', 'host', 'unknown'] },
  },
  'transfer.cancelled': { about: 'a pending transfer was cancelled, or a running one killed', fields: TRANSFER_FIELDS },
  ...resourceEvents('export_source', 'source', ['created', 'updated', 'deleted']),
  ...resourceEvents('export_destination', 'destination', ['created', 'updated', 'deleted']),
  ...resourceEvents('recipient', 'recipient', ['created', 'updated', 'deleted']),
  ...resourceEvents('export_magic_link', 'magic link', ['created', 'deleted']),
};

// ---- Prelude ----------------------------------------------------------------------------------------------

/** Transactional messages: `variables` and `metadata` are the sender's own. */
const MESSAGE_FIELDS = ['id', 'to', 'from', 'template_id', 'variables', 'variables.*', 'metadata', 'metadata.*', 'correlation_id', 'expires_at', 'created_at'];
const HOOK_FIELDS = ['reason', 'occurred_at', 'dispatch_id', 'correlation_id'];
const IDENTIFIER = ['identifier', 'identifier.type', 'identifier.value'];
const TARGET = ['target', 'target.type', 'target.value'];

export const PRELUDE_EVENTS: EventCatalogue = {
  'transactional.message.created': { about: 'a message was accepted for sending', fields: MESSAGE_FIELDS },
  'transactional.message.submitted': { about: 'a message was handed to a carrier', fields: MESSAGE_FIELDS },
  'transactional.message.pending_delivery': { about: 'a message awaits delivery', fields: MESSAGE_FIELDS },
  'transactional.message.delivered': { about: 'a message was delivered', fields: MESSAGE_FIELDS },
  'transactional.message.failed': {
    about: 'a message was not delivered; status and reason say why (some reasons are retried by Prelude)',
    fields: [...MESSAGE_FIELDS, 'status', 'reason'],
    values: {
      status: ['failed', 'expired'],
      reason: ['unavailable', 'generic', 'network', 'unknown_recipient', 'insufficient_balance', 'carrier_rejected', 'unknown'],
    },
  },
  'transactional.message.unknown': { about: 'delivery could not be determined', fields: [...MESSAGE_FIELDS, 'status', 'reason'] },
  'verify.authentication': {
    about: 'a verification was created',
    fields: ['verification_id', ...TARGET, 'price', 'price.amount', 'price.currency', 'metadata', 'metadata.*'],
  },
  'verify.attempt': { about: 'a verification code was sent', fields: ['verification_id', 'attempt_id', 'channel', ...TARGET] },
  'verify.delivery_status': { about: 'a verification code was delivered, or not', fields: ['verification_id', 'attempt_id', 'status', 'channel'] },
  'marketing.subscription.stop': { about: 'a recipient opted out of marketing messages', fields: ['phone_number', 'channel'] },
  'user.created': { about: 'a user was created', fields: ['user_id', 'identifiers', 'created_at'] },
  'user.deleted': { about: 'a user was deleted', fields: ['user_id'] },
  'user.profile.updated': { about: "a user's profile changed", fields: ['user_id'] },
  'user.identifier.created': { about: 'an identifier was added to a user', fields: ['user_id', ...IDENTIFIER] },
  'user.identifier.deleted': { about: 'an identifier was removed from a user', fields: ['user_id', ...IDENTIFIER] },
  'user.session.created': { about: 'a user signed in', fields: ['user_id', 'session_id', ...IDENTIFIER, 'metadata', 'metadata.*', 'created_at'] },
  'user.session.revoked': { about: "a user's session was revoked", fields: ['user_id', 'session_id'] },
  'migration.hook_failed': {
    about: 'Prelude could not complete a call to your migration hook',
    fields: HOOK_FIELDS,
    values: { reason: ['request_failed', 'invalid_status_code', 'response_decode_failed', 'missing_external_id', 'missing_identifiers', 'invalid_response'] },
  },
  'step_up.hook_failed': { about: 'Prelude could not complete a call to your step-up hook', fields: HOOK_FIELDS },
};

/** The catalogue of a source kind; null where the sender is free-form (Standard Webhooks). */
export function catalogueOf(kind: SourceKind): EventCatalogue | null {
  switch (kind) {
    case 'prequel':
      return PREQUEL_EVENTS;
    case 'prelude':
      return PRELUDE_EVENTS;
    case 'standard-webhooks':
      return null;
  }
}

/** Whether a type documents a `data` path (segments after `data`; array indexes and [*] are skipped). */
export function documentsField(spec: EventTypeSpec, segments: readonly (string | number | symbol)[]): boolean {
  const names = segments.filter((s): s is string => typeof s === 'string');
  if (names.length === 0) return true;
  const dotted = names.join('.');
  return spec.fields.some((f) => f === dotted || (f.endsWith('.*') && (dotted + '.').startsWith(f.slice(0, -1))));
}
