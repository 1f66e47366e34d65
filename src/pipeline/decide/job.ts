/**
 * A delivery job's life in the event store as pure decisions (the store — state/event-store.ts, and the
 * per-event objects of earlier versions, state/event-ledger.ts — loads the job, calls, stores): `(state,
 * input, now)` in, the state to store (or null: unchanged) and the answer out.
 *
 * - claim: a job is taken for one attempt unless it is settled (delivered, suppressed, dead), another consumer
 *   holds its lease (LEASE_MS, longer than any send may take), or its retry is not due yet (a copy arriving
 *   more than EARLY_MS early waits: the queued backstop of a first attempt that failed).
 * - finish: the attempt is kept (the newest KEEP_ATTEMPTS); a late finish of a superseded run, or after a
 *   delivery, changes nothing else.
 * - suppress / release give a claimed job back without an attempt (its claim does not count).
 * - requeue starts a new run of a dead job (a replay), releases a parked one, or — for a stuck one — queues it
 *   again as it is.
 * - swept: a job the stuck-job sweep found overdue, queued again or (no queue) dead.
 * - backstop: after a first attempt at once, the copies the queue must carry — one per job not settled yet,
 *   delayed until it may go (a retry's due time, a lease's end); none when the first attempt delivered.
 */
import type { AttemptRecord, Claim, Decision, JobState, SweepRecord } from '../../core/delivery.ts';
import type { DeliveryJob } from '../../core/jobs.ts';
import type { Receipt } from '../../core/outcome.ts';
import type { StuckJob } from '../sweep.ts';

/** How long a claim holds a job: longer than any send may take (targets time out after ≤ 10 s by default). */
export const LEASE_MS = 120_000;
/** A copy arriving this much before its retry is due is let through (queue delays are not to the millisecond). */
export const EARLY_MS = 1000;
/** Attempts kept per job in the trace (the newest). */
const KEEP_ATTEMPTS = 50;
const KEEP_SWEEPS = 10;

/** The claim's answer (without the event, which the store adds) and the state to store when it goes. */
export function decideClaim(
  state: JobState,
  now: number,
): { readonly claim: Exclude<Claim, { kind: 'go' } | { kind: 'missing' }> } | { readonly go: JobState } {
  if (state.status === 'delivered') return { claim: { kind: 'delivered' } };
  if (state.status === 'suppressed') return { claim: { kind: 'suppressed' } };
  if (state.status === 'dead') return { claim: { kind: 'dead', why: state.why ?? 'dead' } };
  if (state.status === 'sending' && state.leaseUntil !== null && state.leaseUntil > now) return { claim: { kind: 'busy', retryInMs: state.leaseUntil - now } };
  if (state.status === 'retrying' && state.nextAttemptAt !== null && state.nextAttemptAt - now > EARLY_MS)
    return { claim: { kind: 'busy', retryInMs: state.nextAttemptAt - now } };
  return { go: claimedNow(state, now) };
}

/** A job taken for its next attempt under a lease (a claim; or, for a first attempt at once, the accept itself). */
export function claimedNow(state: JobState, now: number): JobState {
  return { ...state, status: 'sending', runAttempts: state.runAttempts + 1, leaseUntil: now + LEASE_MS, updatedAt: now };
}

export interface Finished {
  readonly attempt: AttemptRecord;
  readonly decision: Decision;
  readonly receipt: Receipt | null;
}

export function afterFinish(state: JobState, { attempt, decision, receipt }: Finished, now: number): JobState {
  const attempts = [...state.attempts, attempt].slice(-KEEP_ATTEMPTS);
  if (attempt.run !== state.run || state.status === 'delivered') return { ...state, attempts };
  return {
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
}

/** Settled without sending (a repeat counted, a resolve with nothing open, handed to its effects). */
export function afterSuppress(state: JobState, why: string, now: number): JobState | null {
  if (state.status === 'delivered') return null;
  const runAttempts = state.status === 'sending' ? Math.max(0, state.runAttempts - 1) : state.runAttempts;
  return { ...state, status: 'suppressed', runAttempts, why, leaseUntil: null, nextAttemptAt: null, updatedAt: now };
}

/** Given back without an attempt: parked (target paused) or queued again (waiting for a slot, due in `inMs`). */
export interface Release {
  readonly status: 'parked' | 'queued';
  readonly why: string | null;
  /** When the queue brings it back (null: not by itself — parked). */
  readonly inMs: number | null;
}

export function afterRelease(state: JobState, { status, why, inMs }: Release, now: number): JobState | null {
  if (state.status === 'delivered' || state.status === 'dead') return null;
  const runAttempts = state.status === 'sending' ? Math.max(0, state.runAttempts - 1) : state.runAttempts;
  return { ...state, status, runAttempts, leaseUntil: null, nextAttemptAt: inMs === null ? null : now + inMs, why, updatedAt: now };
}

/** Dead (the dead-letter consumer; idempotent). Never overrides a delivery. */
export function afterMarkDead(state: JobState, why: string, now: number): JobState | null {
  if (state.status === 'delivered' || state.status === 'dead') return null;
  return { ...state, status: 'dead', why, leaseUntil: null, nextAttemptAt: null, updatedAt: now };
}

export type RequeueResult = { readonly job: DeliveryJob; readonly next: JobState | null } | { readonly refused: 'delivered' | 'in_flight' };

/** A replay (dead: a new run, attempts from zero), a resume (parked), or a stuck job queued again as it is. */
export function decideRequeue(state: JobState, stuck: boolean, now: number): RequeueResult {
  if (state.status === 'delivered' || state.status === 'suppressed') return { refused: 'delivered' };
  // Queued and not yet claimed (e.g. a replay whose enqueue failed): queue another copy; claims dedupe.
  if (state.status === 'queued') return { job: state.job, next: null };
  // A stuck job (`"state": "stuck"`): one waiting for a retry, or held by a lease that ran out, goes again in
  // the same run; a claim still held does not.
  if (stuck && (state.status === 'retrying' || (state.status === 'sending' && (state.leaseUntil ?? 0) <= now)))
    return { job: state.job, next: { ...state, status: 'queued', leaseUntil: null, nextAttemptAt: null, updatedAt: now } };
  if (state.status !== 'dead' && state.status !== 'parked') return { refused: 'in_flight' };
  const dead = state.status === 'dead';
  return {
    job: state.job,
    next: {
      ...state,
      status: 'queued',
      run: dead ? state.run + 1 : state.run,
      runAttempts: dead ? 0 : state.runAttempts,
      queuedAt: dead ? now : state.queuedAt,
      why: null,
      leaseUntil: null,
      updatedAt: now,
    },
  };
}

/** A stuck job after the sweep: queued again with a fresh due time, or dead (no queue to send it to). */
export function afterSweep(s: StuckJob, now: number, action: SweepRecord['action']): JobState {
  const overdue = `${s.state.status} ${Math.round(s.overdueMs / 1000)}s past due`;
  const sweeps = [...(s.state.sweeps ?? []), { at: now, was: s.state.status, overdueMs: s.overdueMs, action }].slice(-KEEP_SWEEPS);
  const base = { ...s.state, leaseUntil: null, nextAttemptAt: null, updatedAt: now, sweeps };
  return action === 'requeued'
    ? { ...base, status: 'queued', why: `re-dispatched by the stuck-job sweep (${overdue})` }
    : { ...base, status: 'dead', why: `stuck (${overdue}): the inline delivery was interrupted; replay it` };
}

/** Queues take delays of at most 12 hours. */
const MAX_DELAY_S = 43_200;

/** The queued copies a first attempt at once still needs, each with its delay (seconds). */
export function backstopCopies(states: readonly JobState[], now: number): { readonly job: DeliveryJob; readonly delaySeconds: number }[] {
  const copies: { job: DeliveryJob; delaySeconds: number }[] = [];
  const after = (at: number | null): number => Math.min(MAX_DELAY_S, Math.max(0, Math.ceil(((at ?? now) - now) / 1000)));
  for (const s of states) {
    if (s.status === 'queued') copies.push({ job: s.job, delaySeconds: after(s.nextAttemptAt) });
    else if (s.status === 'retrying') copies.push({ job: s.job, delaySeconds: after(s.nextAttemptAt) });
    else if (s.status === 'sending') copies.push({ job: s.job, delaySeconds: after(s.leaseUntil) });
  }
  return copies;
}
