/**
 * The stuck-job sweep's decision (Alertmanager's `needsUpdate` is the model: a pure decision over stored
 * entries, `now` passed in). Pure: no I/O.
 *
 * Queues deliver at least once, but a message can still vanish: a local runtime killed mid-batch, a send to
 * the queue that was never retried, a consumer evicted between claim and finish. Every job that is not settled
 * therefore has a due time, and a job overdue by more than the sweep's margin is re-dispatched:
 *
 *   status      due at                                   stuck when
 *   queued      when it was (re-)queued, plus its delay   nobody claimed it by then + margin
 *   sending     the claim's lease end (claim + 2 min)     the consumer never finished it
 *   retrying    its next attempt                          the retry never arrived
 *   parked, delivered, suppressed, dead                   never (settled, or waiting for a resume)
 *
 * The margin (10 minutes by default; `SWEEP_AFTER` overrides it) is far longer than a healthy queue takes to
 * hand a message to a consumer, so a sweep re-dispatches only what is really lost; if it ever re-dispatches a
 * message that was merely late, the ledger's claim still lets only one copy send. Each sweep moves every job it
 * re-dispatches to `queued` with a fresh due time, so one stuck job is re-dispatched exactly once per sweep
 * that finds it, and a sweep run twice at the same moment finds nothing the second time.
 */
import { parseDuration } from '../core/units.ts';
import type { JobState } from '../core/delivery.ts';

export const DEFAULT_SWEEP_AFTER_MS = 10 * 60_000;
/** At most this many jobs are re-dispatched by one sweep (an event has a handful; this bounds a bad one). */
export const SWEEP_MAX_JOBS = 100;

export interface StuckJob {
  readonly state: JobState;
  readonly dueAt: number;
  readonly overdueMs: number;
}

type DueFields = Pick<JobState, 'status' | 'updatedAt' | 'leaseUntil' | 'nextAttemptAt'>;

/** When a job should next have made progress, or null when nothing is owed (settled, or parked). */
export function jobDueAt(s: DueFields): number | null {
  switch (s.status) {
    case 'queued':
      return s.nextAttemptAt ?? s.updatedAt;
    case 'sending':
      return s.leaseUntil ?? s.updatedAt;
    case 'retrying':
      return s.nextAttemptAt ?? s.updatedAt;
    case 'parked':
    case 'delivered':
    case 'suppressed':
    case 'dead':
      return null;
  }
}

/** The jobs overdue by more than `afterMs` at `now`, most overdue first, at most `SWEEP_MAX_JOBS`. */
export function findStuck(states: readonly JobState[], now: number, afterMs: number): StuckJob[] {
  const stuck: StuckJob[] = [];
  for (const state of states) {
    const dueAt = jobDueAt(state);
    if (dueAt !== null && now - dueAt > afterMs) stuck.push({ state, dueAt, overdueMs: now - dueAt });
  }
  return stuck.sort((a, b) => b.overdueMs - a.overdueMs).slice(0, SWEEP_MAX_JOBS);
}

/**
 * When the ledger's alarm should next run: the earliest moment a job could be found stuck, or the end of the
 * retention when nothing is owed. Never before `now + 1 s` (an alarm in the past would spin).
 */
export function nextSweepAt(states: readonly DueFields[], now: number, afterMs: number, expiresAt: number): number {
  let next = expiresAt;
  for (const s of states) {
    const dueAt = jobDueAt(s);
    if (dueAt !== null) next = Math.min(next, dueAt + afterMs + 1);
  }
  return Math.max(next, Math.min(expiresAt, now + 1000));
}

/** The sweep's margin from the `SWEEP_AFTER` variable (a duration such as `90s`), or the default. */
export function sweepAfterMs(value: unknown): number {
  const ms = typeof value === 'string' ? parseDuration(value) : null;
  return ms !== null && ms >= 1000 ? ms : DEFAULT_SWEEP_AFTER_MS;
}
