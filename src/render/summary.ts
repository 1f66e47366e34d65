/**
 * The default reading of every known event type: a title that says what broke and who is to blame, the
 * fields that matter for that type, the log or message to show, a link, what changed, and ids for context.
 * Slack, PagerDuty and HTTP renderers all start from this one model. Pure: no I/O.
 */
import type { CanonicalEvent } from '../core/event.ts';
import { display, maskPersonal, maskPhone, safeLinkUrl } from './text.ts';
import type { Severity } from '../core/delivery.ts';

export interface SummaryField {
  readonly label: string;
  readonly value: string;
}

export interface Summary {
  readonly title: string;
  readonly severity: Severity;
  /** problem: something broke; recovery: it works again; info: worth knowing. */
  readonly state: 'problem' | 'recovery' | 'info';
  readonly fields: readonly SummaryField[];
  /** The message to read: customer-safe text, or a log shown as code. */
  readonly body: { readonly style: 'text' | 'code'; readonly label: string; readonly text: string } | null;
  readonly link: { readonly label: string; readonly url: string } | null;
  /** For resource updates: what differs between the previous and the current resource. */
  readonly changes: readonly { readonly path: string; readonly before: string; readonly after: string }[];
  readonly context: readonly string[];
  /** What the reading left out and why (an unsafe link), shown with the notification and kept in its trace. */
  readonly notes: readonly string[];
}

type Data = Record<string, unknown>;
const obj = (v: unknown): Data => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Data) : {});
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const BLAME: Record<string, { label: string; severity: Severity }> = {
  third_party: { label: 'customer side', severity: 'warning' },
  first_party: { label: 'our integration', severity: 'error' },
  prequel: { label: 'Prequel', severity: 'error' },
  host: { label: 'self-hosted Prequel', severity: 'error' },
  unknown: { label: 'cause unknown', severity: 'error' },
};

const HOOK_REASONS: Record<string, { label: string; transport: boolean }> = {
  request_failed: { label: 'hook unreachable (DNS, connection, TLS or 5 s timeout)', transport: true },
  invalid_status_code: { label: 'hook answered with a non-2xx status', transport: true },
  response_decode_failed: { label: 'hook response is not JSON (or over 64 KB)', transport: false },
  missing_external_id: { label: 'hook response lacks external_id', transport: false },
  missing_identifiers: { label: 'hook response has no identifier', transport: false },
  invalid_response: { label: 'hook response is invalid', transport: false },
};

const MESSAGE_REASONS: Record<string, { label: string; severity: Severity; retriable: boolean }> = {
  insufficient_balance: { label: 'insufficient balance', severity: 'error', retriable: false },
  carrier_rejected: { label: 'rejected by the carrier', severity: 'warning', retriable: false },
  unknown_recipient: { label: 'number not in service', severity: 'info', retriable: false },
  unavailable: { label: 'recipient temporarily unavailable', severity: 'info', retriable: true },
  network: { label: 'carrier network unreachable', severity: 'info', retriable: true },
  generic: { label: 'no detail from the carrier', severity: 'info', retriable: true },
  unknown: { label: 'delivery status unknown', severity: 'info', retriable: false },
};

const RESOURCES: Record<string, string> = {
  export_source: 'Source',
  export_destination: 'Destination',
  recipient: 'Recipient',
  export_magic_link: 'Magic link',
};

/** Keys never shown from resources: credentials arrive as "[redacted]", and magic links grant access. */
const HIDDEN_RESOURCE_KEYS = new Set(['link', 'ssh_public_key', 'bucket_secret_key', 'password', 'private_key', 'service_account_key']);

/**
 * The reading of an event, made safe to show: e-mail addresses and phone numbers masked by value in every
 * text a person reads (title, fields, body, changes), and a link kept only when it is an http(s) URL.
 */
export function summarize(event: CanonicalEvent): Summary {
  const s = read(event);
  const notes: string[] = [];
  let link = s.link;
  if (link && safeLinkUrl(link.url) === null) {
    notes.push(`link dropped: ${JSON.stringify(link.url.slice(0, 40))} is not an http(s) URL`);
    link = null;
  }
  return {
    ...s,
    title: maskPersonal(s.title),
    fields: s.fields.map((f) => ({ label: f.label, value: maskPersonal(f.value) })),
    body: s.body ? { ...s.body, text: maskPersonal(s.body.text) } : null,
    changes: s.changes.map((c) => ({ path: c.path, before: maskPersonal(c.before), after: maskPersonal(c.after) })),
    link,
    notes,
  };
}

function read(event: CanonicalEvent): Omit<Summary, 'notes'> {
  const data = obj(event.data);
  const base = { fields: [] as SummaryField[], body: null, link: null, changes: [], context: contextOf(event) };
  if (event.kind === 'prequel') {
    if (event.type.startsWith('transfer.')) return transfer(event, data, base);
    const [resource, verb] = event.type.split('.');
    if (resource && RESOURCES[resource] && verb) return prequelResource(RESOURCES[resource]!, verb, data, base);
  }
  if (event.kind === 'prelude') {
    if (event.type === 'migration.hook_failed' || event.type === 'step_up.hook_failed') return hookFailed(event, data, base);
    if (event.type.startsWith('transactional.message.')) return message(event, data, base);
  }
  if (event.kind === 'switchyard' && event.type.startsWith('health.')) return health(event, data, base);
  return generic(event, data, base);
}

/** A notice about the relay itself (settings.health): its own title, fields and advice. */
function health(event: CanonicalEvent, d: Data, base: Base): Reading {
  const severity = (['critical', 'error', 'warning', 'info'] as const).find((s) => s === d.severity) ?? 'warning';
  const fields = Object.entries(obj(d.fields)).map(([label, value]) => ({ label: label.charAt(0).toUpperCase() + label.slice(1), value: display(value) }));
  const recovery = event.type === 'health.target_recovered' || event.type === 'health.source_back';
  return {
    ...base,
    title: `Switchyard: ${str(d.title) ?? event.type}`,
    severity: recovery ? 'info' : severity,
    state: recovery ? 'recovery' : 'problem',
    fields,
    body: str(d.text) ? { style: 'text', label: 'What to do', text: str(d.text)! } : null,
    context: [`relay health · ${event.type}`, `event ${event.id}`],
  };
}

type Base = Pick<Summary, 'fields' | 'body' | 'link' | 'changes' | 'context'>;
type Reading = Omit<Summary, 'notes'>;

function transfer(event: CanonicalEvent, d: Data, base: Base): Reading {
  const destination = str(d.destination_name) ?? str(d.destination_id) ?? 'a destination';
  const models = Array.isArray(d.models) ? d.models : [];
  const fields: SummaryField[] = [
    { label: 'Destination', value: display(d.destination_name ?? d.destination_id) },
    { label: 'Customer', value: display(d.id_in_provider_system) },
    { label: 'Models', value: display(models) },
    { label: 'Rows transferred', value: display(d.rows_transferred) },
    { label: 'Status', value: display(d.transfer_status) },
  ];
  const link = str(d.in_app_url) ? { label: 'Open in Prequel', url: str(d.in_app_url)! } : null;
  if (event.type === 'transfer.error') {
    const blame = BLAME[str(d.transfer_blamed_party) ?? 'prequel'] ?? BLAME.unknown!;
    fields.splice(4, 0, { label: 'Blamed party', value: `${display(d.transfer_blamed_party ?? 'prequel')} (${blame.label})` });
    const pretty = str(d.transfer_log_pretty);
    const log = str(d.transfer_log);
    const body =
      d.transfer_blamed_party === 'third_party' && pretty
        ? { style: 'text' as const, label: 'What the customer sees', text: pretty }
        : log
          ? { style: 'code' as const, label: 'Transfer log', text: log }
          : null;
    return { ...base, title: `Transfer to ${destination} failed — ${blame.label}`, severity: blame.severity, state: 'problem', fields, body, link };
  }
  if (event.type === 'transfer.success') {
    return { ...base, title: `Transfer to ${destination} succeeded`, severity: 'info', state: 'recovery', fields, link };
  }
  if (event.type === 'transfer.cancelled') {
    const log = str(d.transfer_log);
    return {
      ...base,
      title: `Transfer to ${destination} cancelled`,
      severity: 'warning',
      state: 'info',
      fields,
      link,
      body: log ? { style: 'text', label: 'Reason', text: log } : null,
    };
  }
  return { ...base, title: `Transfer to ${destination}: ${event.type}`, severity: 'info', state: 'info', fields, link };
}

function prequelResource(label: string, verb: string, d: Data, base: Base): Reading {
  const current = obj(d.current_resource);
  const previous = obj(d.previous_resource);
  const resource = Object.keys(current).length > 0 ? current : previous;
  const name = str(resource.name) ?? str(resource.id) ?? 'unnamed';
  const fields: SummaryField[] = [];
  for (const [key, fieldLabel] of [
    ['vendor', 'Vendor'],
    ['host', 'Host'],
    ['database', 'Database'],
    ['schema', 'Schema'],
    ['products', 'Products'],
    ['id_in_provider_system', 'Customer'],
    ['recipient_id', 'Recipient'],
    ['is_enabled', 'Enabled'],
  ] as const) {
    if (key in resource) fields.push({ label: fieldLabel, value: display(resource[key]) });
  }
  const changes = verb === 'updated' ? diff(previous, current) : [];
  const disabled = verb === 'updated' && previous.is_enabled === true && current.is_enabled === false;
  return {
    ...base,
    title: `${label} “${name}” ${disabled ? 'disabled' : verb}`,
    severity: disabled || verb === 'deleted' ? 'warning' : 'info',
    state: 'info',
    fields,
    changes,
  };
}

/** Flattened differences between two resources, secrets and timestamps left out. */
export function diff(before: Data, after: Data, prefix = ''): { path: string; before: string; after: string }[] {
  const out: { path: string; before: string; after: string }[] = [];
  for (const key of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
    if (HIDDEN_RESOURCE_KEYS.has(key) || key === 'updated_at') continue;
    const a = before[key];
    const b = after[key];
    const path = prefix ? `${prefix}.${key}` : key;
    if (typeof a === 'object' && a !== null && !Array.isArray(a) && typeof b === 'object' && b !== null && !Array.isArray(b)) {
      out.push(...diff(a as Data, b as Data, path));
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ path, before: a === '[redacted]' ? '[redacted]' : display(a), after: b === '[redacted]' ? '[redacted]' : display(b) });
    }
  }
  return out;
}

function hookFailed(event: CanonicalEvent, d: Data, base: Base): Reading {
  const hook = event.type === 'migration.hook_failed' ? 'migration' : 'step-up';
  const reason = str(d.reason) ?? 'unknown';
  const known = HOOK_REASONS[reason];
  return {
    ...base,
    title: `Prelude could not use our ${hook} hook — ${known?.label ?? reason}`,
    severity: known?.transport === false ? 'error' : 'critical',
    state: 'problem',
    fields: [
      { label: 'Reason', value: reason },
      { label: 'Kind', value: known ? (known.transport ? 'transport (hook unreachable or failing)' : 'response (hook answered, body unusable)') : '—' },
      { label: 'Dispatch', value: display(d.dispatch_id) },
      { label: 'Occurred at', value: display(d.occurred_at ?? event.occurredAt) },
      ...(event.meta.appId ? [{ label: 'App', value: event.meta.appId }] : []),
    ],
  };
}

function message(event: CanonicalEvent, d: Data, base: Base): Reading {
  const outcome = event.type.slice('transactional.message.'.length).replace(/_/g, ' ');
  const to = str(d.to) ? maskPhone(str(d.to)!) : 'a recipient';
  const reason = str(d.reason);
  const known = reason ? MESSAGE_REASONS[reason] : undefined;
  const failed = event.type === 'transactional.message.failed';
  return {
    ...base,
    title: `Message to ${to} ${failed ? 'failed' : outcome}${reason ? ` — ${known?.label ?? reason}` : ''}`,
    severity: failed ? (known?.severity ?? 'warning') : 'info',
    state: failed ? 'problem' : 'info',
    fields: [
      { label: 'Status', value: display(d.status ?? outcome) },
      ...(reason ? [{ label: 'Reason', value: `${reason}${known ? (known.retriable ? ' (Prelude may retry)' : ' (final)') : ''}` }] : []),
      { label: 'Message', value: display(d.id) },
      ...(str(d.template_id) ? [{ label: 'Template', value: str(d.template_id)! }] : []),
    ],
  };
}

function generic(event: CanonicalEvent, d: Data, base: Base): Reading {
  const fields = Object.entries(d)
    .filter(([k, v]) => (typeof v !== 'object' || v === null) && !/phone|email|^to$|^from$|token|secret|password/i.test(k))
    .slice(0, 8)
    .map(([k, v]) => ({ label: k.replace(/_/g, ' '), value: display(v) }));
  return { ...base, title: `${event.type} from ${event.source}`, severity: /fail|error/.test(event.type) ? 'warning' : 'info', state: 'info', fields };
}

function contextOf(event: CanonicalEvent): string[] {
  const d = obj(event.data);
  const ids = [
    str(d.transfer_id) ? `transfer ${str(d.transfer_id)}` : null,
    str(d.destination_id) ? `destination ${str(d.destination_id)}` : null,
    event.correlationId ? `correlation ${event.correlationId}` : null,
    `event ${event.id.length > 24 ? `${event.id.slice(0, 24)}…` : event.id}`,
    `${event.source}`,
  ];
  return ids.filter((x): x is string => x !== null);
}
