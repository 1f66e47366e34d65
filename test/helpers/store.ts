/**
 * The event store as the workerd tests reach it: the store's own front (src/state/event-store.ts), one
 * event's shard, and edits of a stored job or record (to age a job, or lose its queue message) made inside
 * the shard with SQL, as the shard itself stores them.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import type { Env } from '../../src/core/env.ts';
import type { CanonicalEvent } from '../../src/core/event.ts';
import type { AcceptOptions, AcceptResult, EventRecord, EventTrace, JobState, RoutingDecision } from '../../src/core/delivery.ts';
import { eventKey, type DeliveryJob } from '../../src/core/jobs.ts';
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

/**
 * Puts `wrap` in front of the queue producer of the shard holding `key`, for batches carrying that event's
 * jobs (the shard holds other events: theirs pass untouched). Returns the undo.
 */
export async function intercept(
  key: string,
  wrap: (real: Queue<DeliveryJob>, calls: { count: number }) => (messages: MessageSendRequest<DeliveryJob>[]) => Promise<unknown>,
): Promise<() => Promise<void>> {
  const shard = shardOf(key);
  await runInDurableObject(shard, (instance) => {
    const self = instance as unknown as { env: Env };
    const real = self.env;
    const calls = { count: 0 };
    const wrapped = wrap(real.JOBS!, calls);
    const sendBatch = (messages: Iterable<MessageSendRequest<DeliveryJob>>) => {
      const list = [...messages];
      if (!list.some((m) => m.body.event === key)) return real.JOBS!.sendBatch(list);
      calls.count++;
      return wrapped(list);
    };
    self.env = { ...real, JOBS: { sendBatch } } as unknown as Env;
    (instance as unknown as { restoreEnv: () => void }).restoreEnv = () => {
      self.env = real;
    };
  });
  return () => runInDurableObject(shard, (instance) => (instance as unknown as { restoreEnv: () => void }).restoreEnv());
}

/** Makes the event's backstop (a first attempt at once) due now and runs its shard's alarm. */
export async function runBackstop(key: string): Promise<void> {
  const shard = shardOf(key);
  await runInDurableObject(shard, (_, state) => {
    state.storage.sql.exec('UPDATE events SET backstop_at = ?1, sweep_at = ?1 WHERE key = ?2 AND backstop_at IS NOT NULL', Date.now() - 1, key);
  });
  await runInDurableObject(shard, (_, state) => state.storage.setAlarm(Date.now()));
  await runDurableObjectAlarm(shard);
}
