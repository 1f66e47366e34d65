/**
 * The local inbox's items as HTML, rendered on the server — for the page's first paint (the items are in the
 * HTML before any script runs) and for each live update, which the page swaps in. Each item shows as its
 * receiver would, in its target kind's view (targets/<kind>/inbox.ts): Slack Block Kit (colour bar, header, fields, mrkdwn text and code, buttons, context, thread
 * replies, "(edited)"), PagerDuty incidents (one card per dedup key, whose state is its newest event's), HTTP
 * requests (method, URL and headers as written, query parameters as a table, long bodies folded). Muted and
 * silenced notifications are greyed cards with their reason. Everything from a payload is escaped; only
 * http(s) links are clickable. Pure: no I/O.
 */
import type { InboxItem } from '../core/delivery.ts';
import { clock, esc } from '../render/html.ts';
import { kindOf, targetKinds } from '../targets/registry.ts';

/** A card: the item shown, and the items of its incident, oldest first (one item unless its kind groups them). */
interface Card {
  readonly item: InboxItem;
  readonly incident: InboxItem[];
}

/** Items of one incident (a PagerDuty dedup key) become one card, at the place of its newest item. `items`: newest first. */
function withIncidents(items: readonly InboxItem[]): Card[] {
  const out: Card[] = [];
  const cards = new Map<string, Card>();
  for (const item of [...items].reverse()) {
    const known = targetKinds().find((k) => k.kind === item.kind);
    const incident = known?.inbox.incident?.(item.payload) ?? null;
    if (incident === null) {
      out.push({ item, incident: [item] });
      continue;
    }
    const key = `${item.target}\u0000${item.kind}\u0000${incident.key}`;
    const previous = cards.get(key);
    if (previous) out.splice(out.indexOf(previous), 1);
    const card = { item, incident: [...(previous?.incident ?? []), item] };
    cards.set(key, card);
    out.push(card);
  }
  return out.reverse();
}

/** An item's body, as its kind shows it (an item of a kind no longer registered: its payload as JSON). */
function body(card: Card): string {
  const known = targetKinds().find((k) => k.kind === card.item.kind);
  return known ? kindOf(card.item.kind).inbox.view(card.item, card.incident) : `<pre>${esc(JSON.stringify(card.item.payload, null, 2))}</pre>`;
}

/** Every item as an article, newest first; the empty state when there are none. */
export function renderInboxItems(items: readonly InboxItem[]): string {
  if (items.length === 0)
    return '<p class="empty" id="empty">Nothing yet. Send an event: <code>npm run send -- test/fixtures/prequel/transfer.error.json</code> or <code>npm run demo</code>.</p>';
  return withIncidents(items)
    .map((card) => {
      const item = card.item;
      const meta =
        `<div class="meta"><span class="badge ${esc(item.kind)}">${esc(item.kind)}</span><span class="target">${esc(item.target)}</span>` +
        `<span>${esc(clock(item.at))}</span><span>${esc(item.event.type)} · ${esc(item.event.id)}</span><span>route: ${esc(item.route)}</span>` +
        `<a data-trace="${esc(`${item.event.source}/${item.event.id}`)}" data-item="${item.id}" href="#">trace ›</a></div>`;
      const held = item.held ? `<div class="held-why">Not sent — ${esc(item.held)}</div>` : '';
      return `<article class="item${item.held ? ' held' : ''}" data-id="${item.id}" data-kind="${esc(item.kind)}" data-target="${esc(item.target)}">${meta}${held}<div class="body">${body(card)}</div></article>`;
    })
    .join('');
}
