/**
 * Recorded events for `switchyard events export` and `switchyard diff`: read from a running relay's admin API
 * (GET /admin/events?include=records, page by page), or from an export file (JSON Lines). The admin token is
 * read from an environment variable (SWITCHYARD_ADMIN_TOKEN unless --token-env names another), never from an
 * argument that would land in shell history.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RoutingDecision } from '../core/delivery.ts';

/** One line of an export: the event as recorded, when, and how it was routed. */
export interface RecordedEvent {
  readonly key: string;
  readonly accepted_at: string;
  readonly event: CanonicalEvent;
  readonly routing: RoutingDecision;
}

export interface RelayQuery {
  readonly since?: string;
  readonly until?: string;
  readonly source?: string;
  readonly type?: string;
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

interface EventsPage {
  readonly ok: boolean;
  readonly events?: { key: string; record?: { event: CanonicalEvent; routing: RoutingDecision; accepted_at: string } }[];
  readonly next_cursor?: string | null;
  readonly error?: { reason: string; message: string };
}

/** Every recorded event the relay lists for the query, newest first; `onPage` hears of each page's size. */
export async function fetchRecorded(
  from: string,
  query: RelayQuery,
  token: string,
  options: { readonly fetch?: Fetch; readonly pageSize?: number; readonly onPage?: (n: number) => void } = {},
): Promise<RecordedEvent[]> {
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const out: RecordedEvent[] = [];
  let cursor: string | null = null;
  for (;;) {
    const url = new URL('/admin/events', from);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
    url.searchParams.set('include', 'records');
    url.searchParams.set('limit', String(options.pageSize ?? 500));
    if (cursor) url.searchParams.set('cursor', cursor);
    let res: Response;
    try {
      res = await doFetch(url.toString(), { headers: { authorization: `Bearer ${token}` } });
    } catch (e) {
      throw new Error(`cannot reach ${url.origin}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
    }
    const page = (await res.json().catch(() => ({ ok: false }))) as EventsPage;
    if (!res.ok || !page.ok) throw new Error(`${url.origin} answered ${res.status}${page.error ? ` ${page.error.reason}: ${page.error.message}` : ''}`);
    for (const e of page.events ?? [])
      if (e.record) out.push({ key: e.key, accepted_at: e.record.accepted_at, event: e.record.event, routing: e.record.routing });
    options.onPage?.(page.events?.length ?? 0);
    cursor = page.next_cursor ?? null;
    if (!cursor) return out;
  }
}

/** An export file's lines as recorded events; a line that is not one says where. */
export function parseRecorded(text: string, file: string): { ok: true; events: RecordedEvent[] } | { ok: false; error: string } {
  const events: RecordedEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      return { ok: false, error: `${file}:${i + 1}: not JSON` };
    }
    const v = value as Partial<RecordedEvent>;
    if (
      typeof v !== 'object' ||
      v === null ||
      typeof v.event !== 'object' ||
      v.event === null ||
      typeof v.event.source !== 'string' ||
      typeof v.event.id !== 'string'
    )
      return { ok: false, error: `${file}:${i + 1}: not an exported event (want {"key", "accepted_at", "event", "routing"})` };
    const at = typeof v.accepted_at === 'string' ? v.accepted_at : v.event.receivedAt;
    events.push({ key: v.key ?? `${v.event.source}:${v.event.id}`, accepted_at: at, event: v.event, routing: v.routing ?? { routes: [] } });
  }
  return { ok: true, events };
}

/** The admin token from the environment, or why not. */
export function adminToken(env: Readonly<Record<string, string | undefined>>, name = 'SWITCHYARD_ADMIN_TOKEN'): string | { error: string } {
  const token = env[name];
  return token ? token : { error: `set ${name} to the relay's admin token (the ADMIN_TOKEN secret): it is read from the environment, never an argument` };
}
