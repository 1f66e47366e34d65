/**
 * Before the event store (state/event-store.ts), one Durable Object per accepted event (named `<source>:<event
 * id>`): its idempotency record, and the ledger of its delivery jobs and every attempt (the event's trace).
 * New events go to the store; this class stays so that the events it holds remain readable and their jobs
 * deliverable until they expire (the store asks it whenever it finds nothing), and is exercised by the same
 * tests. What follows describes it as it was written.
 *
 * Strongly consistent and single-threaded per id, so two identical deliveries arriving together are accepted once, and two copies of one queue
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
import { nextSweepAt, sweepAfterMs } from '../pipeline/sweep.ts';
import { enqueue } from '../pipeline/dispatch.ts';
import type { Decision } from '../core/delivery.ts';
import { afterFinish, afterMarkDead, afterRelease, afterSuppress, decideClaim, decideRequeue } from '../pipeline/decide/job.ts';
import { redispatchStuck } from './event-store.ts';
import type { AcceptOptions, AcceptResult, AttemptRecord, Claim, EventRecord, EventTrace, JobState, RoutingDecision, SweepReport } from '../core/delivery.ts';

const RECORD = 'record';
const jobKey = (id: string): string => `job:${id}`;

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
    if (options.mode === 'queue' && jobs.length > 0) await enqueue(this.env, jobs);
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
    return { outcome: 'accepted', jobs: options.mode === 'inline' ? jobs : [] };
  }

  /** Takes a job for one attempt, unless it is settled or another consumer holds it. */
  async claim(id: string): Promise<Claim> {
    const [record, state] = await Promise.all([this.ctx.storage.get<EventRecord>(RECORD), this.ctx.storage.get<JobState>(jobKey(id))]);
    if (!record || !state) return { kind: 'missing' };
    const decided = decideClaim(state, Date.now());
    if ('claim' in decided) return decided.claim;
    await this.ctx.storage.put(jobKey(id), decided.go);
    return { kind: 'go', event: record.event, attempt: decided.go.runAttempts, run: decided.go.run, queuedAt: decided.go.queuedAt };
  }

  async finish(id: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): Promise<void> {
    await this.update(id, (state, now) => afterFinish(state, { attempt, decision, receipt }, now));
  }

  async suppress(id: string, why: string): Promise<void> {
    await this.update(id, (state, now) => afterSuppress(state, why, now));
  }

  async release(id: string, status: 'parked' | 'queued', why: string | null, inMs: number | null = null): Promise<void> {
    await this.update(id, (state, now) => afterRelease(state, { status, why, inMs }, now));
  }

  async markDead(id: string, why: string): Promise<JobState | null> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state) return null;
    return (await this.update(id, (s, now) => afterMarkDead(s, why, now), state)) ?? state;
  }

  private async update(id: string, decide: (state: JobState, now: number) => JobState | null, known?: JobState): Promise<JobState | null> {
    const state = known ?? (await this.ctx.storage.get<JobState>(jobKey(id)));
    if (!state) return null;
    const next = decide(state, Date.now());
    if (next) await this.ctx.storage.put(jobKey(id), next);
    return next;
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

  /** A job queued again may be due long before the alarm (set to the retention's end): bring the next sweep forward. */
  private async sweepNoLaterThan(queuedAt: number, known?: EventRecord): Promise<void> {
    // Records from before the sweep keep their alarm: it is their expiry (they store no `expiresAt`).
    const record = known ?? (await this.ctx.storage.get<EventRecord>(RECORD));
    if (record?.expiresAt === undefined) return;
    const at = Math.min(record.expiresAt, queuedAt + sweepAfterMs(this.env.SWEEP_AFTER) + 1);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  async requeue(
    id: string,
    options: { readonly stuck?: boolean } = {},
  ): Promise<{ readonly job: DeliveryJob } | { readonly refused: 'missing' | 'delivered' | 'in_flight' }> {
    const state = await this.ctx.storage.get<JobState>(jobKey(id));
    if (!state) return { refused: 'missing' };
    const now = Date.now();
    const decided = decideRequeue(state, options.stuck === true, now);
    if ('refused' in decided) return decided;
    if (decided.next) {
      await this.ctx.storage.put(jobKey(id), decided.next);
      await this.sweepNoLaterThan(now);
    }
    return { job: decided.job };
  }

  /** The stuck-job sweep (the alarm runs it; `now` is passed in so tests can look ahead). */
  async sweep(now: number = Date.now()): Promise<SweepReport> {
    const record = await this.ctx.storage.get<EventRecord>(RECORD);
    return record ? this.sweepRecord(record, now) : { event: '', swept: [], nextAt: null };
  }

  private async sweepRecord(record: EventRecord, now: number): Promise<SweepReport> {
    const key = eventKey(record.event);
    const { states, swept } = await redispatchStuck(this.env, key, record.mode, await this.states(record), now, (changed) =>
      this.ctx.storage.put(Object.fromEntries(changed.map((s) => [jobKey(s.job.id), s]))),
    );
    // Records from before the sweep keep their alarm: it is their expiry.
    if (record.expiresAt === undefined) return { event: key, swept, nextAt: null };
    const nextAt = nextSweepAt(states, now, sweepAfterMs(this.env.SWEEP_AFTER), record.expiresAt);
    await this.ctx.storage.setAlarm(nextAt);
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
