/**
 * The event store as the workerd tests reach it: the store's own front (src/state/event-store.ts), one
 * event's shard, and edits of a stored job or record (to age a job, or lose its queue message) made inside
 * the shard with SQL, as the shard itself stores them.
 */
import { env } from 'cloudflare:workers';
import { runInDurableObject } from 'cloudflare:test';
import type { Env } from '../../src/core/env.ts';
import type { CanonicalEvent } from '../../src/core/event.ts';
import type { AcceptOptions, AcceptResult, EventRecord, EventTrace, JobState, RoutingDecision } from '../../src/core/delivery.ts';
import { eventKey } from '../../src/core/jobs.ts';
import { routeWith, ruleSet } from '../../src/env.ts';
import { eventStore, shardCount, shardName, type EventStoreObject } from '../../src/state/event-store.ts';

export const store = (useEnv: Env = env as unknown as Env) => eventStore(useEnv);

/** The shard holding `key`. */
export const shardOf = (key: string): DurableObjectStub<EventStoreObject> => env.EVENT_STORE.getByName(shardName(key, shardCount(env as unknown as Env)));

/** Accepts the event (inline mode unless told: nothing queued, the jobs come back) routed by the built rules. */
export function accept(event: CanonicalEvent, options: Partial<AcceptOptions> = {}, routing?: RoutingDecision): Promise<AcceptResult> {
  return store().accept(event, routing ?? routeWith(ruleSet())(event), { retentionMs: 15 * 86_400_000, mode: 'inline', auth: 'test', ...options });
}

export const traceOf = async (event: Pick<CanonicalEvent, 'source' | 'id'> | string): Promise<EventTrace> =>
  (await store()
    .of(typeof event === 'string' ? event : eventKey(event))
    .timeline()) as EventTrace;

export const recordOf = (key: string): Promise<EventRecord | null> => store().of(key).record();

/** Rewrites one job's stored state in its shard (false: no such job). */
export function editJob(key: string, jobId: string, edit: (state: JobState) => JobState): Promise<boolean> {
  return runInDurableObject(shardOf(key), (_, state) => {
    const row = state.storage.sql.exec('SELECT state FROM jobs WHERE event = ? AND id = ?', key, jobId).toArray()[0];
    if (!row) return false;
    state.storage.sql.exec('UPDATE jobs SET state = ? WHERE event = ? AND id = ?', JSON.stringify(edit(JSON.parse(String(row.state)) as JobState)), key, jobId);
    return true;
  });
}

/** Rewrites an event's stored record in its shard. */
export function editRecord(key: string, edit: (record: EventRecord) => EventRecord): Promise<void> {
  return runInDurableObject(shardOf(key), (_, state) => {
    const row = state.storage.sql.exec('SELECT record, deliveries FROM events WHERE key = ?', key).toArray()[0];
    if (!row) throw new Error(`no event ${key} in its shard`);
    const { deliveries: _deliveries, ...stored } = edit({ ...(JSON.parse(String(row.record)) as EventRecord), deliveries: Number(row.deliveries) });
    state.storage.sql.exec('UPDATE events SET record = ? WHERE key = ?', JSON.stringify(stored), key);
  });
}
