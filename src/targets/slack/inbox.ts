/**
 * How the local inbox shows a Slack message: Block Kit (colour bar, header, fields, mrkdwn text and code,
 * buttons, context), "(edited)" and the thread's replies. Everything from the payload is escaped. Pure.
 */
import type { InboxItem } from '../../core/delivery.ts';
import { arr, button, clock, colour, esc, markEmoji, mrkdwn, obj, type Json } from '../../render/html.ts';

function block(b: Json): string {
  switch (b.type) {
    case 'header':
      return `<div class="block-header">${markEmoji(esc(obj(b.text).text))}</div>`;
    case 'section':
      return (
        (b.text ? `<div class="block-section">${mrkdwn(obj(b.text).text)}</div>` : '') +
        (b.fields
          ? `<div class="fields">${arr(b.fields)
              .map((f) => `<div>${mrkdwn(obj(f).text)}</div>`)
              .join('')}</div>`
          : '')
      );
    case 'actions':
      return `<div>${arr(b.elements)
        .map((e) => button(obj(e).url, obj(obj(e).text).text))
        .join('')}</div>`;
    case 'context':
      return `<div class="block-context">${arr(b.elements)
        .map((e) => mrkdwn(obj(e).text))
        .join(' ')}</div>`;
    case 'divider':
      return '<hr>';
    default:
      return '';
  }
}

/** A Slack message as Slack shows it: colour bar, blocks, "(edited)", thread replies. */
export function slackView(item: InboxItem): string {
  const p = obj(item.payload);
  const attachments = arr(p.attachments).map(obj);
  let html = `<div class="slack-msg"><div class="avatar">SY</div><div class="slack-body">`;
  html += `<div class="who">Switchyard <small>${esc(clock(item.at))}</small>${item.updates ? '<span class="edited">(edited)</span>' : ''}</div>`;
  if (attachments.length === 0) html += `<div class="fallback">${mrkdwn(p.text)}</div>`;
  for (const a of attachments)
    html += `<div class="attachment" style="border-left-color:${colour(a.color)}">${arr(a.blocks).map(obj).map(block).join('')}</div>`;
  html += '</div></div>';
  if (item.replies.length > 0)
    html += `<div class="thread">${item.replies.length} ${item.replies.length === 1 ? 'reply' : 'replies'}${item.replies
      .map((r) => `<div class="reply"><small>${esc(clock(r.at))}</small>${mrkdwn(r.text)}</div>`)
      .join('')}</div>`;
  return html;
}
