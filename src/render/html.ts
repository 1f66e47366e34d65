/**
 * Small pieces of safe HTML for the local inbox's views (each target kind shows its own notifications with
 * them; inbox/render.ts lays the cards out): escaping, Slack mrkdwn on escaped text, links that are clickable
 * only for http(s), tables, and the emoji-to-text fallback. Pure: no I/O.
 */
export type Json = Record<string, unknown>;

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export function esc(value: unknown): string {
  return String(value ?? '').replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

export const obj = (v: unknown): Json => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : {});
export const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

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
export function button(url: unknown, text: unknown): string {
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

export const colour = (c: unknown): string => (typeof c === 'string' && /^#[0-9a-fA-F]{3,8}$/.test(c) ? c : '#ddd');
export const clock = (ms: number): string => `${new Date(ms).toISOString().slice(11, 19)} UTC`;

/** An object as a two-column table (objects within as JSON); empty when it has no set values. */
export function table(o: Json, className = ''): string {
  const keys = Object.keys(o).filter((k) => o[k] !== undefined && o[k] !== null && o[k] !== '');
  if (keys.length === 0) return '';
  return `<table${className ? ` class="${className}"` : ''}>${keys
    .map((k) => {
      const v = o[k];
      return `<tr><th>${esc(k)}</th><td>${typeof v === 'object' ? `<pre>${esc(JSON.stringify(v, null, 2))}</pre>` : esc(v)}</td></tr>`;
    })
    .join('')}</table>`;
}
