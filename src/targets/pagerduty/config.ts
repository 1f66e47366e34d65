/**
 * PagerDuty target settings in rules.yaml: an Events API v2 routing key, and the events host for EU
 * accounts or tests. Validated at build time (zod; never in the Worker).
 */
import { z } from 'zod';
import type { PagerDutyTargetConfig } from '../../rules/config.ts';
import { TARGET_COMMON_FIELDS, secretRef } from '../../core/schema-parts.ts';

export const PagerDutyTargetSchema = z
  .strictObject({
    kind: z.literal('pagerduty'),
    ...TARGET_COMMON_FIELDS,
    routing_key: secretRef('routing_key').describe('Events API v2 integration (routing) key as a Worker secret'),
    server: z
      .string()
      .regex(/^[a-z0-9.-]+(?::\d+)?$/i, { message: 'server is a host[:port] such as events.eu.pagerduty.com' })
      .optional()
      .describe('Events API host (default events.pagerduty.com; events.eu.pagerduty.com for EU accounts)'),
  })
  .describe('PagerDuty Events API v2: trigger, acknowledge, resolve');

export type PagerDutyTargetInput = z.output<typeof PagerDutyTargetSchema>;

export function toPagerDutyConfig(t: PagerDutyTargetInput): PagerDutyTargetConfig {
  return { kind: 'pagerduty', routingKey: t.routing_key, server: t.server ?? null, templates: t.templates ?? {} };
}
