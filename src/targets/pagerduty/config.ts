/**
 * PagerDuty target settings in rules.yaml: an Events API v2 routing key, and the events host for EU
 * accounts or tests. Validated at build time (zod; never in the Worker).
 */
import type { RetryPolicy, Templates } from '../../core/delivery.ts';
import type { SchemaParts } from '../../core/schema-parts.ts';

/** Its rules.yaml schema, built with the zod the build step hands in (the Worker's bundle never holds zod). */
export const pagerdutySchema = ({ z, common, secretRef }: SchemaParts) =>
  z
    .strictObject({
      kind: z.literal('pagerduty'),
      ...common,
      routing_key: secretRef('routing_key').describe('Events API v2 integration (routing) key as a Worker secret'),
      server: z
        .string()
        .regex(/^[a-z0-9.-]+(?::\d+)?$/i, { message: 'server is a host[:port] such as events.eu.pagerduty.com' })
        .optional()
        .describe('Events API host (default events.pagerduty.com; events.eu.pagerduty.com for EU accounts)'),
    })
    .describe('PagerDuty Events API v2: trigger, acknowledge, resolve');

export type PagerDutyTargetInput = import('zod').output<ReturnType<typeof pagerdutySchema>>;

export function toPagerDutyConfig(t: PagerDutyTargetInput): PagerDutyTargetConfig {
  return { kind: 'pagerduty', routingKey: t.routing_key, server: t.server ?? null, templates: t.templates ?? {} };
}

export interface PagerDutyTargetConfig {
  readonly kind: 'pagerduty';
  readonly routingKey: string;
  /** Events API host (pdjs `server`), e.g. events.eu.pagerduty.com; null for the default. */
  readonly server: string | null;
  readonly templates?: Templates;
  readonly retry?: RetryPolicy;
  /** At most one send per this long (default: Slack 1 s, PagerDuty 500 ms, HTTP none); 0 turns pacing off. */
  readonly paceMs?: number;
}
