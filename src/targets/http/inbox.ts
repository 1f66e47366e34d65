/**
 * How the local inbox shows an HTTP request. Everything is escaped. Pure.
 */
import type { InboxItem } from '../../core/delivery.ts';
import { arr, esc, obj, table } from '../../render/html.ts';

/** Bodies longer than this (or than 16 lines) are folded. */
const FOLD_CHARS = 600;

/** An HTTP request as written: method, URL and headers (secrets stay `${NAME}`), query, body (long ones folded). */
export function httpView(item: InboxItem): string {
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
