/**
 * The event store: a fixed set of SQLite-backed Durable Objects (shards), each holding the events whose key
 * (`<source>:<event id>`) hashes to it — one row per event (its idempotency record, routing and retention)
 * and one row per delivery job (its state and attempts: the event's trace). Accepting an event creates no
 * object; a shard is one of `EVENT_SHARDS` (default 16) named `events-<i>-of-<n>`. Each shard is
 * single-threaded, so two identical deliveries arriving together are accepted once, and two copies of one
 * queue message (Queues deliver at least once) cannot both send.
 *
 * Accepting an event: the store front (`eventStore`, below) plans the jobs and serializes the record in the
 * Worker; the shard only writes — the record and its jobs' states in one commit. Queue mode: then the jobs
 * are queued (the send leaves only once the write is durable). If the write fails, nothing is queued; if the
 * queue refuses, the rows are taken back. Either way the vendor gets a 503 and its retry is a first delivery.
 * A crash between the commit and the send leaves jobs queued-but-unsent: the sweep finds them.
 *
 * A first attempt at once (the default; FIRST_ATTEMPT=queue leaves every attempt to the consumer): the same commit claims the jobs for the caller, who
 * attempts them right after its answer, and nothing is queued then. The backstop is the shard's alarm,
 * FIRST_ATTEMPT_BACKSTOP_S later: it queues a copy of each job not settled by then (a failed attempt's retry,
 * delayed until due; a claim whose Worker died, delayed until its lease ends). A first attempt that delivered
 * costs no queue operation at all.
 *
 * Delivering a job: `claim` before sending, `finish` after (pure decisions: pipeline/decide/job.ts).
 *
 * Self-repair: each event row carries when it next needs looking at (`sweep_at`: the earliest moment one of
 * its jobs could be overdue, else its expiry); the shard's alarm runs at the earliest, re-dispatches stuck
 * jobs (pipeline/sweep.ts) and deletes expired events.
 *
 * Earlier versions kept one Durable Object per event (state/event-ledger.ts). Their events stay readable and
 * their jobs deliverable (every call that finds nothing here asks them), and — while `LEGACY_EVENTS_UNTIL`
 * is in the future — a vendor's redelivery of an event they accepted is still a duplicate.
 */
import { DurableObject } from 'cloudflare:workers';
import type { CanonicalEvent } from '../core/event.ts';
import type { Env } from '../core/env.ts';
import { eventKey, newJobState, planJobs, type DeliveryJob } from '../core/jobs.ts';
import type { Receipt } from '../core/outcome.ts';
import { createConsoleLogger } from '../core/log.ts';
import { findStuck, nextSweepAt, sweepAfterMs } from '../pipeline/sweep.ts';
import { CONTROL_NAME } from './delivery-control.ts';
import { deliveryMode, enqueue } from '../pipeline/dispatch.ts';
import { FIRST_ATTEMPT_BACKSTOP_S, type Decision } from '../core/delivery.ts';
import {
  afterFinish,
  afterMarkDead,
  afterRelease,
  afterSuppress,
  afterSweep,
  backstopCopies,
  claimedNow,
  decideClaim,
  decideRequeue,
} from '../pipeline/decide/job.ts';
import type {
  AcceptOptions,
  AcceptOutcome,
  AcceptResult,
  AttemptRecord,
  Claim,
  DeliveryMode,
  EventRecord,
  EventTrace,
  JobState,
  RoutingDecision,
  SweepReport,
} from '../core/delivery.ts';

export const DEFAULT_EVENT_SHARDS = 16;
const MAX_EVENT_SHARDS = 1024;
/** Events one alarm looks at (the rest: the next alarm, at once). */
const ALARM_BATCH = 500;
/** A backstop whose queue send failed is tried again this much later. */
const BACKSTOP_RETRY_MS = 5_000;
/** The most events one listing returns. */
export const MAX_LIST = 1000;

/** The shard count from `EVENT_SHARDS` (1–1024), or the default. */
export function shardCount(env: Pick<Env, 'EVENT_SHARDS'>): number {
  const n = typeof env.EVENT_SHARDS === 'string' ? Number(env.EVENT_SHARDS) : NaN;
  return Number.isInteger(n) && n >= 1 && n <= MAX_EVENT_SHARDS ? n : DEFAULT_EVENT_SHARDS;
}

/** The shard of an event key: FNV-1a (32 bits) of the key, modulo the count. Stable across isolates and versions. */
export function shardName(key: string, count: number): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return shardAt(h % count, count);
}

const shardAt = (i: number, count: number): string => `events-${i}-of-${count}`;

/** One event as a listing shows it (newest first). */
export interface EventSummary {
  readonly key: string;
  readonly source: string;
  readonly type: string;
  readonly acceptedAt: number;
  readonly deliveries: number;
  readonly jobs: number;
  /** With `records`: the event, its routing (and the shadow's) as recorded. */
  readonly record?: EventRecord;
}

export interface EventQuery {
  readonly since?: number;
  readonly until?: number;
  readonly source?: string;
  readonly type?: string;
  readonly limit?: number;
  /** Events strictly older than this position (a listing's `next`). */
  readonly before?: { readonly acceptedAt: number; readonly key: string };
  /** Each event's whole record too (an export, a replay). */
  readonly records?: boolean;
}

type Row = Record<string, SqlStorageValue>;
/** What an event's row keeps as JSON; the times and the count are columns. */
type RecordBody = Pick<EventRecord, 'event' | 'routing' | 'auth' | 'mode' | 'jobs'>;

/** An event as the store front hands it to its shard: planned, its record serialized once, by the caller. */
export interface AcceptPlan {
  readonly key: string;
  readonly source: string;
  readonly type: string;
  /** JSON of the record's body (RecordBody). */
  readonly body: string;
  readonly jobs: readonly DeliveryJob[];
  readonly retentionMs: number;
  readonly mode: DeliveryMode;
  /** Queue mode: the caller attempts the jobs at once (claimed here); the shard's alarm is the backstop. */
  readonly firstAttempt: boolean;
}

export interface PlannedAccept {
  readonly outcome: AcceptOutcome;
  readonly acceptedAt: number;
}

interface RowTimes {
  readonly acceptedAt: number;
  readonly expiresAt: number;
  readonly sweepAt: number;
  readonly backstopAt: number | null;
}

function toRecord(row: Row): EventRecord {
  return {
    ...(JSON.parse(String(row.record)) as RecordBody),
    acceptedAt: Number(row.accepted_at),
    expiresAt: Number(row.expires_at),
    deliveries: Number(row.deliveries),
  };
}

export class EventStoreObject extends DurableObject<Env> {
  /** Accepts of one key in flight: a second waits for the first (it may yet be taken back). */
  private readonly pending = new Map<string, Promise<unknown>>();
  /** The alarm as last set (undefined: not read yet). */
  private alarmAt: number | null | undefined;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS events (
        key TEXT PRIMARY KEY, source TEXT NOT NULL, type TEXT NOT NULL, accepted_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL, sweep_at INTEGER NOT NULL, deliveries INTEGER NOT NULL, jobs INTEGER NOT NULL,
        record TEXT NOT NULL, backstop_at INTEGER);
      CREATE INDEX IF NOT EXISTS events_by_time ON events (accepted_at, key);
      CREATE INDEX IF NOT EXISTS events_by_sweep ON events (sweep_at);
      CREATE TABLE IF NOT EXISTS jobs (event TEXT NOT NULL, id TEXT NOT NULL, state TEXT NOT NULL, PRIMARY KEY (event, id)) WITHOUT ROWID;
    `);
  }

  /** Records an event planned by the caller (store front below): `accepted`, or `duplicate` (counted). */
  accept(plan: AcceptPlan): Promise<PlannedAccept> {
    const { key } = plan;
    const run = (this.pending.get(key) ?? Promise.resolve()).then(() => this.acceptNow(plan));
    const settled = run.catch(() => undefined);
    this.pending.set(key, settled);
    void settled.then(() => {
      if (this.pending.get(key) === settled) this.pending.delete(key);
    });
    return run;
  }

  private async acceptNow(plan: AcceptPlan): Promise<PlannedAccept> {
    const { key, jobs, firstAttempt } = plan;
    const now = Date.now();
    const expiresAt = now + plan.retentionMs;
    // A first attempt at once: the jobs are claimed for the caller in the same write (no second call).
    const states = jobs.map((job) => (firstAttempt ? claimedNow(newJobState(job, now), now) : newJobState(job, now)));
    // The backstop of a first attempt at once: the shard's alarm queues, a little later, whatever is unsettled.
    const backstopAt = firstAttempt && jobs.length > 0 ? now + FIRST_ATTEMPT_BACKSTOP_S * 1000 : null;
    const sweepAt = Math.min(nextSweepAt(states, now, sweepAfterMs(this.env.SWEEP_AFTER), expiresAt), backstopAt ?? Infinity);
    if (!this.write(key, plan, states, { acceptedAt: now, expiresAt, sweepAt, backstopAt })) return { outcome: 'duplicate', acceptedAt: now };
    if (plan.mode === 'queue' && !firstAttempt && jobs.length > 0) {
      try {
        await enqueue(this.env, jobs);
      } catch (error) {
        this.erase(key);
        throw error;
      }
    }
    await this.alarmNoLaterThan(sweepAt);
    return { outcome: 'accepted', acceptedAt: now };
  }

  /**
   * The event's row and its jobs' rows, in one transaction; a key already here only counts the delivery.
   * True when the event is new. (A method of its own: the failure the tests inject.)
   */
  write(key: string, plan: AcceptPlan, states: readonly JobState[], at: RowTimes): boolean {
    const sql = this.ctx.storage.sql;
    return this.ctx.storage.transactionSync(() => {
      const deliveries = sql
        .exec(
          `INSERT INTO events (key, source, type, accepted_at, expires_at, sweep_at, deliveries, jobs, record, backstop_at) VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET deliveries = deliveries + 1 RETURNING deliveries`,
          key,
          plan.source,
          plan.type,
          at.acceptedAt,
          at.expiresAt,
          at.sweepAt,
          states.length,
          plan.body,
          at.backstopAt,
        )
        .one().deliveries;
      if (Number(deliveries) > 1) return false;
      for (const state of states) sql.exec('INSERT INTO jobs (event, id, state) VALUES (?, ?, ?)', key, state.job.id, JSON.stringify(state));
      return true;
    });
  }

  private erase(key: string): void {
    this.ctx.storage.transactionSync(() => {
      this.ctx.storage.sql.exec('DELETE FROM jobs WHERE event = ?', key);
      this.ctx.storage.sql.exec('DELETE FROM events WHERE key = ?', key);
    });
  }

  private readRecord(key: string): EventRecord | null {
    const row = this.ctx.storage.sql.exec('SELECT record, accepted_at, expires_at, deliveries FROM events WHERE key = ?', key).toArray()[0];
    return row ? toRecord(row) : null;
  }

  private readJob(key: string, id: string): JobState | null {
    const row = this.ctx.storage.sql.exec('SELECT state FROM jobs WHERE event = ? AND id = ?', key, id).toArray()[0];
    return row ? (JSON.parse(String(row.state)) as JobState) : null;
  }

  private readJobs(key: string, record: EventRecord): JobState[] {
    const byId = new Map<string, JobState>();
    for (const row of this.ctx.storage.sql.exec('SELECT id, state FROM jobs WHERE event = ?', key))
      byId.set(String(row.id), JSON.parse(String(row.state)) as JobState);
    return record.jobs.map((id) => byId.get(id)).filter((s): s is JobState => s !== undefined);
  }

  private writeJob(key: string, state: JobState): void {
    this.ctx.storage.sql.exec('UPDATE jobs SET state = ? WHERE event = ? AND id = ?', JSON.stringify(state), key, state.job.id);
  }

  /** Takes a job for one attempt, unless it is settled or another consumer holds it. */
  claim(key: string, id: string): Claim {
    const state = this.readJob(key, id);
    const record = state ? this.readRecord(key) : null;
    if (!state || !record) return { kind: 'missing' };
    const decided = decideClaim(state, Date.now());
    if ('claim' in decided) return decided.claim;
    this.writeJob(key, decided.go);
    return { kind: 'go', event: record.event, attempt: decided.go.runAttempts, run: decided.go.run, queuedAt: decided.go.queuedAt };
  }

  /** Records one attempt and what was decided. False: no such job here. */
  finish(key: string, id: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): boolean {
    return this.update(key, id, (state, now) => afterFinish(state, { attempt, decision, receipt }, now));
  }

  suppress(key: string, id: string, why: string): boolean {
    return this.update(key, id, (state, now) => afterSuppress(state, why, now));
  }

  release(key: string, id: string, status: 'parked' | 'queued', why: string | null, inMs: number | null): boolean {
    return this.update(key, id, (state, now) => afterRelease(state, { status, why, inMs }, now));
  }

  /** Marks a job dead (the dead-letter consumer; idempotent); its state, or null when it is not here. */
  markDead(key: string, id: string, why: string): JobState | null {
    const state = this.readJob(key, id);
    if (!state) return null;
    const next = afterMarkDead(state, why, Date.now());
    if (next) this.writeJob(key, next);
    return next ?? state;
  }

  private update(key: string, id: string, decide: (state: JobState, now: number) => JobState | null): boolean {
    const state = this.readJob(key, id);
    if (!state) return false;
    const next = decide(state, Date.now());
    if (next) this.writeJob(key, next);
    return true;
  }

  /** Adds follow-up jobs (an alert's resolve effects) to the event's trace; ones already there are kept. False: no such event here. */
  async addJobs(key: string, jobs: readonly DeliveryJob[]): Promise<boolean> {
    const record = this.readRecord(key);
    if (!record) return false;
    const fresh = jobs.filter((j) => !record.jobs.includes(j.id));
    if (fresh.length === 0) return true;
    const now = Date.now();
    const body: RecordBody = {
      event: record.event,
      routing: record.routing,
      auth: record.auth,
      mode: record.mode,
      jobs: [...record.jobs, ...fresh.map((j) => j.id)],
    };
    const sql = this.ctx.storage.sql;
    this.ctx.storage.transactionSync(() => {
      sql.exec('UPDATE events SET record = ?, jobs = ? WHERE key = ?', JSON.stringify(body), record.jobs.length + fresh.length, key);
      for (const job of fresh) sql.exec('INSERT OR IGNORE INTO jobs (event, id, state) VALUES (?, ?, ?)', key, job.id, JSON.stringify(newJobState(job, now)));
    });
    await this.sweepNoLaterThan(key, now);
    return true;
  }

  /** A job queued again (added, replayed, resumed) may be due long before the event's next look: bring it forward. */
  private async sweepNoLaterThan(key: string, queuedAt: number): Promise<void> {
    const at = queuedAt + sweepAfterMs(this.env.SWEEP_AFTER) + 1;
    this.ctx.storage.sql.exec('UPDATE events SET sweep_at = MIN(sweep_at, MIN(expires_at, ?)) WHERE key = ?', at, key);
    await this.alarmNoLaterThan(at);
  }

  private async alarmNoLaterThan(at: number): Promise<void> {
    if (this.alarmAt === undefined) this.alarmAt = await this.ctx.storage.getAlarm();
    if (this.alarmAt === null || this.alarmAt > at) {
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    }
  }

  /** A new run of a dead job (a replay), a parked one released, or a stuck one queued again: the job to enqueue, or why not. */
  async requeue(
    key: string,
    id: string,
    options: { readonly stuck?: boolean } = {},
  ): Promise<{ readonly job: DeliveryJob } | { readonly refused: 'missing' | 'delivered' | 'in_flight' }> {
    const state = this.readJob(key, id);
    if (!state) return { refused: 'missing' };
    const now = Date.now();
    const decided = decideRequeue(state, options.stuck === true, now);
    if ('refused' in decided) return decided;
    if (decided.next) {
      this.writeJob(key, decided.next);
      await this.sweepNoLaterThan(key, now);
    }
    return { job: decided.job };
  }

  /** The stuck-job sweep of one event (`now` passed in so tests can look ahead). */
  async sweep(key: string, now: number = Date.now()): Promise<SweepReport> {
    const record = this.readRecord(key);
    return record ? this.sweepRecord(key, record, now) : { event: key, swept: [], nextAt: null };
  }

  private async sweepRecord(key: string, record: EventRecord, now: number, states = this.readJobs(key, record)): Promise<SweepReport> {
    const { states: after, swept } = await redispatchStuck(this.env, key, record.mode, states, now, (changed) => {
      for (const state of changed) this.writeJob(key, state);
    });
    const nextAt = nextSweepAt(after, now, sweepAfterMs(this.env.SWEEP_AFTER), record.expiresAt ?? now);
    // A backstop still owed (its queue send failed) keeps the event's next look no later than its time.
    this.ctx.storage.sql.exec('UPDATE events SET sweep_at = MIN(?1, COALESCE(backstop_at, ?1)) WHERE key = ?2', nextAt, key);
    await this.alarmNoLaterThan(nextAt);
    return { event: key, swept, nextAt };
  }

  jobState(key: string, id: string): JobState | null {
    return this.readJob(key, id);
  }

  record(key: string): EventRecord | null {
    return this.readRecord(key);
  }

  timeline(key: string): EventTrace | null {
    const record = this.readRecord(key);
    return record ? { record, jobs: this.readJobs(key, record) } : null;
  }

  /** This shard's events, newest first, filtered; at most `limit` (≤ MAX_LIST). */
  list(query: EventQuery): EventSummary[] {
    const terms: [string, ...SqlStorageValue[]][] = [];
    if (query.since !== undefined) terms.push(['accepted_at >= ?', query.since]);
    if (query.until !== undefined) terms.push(['accepted_at < ?', query.until]);
    if (query.source !== undefined) terms.push(['source = ?', query.source]);
    if (query.type !== undefined) terms.push(['type = ?', query.type]);
    if (query.before) terms.push(['(accepted_at < ? OR (accepted_at = ? AND key < ?))', query.before.acceptedAt, query.before.acceptedAt, query.before.key]);
    const where = terms.length > 0 ? `WHERE ${terms.map((t) => t[0]).join(' AND ')}` : '';
    const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_LIST + 1);
    return this.ctx.storage.sql
      .exec(
        `SELECT key, source, type, accepted_at, deliveries, jobs FROM events ${where} ORDER BY accepted_at DESC, key DESC LIMIT ${limit}`,
        ...terms.flatMap((t) => t.slice(1)),
      )
      .toArray()
      .map(toSummary);
  }

  /** The records of these events (those still here), in no particular order. */
  records(keys: readonly string[]): { readonly key: string; readonly record: EventRecord }[] {
    const out: { key: string; record: EventRecord }[] = [];
    for (const key of keys) {
      const record = this.readRecord(key);
      if (record) out.push({ key, record });
    }
    return out;
  }

  /**
   * The backstop of a first attempt at once: the jobs not settled by now go to the queue, each delayed until it
   * may go (pipeline/decide/job.ts backstopCopies); none when the first attempt delivered. A refused send
   * leaves the backstop owed, for the next alarm.
   */
  private async backstop(key: string, states: readonly JobState[], now: number): Promise<void> {
    const copies = backstopCopies(states, now);
    try {
      if (copies.length > 0)
        await enqueue(
          this.env,
          copies.map((c) => c.job),
          copies.map((c) => c.delaySeconds),
        );
    } catch (error) {
      createConsoleLogger({ service: 'switchyard' }).log('warn', 'delivery.backstop_failed', {
        event: key,
        jobs: copies.length,
        error: error instanceof Error ? error.message.slice(0, 200) : String(error),
      });
      this.ctx.storage.sql.exec('UPDATE events SET backstop_at = ? WHERE key = ?', now + BACKSTOP_RETRY_MS, key);
      return;
    }
    this.ctx.storage.sql.exec('UPDATE events SET backstop_at = NULL WHERE key = ?', key);
  }

  /** Deletes expired events, runs the backstops and sweeps that are due, and sets the next alarm. */
  override async alarm(): Promise<void> {
    this.alarmAt = null;
    const now = Date.now();
    const sql = this.ctx.storage.sql;
    const due = sql
      .exec('SELECT key, accepted_at, expires_at, backstop_at, record, deliveries FROM events WHERE sweep_at <= ? ORDER BY sweep_at LIMIT ?', now, ALARM_BATCH)
      .toArray();
    for (const row of due) {
      const key = String(row.key);
      if (Number(row.expires_at) <= now) {
        this.erase(key);
        continue;
      }
      const record = toRecord(row);
      const states = this.readJobs(key, record);
      if (row.backstop_at !== null && Number(row.backstop_at) <= now) await this.backstop(key, states, now);
      await this.sweepRecord(key, record, now, states);
    }
    const next = sql.exec('SELECT MIN(sweep_at) AS at FROM events').toArray()[0]?.at;
    if (next !== null && next !== undefined) {
      const at = Math.max(Number(next), now + (due.length === ALARM_BATCH ? 0 : 1000));
      await this.ctx.storage.setAlarm(at);
      this.alarmAt = at;
    }
  }
}

function toSummary(r: Row): EventSummary {
  return {
    key: String(r.key),
    source: String(r.source),
    type: String(r.type),
    acceptedAt: Number(r.accepted_at),
    deliveries: Number(r.deliveries),
    jobs: Number(r.jobs),
  };
}

/**
 * Re-dispatches the jobs of one event overdue by more than the margin — to the queue, or, without one, to the
 * dead letters — records them in the control object's list and logs them. Queue first, write after
 * (`write`, the changed states): a failed send leaves the jobs overdue for the next sweep.
 */
export async function redispatchStuck(
  env: Env,
  key: string,
  mode: DeliveryMode,
  states: readonly JobState[],
  now: number,
  write: (changed: readonly JobState[]) => void | Promise<void>,
): Promise<{ states: JobState[]; swept: SweepReport['swept'][number][] }> {
  const stuck = findStuck(states, now, sweepAfterMs(env.SWEEP_AFTER));
  if (stuck.length === 0) return { states: [...states], swept: [] };
  const queue = mode === 'queue' && deliveryMode(env) === 'queue';
  const action = queue ? 'requeued' : 'dead';
  if (queue)
    await enqueue(
      env,
      stuck.map((s) => s.state.job),
    );
  const next = new Map(stuck.map((s) => [s.state.job.id, afterSweep(s, now, action)]));
  await write([...next.values()]);
  const swept = stuck.map((s) => ({ job: s.state.job, was: s.state.status, overdueMs: s.overdueMs, action }) as const);
  const control = env.CONTROL.getByName(CONTROL_NAME);
  if (!queue) for (const s of stuck) await control.recordDeadLetter(s.state.job, next.get(s.state.job.id)!.why ?? 'stuck');
  await control.recordSwept(swept, now);
  const log = createConsoleLogger({ service: 'switchyard' });
  for (const s of swept)
    log.log('warn', 'delivery.swept', {
      job: s.job.id,
      event: key,
      route: s.job.route,
      target: s.job.target,
      was: s.was,
      overdue_ms: s.overdueMs,
      action: s.action,
    });
  return { states: states.map((s) => next.get(s.job.id) ?? s), swept };
}

/** One event's record and jobs, wherever they are kept (a shard, or the event's own object from an earlier version). */
export interface EventHandle {
  claim(id: string): Promise<Claim>;
  finish(id: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): Promise<void>;
  suppress(id: string, why: string): Promise<void>;
  release(id: string, status: 'parked' | 'queued', why: string | null, inMs?: number | null): Promise<void>;
  markDead(id: string, why: string): Promise<JobState | null>;
  addJobs(jobs: readonly DeliveryJob[]): Promise<void>;
  requeue(
    id: string,
    options?: { readonly stuck?: boolean },
  ): Promise<{ readonly job: DeliveryJob } | { readonly refused: 'missing' | 'delivered' | 'in_flight' }>;
  jobState(id: string): Promise<JobState | null>;
  record(): Promise<EventRecord | null>;
  timeline(): Promise<EventTrace | null>;
}

export interface EventStore {
  accept(event: CanonicalEvent, routing: RoutingDecision, options: AcceptOptions): Promise<AcceptResult>;
  of(key: string): EventHandle;
  /** Events across every shard, newest first; `next` continues the listing (null: nothing older). */
  list(query: EventQuery): Promise<{ readonly events: readonly EventSummary[]; readonly next: EventQuery['before'] | null }>;
}

/** Whether a vendor's redelivery must still be checked against the per-event objects of an earlier version. */
export function legacyOpen(env: Pick<Env, 'LEGACY_EVENTS_UNTIL'>, now: number): boolean {
  const until = typeof env.LEGACY_EVENTS_UNTIL === 'string' ? Date.parse(env.LEGACY_EVENTS_UNTIL) : NaN;
  return Number.isFinite(until) && now < until;
}

/** The event store in front of its shards (and of the per-event objects of earlier versions). */
export function eventStore(env: Env): EventStore {
  const count = shardCount(env);
  const shardOf = (key: string) => env.EVENT_STORE.getByName(shardName(key, count));
  const legacy = (key: string) => env.EVENTS.getByName(key);
  return {
    async accept(event, routing, options) {
      const key = eventKey(event);
      if (legacyOpen(env, Date.now())) {
        const old = legacy(key);
        // Counted as a duplicate where it was first accepted.
        if (await old.record()) return (await old.accept(event, routing, options)) as AcceptResult;
      }
      // Planned and serialized here, in the Worker: the shard, one of few, only writes.
      const jobs = await planJobs(event, routing, options.effect);
      const firstAttempt = options.mode === 'queue' && options.firstAttempt === true;
      const body: RecordBody = { event, routing, auth: options.auth, mode: options.mode, jobs: jobs.map((j) => j.id) };
      const done = await shardOf(key).accept({
        key,
        source: event.source,
        type: event.type,
        body: JSON.stringify(body),
        jobs,
        retentionMs: options.retentionMs,
        mode: options.mode,
        firstAttempt,
      });
      if (done.outcome === 'duplicate') return { outcome: 'duplicate', jobs: [] };
      if (!firstAttempt || jobs.length === 0) return { outcome: 'accepted', jobs: options.mode === 'inline' ? jobs : [] };
      const claim = { kind: 'go', event, attempt: 1, run: 1, queuedAt: done.acceptedAt } as const;
      return { outcome: 'accepted', jobs: [], attemptNow: jobs.map((job) => ({ job, claim })) };
    },
    of(key) {
      const shard = shardOf(key);
      const old = () => legacy(key);
      return {
        async claim(id) {
          const claim = (await shard.claim(key, id)) as Claim;
          return claim.kind === 'missing' ? ((await old().claim(id)) as Claim) : claim;
        },
        async finish(id, attempt, decision, receipt) {
          if (!(await shard.finish(key, id, attempt, decision, receipt))) await old().finish(id, attempt, decision, receipt);
        },
        async suppress(id, why) {
          if (!(await shard.suppress(key, id, why))) await old().suppress(id, why);
        },
        async release(id, status, why, inMs = null) {
          if (!(await shard.release(key, id, status, why, inMs))) await old().release(id, status, why, inMs);
        },
        async markDead(id, why) {
          return ((await shard.markDead(key, id, why)) ?? (await old().markDead(id, why))) as JobState | null;
        },
        async addJobs(jobs) {
          if (!(await shard.addJobs(key, jobs))) await old().addJobs(jobs);
        },
        async requeue(id, options = {}) {
          const result = await shard.requeue(key, id, options);
          return 'refused' in result && result.refused === 'missing' ? ((await old().requeue(id, options)) as typeof result) : (result as typeof result);
        },
        async jobState(id) {
          return ((await shard.jobState(key, id)) ?? (await old().jobState(id))) as JobState | null;
        },
        async record() {
          return ((await shard.record(key)) ?? (await old().record())) as EventRecord | null;
        },
        async timeline() {
          return ((await shard.timeline(key)) ?? (await old().timeline())) as EventTrace | null;
        },
      };
    },
    async list(query) {
      const limit = Math.min(Math.max(1, query.limit ?? 100), MAX_LIST);
      const shards = Array.from({ length: count }, (_, i) => env.EVENT_STORE.getByName(shardAt(i, count)));
      // One more than asked from each: whether anything is left.
      const pages = (await Promise.all(shards.map((s) => s.list({ ...query, limit: limit + 1 })))) as EventSummary[][];
      const merged = pages.flat().sort((a, b) => b.acceptedAt - a.acceptedAt || (a.key < b.key ? 1 : a.key > b.key ? -1 : 0));
      const chosen = merged.slice(0, limit);
      const last = chosen[chosen.length - 1];
      const next = merged.length > limit && last ? { acceptedAt: last.acceptedAt, key: last.key } : null;
      if (!query.records) return { events: chosen, next };
      // The records of the chosen events only, from their shards (not of every shard's candidates).
      const byShard = new Map<string, string[]>();
      for (const e of chosen) {
        const name = shardName(e.key, count);
        byShard.set(name, [...(byShard.get(name) ?? []), e.key]);
      }
      const found = (await Promise.all([...byShard].map(([name, keys]) => env.EVENT_STORE.getByName(name).records(keys)))) as {
        key: string;
        record: EventRecord;
      }[][];
      const records = new Map(found.flat().map((r) => [r.key, r.record]));
      return { events: chosen.map((e) => ({ ...e, ...(records.has(e.key) ? { record: records.get(e.key)! } : {}) })), next };
    },
  };
}
