/**
 * A group's notification as PagerDuty sees it: one incident per group (the dedup key is the group's id),
 * triggered again (updated) while it changes, its severity the highest firing member's, resolved when every
 * member has. Pure.
 */
import type { GroupFlush } from '../../core/delivery.ts';
import type { Prepared } from '../../render/overrides.ts';
import { truncate } from '../../render/text.ts';
import { PD_SUMMARY_MAX, type PagerDutyEvent } from './render.ts';

/** `parts` (templates over the notification as the relay's event) may replace the summary (`summary`, else `title`). */
export function renderPagerDutyGroup(flush: GroupFlush, parts?: Prepared): PagerDutyEvent {
  if (flush.status === 'resolved') return { event_action: 'resolve', dedup_key: flush.group.id, client: 'Switchyard' };
  const { firing, resolved } = flush.counts;
  const summary = `${firing} failing${resolved > 0 ? ` · ${resolved} recovered` : ''} — ${flush.group.route}`;
  return {
    event_action: 'trigger',
    dedup_key: flush.group.id,
    payload: {
      summary: truncate((parts ? parts.part('summary', parts.part('title', summary)) : summary).replace(/\s+/g, ' ').trim(), PD_SUMMARY_MAX),
      source: 'switchyard',
      severity: flush.severity,
      group: flush.group.route,
      class: 'group',
      custom_details: {
        group: flush.group.key,
        labels: flush.group.labels,
        notification_reason: flush.reason,
        firing,
        resolved,
        alerts: flush.alerts.map((a) => ({ key: a.key, status: a.status, title: a.title, count: a.count })),
      },
    },
    client: 'Switchyard',
  };
}
