/**
 * A group's notification as one HTTP request, modelled on Alertmanager's webhook payload: version, group key,
 * status, receiver, group labels, notification reason, truncated count, and the alerts (firing and resolved)
 * with their times. Documented in docs/targets/http.md. Pure.
 */
import type { GroupFlush } from '../../core/delivery.ts';
import type { Prepared } from '../../render/overrides.ts';
import type { HttpTargetConfig } from './config.ts';
import { packRequest, type HttpRequestSpec } from './render.ts';

export const GROUP_PAYLOAD_VERSION = '1';

export function groupPayload(flush: GroupFlush, receiver: string) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    version: GROUP_PAYLOAD_VERSION,
    groupKey: flush.group.key,
    groupId: flush.group.id,
    status: flush.status,
    receiver,
    route: flush.group.route,
    groupLabels: flush.group.labels,
    notificationReason: flush.reason,
    sequence: flush.seq,
    counts: flush.counts,
    truncatedAlerts: flush.counts.firing + flush.counts.resolved - flush.alerts.length,
    alerts: flush.alerts.map((a) => ({
      status: a.status,
      alertKey: a.key,
      title: a.title,
      severity: a.severity,
      count: a.count,
      startsAt: iso(a.startsAt),
      endsAt: iso(a.endsAt),
      event: a.event,
    })),
  };
}

/** `parts` (templates over the notification as the relay's event) may replace the body (`body`). */
export function renderHttpGroup(
  flush: GroupFlush,
  config: HttpTargetConfig,
  receiver: string,
  parts?: Prepared,
): { payload: HttpRequestSpec; notes: string[] } {
  const fallback = JSON.stringify(groupPayload(flush, receiver));
  const body = parts ? parts.part('body', fallback) : fallback;
  const notes: string[] = [...(parts?.notes ?? [])];
  const meta = { route: flush.group.route, severity: flush.severity, eventId: `group:${flush.group.id}:${flush.seq}`, eventType: 'group.notification' };
  return { payload: packRequest(config, body, meta, notes), notes };
}
