/**
 * The local inbox's items as HTML, rendered on the server — for the page's first paint (the items are in the
 * HTML before any script runs) and for each live update, which the page swaps in. Each item shows as its
 * receiver would: Slack Block Kit (colour bar, header, fields, mrkdwn text and code, buttons, context, thread
 * replies, "(edited)"), PagerDuty incidents (one card per dedup key, whose state is its newest event's), HTTP
 * requests (method, URL and headers as written, query parameters as a table, long bodies folded). Muted and
 * silenced notifications are greyed cards with their reason. Everything from a payload is escaped; only
 * http(s) links are clickable. Pure: no I/O.
 */
import type { InboxItem } from '../state/inbox.ts';

type Json = Record<string, unknown>;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Slack's mrkdwn, on escaped text: code blocks, code, links (http(s) only), bold, italic, strike, quotes. */
export function mrkdwn(text: unknown): string {
  return esc(text)
    .replace(/```([\s\S]*?)```/g, (_, code: string) => `<pre>${code}</pre>`)
    .replace(/`([^`\n]+)`/g, '<code>$1</code>')
    .replace(/&lt;(https?:\/\/[^|&\s"]+)\|([^&]+?)&gt;/g, '<a href="$1" target="_blank" rel="noopener noreferrer">$2</a>')
    .replace(/(^|[\s(])\*([^*\n]+)\*/g, '$1<b>$2</b>')
    .replace(/(^|[\s(])_([^_\n]+)_/g, '$1<i>$2</i>')
    .replace(/(^|[\s(])~([^~\n]+)~/g, '$1<s>$2</s>')
    .replace(/(^|\n)&gt;([^\n]*)/g, '$1<blockquote>$2</blockquote>')
    .replace(/\n/g, '<br>')
    .replace(/[^<>]+(?=<|$)/g, (text) => markEmoji(text));
}

/** A button: clickable only for an http(s) URL; anything else (javascript:, data:) is shown as text. */
function button(url: unknown, text: unknown): string {
  return typeof url === 'string' && /^https?:\/\/\S+$/i.test(url)
    ? `<a class="button" href="${esc(url)}" target="_blank" rel="noopener noreferrer">${esc(text)}</a>`
    : `<span class="button" title="link dropped: not an http(s) URL">${esc(text)}</span>`;
}

/** Text for the marks the relay uses, where no emoji font draws them (a stock Debian has none). */
const EMOJI_TEXT: Record<string, string> = { '🔴': '[critical]', '🟠': '[error]', '🟡': '[warning]', '🔵': '[info]', '✅': '[ok]', '⚠': '[!]', '⚠️': '[!]' };

/**
 * Wraps each emoji of already-escaped text so the page can swap it for text when the browser has no emoji
 * font (the page's script tests for one and sets `no-emoji`).
 */
export function markEmoji(escaped: string): string {
  return escaped.replace(/\p{Extended_Pictographic}\uFE0F?/gu, (e) => `<span class="emoji" data-text="${esc(EMOJI_TEXT[e] ?? '*')}">${e}</span>`);
}

const colour = (c: unknown): string => (typeof c === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : '#ddd');
const clock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

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

function slack(item: InboxItem): string {
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

function table(o: Json, className = ''): string {
  const keys = Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null && o[k] !== '');
  if (keys.length === 0) return '';
  return `<table${className ? ` class="${className}"` : ''}>${keys
    .map((k) => {
      const v = o[k];
      return `<tr><th>${esc(k)}</th><td>${typeof v === 'object' ? `<pre>${esc(JSON.stringify(v, null, 2))}</pre>` : esc(v)}</td></tr>`;
    })
    .join('')}</table>`;
}

/** The PagerDuty events of one incident (dedup key), oldest first. */
interface Incident {
  readonly history: { readonly action: string; readonly at: number }[];
  trigger: InboxItem | null;
}

const ACTIONS: Record<string, string> = { trigger: 'Incident triggered', acknowledge: 'Incident acknowledged', resolve: 'Incident resolved' };

function pagerduty(item: InboxItem, incident: Incident | undefined): string {
  const p = obj(item.payload);
  const trigger = incident?.trigger ? obj(incident.trigger.payload) : p;
  const pl = obj(trigger.payload);
  const action = str(p.event_action);
  let html = `<div class="pd ${esc(action)}"><div class="action">${esc(ACTIONS[action] ?? action)}</div>`;
  if (incident && incident.history.length > 1)
    html += `<div class="history">${incident.history.map((h) => `${esc(h.action)} ${esc(clock(h.at))}`).join(' → ')}</div>`;
  if (pl.summary) html += `<div class="summary">${esc(pl.summary)}</div>`;
  html += table({ 'dedup key': p.dedup_key, severity: pl.severity, source: pl.source, component: pl.component, group: pl.group, class: pl.class });
  if (pl.custom_details) html += table(obj(pl.custom_details));
  for (const l of arr(trigger.links).map(obj)) html += button(l.href, l.text);
  return `${html}</div>`;
}

/** Bodies longer than this (or than 16 lines) are folded. */
const FOLD_CHARS = 600;

function http(item: InboxItem): string {
  const p = obj(item.payload);
  const query = arr(p.query).filter((q): q is [string, string] => Array.isArray(q) && q.length === 2);
  let html = `<div class="http"><div class="line">${esc(p.method)} ${esc(p.url)}${query.length ? ` <small>+ ${query.length} query parameter${query.length === 1 ? '' : 's'}</small>` : ''}</div>`;
  html += table(obj(p.headers));
  if (query.length) html += `<table class="query">${query.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>`;
  if (typeof p.body === 'string') {
    let body = p.body;
    try {
      body = JSON.stringify(JSON.parse(p.body), null, 2);
    } catch {
      // not JSON: shown as sent
    }
    html +=
      body.length > FOLD_CHARS || body.split('\n').length > 16
        ? `<details class="body-fold"><summary>body (${body.length} characters)</summary><pre>${esc(body)}</pre></details>`
        : `<pre>${esc(body)}</pre>`;
  }
  return `${html}</div>`;
}

/** PagerDuty events of one dedup key become one card, at the place of its newest event. `items`: newest first. */
function withIncidents(items: readonly InboxItem[]): { item: InboxItem; incident?: Incident }[] {
  const incidents = new Map<string, Incident>();
  const out: { item: InboxItem; incident?: Incident }[] = [];
  const cards = new Map<string, { item: InboxItem; incident?: Incident }>();
  for (const item of [...items].reverse()) {
    const p = obj(item.payload);
    const key = item.kind === 'pagerduty' && typeof p.dedup_key === 'string' ? `${item.target}\u0000${p.dedup_key}` : null;
    if (key === null) {
      out.push({ item });
      continue;
    }
    const incident = incidents.get(key) ?? { history: [], trigger: null };
    incidents.set(key, incident);
    incident.history.push({ action: str(p.event_action), at: item.at });
    if (p.event_action === 'trigger') incident.trigger = item;
    const previous = cards.get(key);
    if (previous) out.splice(out.indexOf(previous), 1);
    const card = { item, incident };
    cards.set(key, card);
    out.push(card);
  }
  return out.reverse();
}

/** Every item as an article, newest first; the empty state when there are none. */
export function renderInboxItems(items: readonly InboxItem[]): string {
  if (items.length === 0)
    return '<p class="empty" id="empty">Nothing yet. Send an event: <code>npm run send -- test/fixtures/prequel/transfer.error.json</code> or <code>npm run demo</code>.</p>';
  return withIncidents(items)
    .map(({ item, incident }) => {
      const body = item.kind === 'slack' ? slack(item) : item.kind === 'pagerduty' ? pagerduty(item, incident) : http(item);
      const meta =
        `<div class="meta"><span class="badge ${esc(item.kind)}">${esc(item.kind)}</span><span class="target">${esc(item.target)}</span>` +
        `<span>${esc(clock(item.at))}</span><span>${esc(item.event.type)} · ${esc(item.event.id)}</span><span>route: ${esc(item.route)}</span>` +
        `<a data-trace="${esc(`${item.event.source}/${item.event.id}`)}" data-item="${item.id}" href="#">trace ›</a></div>`;
      const held = item.held ? `<div class="held-why">Not sent — ${esc(item.held)}</div>` : '';
      return `<article class="item${item.held ? ' held' : ''}" data-id="${item.id}" data-kind="${esc(item.kind)}" data-target="${esc(item.target)}">${meta}${held}<div class="body">${body}</div></article>`;
    })
    .join('');
}
