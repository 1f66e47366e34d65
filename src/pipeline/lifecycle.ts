/**
 * The pure side of alert lifecycles: an event's alert key, and the short thread texts (repeats, resolve)
 * (how a Slack message is relabelled is targets/slack/lifecycle.ts). No I/O; times are passed in.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RouteConfig } from '../rules/config.ts';
import { renderTemplate, templateView } from '../render/template.ts';
import { durationText } from '../core/units.ts';
import type { GroupFlush } from '../core/delivery.ts';

/** Alertmanager's default: a firing alert is re-sent no more than every 4 hours. */
export const DEFAULT_REPEAT_INTERVAL_MS = 4 * 3_600_000;
/** An alert re-opened within this long after its resolve is flapping. */
export const DEFAULT_FLAP_WINDOW_MS = 10 * 60_000;

/** The alert an event belongs to, from its route's `alert_key` template; null when the route has none or it renders empty. */
export function alertKeyFor(route: Pick<RouteConfig, 'alertKey' | 'name' | 'severity'>, event: CanonicalEvent): string | null {
  if (!route.alertKey) return null;
  const r = renderTemplate(route.alertKey, templateView(event, { route: { name: route.name, severity: route.severity } }));
  const key = r.ok ? r.value.trim() : '';
  return key === '' ? null : key.slice(0, 255);
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

export function repeatText(count: number, now: number): string {
  return `↻ Happened again — ×${count} in all, last at ${hhmm(now)} UTC. Not re-sent while the alert is open.`;
}

export function resolvedReplyText(openedAt: number, resolvedAt: number, count: number): string {
  return `✅ Resolved after ${durationText(resolvedAt - openedAt)}${count > 1 ? ` (fired ×${count})` : ''}.`;
}

export { durationText };

/** The thread reply of a group's later notification: what changed since the previous one. */
export function groupChangeText(flush: GroupFlush): string {
  const list = (keys: readonly string[], n: number) => `${keys.slice(0, 5).join(', ')}${n > 5 ? ` and ${n - 5} more` : ''}`;
  switch (flush.reason) {
    case 'members_added':
      return `➕ ${flush.counts.added} more failing: ${list(flush.added, flush.counts.added)}${flush.counts.recovered > 0 ? ` · ✅ ${flush.counts.recovered} recovered: ${list(flush.recovered, flush.counts.recovered)}` : ''}`;
    case 'members_resolved':
      return `✅ ${flush.counts.recovered} recovered: ${list(flush.recovered, flush.counts.recovered)} · ${flush.counts.firing} still failing`;
    case 'all_resolved':
      return `✅ All recovered (${flush.counts.resolved}).`;
    case 'repeat':
      return `↻ Still failing: ${flush.counts.firing}.`;
    case 'first':
      return `${flush.counts.firing} failing.`;
  }
}
