/**
 * The PagerDuty target kind: Events API v2 through pdjs — trigger, acknowledge, resolve by dedup key. Its
 * notifications page someone, so a route's paging budget counts them.
 */
import type { TargetKind } from '../kind.ts';
import { prepare } from '../../render/overrides.ts';
import { pagerdutySchema, toPagerDutyConfig, type PagerDutyTargetConfig, type PagerDutyTargetInput } from './config.ts';
import { renderPagerDutyGroup } from './group.ts';
import { pagerdutyView } from './inbox.ts';
import { renderPagerDuty, type PagerDutyEvent } from './render.ts';
import { sendPagerDuty } from './send.ts';

export const pagerduty: TargetKind<PagerDutyTargetConfig, PagerDutyEvent, PagerDutyTargetInput> = {
  kind: 'pagerduty',
  label: 'PagerDuty',
  config: { schema: pagerdutySchema, toConfig: toPagerDutyConfig },
  credentials: (c) => [c.routingKey],
  render: (_config, input) => renderPagerDuty(input),
  send: (event, config, ctx) => sendPagerDuty(event, config, ctx),
  preview: (e) => `PagerDuty ${e.event_action} ${e.dedup_key}${e.payload ? ` "${e.payload.summary}" (${e.payload.severity})` : ''}`,
  // PagerDuty accepts about 120 events a minute per routing key: targets sharing one (the same secret, the
  // same Events API host) share one pace. The key is the `${NAME}` reference, never the secret's value.
  pace: { defaultMs: 500, receiver: (c) => `pagerduty:${c.server ?? 'events.pagerduty.com'}:${c.routingKey}` },
  pages: true,
  lifecycle: {
    remember: (event, receipt) => ({ slack: null, dedupKey: receipt && 'pagerduty' in receipt ? receipt.pagerduty.dedupKey : event.dedup_key, message: null }),
    // The incident it opened is closed by a resolve with the same dedup key.
    resolveWith: (sent) => (sent.dedupKey ? { event_action: 'resolve', dedup_key: sent.dedupKey, client: 'Switchyard' } : null),
  },
  group: (_config, { flush, render }) => {
    const parts = prepare(render);
    return { payload: renderPagerDutyGroup(flush, parts), notes: parts.notes };
  },
  inbox: {
    answer: (event) => ({ status: 202, receipt: { pagerduty: { dedupKey: event.dedup_key } } }),
    incident: (payload) => {
      const p = payload as Partial<PagerDutyEvent> | null;
      return p && typeof p.dedup_key === 'string' ? { key: p.dedup_key, action: String(p.event_action ?? '') } : null;
    },
    view: pagerdutyView,
  },
};
