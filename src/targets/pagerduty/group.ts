/**
 * A group's notification as PagerDuty sees it: one incident per group (the dedup key is the group's id),
 * triggered again (updated) while it changes, its severity the highest firing member's, resolved when every
 * member has. Pure.
 */
import type { GroupFlush } from '../../core/delivery.ts';
import { truncate } from '../../render/text.ts';
import { PD_SUMMARY_MAX, type PagerDutyEvent } from './render.ts';

export function renderPagerDutyGroup(flush: GroupFlush): PagerDutyEvent {
  if (flush.status === 'resolved') return { event_action: 'resolve', dedup_key: flush.group.id, client: 'Switchyard' };
  const { firing, resolved } = flush.counts;
  return {
    event_action: 'trigger',
    dedup_key: flush.group.id,
    payload: {
      summary: truncate(`${firing} failing${resolved > 0 ? ` · ${resolved} recovered` : ''} — ${flush.group.route}`, PD_SUMMARY_MAX),
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
