/**
 * Every target kind's rules.yaml schema, by `kind`: the rules schema takes its list of kinds from here, so
 * validation cannot drift from what exists. Adding a receiver is one folder under targets/ plus one line
 * here (and, with issue 4, its runtime in targets/registry.ts). Build-time only (zod).
 */
import type { TargetConfig } from '../rules/config.ts';
import { httpProblems, HttpTargetSchema, toHttpConfig, type HttpTargetInput } from './http/config.ts';
import { PagerDutyTargetSchema, toPagerDutyConfig, type PagerDutyTargetInput } from './pagerduty/config.ts';
import { slackProblems, SlackTargetSchema, toSlackConfig, type SlackTargetInput } from './slack/config.ts';

export const TARGET_SCHEMAS = [SlackTargetSchema, PagerDutyTargetSchema, HttpTargetSchema] as const;

export type TargetInput = SlackTargetInput | PagerDutyTargetInput | HttpTargetInput;

/** Cross-field problems of one target (paths relative to the target). */
export function targetProblems(t: TargetInput): { path: string[]; message: string }[] {
  switch (t.kind) {
    case 'slack':
      return slackProblems(t);
    case 'http':
      return httpProblems(t);
    case 'pagerduty':
      return [];
  }
}

export function toTargetConfig(t: TargetInput): TargetConfig {
  switch (t.kind) {
    case 'slack':
      return toSlackConfig(t);
    case 'pagerduty':
      return toPagerDutyConfig(t);
    case 'http':
      return toHttpConfig(t);
  }
}
