/**
 * The local inbox (one Durable Object, `inbox`): where notifications go when the inbox is on (`INBOX=on`, set
 * by `npm run dev`) and their target has no credentials — so a newcomer sees Slack messages, pages and HTTP
 * calls without owning a Slack token. Each item is what the receiver would have got; Slack updates and thread
 * replies apply to the item, as Slack would apply them to the message. Newest first; the 500 newest kept.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../core/env.ts';
import type { InboxItem } from '../core/delivery.ts';

/** The one inbox object's name. */
export const INBOX_NAME = 'inbox';

const KEEP = 500;

type Row = Record<string, SqlStorageValue>;

export class InboxObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS items (
        id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, updated_at INTEGER NOT NULL, target TEXT NOT NULL,
        kind TEXT NOT NULL, payload TEXT NOT NULL, event TEXT NOT NULL, job TEXT NOT NULL, route TEXT NOT NULL,
        replies TEXT NOT NULL DEFAULT '[]', updates INTEGER NOT NULL DEFAULT 0);
    `);
    // Inboxes created before held cards existed get the column.
    const columns = ctx.storage.sql.exec('PRAGMA table_info(items)').toArray();
    if (!columns.some((c) => c.name === 'held')) ctx.storage.sql.exec('ALTER TABLE items ADD COLUMN held TEXT');
  }

  post(item: Pick<InboxItem, 'target' | 'kind' | 'payload' | 'event' | 'job' | 'route' | 'held'>): number {
    const now = Date.now();
    const row = this.ctx.storage.sql
      .exec(
        'INSERT INTO items (at, updated_at, target, kind, payload, event, job, route, held) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id',
        now,
        now,
        item.target,
        item.kind,
        JSON.stringify(item.payload),
        JSON.stringify(item.event),
        item.job,
        item.route,
        item.held ?? null,
      )
      .one();
    this.ctx.storage.sql.exec('DELETE FROM items WHERE id <= ?', Number(row.id) - KEEP);
    return Number(row.id);
  }

  /** Replaces a Slack item's message (chat.update); false when the item is gone. */
  update(id: number, payload: unknown): boolean {
    const changed = this.ctx.storage.sql
      .exec('UPDATE items SET payload = ?, updated_at = ?, updates = updates + 1 WHERE id = ? RETURNING id', JSON.stringify(payload), Date.now(), id)
      .toArray();
    return changed.length > 0;
  }

  /** Adds a thread reply, or rewrites an earlier one (`replyId`); returns the reply's id. */
  reply(id: number, text: string, replyId: string | null): string | null {
    const row = this.ctx.storage.sql.exec('SELECT replies FROM items WHERE id = ?', id).toArray()[0];
    if (!row) return null;
    const replies = JSON.parse(String(row.replies)) as { id: string; text: string; at: number }[];
    const now = Date.now();
    const existing = replyId ? replies.find((r) => r.id === replyId) : undefined;
    const rid = existing?.id ?? `${id}.${replies.length + 1}`;
    const next = existing ? replies.map((r) => (r.id === rid ? { id: rid, text, at: now } : r)) : [...replies, { id: rid, text, at: now }];
    this.ctx.storage.sql.exec('UPDATE items SET replies = ?, updated_at = ? WHERE id = ?', JSON.stringify(next), now, id);
    return rid;
  }

  /** Removes every item (the page's "Clear the inbox"); how many there were. */
  clear(): number {
    return this.ctx.storage.sql.exec('DELETE FROM items RETURNING id').toArray().length;
  }

  /** Items changed after `since` (ms), newest first. */
  list(since: number, limit: number): InboxItem[] {
    return this.ctx.storage.sql
      .exec('SELECT * FROM items WHERE updated_at > ? ORDER BY id DESC LIMIT ?', since, Math.min(Math.max(1, limit), KEEP))
      .toArray()
      .map(toItem);
  }
}

function toItem(r: Row): InboxItem {
  return {
    id: Number(r.id),
    at: Number(r.at),
    updatedAt: Number(r.updated_at),
    target: String(r.target),
    kind: String(r.kind) as InboxItem['kind'],
    payload: JSON.parse(String(r.payload)) as unknown,
    event: JSON.parse(String(r.event)) as InboxItem['event'],
    job: String(r.job),
    route: String(r.route),
    replies: JSON.parse(String(r.replies)) as InboxItem['replies'],
    updates: Number(r.updates),
    ...(r.held === null || r.held === undefined ? {} : { held: String(r.held) }),
  };
}
