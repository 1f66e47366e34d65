/**
 * The rules.yaml format, defined once: the validator (zod), the normalization into `RulesConfig`, and (via
 * `z.toJSONSchema`) the JSON Schema editors use are all derived from these definitions. Runs at build and
 * check time in Node, never inside the Worker.
 */
import { z } from 'zod';
import { parseDuration, parseSize } from '../core/units.ts';
import { kindOf, targetKinds } from '../targets/registry.ts';
import { SCHEMA_PARTS } from '../core/schema-parts.ts';
import type { Condition } from './conditions.ts';
import { HEALTH_ROUTE, UNROUTED_ROUTE, type RouteConfig, type RulesConfig, type SourceAuth, type SourceConfig, type TargetConfig } from './config.ts';
import { didYouMean } from '../core/suggest.ts';
import { RELAY_SOURCE } from '../core/event.ts';
import { parsePath } from '../core/paths.ts';
import { checkTemplate, renderTemplate, templateView } from '../render/template.ts';
import { SAMPLE_EVENTS } from '../render/samples.ts';
import { duration, nonEmptyList, RetrySchema, secretRef, size, TemplatesSchema } from '../core/schema-parts.ts';
import { WhenSchema } from './schema-parts.ts';
import { parseTimeInterval, type TimeIntervalSpec } from './time-intervals.ts';
import { TimeIntervalSchema } from './schema-parts.ts';
import { type RetryPolicy, DEFAULT_RETRY_POLICY } from '../core/delivery.ts';

export const DEFAULT_MAX_BODY = '256KB';
export const DEFAULT_DEDUP_RETENTION = '15d';
export const DEFAULT_PREQUEL_MAX_AGE = '5m';
export const DEFAULT_PREQUEL_MAX_FUTURE = '1m';
export const DEFAULT_SW_TOLERANCE = '5m';
/**
 * Grouping defaults. group_wait is shorter than Alertmanager's 30s: a vendor's burst arrives within seconds
 * (120 failures in 5 s in the measured outage), so 10 s collects it and pages 20 s sooner. group_interval and
 * repeat_interval are Alertmanager's (5m, 4h).
 */
export const DEFAULT_GROUP_WAIT = '10s';
/** settings.health defaults: five failures in a row is past a blip (the retry policy tries five times in ~75 s). */
const DEFAULT_FAILING_AFTER = 5;
const DEFAULT_VERIFY_MAX = 10;
const DEFAULT_VERIFY_PER = '10m';
export const DEFAULT_GROUP_INTERVAL = '5m';
/** The storm guard: a group may not notify more often than this. */
const MIN_GROUP_INTERVAL_MS = 10_000;
/** Prelude retries for two weeks; remembering ids for less would let a late retry through as new. */
const MIN_DEDUP_RETENTION_MS = 14 * 86_400_000;

const common = {
  expect_every: duration('expect_every')
    .optional()
    .describe('A dead man’s switch: with settings.health, silence from this source for longer is a notice (e.g. 24h)'),
  extra_types: z
    .array(z.string().min(1))
    .optional()
    .describe("Event types the sender sends that Switchyard's catalogue of the vendor does not list (yet): routes may name them, with any data fields"),
  max_body: size('max_body').optional().describe('Largest request body accepted from this source (default: settings.max_body)'),
  token: secretRef('token')
    .optional()
    .describe(
      'Shared-token authentication for senders that sign nothing: Authorization: Bearer <token> or /hooks/<source>/<token>. Use instead of signatures only when the sender cannot sign.',
    ),
};

const PrequelSource = z
  .strictObject({
    kind: z.literal('prequel'),
    public_keys: nonEmptyList(secretRef('public_keys entry'))
      .optional()
      .describe('Prequel webhook public keys (PEM, base64 DER or JWK); list two while rotating'),
    max_age: duration('max_age').default(DEFAULT_PREQUEL_MAX_AGE).describe('Oldest X-Prequel-Webhook-Timestamp accepted'),
    max_future: duration('max_future').default(DEFAULT_PREQUEL_MAX_FUTURE).describe('Furthest ahead a timestamp may be (clock skew)'),
    ...common,
  })
  .describe('Prequel data-export webhooks: RSA PKCS#1 v1.5 signatures');

const PreludeSource = z
  .strictObject({
    kind: z.literal('prelude'),
    public_keys: nonEmptyList(secretRef('public_keys entry')).optional().describe('Prelude webhook public keys (PEM, base64 DER or JWK/JWKS)'),
    activation: z
      .strictObject({
        verification_token: secretRef('verification_token'),
        app_ids: z.array(z.string().min(1)).default([]).describe('Accepted app ids (literal or ${VAR}); empty accepts any'),
      })
      .optional()
      .describe("Answer Prelude Session/Auth webhooks' activation challenge (GET /hooks/<source>)"),
    ...common,
  })
  .describe('Prelude webhooks: RSA-PSS signatures');

const StandardWebhooksSource = z
  .strictObject({
    kind: z.literal('standard-webhooks'),
    secrets: nonEmptyList(secretRef('secrets entry')).optional().describe('whsec_ secrets; list two while rotating'),
    tolerance: duration('tolerance').default(DEFAULT_SW_TOLERANCE).describe('Accepted distance of webhook-timestamp from now, either way'),
    types: z
      .array(z.string().min(1))
      .optional()
      .describe('The event types this sender sends, if known: routes are then checked against them, and coverage lists those no route takes'),
    ...common,
  })
  .describe('Any sender that follows the Standard Webhooks spec: HMAC-SHA256');

export const SOURCE_SCHEMAS = [PrequelSource, PreludeSource, StandardWebhooksSource] as const;

const Source = z.discriminatedUnion('kind', SOURCE_SCHEMAS);

const SOURCE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;
const TARGET_NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;

export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

/** A target's entry as parsed: the fields every kind has, and its own (which only its kind reads). */
type TargetInput = { readonly kind: string; readonly templates?: Partial<Record<string, string>>; readonly retry?: RetryInput; readonly pace?: string };

/** The target schema of the kinds registered now (targets/registry.ts); rebuilt when a kind is added. */
let targetSchema: { readonly kinds: number; readonly schema: z.ZodType<TargetInput> } | null = null;
function Target(): z.ZodType<TargetInput> {
  const kinds = targetKinds();
  if (targetSchema?.kinds !== kinds.length) {
    const options = kinds.map((k) => k.config.schema(SCHEMA_PARTS));
    targetSchema = { kinds: kinds.length, schema: z.discriminatedUnion('kind', options as never) as unknown as z.ZodType<TargetInput> };
  }
  return targetSchema.schema;
}

const Route = z
  .strictObject({
    name: z.string().trim().min(1, { message: 'every route needs a name (shown in explain output and traces)' }),
    description: z.string().optional(),
    when: WhenSchema.optional().describe('Conditions on the event; omitted, the route matches every event (a catch-all)'),
    notify: z.array(z.string()).describe('Target names to notify; [] matches and notifies no one (a deliberate drop)'),
    continue: z.boolean().default(false).describe('Keep evaluating later routes after this one matches'),
    severity: z.enum(SEVERITIES).optional().describe('Severity of what this route sends (PagerDuty severity, Slack marker)'),
    alert_key: z.string().min(1).optional().describe('Template of the alert identity, e.g. "prequel-transfer-{{data.destination_id}}"'),
    action: z
      .enum(['trigger', 'acknowledge', 'resolve'])
      .optional()
      .describe('PagerDuty event action (default trigger); with alert_key, resolve closes that alert everywhere it was sent'),
    active_when: z.array(z.string()).min(1).optional().describe('Send only inside one of these time_intervals (e.g. business hours)'),
    mute_when: z.array(z.string()).min(1).optional().describe('Never send inside these time_intervals; resolves still go through'),
    page_budget: z
      .strictObject({
        max: z.int().min(1, { message: 'max must be at least 1' }).describe('Pages allowed per interval'),
        per: duration('per').describe('The sliding interval, e.g. 1h'),
        digest_to: z.string().describe('A Slack target that gets one digest per interval of the pages held back'),
      })
      .optional()
      .describe('Paging budget: beyond max pages per interval, pages are held back and summed up in a Slack digest'),
    flap_window: duration('flap_window')
      .optional()
      .describe(
        'An alert re-opened within this long after its resolve is flapping: one page, then its cycles only update the Slack message and the final resolve waits until it stays quiet this long (default 10m; 0s turns it off)',
      ),
    repeat_interval: duration('repeat_interval')
      .optional()
      .describe('While its alert is firing, repeats within this interval are counted (and noted in the Slack thread), not sent again (default 4h)'),
    group_by: z
      .array(z.string().min(1))
      .optional()
      .describe(
        'Group what this route admits: events with the same values of these fields (source, type, data.…) are one group — one Slack message updated in place, one page, one request per change; [] = one group for the route',
      ),
    group_wait: duration('group_wait').optional().describe(`How long a new group collects before its first notification (default ${DEFAULT_GROUP_WAIT})`),
    group_interval: duration('group_interval')
      .optional()
      .refine((d) => d === undefined || parseDuration(d)! >= MIN_GROUP_INTERVAL_MS, { message: 'group_interval must be at least 10s (a storm guard)' })
      .describe(`How soon a changed group may notify again (default ${DEFAULT_GROUP_INTERVAL}; at least 10s)`),
    templates: TemplatesSchema.optional(),
  })
  .describe('A routing rule: when the event matches, notify the targets');

/** The whole file's schema, with the target kinds registered now. */
export function rulesFile() {
  const kinds = targetKinds().length;
  if (rulesFileSchema?.kinds !== kinds) rulesFileSchema = { kinds, schema: buildRulesFile() };
  return rulesFileSchema.schema;
}
let rulesFileSchema: { readonly kinds: number; readonly schema: ReturnType<typeof buildRulesFile> } | null = null;

const buildRulesFile = () =>
  z
    .strictObject({
      $schema: z.string().optional(),
      version: z.literal(1, { message: 'version must be 1' }),
      settings: z
        .strictObject({
          max_body: size('max_body').default(DEFAULT_MAX_BODY),
          dedup_retention: duration('dedup_retention')
            .default(DEFAULT_DEDUP_RETENTION)
            .refine((s) => parseDuration(s)! >= MIN_DEDUP_RETENTION_MS, { message: 'dedup_retention must be at least 14d: Prelude retries for two weeks' }),
          retry: RetrySchema.optional().describe('Retry defaults for every target (each target may override any field)'),
          unrouted: z.string().optional().describe('A target told of every event no route matched (else such events are only logged, counted and traced)'),
          health: z
            .strictObject({
              notify: nonEmptyList(z.string().min(1)).describe('Targets told of the relay’s own trouble (a low-noise channel; a pager only if you mean it)'),
              failing_after: z
                .number()
                .int()
                .min(2)
                .max(1000)
                .default(DEFAULT_FAILING_AFTER)
                .describe(`Consecutive failed deliveries to one target that make one notice; its recovery makes another (default ${DEFAULT_FAILING_AFTER})`),
              verification_failures: z
                .strictObject({
                  max: z.number().int().min(1).default(DEFAULT_VERIFY_MAX).describe(`Failures (default ${DEFAULT_VERIFY_MAX})`),
                  per: duration('per').default(DEFAULT_VERIFY_PER).describe(`Window (default ${DEFAULT_VERIFY_PER})`),
                })
                .prefault({})
                .describe(
                  'Deliveries of one source refused at verification (signature, token, timestamp) in a window that make one notice: a rotated key, a clock skew',
                ),
            })
            .optional()
            .describe('Notices about the relay itself: dead letters, failing targets, verification failures, silent sources (expect_every)'),
        })
        .prefault({}),
      sources: z
        .record(z.string().regex(SOURCE_NAME_RE, { message: 'source names are lower case letters, digits, - and _ (they become /hooks/<name>)' }), Source)
        .refine((s) => Object.keys(s).length > 0, { message: 'declare at least one source' }),
      targets: z
        .record(z.string().regex(TARGET_NAME_RE, { message: 'target names are letters, digits, -, _ and . (at most 63)' }), Target())
        .default({})
        .describe('Where notifications go, by name'),
      time_intervals: z
        .record(z.string().regex(TARGET_NAME_RE, { message: 'interval names are letters, digits, -, _ and .' }), z.array(TimeIntervalSchema).min(1))
        .default({})
        .describe('Named time intervals for routes’ active_when / mute_when; an interval holds when any of its entries does'),
      routes: z.array(Route).default([]).describe('Evaluated in order; the first match stops unless it says continue: true'),
    })
    .describe('Switchyard routing rules (rules.yaml)');

export interface CrossIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

/**
 * Checks that span several fields. Run on the raw data beside the schema (not as a refinement, which zod
 * skips once any other part of the file fails), so that every problem is reported in one pass.
 */
export function crossCheck(data: unknown): CrossIssue[] {
  const issues: CrossIssue[] = [];
  const file = (data ?? {}) as { sources?: unknown; targets?: unknown; routes?: unknown; time_intervals?: unknown };
  checkTargets(file.targets, issues);
  checkTimeIntervals(file.time_intervals, file.routes, issues);
  checkRoutes(file.routes, file.targets, issues);
  checkAddedRoutes((file as { settings?: Parameters<typeof checkAddedRoutes>[0] }).settings, file.targets, file.routes, issues);
  const sources = file.sources;
  if (typeof sources !== 'object' || sources === null) return issues;
  for (const [name, source] of Object.entries(sources as Record<string, unknown>)) {
    if (typeof source !== 'object' || source === null) continue;
    const s = source as Record<string, unknown>;
    if (name === RELAY_SOURCE)
      issues.push({
        path: ['sources', name],
        message: `"${RELAY_SOURCE}" is the source of the relay's own events (digests, group notifications); choose another name`,
      });
    if (!SOURCE_KIND_NAMES.includes(s.kind as never)) continue; // the unknown kind is reported on its own
    const signedKey = s.kind === 'standard-webhooks' ? 'secrets' : 'public_keys';
    if (s[signedKey] !== undefined && s.token !== undefined)
      issues.push({ path: ['sources', name, 'token'], message: `give either ${signedKey} or token, not both` });
    if (s[signedKey] === undefined && s.token === undefined) {
      issues.push({ path: ['sources', name], message: `needs ${signedKey} (signature verification) or token; a source is never left unauthenticated` });
    }
  }
  return issues;
}

/**
 * The settings that add a route of their own: each target they name is declared, and no route of the file takes
 * the name of the route they add.
 */
function checkAddedRoutes(
  settings: { unrouted?: unknown; health?: { notify?: unknown } } | undefined,
  targets: unknown,
  routes: unknown,
  issues: CrossIssue[],
): void {
  if (Array.isArray(routes))
    routes.forEach((r: unknown, i) => {
      const name = typeof r === 'object' && r !== null ? (r as { name?: unknown }).name : undefined;
      const by = name === UNROUTED_ROUTE ? 'settings.unrouted' : name === HEALTH_ROUTE ? 'settings.health' : null;
      if (by) issues.push({ path: ['routes', i, 'name'], message: `"${String(name)}" is the name of the route ${by} adds; choose another` });
    });
  const names = typeof targets === 'object' && targets !== null ? Object.keys(targets) : [];
  const named: [(string | number)[], unknown][] = [
    [['settings', 'unrouted'], settings?.unrouted],
    ...(Array.isArray(settings?.health?.notify)
      ? settings.health.notify.map((t: unknown, j: number) => [['settings', 'health', 'notify', j], t] as [(string | number)[], unknown])
      : []),
  ];
  for (const [path, t] of named)
    if (typeof t === 'string' && !names.includes(t)) issues.push({ path, message: `unknown target "${t}"${didYouMean(t, names, 'targets')}` });
}

function checkTimeIntervals(intervals: unknown, routes: unknown, issues: CrossIssue[]): void {
  const defined = typeof intervals === 'object' && intervals !== null ? intervals : {};
  for (const [name, list] of Object.entries(defined)) {
    if (!Array.isArray(list)) continue;
    list.forEach((entry, i) => {
      const parsed = TimeIntervalSchema.safeParse(entry);
      if (parsed.success) parseTimeInterval(parsed.data, issues as { path: (string | number)[]; message: string }[], ['time_intervals', name, i]);
    });
  }
  if (!Array.isArray(routes)) return;
  const names = Object.keys(defined);
  routes.forEach((route: unknown, i) => {
    for (const key of ['active_when', 'mute_when'] as const) {
      const list = typeof route === 'object' && route !== null ? (route as Record<string, unknown>)[key] : undefined;
      if (!Array.isArray(list)) continue;
      list.forEach((name: unknown, j) => {
        if (typeof name !== 'string' || names.includes(name)) return;
        issues.push({ path: ['routes', i, key, j], message: `unknown time interval "${name}"${didYouMean(name, names, 'time_intervals')}` });
      });
    }
  });
}

function checkTargets(targets: unknown, issues: CrossIssue[]): void {
  if (typeof targets !== 'object' || targets === null) return;
  for (const [name, raw] of Object.entries(targets)) {
    const parsed = Target().safeParse(raw);
    if (!parsed.success) continue; // shape problems come from the schema itself
    for (const p of kindOf(parsed.data.kind).config.problems?.(parsed.data) ?? []) issues.push({ path: ['targets', name, ...p.path], message: p.message });
    checkTemplates(
      Object.entries(parsed.data.templates ?? {}).map(([k, v]) => [['targets', name, 'templates', k], v]),
      issues,
    );
  }
}

function checkRoutes(routes: unknown, targets: unknown, issues: CrossIssue[]): void {
  if (!Array.isArray(routes)) return;
  const targetNames = typeof targets === 'object' && targets !== null ? Object.keys(targets) : [];
  const seen = new Map<string, number>();
  routes.forEach((route: unknown, i) => {
    if (typeof route !== 'object' || route === null) return;
    const r = route as { name?: unknown; notify?: unknown; templates?: unknown; alert_key?: unknown };
    checkRouteTemplates(r, i, issues);
    if (typeof r.name === 'string') {
      const first = seen.get(r.name.trim());
      if (first !== undefined) issues.push({ path: ['routes', i, 'name'], message: `duplicate route name "${r.name}" (also routes[${first}])` });
      else seen.set(r.name.trim(), i);
    }
    checkGrouping(route as { group_by?: unknown; group_wait?: unknown; group_interval?: unknown }, i, issues);
    const budget = (route as { page_budget?: { digest_to?: unknown } }).page_budget;
    if (budget && typeof budget.digest_to === 'string') {
      const t = typeof targets === 'object' && targets !== null ? (targets as Record<string, { kind?: unknown }>)[budget.digest_to] : undefined;
      if (!t) issues.push({ path: ['routes', i, 'page_budget', 'digest_to'], message: `unknown target "${budget.digest_to}"` });
      else if (!targetKinds().some((k) => k.kind === t.kind && k.digest)) {
        const can = targetKinds()
          .filter((k) => k.digest)
          .map((k) => `a ${k.label}`);
        issues.push({
          path: ['routes', i, 'page_budget', 'digest_to'],
          message: `digest_to must be ${can.join(' or ')} target ("${budget.digest_to}" is ${String(t.kind)})`,
        });
      }
    }
    if (!Array.isArray(r.notify)) return;
    r.notify.forEach((target: unknown, j) => {
      if (typeof target !== 'string' || targetNames.includes(target)) return;
      issues.push({ path: ['routes', i, 'notify', j], message: `unknown target "${target}"${didYouMean(target, targetNames, 'targets')}` });
    });
  });
}

/** Every template of a route: checked (syntax, filters, fields), then rendered against each sample event. */
/** group_by names fields of the canonical event; group_wait and group_interval mean nothing without it. */
function checkGrouping(r: { group_by?: unknown; group_wait?: unknown; group_interval?: unknown }, i: number, issues: CrossIssue[]): void {
  if (Array.isArray(r.group_by))
    r.group_by.forEach((field: unknown, j) => {
      if (typeof field !== 'string') return;
      const parsed = parsePath(field);
      if (!parsed.ok) issues.push({ path: ['routes', i, 'group_by', j], message: `group_by: ${parsed.error}` });
      else if (parsed.value.some((seg) => typeof seg === 'symbol'))
        issues.push({ path: ['routes', i, 'group_by', j], message: `group_by takes one value per field; [*] has many (got "${field}")` });
    });
  else
    for (const key of ['group_wait', 'group_interval'] as const)
      if (r[key] !== undefined) issues.push({ path: ['routes', i, key], message: `${key} needs group_by (the fields that make a group; [] for one group)` });
}

function checkRouteTemplates(r: { templates?: unknown; alert_key?: unknown }, i: number, issues: CrossIssue[]): void {
  checkTemplates(
    [
      ...(typeof r.templates === 'object' && r.templates !== null
        ? Object.entries(r.templates).map(([k, v]) => [['routes', i, 'templates', k], v] as [(string | number)[], unknown])
        : []),
      [['routes', i, 'alert_key'], r.alert_key],
    ],
    issues,
  );
}

/** Every template: checked (syntax, filters, fields), then rendered against each sample event. */
function checkTemplates(templates: [(string | number)[], unknown][], issues: CrossIssue[]): void {
  for (const [path, text] of templates) {
    if (typeof text !== 'string') continue;
    const problem = checkTemplate(text) ?? sampleRenderProblem(text);
    if (problem) issues.push({ path, message: problem });
  }
}

function sampleRenderProblem(text: string): string | null {
  for (const event of SAMPLE_EVENTS) {
    const r = renderTemplate(text, templateView(event, { route: { name: 'sample', severity: 'error' }, target: 'sample' }));
    if (!r.ok) return `${r.error} (on a sample ${event.type} event)`;
  }
  return null;
}

/** The source kinds the schema accepts, for messages. */
export const SOURCE_KIND_NAMES = Source.options.map((o) => o.shape.kind.value);

export type RulesFileParsed = z.output<ReturnType<typeof buildRulesFile>>;

/** The target kinds the schema accepts now, for messages. */
export const targetKindNames = (): string[] => targetKinds().map((k) => k.kind);

type RetryInput = z.output<typeof RetrySchema>;

/** A target's retry policy: its own fields, else settings.retry's, else the built-in defaults. */
export function toRetryPolicy(defaults: RetryInput | undefined, own: RetryInput | undefined): RetryPolicy {
  const pick = (k: keyof RetryInput): string | number | undefined => own?.[k] ?? defaults?.[k];
  const dur = (k: 'max_age' | 'initial_backoff' | 'max_backoff' | 'retry_after_cap', fallback: number): number => {
    const v = pick(k);
    return typeof v === 'string' ? parseDuration(v)! : fallback;
  };
  const d = DEFAULT_RETRY_POLICY;
  const maxBackoffMs = dur('max_backoff', d.maxBackoffMs);
  return {
    maxAttempts: (pick('max_attempts') as number | undefined) ?? d.maxAttempts,
    maxAgeMs: dur('max_age', d.maxAgeMs),
    initialBackoffMs: Math.min(dur('initial_backoff', d.initialBackoffMs), maxBackoffMs),
    maxBackoffMs,
    retryAfterCapMs: dur('retry_after_cap', d.retryAfterCapMs),
  };
}

/**
 * The validated file in the runtime's normalized form (units resolved, defaults applied), with each route's
 * `when` already parsed into a condition tree by the loader.
 */
export function toRulesConfig(file: RulesFileParsed, conditions: readonly Condition[]): RulesConfig {
  const targets: Record<string, TargetConfig> = {};
  for (const [name, t] of Object.entries(file.targets))
    targets[name] = {
      ...kindOf(t.kind).config.toConfig(t),
      retry: toRetryPolicy(file.settings.retry, t.retry),
      ...(t.pace !== undefined ? { paceMs: parseDuration(t.pace)! } : {}),
    };
  const routes: RouteConfig[] = file.routes.map((r, i) => ({
    name: r.name,
    when: conditions[i]!,
    notify: r.notify,
    continue: r.continue,
    severity: r.severity ?? null,
    alertKey: r.alert_key ?? null,
    action: r.action ?? null,
    ...(r.repeat_interval !== undefined ? { repeatIntervalMs: parseDuration(r.repeat_interval)! } : {}),
    ...(r.flap_window !== undefined ? { flapWindowMs: parseDuration(r.flap_window)! } : {}),
    ...(r.active_when ? { activeWhen: r.active_when } : {}),
    ...(r.page_budget ? { pageBudget: { max: r.page_budget.max, perMs: parseDuration(r.page_budget.per)!, digestTo: r.page_budget.digest_to } } : {}),
    ...(r.mute_when ? { muteWhen: r.mute_when } : {}),
    ...(r.group_by
      ? {
          group: {
            by: r.group_by,
            waitMs: parseDuration(r.group_wait ?? DEFAULT_GROUP_WAIT)!,
            intervalMs: parseDuration(r.group_interval ?? DEFAULT_GROUP_INTERVAL)!,
          },
        }
      : {}),
    templates: r.templates ?? {},
  }));
  const maxBody = parseSize(file.settings.max_body)!;
  const sources: Record<string, SourceConfig> = {};
  for (const [name, s] of Object.entries(file.sources)) {
    const signed = s.kind === 'standard-webhooks' ? s.secrets : s.public_keys;
    const auth: SourceAuth = signed ? { type: 'signature', keys: signed } : { type: 'token', token: s.token! };
    const maxBodyBytes = s.max_body ? parseSize(s.max_body)! : maxBody;
    const expectEvery = s.expect_every ? { expectEveryMs: parseDuration(s.expect_every)! } : {};
    const declared = [...(s.kind === 'standard-webhooks' ? (s.types ?? []) : []), ...(s.extra_types ?? [])];
    const declaredTypes =
      s.extra_types !== undefined || (s.kind === 'standard-webhooks' && s.types !== undefined) ? { declaredTypes: [...new Set(declared)] } : {};
    switch (s.kind) {
      case 'prequel':
        sources[name] = {
          kind: 'prequel',
          auth,
          maxBodyBytes,
          maxAgeMs: parseDuration(s.max_age)!,
          maxFutureMs: parseDuration(s.max_future)!,
          ...declaredTypes,
          ...expectEvery,
        };
        break;
      case 'prelude':
        sources[name] = {
          kind: 'prelude',
          auth,
          maxBodyBytes,
          activation: s.activation ? { verificationToken: s.activation.verification_token, appIds: s.activation.app_ids } : null,
          ...declaredTypes,
          ...expectEvery,
        };
        break;
      case 'standard-webhooks':
        sources[name] = { kind: 'standard-webhooks', auth, maxBodyBytes, toleranceMs: parseDuration(s.tolerance)!, ...declaredTypes, ...expectEvery };
        break;
    }
  }
  const health = file.settings.health;
  const timeIntervals: Record<string, TimeIntervalSpec[]> = {};
  for (const [name, list] of Object.entries(file.time_intervals)) timeIntervals[name] = list.map((entry) => parseTimeInterval(entry, []));
  return {
    version: 1,
    settings: {
      maxBodyBytes: maxBody,
      dedupRetentionMs: parseDuration(file.settings.dedup_retention)!,
      unrouted: file.settings.unrouted ?? null,
      health: health
        ? {
            notify: health.notify,
            failingAfter: health.failing_after,
            verificationFailures: { max: health.verification_failures.max, perMs: parseDuration(health.verification_failures.per)! },
          }
        : null,
    },
    ...(Object.keys(timeIntervals).length > 0 ? { timeIntervals } : {}),
    sources,
    targets,
    routes: [...routes, ...(file.settings.unrouted ? [unroutedRoute(file.settings.unrouted)] : []), ...(health ? [healthRoute(health.notify)] : [])],
  };
}

/** The route settings.health adds: never matched; the health object sends the relay's notices through it. */
function healthRoute(notify: readonly string[]): RouteConfig {
  return {
    name: HEALTH_ROUTE,
    when: { op: 'any', of: [] },
    notify,
    continue: false,
    severity: null,
    alertKey: null,
    action: null,
    templates: {},
    health: true,
  };
}

/** The route settings.unrouted adds: last, matching only what no other route did (rules/ruleset.ts). */
function unroutedRoute(target: string): RouteConfig {
  return {
    name: UNROUTED_ROUTE,
    when: { op: 'all', of: [] },
    notify: [target],
    continue: false,
    severity: 'info',
    alertKey: null,
    action: null,
    templates: {},
    fallback: true,
  };
}
