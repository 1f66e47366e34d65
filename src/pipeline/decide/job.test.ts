import { describe, expect, it } from 'vitest';
import { newJobState, type DeliveryJob } from '../../core/jobs.ts';
import type { AttemptRecord, JobState } from '../../core/delivery.ts';
import { afterFinish, afterMarkDead, afterRelease, afterSuppress, decideClaim, decideRequeue, EARLY_MS, LEASE_MS } from './job.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const JOB: DeliveryJob = { v: 1, id: 'job_1', event: 'prequel:e1', routeIndex: 0, route: 'r', target: 't' };
const fresh = (): JobState => newJobState(JOB, T0);
const attempt = (run: number, outcome: AttemptRecord['outcome'] = 'ok'): AttemptRecord => ({
  n: 1,
  run,
  at: T0,
  outcome,
  status: outcome === 'ok' ? 200 : 503,
  latencyMs: 5,
  error: null,
  decision: outcome === 'ok' ? 'delivered' : 'retry',
  delayMs: null,
});
const claimed = (state: JobState, now: number): JobState => {
  const d = decideClaim(state, now);
  if (!('go' in d)) throw new Error(`not claimed: ${d.claim.kind}`);
  return d.go;
};

describe('a job in the event store', () => {
  it('is claimed once: a second claim while the lease holds is busy until it runs out', () => {
    const sending = claimed(fresh(), T0);
    expect(sending).toMatchObject({ status: 'sending', runAttempts: 1, leaseUntil: T0 + LEASE_MS });
    expect(decideClaim(sending, T0 + 1000)).toEqual({ claim: { kind: 'busy', retryInMs: LEASE_MS - 1000 } });
    // A Worker that died mid-send: after the lease, one more attempt (the documented at-most-once-more).
    expect(claimed(sending, T0 + LEASE_MS + 1).runAttempts).toBe(2);
  });

  it('holds back a copy that arrives before its retry is due, and lets one within EARLY_MS through', () => {
    const retrying = afterFinish(
      claimed(fresh(), T0),
      { attempt: attempt(1, 'retryable'), decision: { action: 'retry', delayMs: 30_000, why: '503' }, receipt: null },
      T0,
    );
    expect(retrying).toMatchObject({ status: 'retrying', nextAttemptAt: T0 + 30_000 });
    expect(decideClaim(retrying, T0 + 10_000)).toEqual({ claim: { kind: 'busy', retryInMs: 20_000 } });
    expect('go' in decideClaim(retrying, T0 + 30_000 - EARLY_MS)).toBe(true);
  });

  it('is settled by a delivery: a later claim, suppress, release or death changes nothing', () => {
    const delivered = afterFinish(claimed(fresh(), T0), { attempt: attempt(1), decision: { action: 'delivered' }, receipt: null }, T0 + 5);
    expect(delivered.status).toBe('delivered');
    expect(decideClaim(delivered, T0 + 10)).toEqual({ claim: { kind: 'delivered' } });
    expect(afterSuppress(delivered, 'x', T0)).toBeNull();
    expect(afterRelease(delivered, { status: 'queued', why: null, inMs: 1000 }, T0)).toBeNull();
    expect(afterMarkDead(delivered, 'x', T0)).toBeNull();
    expect(decideRequeue(delivered, false, T0)).toEqual({ refused: 'delivered' });
  });

  it('keeps a late finish of a superseded run in the history only', () => {
    const dead = afterMarkDead(claimed(fresh(), T0), 'gave up', T0)!;
    const replay = decideRequeue(dead, false, T0 + 1000);
    if (!('next' in replay) || !replay.next) throw new Error('no replay');
    expect(replay.next).toMatchObject({ status: 'queued', run: 2, runAttempts: 0 });
    const late = afterFinish(replay.next, { attempt: attempt(1), decision: { action: 'delivered' }, receipt: null }, T0 + 2000);
    expect(late).toMatchObject({ status: 'queued', run: 2 });
    expect(late.attempts).toHaveLength(1);
  });

  it('gives a released or suppressed claim back without counting it', () => {
    const sending = claimed(fresh(), T0);
    expect(afterRelease(sending, { status: 'parked', why: 'paused', inMs: null }, T0 + 1)).toMatchObject({
      status: 'parked',
      runAttempts: 0,
      leaseUntil: null,
    });
    expect(afterSuppress(sending, 'repeat', T0 + 1)).toMatchObject({ status: 'suppressed', runAttempts: 0, why: 'repeat' });
  });

  it('requeues a stuck job in the same run, refuses one whose lease still holds', () => {
    const sending = claimed(fresh(), T0);
    expect(decideRequeue(sending, true, T0 + 1000)).toEqual({ refused: 'in_flight' });
    const stuck = decideRequeue(sending, true, T0 + LEASE_MS + 1);
    expect(stuck).toMatchObject({ job: JOB, next: { status: 'queued', run: 1, runAttempts: 1 } });
    expect(decideRequeue(fresh(), false, T0)).toEqual({ job: JOB, next: null });
  });
});
