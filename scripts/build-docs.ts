// Writes docs/sources/<kind>.md and docs/targets/<kind>.md from the same zod definitions the rules validator
// uses (fields, types, defaults, descriptions), the example's own configuration of that kind, and a short
// hand-written account of how each kind works. A test fails when the committed pages are stale:
//   node scripts/build-docs.ts
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { z } from 'zod';
import { SOURCE_SCHEMAS } from '../src/rules/schema.ts';
import { SCHEMA_PARTS } from '../src/core/schema-parts.ts';
import { targetKinds } from '../src/targets/registry.ts';
import { catalogueOf } from '../src/core/catalogue.ts';
import type { SourceKind } from '../src/core/event.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const SOURCE_NOTES: Record<string, string> = {
  prequel: `Prequel signs \`<X-Prequel-Webhook-Timestamp>.<raw body>\` with RSA PKCS#1 v1.5 / SHA-256 and sends the
hex signature in \`X-Prequel-Webhook-Signature\`. Switchyard checks the timestamp window first (\`max_age\`,
\`max_future\`), then the signature against every configured key (rotation), and only then parses JSON. An
optional body digest header is checked when present. Prequel sends no event id: the id is \`pq_\` + SHA-256 of
the signed body, so a retry of the same delivery is recognised as a duplicate. Events: \`transfer.error\` (with
\`transfer_blamed_party\`), \`transfer.success\`, \`transfer.cancelled\`, and created/updated/deleted for sources,
destinations, recipients and magic links.

A Prequel webhook created with the \`generic_get\` delivery method sends the payload as URL parameters on a GET
instead: \`GET /hooks/<source>?type=…&created_at=…&data=<JSON>\`, or with the data flattened
(\`data.destination_id=…\`, \`data[current_resource][name]=…\`; \`true\`, \`false\`, \`null\` and numbers typed back).
Prequel does not document the flattening nor which bytes it signs, so the signature is accepted over the query
string as received or over its canonical form (parameters sorted, RFC 3986 encoded); a \`token:\` source
authenticates as for POST. The event is then routed exactly like its POST twin; its id is \`pq_\` + SHA-256 of the
canonical query. A query that cannot be read (no \`type\`, no data, a parameter twice, data both whole and
flattened) is answered \`400 malformed_query\` with the reason.`,
  prelude: `Prelude signs the raw body with RSA-PSS / SHA-256 and sends \`X-Webhook-Signature:
rsassa-pss-sha256=<base64>\` (base64 or base64url; salt 32, then the maximum, since the salt is undocumented).
Single events and \`{app_id, events[]}\` batches are accepted; a batch is recorded event by event. With
\`activation\`, \`GET /hooks/<source>\` answers Session/Auth webhooks' activation challenge. Prelude waits 10 s
and retries for two weeks, which is why event ids are remembered for at least 14 days.`,
  'standard-webhooks': `Any sender following the Standard Webhooks spec (Svix, and many SaaS vendors): HMAC-SHA256 over
\`<webhook-id>.<webhook-timestamp>.<body>\` with a \`whsec_\` secret, \`webhook-signature: v1,<base64>\` (several
signatures and several secrets accepted), timestamp within \`tolerance\`. The \`webhook-id\` is the event id.`,
};

const TARGET_NOTES: Record<string, string> = {
  slack: `Bot-token mode posts with \`chat.postMessage\` through \`@slack/web-api\` and keeps the channel id and \`ts\`:
resolves update the message in place (\`chat.update\`) and reply in its thread; repeats add one quiet thread
note. Incoming-webhook mode can only post. Block Kit by default (colour, header, fields, text or log as code,
link button, context); \`templates\` override parts. Paced at about one message a second per channel. Errors:
rate limits and Slack's transient errors are retried (Retry-After honoured); \`channel_not_found\`,
\`not_in_channel\`, bad tokens are permanent (dead letter).`,
  pagerduty: `Events API v2 through \`@pagerduty/pdjs\`: \`trigger\` with a dedup key from the route's \`alert_key\` (else
the event id), summary ≤ 1024, severity, source, component, group, class, custom details and links; a route with
\`action: resolve\` and the same key resolves it. 429 and 5xx are retried, other 4xx are permanent. Paced at
about 120 events a minute per routing key. EU accounts: \`server: events.eu.pagerduty.com\`.`,
  http: `Any HTTP endpoint: POST/PUT/PATCH with a JSON body (the event, or the \`body\` template), or GET with the
payload flattened into query parameters. Headers may carry credentials only as \`\${NAME}\`. With
\`signing_secret\`, requests are signed with Standard Webhooks (\`webhook-id\` is the job id, stable across
retries, so the receiver can deduplicate). 408, 425, 429 and 5xx are retried; other 4xx are permanent.

A route with \`group_by\` sends one request per notification of a group (modelled on Alertmanager's webhook
payload; GET flattens it into query parameters):

\`\`\`json
{
  "version": "1",
  "groupKey": "Every other transfer failure … {source=\\"prequel\\", type=\\"transfer.error\\"}",
  "groupId": "3f2a…(32 hex digits: the PagerDuty dedup key of the group)",
  "status": "firing",
  "receiver": "audit",
  "route": "Every other transfer failure pages on-call and tells data engineering",
  "groupLabels": { "source": "prequel", "type": "transfer.error" },
  "notificationReason": "first | members_added | members_resolved | all_resolved | repeat",
  "sequence": 1,
  "counts": { "firing": 12, "resolved": 3, "added": 12, "recovered": 0 },
  "truncatedAlerts": 0,
  "alerts": [
    { "status": "firing", "alertKey": "prequel-transfer-dest_1", "title": "…", "severity": "error", "count": 1,
      "startsAt": "2026-12-03T10:00:00.000Z", "endsAt": null,
      "event": { "source": "prequel", "id": "pq_…", "type": "transfer.error" } }
  ]
}
\`\`\`
At most 20 alerts are listed (firing first, newest first); \`truncatedAlerts\` counts the rest.`,
};

interface Prop {
  type?: string;
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  items?: Prop;
  properties?: Record<string, Prop>;
  anyOf?: Prop[];
}

function typeOf(p: Prop): string {
  if (p.const !== undefined) return `\`${JSON.stringify(p.const)}\``;
  if (p.enum) return p.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
  if (p.anyOf) return p.anyOf.map(typeOf).join(' or ');
  if (p.type === 'array') return `list of ${p.items ? typeOf(p.items) : 'values'}`;
  if (p.type === 'object' && p.properties) return `object (${Object.keys(p.properties).join(', ')})`;
  return p.type ?? 'any';
}

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fieldTable(schema: z.ZodType): string {
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, Prop>; required?: string[] };
  const required = new Set(json.required ?? []);
  const rows = Object.entries(json.properties).map(([name, p]) => {
    const def = p.default === undefined ? '' : `\`${JSON.stringify(p.default)}\``;
    return `| \`${name}\` | ${cell(typeOf(p))} | ${required.has(name) ? 'yes' : ''} | ${def} | ${cell(p.description ?? '')} |`;
  });
  return ['| field | type | required | default | meaning |', '|---|---|---|---|---|', ...rows].join('\n');
}

function examples(section: 'sources' | 'targets', kind: string): string {
  const file = parse(readFileSync(join(root, 'rules.example.yaml'), 'utf8')) as Record<string, Record<string, { kind: string }>>;
  const found = Object.entries(file[section] ?? {}).filter(([, v]) => v.kind === kind);
  if (found.length === 0) return '';
  return `## In rules.example.yaml\n\n\`\`\`yaml\n${section}:\n${stringify(Object.fromEntries(found), { lineWidth: 0 })
    .trimEnd()
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n')}\n\`\`\`\n`;
}

/** The vendor's events as `switchyard check` knows them (core/catalogue.ts). */
function eventTable(kind: string): string {
  const catalogue = catalogueOf(kind as SourceKind);
  if (!catalogue) return '## Events\n\nFree-form: any event type. Declare `types:` to have routes checked against them and coverage listed.\n';
  const rows = Object.entries(catalogue).map(([type, spec]) => {
    const values = Object.entries(spec.values ?? {}).map(([f, v]) => `\`${f}\`: ${v.map((x) => `\`${x}\``).join(', ')}`);
    return `| \`${type}\` | ${cell(spec.about)} | ${spec.fields.map((f) => `\`${f}\``).join(', ')}${values.length ? ` — ${values.join('; ')}` : ''} |`;
  });
  return [
    '## Events',
    '',
    'What `switchyard check` knows this sender sends: a route naming another type, or a `data` field none of the types it admits carries, is refused with a suggestion (`extra_types:` and `{ exists: true }` are the way around it for what the vendor has not documented yet); `check` lists the types no route takes. `x.*` admits anything below `x`.',
    '',
    '| type | when | data fields (documented values) |',
    '|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}

export function buildDocs(): Map<string, string> {
  const pages = new Map<string, string>();
  for (const [section, schemas, notes] of [
    ['sources', SOURCE_SCHEMAS, SOURCE_NOTES],
    ['targets', targetKinds().map((k) => k.config.schema(SCHEMA_PARTS)), TARGET_NOTES],
  ] as const) {
    for (const schema of schemas) {
      const kind = schema.shape.kind.value as string;
      const title = schema.description ?? kind;
      const text = [
        `<!-- Generated by scripts/build-docs.ts from the rules schema: do not edit. -->`,
        `# ${section === 'sources' ? 'Source' : 'Target'} kind \`${kind}\``,
        '',
        title,
        '',
        notes[kind] ?? '',
        '',
        '## Fields',
        '',
        fieldTable(schema),
        '',
        section === 'sources' ? eventTable(kind) : '',
        examples(section, kind),
      ].join('\n');
      pages.set(`docs/${section}/${kind}.md`, `${text.trimEnd()}\n`);
    }
  }
  const index = [
    '<!-- Generated by scripts/build-docs.ts from the rules schema: do not edit. -->',
    '# Switchyard reference',
    '',
    'One page per kind of sender and receiver, from the definitions rules.yaml is validated against.',
    '',
    ...[...pages.keys()].map((p) => `- [${p.replace(/^docs\//, '').replace(/\.md$/, '')}](${p.replace(/^docs\//, '')})`),
    '',
  ].join('\n');
  pages.set('docs/README.md', index);
  return pages;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const [path, text] of buildDocs()) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  console.log('wrote docs/');
}
