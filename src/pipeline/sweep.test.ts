import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SWEEP_AFTER_MS, findStuck, jobDueAt, nextSweepAt, sweepAfterMs, SWEEP_MAX_JOBS } from './sweep.ts';
import type { JobState, JobStatus } from '../core/delivery.ts';
import { newJobState } from '../core/jobs.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const MIN = 60_000;

/** A job's state as the ledger records it (core/jobs.ts), then moved to `status`. */
function state(status: JobStatus, fields: Partial<JobState> = {}, id = 'job_1'): JobState {
  return { ...newJobState({ v: 1, id, event: 'prequel:pq_1', routeIndex: 0, route: 'r', target: 't' }, T0), status, ...fields };
}

describe('when a job is due', () => {
  it('queued: when it was queued, or when the queue brings it back after a delay', () => {
    expect(jobDueAt(state('queued'))).toBe(T0);
    expect(jobDueAt(state('queued', { nextAttemptAt: T0 + 5000 }))).toBe(T0 + 5000);
  });
  it('sending: at the end of its lease; retrying: at its next attempt', () => {
    expect(jobDueAt(state('sending', { leaseUntil: T0 + 2 * MIN }))).toBe(T0 + 2 * MIN);
    expect(jobDueAt(state('retrying', { nextAttemptAt: T0 + 30 * MIN }))).toBe(T0 + 30 * MIN);
  });
  it.each(['delivered', 'suppressed', 'dead', 'parked'] as const)('%s: never', (status) => {
    expect(jobDueAt(state(status))).toBeNull();
  });
});

describe('finding stuck jobs', () => {
  const jobs = [
    state('queued', {}, 'job_q'),
    state('sending', { leaseUntil: T0 + 2 * MIN }, 'job_s'),
    state('retrying', { nextAttemptAt: T0 + 30 * MIN }, 'job_r'),
    state('delivered', {}, 'job_d'),
    state('parked', {}, 'job_p'),
  ];

  it('finds nothing within the margin', () => {
    expect(findStuck(jobs, T0 + 10 * MIN, 10 * MIN)).toEqual([]);
  });

  it('finds each job once it is overdue by more than the margin, most overdue first', () => {
    expect(findStuck(jobs, T0 + 10 * MIN + 1, 10 * MIN).map((s) => s.state.job.id)).toEqual(['job_q']);
    expect(findStuck(jobs, T0 + 13 * MIN, 10 * MIN).map((s) => [s.state.job.id, s.overdueMs])).toEqual([
      ['job_q', 13 * MIN],
      ['job_s', 11 * MIN],
    ]);
    expect(findStuck(jobs, T0 + 41 * MIN, 10 * MIN).map((s) => s.state.job.id)).toEqual(['job_q', 'job_s', 'job_r']);
  });

  it('is bounded: at most 100 jobs a sweep', () => {
    const many = Array.from({ length: 250 }, (_, i) => state('queued', {}, `job_${i}`));
    expect(findStuck(many, T0 + 60 * MIN, 10 * MIN)).toHaveLength(SWEEP_MAX_JOBS);
  });
});

describe('when the next sweep runs', () => {
  it('once the earliest job could be stuck, else at the end of the retention', () => {
    const expiresAt = T0 + 15 * 86_400_000;
    expect(nextSweepAt([state('queued')], T0, 10 * MIN, expiresAt)).toBe(T0 + 10 * MIN + 1);
    expect(nextSweepAt([state('delivered'), state('dead')], T0, 10 * MIN, expiresAt)).toBe(expiresAt);
    expect(nextSweepAt([], T0, 10 * MIN, expiresAt)).toBe(expiresAt);
  });

  it('never in the past (an overdue job that could not be re-dispatched is tried again a second later)', () => {
    fc.assert(
      fc.property(fc.integer({ min: -1e9, max: 1e9 }), fc.integer({ min: 1000, max: 3_600_000 }), (offset, after) => {
        const next = nextSweepAt([state('queued', { updatedAt: T0 + offset })], T0, after, T0 + 86_400_000);
        expect(next).toBeGreaterThanOrEqual(T0 + 1000);
        expect(next).toBeLessThanOrEqual(T0 + 86_400_000);
      }),
    );
  });
});

describe('the margin', () => {
  it('comes from SWEEP_AFTER, or is 10 minutes', () => {
    expect(sweepAfterMs('90s')).toBe(90_000);
    expect(sweepAfterMs(undefined)).toBe(DEFAULT_SWEEP_AFTER_MS);
    expect(sweepAfterMs('soon')).toBe(DEFAULT_SWEEP_AFTER_MS);
    expect(sweepAfterMs('0s')).toBe(DEFAULT_SWEEP_AFTER_MS);
  });
});
