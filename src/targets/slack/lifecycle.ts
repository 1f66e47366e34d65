/**
 * An alert's Slack message relabelled in place: resolved (header marker, green, a context line with the
 * duration) or flapping (header label and counts). Built from the message as posted, with Block Kit's named
 * limits (render.ts). Pure: times are passed in.
 */
import { durationText } from '../../core/units.ts';
import { truncate } from '../../render/text.ts';
import { SEVERITY_MARK, SLACK_BLOCKS_MAX, SLACK_FALLBACK_MAX, SLACK_HEADER_MAX, type SlackMessage } from './render.ts';

const hhmm = (ms: number): string => new Date(ms).toISOString().slice(11, 16);

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
    text: retitle(original.text, SLACK_FALLBACK_MAX),
    attachments: original.attachments.map((a) => ({
      color: color ?? a.color,
      blocks: [
        ...a.blocks.map((b) => {
          const block = b as { type?: string; text?: { type: string; text: string; emoji?: boolean } };
          if (block.type !== 'header' || !block.text) return b;
          return { ...block, text: { ...block.text, text: retitle(block.text.text, SLACK_HEADER_MAX) } };
        }),
        { type: 'context', elements: [{ type: 'mrkdwn', text: line }] },
      ].slice(0, SLACK_BLOCKS_MAX),
    })),
  };
}
