/**
 * Small zod building blocks shared by the rules schema and every target kind's schema: durations, sizes,
 * secret references, message overrides, retries, and the fields every target has. Build time only.
 */
import { z } from 'zod';
import { parseDuration, parseSize } from './units.ts';
import { SOLE_REFERENCE_RE } from './interpolate.ts';

export const duration = (what: string) =>
  z
    .string()
    .refine((s) => parseDuration(s) !== null, { message: `${what} must be a duration such as 90s, 5m, 1h or 15d` })
    .describe(`${what}: a duration such as 90s, 5m, 1h30m or 15d`);

export const size = (what: string) =>
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
export const secretRef = (what: string) =>
  z
    .string()
    .regex(SOLE_REFERENCE_RE, { message: `${what} must be a reference to a Worker secret such as "\${MY_SECRET}", never the value itself` })
    .describe(`${what}: "\${SECRET_NAME}", a Worker secret (wrangler secret put; .dev.vars locally)`);

export const nonEmptyList = <T extends z.ZodType>(item: T) => z.array(item).min(1, { message: 'must list at least one entry' });

/** Message parts a route or target may override; the renderers define what each means per target kind. */
export const TEMPLATE_PARTS = ['title', 'text', 'fields', 'summary', 'body', 'details'] as const;

export const TemplatesSchema = z
  .partialRecord(z.enum(TEMPLATE_PARTS), z.string())
  .describe('Overrides of the default message parts: Liquid output expressions such as {{ data.destination_name | default: "?" }}');

/** How deliveries to a target are retried; every field optional, defaults from settings.retry, then built in. */
export const RetrySchema = z
  .strictObject({
    max_attempts: z
      .int({ message: 'max_attempts must be a whole number' })
      .min(1, { message: 'max_attempts must be at least 1' })
      .max(90, { message: 'max_attempts must be at most 90 (the queue keeps a message for at most 100 deliveries)' })
      .optional()
      .describe('Attempts before the job is dead-lettered (default 20)'),
    max_age: duration('max_age').optional().describe('Give up once a job has waited this long since it was queued (default 24h)'),
    initial_backoff: duration('initial_backoff').optional().describe('Delay after the first failure; doubles each time, with jitter (default 5s)'),
    max_backoff: duration('max_backoff').optional().describe('Longest delay between attempts (default 30m; at most 12h)'),
    retry_after_cap: duration('retry_after_cap').optional().describe('Longest server Retry-After honoured as given (default 1h)'),
  })
  .superRefine((r, ctx) => {
    const ms = (d: string | undefined) => (d === undefined ? undefined : parseDuration(d));
    const [initial, max, age] = [ms(r.initial_backoff), ms(r.max_backoff), ms(r.max_age)];
    if (initial !== undefined && initial !== null && initial < 1000)
      ctx.addIssue({ code: 'custom', path: ['initial_backoff'], message: 'initial_backoff must be at least 1s (queue delays are whole seconds)' });
    if (max !== undefined && max !== null && max > 12 * 3_600_000)
      ctx.addIssue({ code: 'custom', path: ['max_backoff'], message: 'max_backoff must be at most 12h (the longest delay Queues accept)' });
    if (initial != null && max != null && initial > max)
      ctx.addIssue({ code: 'custom', path: ['initial_backoff'], message: 'initial_backoff must not exceed max_backoff' });
    if (age !== undefined && age !== null && age > 14 * 86_400_000)
      ctx.addIssue({ code: 'custom', path: ['max_age'], message: 'max_age must be at most 14d (events are kept for dedup_retention, at least 14d)' });
  })
  .describe('Retries: exponential backoff with jitter, Retry-After honoured, then dead letters');

/** The fields every target kind has, whatever its receiver: message overrides, retries, pacing. */
export const TARGET_COMMON_FIELDS = {
  templates: TemplatesSchema.optional().describe('Default overrides for every route that notifies this target (a route’s own templates win)'),
  retry: RetrySchema.optional(),
  pace: duration('pace')
    .optional()
    .describe('At most one send per this long to this receiver (default: Slack 1s per channel, PagerDuty 500ms, HTTP none; 0s turns it off)'),
};

/**
 * What a target kind's schema is built from: zod itself and the shared parts, handed in by the rules schema
 * at build time, so that a kind's module imports zod's types only and the Worker's bundle stays free of it.
 */
export const SCHEMA_PARTS = { z, common: TARGET_COMMON_FIELDS, secretRef, duration } as const;
export type SchemaParts = typeof SCHEMA_PARTS;
