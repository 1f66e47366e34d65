/**
 * One Durable Object per accepted event (named `<source>:<event id>`): its idempotency record, and the
 * ledger of its delivery jobs and every attempt (the event's trace). Strongly consistent and single-threaded
 * per id, so two identical deliveries arriving together are accepted once, and two copies of one queue
 * message (Queues deliver at least once) cannot both send. The record expires by alarm after the retention
 * period.
 *
 * Accepting an event (queue mode): its jobs are sent to the queue, then the record and the jobs' states are
 * written in one commit. If the queue refuses, nothing is written: the vendor gets a 503 and its retry is a
 * first delivery, not a duplicate. If the write fails after the jobs were queued, the same: the retry queues
 * the same jobs again (same ids; the consumer sends each once) and the consumer, finding no record yet,
 * waits for it (`missing`).
 *
 * Delivering a job: `claim` before sending (refused while another consumer holds the lease, or once the
 * job is delivered or dead), `finish` after, with the attempt and the decision.
 *
 * Self-repair: the object's alarm runs the stuck-job sweep (pipeline/sweep.ts) whenever a job could be
 * overdue, and deletes the object at the end of its retention. A job lost by the queue (a crash, a message
 * never redelivered) is re-dispatched once per sweep that finds it, logged (`delivery.swept`), kept in its
 * trace and in the control object's list of swept jobs; without a queue it is dead-lettered, replayable.
 */
import { DurableObject } from 'cloudflare:workers';
import type { CanonicalEvent } from '../core/event.ts';
import type { Env } from '../core/env.ts';
import { eventKey, newJobState, planJobs, type DeliveryJob } from '../core/jobs.ts';
import type { Receipt } from '../core/outcome.ts';
import { createConsoleLogger } from '../core/log.ts';
import { findStuck, nextSweepAt, sweepAfterMs, type StuckJob } from '../pipeline/sweep.ts';
import { CONTROL_NAME } from './delivery-control.ts';
import { deliveryMode, enqueue } from '../pipeline/dispatch.ts';
import { FIRST_ATTEMPT_BACKSTOP_S, type Decision } from '../core/delivery.ts';
import type {
  AcceptOptions,
  AcceptResult,
  AttemptRecord,
  Claim,
  EventRecord,
  EventTrace,
  JobState,
  RoutingDecision,
  SweepRecord,
  SweepReport,
} from '../core/delivery.ts';

const RECORD = 'record';
const jobKey = (id: string): string => `job:${id}`;
/** How long a claim holds a job: longer than any send may take (targets time out after ≤ 10 s by default). */
export const LEASE_MS = 120_000;
/** A copy arriving this much before its retry is due is let through (queue delays are not to the millisecond). */
const EARLY_MS = 1000;
/** Attempts kept per job in the trace (the newest). */
const KEEP_ATTEMPTS = 50;
const KEEP_SWEEPS = 10;

export class EventLedgerObject extends DurableObject<Env> {
  /** Serializes accept() calls: enqueueing awaits I/O that input gates do not cover. */
  private tail: Promise<unknown> = Promise.resolve();

  accept(event: CanonicalEvent, routing: RoutingDecision, options: AcceptOptions): Promise<AcceptResult> {
    const run = this.tail.then(() => this.acceptNow(event, routing, options));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async acceptNow(event: CanonicalEvent, routing: RoutingDecision, options: AcceptOptions): Promise<AcceptResult> {
    const storage = this.ctx.storage;
    const existing = await storage.get<EventRecord>(RECORD);
    if (existing) {
      await storage.put(RECORD, { ...existing, deliveries: existing.deliveries + 1 });
      return { outcome: 'duplicate', jobs: [] };
    }
    const now = Date.now();
    const jobs = await planJobs(event, routing, options.effect);
    // Queue first, write after: the event is seen only once its jobs are queued, and one storage commit per
    // event (outgoing messages wait for pending writes, so writing first would cost a second commit).
    // With a first attempt made at once by the caller, the queued copies are its backstop, a little later.
    const firstAttempt = options.mode === 'queue' && options.firstAttempt === true;
    if (options.mode === 'queue' && jobs.length > 0) await enqueue(this.env, jobs, firstAttempt ? FIRST_ATTEMPT_BACKSTOP_S : undefined);
    const expiresAt = now + options.retentionMs;
    const record: EventRecord = {
      event,
      routing,
      auth: options.auth,
      acceptedAt: now,
      deliveries: 1,
      mode: options.mode,
      jobs: jobs.map((j) => j.id),
      expiresAt,
    };
    const entries: Record<string, unknown> = { [RECORD]: record };
    const states = jobs.map((job) => newJobState(job, now));
    for (const state of states) entries[jobKey(state.job.id)] = state;
    await storage.put(entries);
    // The first sweep runs once the jobs could be overdue; it reschedules itself, then the expiry.
    await storage.setAlarm(nextSweepAt(states, now, sweepAfterMs(this.env.SWEEP_AFTER), expiresAt));
    return { outcome: 'accepted', jobs: options.mode === 'inline' ? jobs : [], ...(firstAttempt && jobs.length > 0 ? { attemptNow: jobs } : {}) };
  }

  /** Takes a job for one attempt, unless it is settled or another consumer holds it. */
  async claim(id: string): Promise<Claim> {
    const [record, state] = await Promise.all([this.ctx.storage.get<EventRecord>(RECORD), this.ctx.storage.get<JobState>(jobKey(id))]);
    if (!record || !state) return { kind: 'missing' };
    if (state.status === 'delivered') return { kind: 'delivered' };
    if (state.status === 'suppressed') return { kind: 'suppressed' };
    if (state.status === 'dead') return { kind: 'dead', why: state.why ?? 'dead' };
    const now = Date.now();
    if (state.status === 'sending' && state.leaseUntil !== null && state.leaseUntil > now) return { kind: 'busy', retryInMs: state.leaseUntil - now };
    // A retry is not due yet (a copy that arrives early — the backstop of a first attempt that failed — waits).
    if (state.status === 'retrying' && state.nextAttemptAt !== null && state.nextAttemptAt - now > EARLY_MS)
      return { kind: 'busy', retryInMs: state.nextAttemptAt - now };
    const attempt = state.runAttempts + 1;
    await this.ctx.storage.put(jobKey(id), {
      ...state,
      status: 'sending',
      runAttempts: attempt,
      leaseUntil: now + LEASE_MS,
      updatedAt: now,
    } satisfies JobState);
    return { kind: 'go', event: record.event, attempt, run: state.run, queuedAt: state.queuedAt };
  }

  /** Records one attempt and what was decided; a late finish of a superseded run is kept in the history only. */
  async finish(id: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): Promise<void> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state) return;
    const attempts = [...state.attempts, attempt].slice(-KEEP_ATTEMPTS);
    if (attempt.run !== state.run || state.status === 'delivered') {
      await this.ctx.storage.put(jobKey(id), { ...state, attempts });
      return;
    }
    const now = Date.now();
    const next: JobState = {
      ...state,
      attempts,
      leaseUntil: null,
      updatedAt: now,
      ...(decision.action === 'delivered'
        ? { status: 'delivered', receipt, why: null, nextAttemptAt: null }
        : decision.action === 'retry'
          ? { status: 'retrying', why: decision.why, nextAttemptAt: now + decision.delayMs }
          : { status: 'dead', why: decision.why, nextAttemptAt: null }),
    };
    await this.ctx.storage.put(jobKey(id), next);
  }

  /** Settles a claimed job without sending: a repeat counted, a resolve with nothing open, handed to its effects. */
  async suppress(id: string, why: string): Promise<void> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state || state.status === 'delivered') return;
    const runAttempts = state.status === 'sending' ? Math.max(0, state.runAttempts - 1) : state.runAttempts;
    await this.ctx.storage.put(jobKey(id), {
      ...state,
      status: 'suppressed',
      runAttempts,
      why,
      leaseUntil: null,
      nextAttemptAt: null,
      updatedAt: Date.now(),
    } satisfies JobState);
  }

  /** Adds follow-up jobs (an alert's resolve effects) to this event's trace; ones already there are kept. */
  async addJobs(jobs: readonly DeliveryJob[]): Promise<void> {
    const record = await this.ctx.storage.get<EventRecord>(RECORD);
    if (!record) return;
    const fresh = jobs.filter((j) => !record.jobs.includes(j.id));
    if (fresh.length === 0) return;
    const now = Date.now();
    const entries: Record<string, unknown> = { [RECORD]: { ...record, jobs: [...record.jobs, ...fresh.map((j) => j.id)] } };
    for (const job of fresh) entries[jobKey(job.id)] = newJobState(job, now);
    await this.ctx.storage.put(entries);
    await this.sweepNoLaterThan(now, record);
  }

  /**
   * A job queued again (added, replayed, resumed) may be due long before the alarm (set to the retention's end
   * once everything had settled): bring the next sweep forward so that a lost message is still found.
   */
  private async sweepNoLaterThan(queuedAt: number, known?: EventRecord): Promise<void> {
    // Records from before the sweep keep their alarm: it is their expiry (they store no `expiresAt`).
    const record = known ?? (await this.ctx.storage.get<EventRecord>(RECORD));
    if (record?.expiresAt === undefined) return;
    const at = Math.min(record.expiresAt, queuedAt + sweepAfterMs(this.env.SWEEP_AFTER) + 1);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  /**
   * Gives a claimed job back without an attempt (its target is paused, or it waits for a send slot). `inMs`:
   * when the queue will bring it back, so the sweep knows when it is due.
   */
  async release(id: string, status: 'parked' | 'queued', why: string | null, inMs: number | null = null): Promise<void> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state || state.status === 'delivered' || state.status === 'dead') return;
    const runAttempts = state.status === 'sending' ? Math.max(0, state.runAttempts - 1) : state.runAttempts;
    const now = Date.now();
    await this.ctx.storage.put(jobKey(id), {
      ...state,
      status,
      runAttempts,
      leaseUntil: null,
      nextAttemptAt: inMs === null ? null : now + inMs,
      why,
      updatedAt: now,
    } satisfies JobState);
  }

  /** Marks a job dead (the dead-letter consumer; idempotent). Never overrides a delivery. */
  async markDead(id: string, why: string): Promise<JobState | null> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state) return null;
    if (state.status === 'delivered' || state.status === 'dead') return state;
    const next: JobState = { ...state, status: 'dead', why, leaseUntil: null, nextAttemptAt: null, updatedAt: Date.now() };
    await this.ctx.storage.put(jobKey(id), next);
    return next;
  }

  /**
   * Starts a new run of a dead job (a replay), or releases a parked one (its target resumed): a new run's
   * attempts and age count from zero. Returns the job to enqueue, or why not.
   */
  async requeue(
    id: string,
    options: { readonly stuck?: boolean } = {},
  ): Promise<{ readonly job: DeliveryJob } | { readonly refused: 'missing' | 'delivered' | 'in_flight' }> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state) return { refused: 'missing' };
    if (state.status === 'delivered' || state.status === 'suppressed') return { refused: 'delivered' };
    // Queued and not yet claimed (e.g. a replay whose enqueue failed): queue another copy; claims dedupe.
    if (state.status === 'queued') return { job: state.job };
    const now = Date.now();
    // A replay of a stuck job (`"state": "stuck"`): one waiting for a retry, or held by a lease that ran out,
    // is queued again as it is (same run); a claim still held is not.
    if (options.stuck && (state.status === 'retrying' || (state.status === 'sending' && (state.leaseUntil ?? 0) <= now))) {
      await this.ctx.storage.put(jobKey(id), { ...state, status: 'queued', leaseUntil: null, nextAttemptAt: null, updatedAt: now } satisfies JobState);
      await this.sweepNoLaterThan(now);
      return { job: state.job };
    }
    if (state.status !== 'dead' && state.status !== 'parked') return { refused: 'in_flight' };
    const run = state.status === 'dead' ? state.run + 1 : state.run;
    const runAttempts = state.status === 'dead' ? 0 : state.runAttempts;
    const queuedAt = state.status === 'dead' ? now : state.queuedAt;
    await this.ctx.storage.put(jobKey(id), {
      ...state,
      status: 'queued',
      run,
      runAttempts,
      queuedAt,
      why: null,
      leaseUntil: null,
      updatedAt: now,
    } satisfies JobState);
    await this.sweepNoLaterThan(now);
    return { job: state.job };
  }

  /**
   * The stuck-job sweep (the alarm runs it; `now` is passed in so tests can look ahead). Re-dispatches each
   * job overdue by more than the margin — to the queue, or, without one, to the dead letters — records it in
   * the job's trace and in the control object's list, logs it, and schedules the next sweep.
   */
  async sweep(now: number = Date.now()): Promise<SweepReport> {
    const record = await this.ctx.storage.get<EventRecord>(RECORD);
    return record ? this.sweepRecord(record, now) : { event: '', swept: [], nextAt: null };
  }

  private async sweepRecord(record: EventRecord, now: number): Promise<SweepReport> {
    const storage = this.ctx.storage;
    const key = eventKey(record.event);
    const states = await this.states(record);
    const afterMs = sweepAfterMs(this.env.SWEEP_AFTER);
    const stuck = findStuck(states, now, afterMs);
    const byId = new Map(states.map((s) => [s.job.id, s]));
    const swept: SweepReport['swept'][number][] = [];
    if (stuck.length > 0) {
      const queue = record.mode === 'queue' && deliveryMode(this.env) === 'queue';
      // Queue first, write after (as accept does): a failed send leaves the jobs overdue for the next try.
      if (queue)
        await enqueue(
          this.env,
          stuck.map((s) => s.state.job),
        );
      const entries: Record<string, JobState> = {};
      for (const s of stuck) {
        const next = swept1(s, now, queue ? 'requeued' : 'dead');
        entries[jobKey(s.state.job.id)] = next;
        byId.set(s.state.job.id, next);
        swept.push({ job: s.state.job, was: s.state.status, overdueMs: s.overdueMs, action: queue ? 'requeued' : 'dead' });
      }
      await storage.put(entries);
      const control = this.env.CONTROL.getByName(CONTROL_NAME);
      if (!queue) for (const s of stuck) await control.recordDeadLetter(s.state.job, entries[jobKey(s.state.job.id)]!.why ?? 'stuck');
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
    }
    // Records from before the sweep keep their alarm: it is their expiry.
    if (record.expiresAt === undefined) return { event: key, swept, nextAt: null };
    const nextAt = nextSweepAt([...byId.values()], now, afterMs, record.expiresAt);
    await storage.setAlarm(nextAt);
    return { event: key, swept, nextAt };
  }

  private async states(record: EventRecord): Promise<JobState[]> {
    const states = await this.ctx.storage.get<JobState>(record.jobs.map(jobKey));
    return record.jobs.map((id) => states.get(jobKey(id))).filter((s): s is JobState => s !== undefined);
  }

  /** One job's state, or null. */
  async jobState(id: string): Promise<JobState | null> {
    return (await this.ctx.storage.get<JobState>(jobKey(id))) ?? null;
  }

  /** The stored record alone. */
  async record(): Promise<EventRecord | null> {
    return (await this.ctx.storage.get<EventRecord>(RECORD)) ?? null;
  }

  /** The event, its routing and every job with its attempts. */
  async timeline(): Promise<EventTrace | null> {
    const record = await this.ctx.storage.get<EventRecord>(RECORD);
    if (!record) return null;
    return { record, jobs: await this.states(record) };
  }

  /** The end of the retention deletes the event; before it, the alarm is the stuck-job sweep. */
  override async alarm(): Promise<void> {
    const record = await this.ctx.storage.get<EventRecord>(RECORD);
    const now = Date.now();
    if (!record || record.expiresAt === undefined || now >= record.expiresAt) {
      await this.ctx.storage.deleteAll();
      return;
    }
    await this.sweepRecord(record, now);
  }
}

/** A stuck job after the sweep: queued again with a fresh due time, or dead (no queue to send it to). */
function swept1(s: StuckJob, now: number, action: SweepRecord['action']): JobState {
  const overdue = `${s.state.status} ${Math.round(s.overdueMs / 1000)}s past due`;
  const sweeps = [...(s.state.sweeps ?? []), { at: now, was: s.state.status, overdueMs: s.overdueMs, action }].slice(-KEEP_SWEEPS);
  const base = { ...s.state, leaseUntil: null, nextAttemptAt: null, updatedAt: now, sweeps };
  return action === 'requeued'
    ? { ...base, status: 'queued', why: `re-dispatched by the stuck-job sweep (${overdue})` }
    : { ...base, status: 'dead', why: `stuck (${overdue}): the inline delivery was interrupted; replay it` };
}

/** The ledger as ingest uses it, in front of the Durable Object namespace. */
export function createDurableLedger(namespace: DurableObjectNamespace<EventLedgerObject>, options: Omit<AcceptOptions, 'auth'>) {
  return {
    accept: (event: CanonicalEvent, routing: RoutingDecision, auth: string) =>
      namespace.getByName(eventKey(event)).accept(event, routing, { ...options, auth }),
  };
}
