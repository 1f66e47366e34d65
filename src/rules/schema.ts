/**
 * The rules.yaml format, defined once: the validator (zod), the normalization into `RulesConfig`, and (via
 * `z.toJSONSchema`) the JSON Schema editors use are all derived from these definitions. Runs at build and
 * check time in Node, never inside the Worker.
 */
import { z } from 'zod';
import { parseDuration, parseSize } from '../core/units.ts';
import type { RulesConfig, SourceAuth, SourceConfig } from './config.ts';
import { SOLE_REFERENCE_RE } from './interpolate.ts';

export const DEFAULT_MAX_BODY = '256KB';
export const DEFAULT_DEDUP_RETENTION = '15d';
export const DEFAULT_PREQUEL_MAX_AGE = '5m';
export const DEFAULT_PREQUEL_MAX_FUTURE = '1m';
export const DEFAULT_SW_TOLERANCE = '5m';
/** Prelude retries for two weeks; remembering ids for less would let a late retry through as new. */
const MIN_DEDUP_RETENTION_MS = 14 * 86_400_000;

const duration = (what: string) =>
  z
    .string()
    .refine((s) => parseDuration(s) !== null, { message: `${what} must be a duration such as 90s, 5m, 1h or 15d` })
    .describe(`${what}: a duration such as 90s, 5m, 1h30m or 15d`);

const size = (what: string) =>
  z
    .string()
    .refine(
      (s) => {
        const n = parseSize(s);
        return n !== null && n > 0 && n <= 100 * 1024 * 1024;
      },
      { message: `${what} must be a size such as 64KB or 1MB (at most 100MB, the Workers request limit)` },
    )
    .describe(`${what}: a size such as 256KB or 1MB`);

/** A credential is never written into rules.yaml: only a reference to a Worker secret. */
const secretRef = (what: string) =>
  z
    .string()
    .regex(SOLE_REFERENCE_RE, { message: `${what} must be a reference to a Worker secret such as "\${MY_SECRET}", never the value itself` })
    .describe(`${what}: "\${SECRET_NAME}", a Worker secret (wrangler secret put; .dev.vars locally)`);

const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, { message: 'must list at least one entry' });

const common = {
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
    ...common,
  })
  .describe('Any sender that follows the Standard Webhooks spec: HMAC-SHA256');

const Source = z.discriminatedUnion('kind', [PrequelSource, PreludeSource, StandardWebhooksSource]);

const SOURCE_NAME_RE = /^[a-z0-9][a-z0-9_-]{0,62}$/;

export const RulesFile = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(1, { message: 'version must be 1' }),
    settings: z
      .strictObject({
        max_body: size('max_body').default(DEFAULT_MAX_BODY),
        dedup_retention: duration('dedup_retention')
          .default(DEFAULT_DEDUP_RETENTION)
          .refine((s) => parseDuration(s)! >= MIN_DEDUP_RETENTION_MS, { message: 'dedup_retention must be at least 14d: Prelude retries for two weeks' }),
      })
      .prefault({}),
    sources: z
      .record(z.string().regex(SOURCE_NAME_RE, { message: 'source names are lower case letters, digits, - and _ (they become /hooks/<name>)' }), Source)
      .refine((s) => Object.keys(s).length > 0, { message: 'declare at least one source' }),
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
  const sources = (data as { sources?: unknown } | null)?.sources;
  if (typeof sources !== 'object' || sources === null) return issues;
  for (const [name, source] of Object.entries(sources as Record<string, unknown>)) {
    if (typeof source !== 'object' || source === null) continue;
    const s = source as Record<string, unknown>;
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

/** The source kinds the schema accepts, for messages. */
export const SOURCE_KIND_NAMES = Source.options.map((o) => o.shape.kind.value);

export type RulesFileInput = z.input<typeof RulesFile>;
export type RulesFileParsed = z.output<typeof RulesFile>;

/** The validated file in the runtime's normalized form (units resolved, defaults applied). */
export function toRulesConfig(file: RulesFileParsed): RulesConfig {
  const maxBody = parseSize(file.settings.max_body)!;
  const sources: Record<string, SourceConfig> = {};
  for (const [name, s] of Object.entries(file.sources)) {
    const signed = s.kind === 'standard-webhooks' ? s.secrets : s.public_keys;
    const auth: SourceAuth = signed ? { type: 'signature', keys: signed } : { type: 'token', token: s.token! };
    const maxBodyBytes = s.max_body ? parseSize(s.max_body)! : maxBody;
    switch (s.kind) {
      case 'prequel':
        sources[name] = { kind: 'prequel', auth, maxBodyBytes, maxAgeMs: parseDuration(s.max_age)!, maxFutureMs: parseDuration(s.max_future)! };
        break;
      case 'prelude':
        sources[name] = {
          kind: 'prelude',
          auth,
          maxBodyBytes,
          activation: s.activation ? { verificationToken: s.activation.verification_token, appIds: s.activation.app_ids } : null,
        };
        break;
      case 'standard-webhooks':
        sources[name] = { kind: 'standard-webhooks', auth, maxBodyBytes, toleranceMs: parseDuration(s.tolerance)! };
        break;
    }
  }
  return { version: 1, settings: { maxBodyBytes: maxBody, dedupRetentionMs: parseDuration(file.settings.dedup_retention)! }, sources };
}
