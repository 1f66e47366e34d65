/**
 * The pure side of alert lifecycles: an event's alert key, the Slack message a resolve turns the original
 * into, and the short thread texts (repeats, resolve). No I/O; times are passed in.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RouteConfig } from '../rules/config.ts';
import { renderTemplate, templateView } from '../render/template.ts';
import { SEVERITY_MARK, SLACK_HEADER_MAX, type SlackMessage } from '../targets/slack/render.ts';
import { truncate } from '../render/text.ts';

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

/** "45s", "12m", "2h 14m", "3d 2h". */
export function durationText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h ${m % 60}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d ${h % 24}h` : `${d}d`;
}

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

export function repeatText(count: number, now: number): string {
  return `↻ Happened again — ×${count} in all, last at ${hhmm(now)} UTC. Not re-sent while the alert is open.`;
}

export function resolvedReplyText(openedAt: number, resolvedAt: number, count: number): string {
  return `✅ Resolved after ${durationText(resolvedAt - openedAt)}${count > 1 ? ` (fired ×${count})` : ''}.`;
}

/**
 * The original message, resolved: the header says Resolved (its severity marker replaced), the colour turns
 * green, and a context line gives the duration. Nothing else changes, so the history stays readable.
 */
export function resolvedSlackMessage(original: SlackMessage, openedAt: number, resolvedAt: number, count: number): SlackMessage {
  const mark = SEVERITY_MARK.resolved;
  const line = `Resolved after ${durationText(resolvedAt - openedAt)}${count > 1 ? ` · fired ×${count}` : ''} · ${hhmm(resolvedAt)} UTC`;
  return relabel(original, `${mark.emoji} Resolved: `, mark.color, line);
}

/** The original message, firing again and marked as flapping with its counts (header and one context line). */
export function flappingSlackMessage(original: SlackMessage, flaps: number, count: number): SlackMessage {
  return relabel(original, `🔁 Flapping (×${flaps}): `, null, `🔁 Flapping: re-opened ×${flaps} soon after resolving · fired ×${count} in all`);
}

/** Any earlier marker and state label on a title ("🟠 ", "✅ Resolved: ", "🔁 Flapping (×2): "). */
const LABEL_RE = /^(?:🔴|🟠|🟡|🔵|✅|🔁)\s*(?:Resolved: |Flapping \(×\d+\): )?/u;

/** The message with a new label on its fallback text and header, its colour (null: kept), and one context line added. */
function relabel(original: SlackMessage, label: string, color: string | null, line: string): SlackMessage {
  const retitle = (text: string, max: number): string => truncate(`${label}${text.replace(LABEL_RE, '')}`, max);
  return {
    text: retitle(original.text, 300),
    attachments: original.attachments.map((a) => ({
      color: color ?? a.color,
      blocks: [
        ...a.blocks.map((b) => {
          const block = b as { type?: string; text?: { type: string; text: string; emoji?: boolean } };
          if (block.type !== 'header' || !block.text) return b;
          return { ...block, text: { ...block.text, text: retitle(block.text.text, SLACK_HEADER_MAX) } };
        }),
        { type: 'context', elements: [{ type: 'mrkdwn', text: line }] },
      ].slice(0, 50),
    })),
  };
}
