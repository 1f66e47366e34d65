/**
 * A PagerDuty Events API v2 event for one notification: action, dedup key (from the route's alert key, so a
 * later event can resolve what an earlier one opened), summary within 1024 characters, source, severity,
 * component, group, class, the useful fields as custom details (not the whole payload), and links.
 * The routing key is added at send time. Pure: no I/O.
 */
import { prepare } from '../../render/overrides.ts';
import { renderTemplate } from '../../render/template.ts';
import { oneLine, truncate, truncateStart } from '../../render/text.ts';
import type { Rendered, RenderInput } from '../../render/overrides.ts';

/** https://developer.pagerduty.com/docs/events-api-v2-overview — summary ≤ 1024, dedup_key ≤ 255. */
export const PD_SUMMARY_MAX = 1024;
export const PD_DEDUP_KEY_MAX = 255;
/** Keeps a log excerpt useful without nearing the 512 KB event limit. */
export const PD_DETAIL_TEXT_MAX = 4000;

export interface PagerDutyEvent {
  readonly event_action: 'trigger' | 'acknowledge' | 'resolve';
  readonly dedup_key: string;
  /** Absent for acknowledge and resolve, which need only the key. */
  readonly payload?: {
    readonly summary: string;
    readonly source: string;
    readonly severity: 'critical' | 'error' | 'warning' | 'info';
    readonly timestamp?: string;
    readonly component?: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Record<string, unknown>;
  };
  readonly links?: readonly { readonly href: string; readonly text: string }[];
  readonly client: string;
}

export function renderPagerDuty(input: RenderInput): Rendered<PagerDutyEvent> {
  const p = prepare(input);
  const { summary, view } = p;
  const action = input.route.action ?? 'trigger';
  let dedupKey = `switchyard:${input.event.source}:${input.event.id}`;
  if (input.route.alertKey) {
    const r = renderTemplate(input.route.alertKey, view);
    if (r.ok && r.value.trim() !== '') dedupKey = r.value.trim();
    else p.notes.push(`alert_key: ${r.ok ? 'rendered empty' : r.error}; the event id is used instead`);
  }
  dedupKey = truncate(dedupKey, PD_DEDUP_KEY_MAX);
  if (action !== 'trigger') return { payload: { event_action: action, dedup_key: dedupKey, client: 'Switchyard' }, notes: p.notes };

  const details: Record<string, unknown> = {};
  for (const f of summary.fields) if (f.value !== '—') details[f.label] = f.value;
  if (summary.body)
    details[summary.body.label] =
      summary.body.style === 'code' ? truncateStart(summary.body.text, PD_DETAIL_TEXT_MAX) : truncate(summary.body.text, PD_DETAIL_TEXT_MAX);
  if (summary.changes.length > 0) details.Changes = summary.changes.map((c) => `${c.path}: ${c.before} → ${c.after}`);
  if (input.event.correlationId) details['Correlation id'] = input.event.correlationId;
  details['Event id'] = input.event.id;
  details.Route = input.route.name;
  if (p.notes.length > 0) details.Notes = p.notes;

  const occurred = input.event.occurredAt && !Number.isNaN(Date.parse(input.event.occurredAt)) ? input.event.occurredAt : undefined;
  const component = summary.fields.find((f) => f.label === 'Destination' || f.label === 'Kind')?.value;
  return {
    payload: {
      event_action: 'trigger',
      dedup_key: dedupKey,
      payload: {
        summary: truncate(oneLine(p.part('summary', p.part('title', summary.title))), PD_SUMMARY_MAX),
        source: input.event.source,
        severity: p.severity,
        ...(occurred ? { timestamp: occurred } : {}),
        ...(component && component !== '—' ? { component } : {}),
        group: input.event.kind,
        class: input.event.type,
        custom_details: details,
      },
      ...(summary.link ? { links: [{ href: summary.link.url, text: summary.link.label }] } : {}),
      client: 'Switchyard',
    },
    notes: p.notes,
  };
}
