/**
 * Slack Block Kit for one event: a coloured attachment holding a header with a severity marker and a short
 * title, the fields that matter, the customer-safe text or the log as code, what changed, a link button and
 * a context line of ids; a plain-text fallback. Every Slack limit enforced here. Pure: no I/O.
 *
 * Whatever comes from a payload is escaped before it reaches mrkdwn (the fallback `text`, sections, fields,
 * context; template outputs too, unless a template says `| raw`), so a vendor field cannot ping a channel
 * (`<!channel>`) or plant a link (`<https://…|label>`). Header and button labels are plain_text, where
 * Slack parses neither. Texts are escaped first and cut after, so the limits hold for what Slack counts.
 */
import { prepare } from '../../render/overrides.ts';
import { escapeMrkdwn, truncate, truncateMrkdwn, truncateStartMrkdwn } from '../../render/text.ts';
import type { Rendered, RenderInput } from '../../render/overrides.ts';
import type { Severity } from '../../core/delivery.ts';

/** https://docs.slack.dev/reference/block-kit/blocks — header text ≤ 150, section text ≤ 3000, ≤ 10 fields (each ≤ 2000), ≤ 50 blocks. */
export const SLACK_HEADER_MAX = 150;
export const SLACK_SECTION_TEXT_MAX = 3000;
export const SLACK_FIELDS_MAX = 10;
export const SLACK_FIELD_TEXT_MAX = 2000;
export const SLACK_BLOCKS_MAX = 50;
/** Button text ≤ 75, URL ≤ 3000; context ≤ 10 elements. */
export const SLACK_BUTTON_TEXT_MAX = 75;
export const SLACK_URL_MAX = 3000;
export const SLACK_CONTEXT_ELEMENTS_MAX = 10;
/** The `text` fallback shows in notifications; Slack cuts it past 40,000 but people read the first line. */
export const SLACK_FALLBACK_MAX = 300;

export const SEVERITY_MARK: Record<Severity | 'resolved', { emoji: string; color: string }> = {
  critical: { emoji: '🔴', color: '#D40E0D' },
  error: { emoji: '🟠', color: '#E8710A' },
  warning: { emoji: '🟡', color: '#F2C744' },
  info: { emoji: '🔵', color: '#1D9BD1' },
  resolved: { emoji: '✅', color: '#2EB67D' },
};

export interface SlackMessage {
  readonly text: string;
  readonly attachments: readonly { readonly color: string; readonly blocks: readonly unknown[] }[];
}

const mrkdwn = (text: string) => ({ type: 'mrkdwn', text });

/**
 * A message of the relay's own (a budget digest, a group's notification): the coloured bar, a header, one
 * mrkdwn section, and optionally a context line, each cut to Block Kit's limits; the fallback text escaped.
 */
export function slackCard(card: { mark: { emoji: string; color: string }; title: string; body: string; context?: string }): SlackMessage {
  const { mark, title } = card;
  return {
    text: truncate(`${mark.emoji} ${escapeMrkdwn(title)}`, SLACK_FALLBACK_MAX),
    attachments: [
      {
        color: mark.color,
        blocks: [
          { type: 'header', text: { type: 'plain_text', text: truncate(`${mark.emoji} ${title}`, SLACK_HEADER_MAX), emoji: true } },
          { type: 'section', text: { type: 'mrkdwn', text: truncateMrkdwn(card.body, SLACK_SECTION_TEXT_MAX) } },
          ...(card.context !== undefined
            ? [{ type: 'context', elements: [{ type: 'mrkdwn', text: truncateMrkdwn(card.context, SLACK_SECTION_TEXT_MAX) }] }]
            : []),
        ],
      },
    ],
  };
}

export function renderSlack(input: RenderInput): Rendered<SlackMessage> {
  const p = prepare(input);
  const { summary } = p;
  const mark = SEVERITY_MARK[summary.state === 'recovery' ? 'resolved' : p.severity];
  const title = p.part('title', summary.title).replace(/\s+/g, ' ').trim();
  const header = truncate(`${mark.emoji} ${title}`, SLACK_HEADER_MAX);
  const blocks: unknown[] = [{ type: 'header', text: { type: 'plain_text', text: header, emoji: true } }];

  const fieldsTemplate = input.route.templates.fields !== undefined ? p.part('fields', '', 'mrkdwn') : '';
  if (fieldsTemplate) blocks.push({ type: 'section', text: mrkdwn(truncateMrkdwn(fieldsTemplate, SLACK_SECTION_TEXT_MAX)) });
  else {
    const fields = summary.fields.filter((f) => f.value !== '—').slice(0, SLACK_FIELDS_MAX);
    if (fields.length > 0)
      blocks.push({
        type: 'section',
        fields: fields.map((f) => mrkdwn(truncateMrkdwn(`*${escapeMrkdwn(f.label)}*\n${escapeMrkdwn(f.value)}`, SLACK_FIELD_TEXT_MAX))),
      });
  }

  const text = input.route.templates.text !== undefined ? p.part('text', '', 'mrkdwn') : '';
  if (text) blocks.push({ type: 'section', text: mrkdwn(truncateMrkdwn(text, SLACK_SECTION_TEXT_MAX)) });
  else if (summary.body) {
    const label = `*${escapeMrkdwn(summary.body.label)}*\n`;
    const room = SLACK_SECTION_TEXT_MAX - label.length;
    const body =
      summary.body.style === 'code'
        ? `\`\`\`${truncateStartMrkdwn(escapeMrkdwn(summary.body.text.replace(/```/g, "'''")), room - 6)}\`\`\``
        : // Quoted after escaping, cut after quoting: each line's `>` counts toward the limit.
          truncateMrkdwn(`>${escapeMrkdwn(summary.body.text).replace(/\n/g, '\n>')}`, room);
    blocks.push({ type: 'section', text: mrkdwn(label + body) });
  }

  if (summary.changes.length > 0) {
    const lines = summary.changes.map((c) => `• \`${escapeMrkdwn(c.path)}\`: ${escapeMrkdwn(c.before)} → ${escapeMrkdwn(c.after)}`);
    blocks.push({ type: 'section', text: mrkdwn(truncateMrkdwn(`*What changed*\n${lines.join('\n')}`, SLACK_SECTION_TEXT_MAX)) });
  }

  if (summary.link && summary.link.url.length <= SLACK_URL_MAX) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: truncate(summary.link.label, SLACK_BUTTON_TEXT_MAX) }, url: summary.link.url }],
    });
  }

  const context = [...summary.context, `route: ${input.route.name}`, ...p.notes.map((n) => `⚠ ${n}`)];
  blocks.push({
    type: 'context',
    elements: [mrkdwn(truncateMrkdwn(escapeMrkdwn(context.join(' · ')), SLACK_FIELD_TEXT_MAX))].slice(0, SLACK_CONTEXT_ELEMENTS_MAX),
  });

  return {
    payload: {
      text: truncateMrkdwn(`${mark.emoji} ${escapeMrkdwn(title)}`, SLACK_FALLBACK_MAX),
      attachments: [{ color: mark.color, blocks: blocks.slice(0, SLACK_BLOCKS_MAX) }],
    },
    notes: p.notes,
  };
}
