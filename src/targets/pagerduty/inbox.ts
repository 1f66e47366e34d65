/**
 * How the local inbox shows PagerDuty events: one card per incident (dedup key), whose state is its newest
 * event's, with the history of its actions and the trigger's details. Everything is escaped. Pure.
 */
import type { InboxItem } from '../../core/delivery.ts';
import { arr, button, clock, esc, obj, str, table } from '../../render/html.ts';

const ACTIONS: Record<string, string> = { trigger: 'Incident triggered', acknowledge: 'Incident acknowledged', resolve: 'Incident resolved' };

/** One incident's card: its newest event's state, the history of its actions, the trigger's details. */
export function pagerdutyView(item: InboxItem, incident: readonly InboxItem[]): string {
  const p = obj(item.payload);
  const triggerItem = [...incident].reverse().find((i) => obj(i.payload).event_action === 'trigger');
  const trigger = triggerItem ? obj(triggerItem.payload) : p;
  const pl = obj(trigger.payload);
  const action = str(p.event_action);
  let html = `<div class="pd ${esc(action)}"><div class="action">${esc(ACTIONS[action] ?? action)}</div>`;
  if (incident.length > 1)
    html += `<div class="history">${incident.map((h) => `${esc(str(obj(h.payload).event_action))} ${esc(clock(h.at))}`).join(' → ')}</div>`;
  if (pl.summary) html += `<div class="summary">${esc(pl.summary)}</div>`;
  html += table({ 'dedup key': p.dedup_key, severity: pl.severity, source: pl.source, component: pl.component, group: pl.group, class: pl.class });
  if (pl.custom_details) html += table(obj(pl.custom_details));
  for (const l of arr(trigger.links).map(obj)) html += button(l.href, l.text);
  return `${html}</div>`;
}
