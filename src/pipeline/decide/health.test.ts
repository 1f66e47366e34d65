/**
 * The relay's health decisions, pure: each kind of trouble makes one notice (not one per event), its end makes
 * one more, and nothing is said twice for the same streak, spike or silence.
 */
import { describe, expect, it } from 'vitest';
import { decideAttempts, decideDeadLetter, decideSeen, decideSilence, decideVerificationFailure, EMPTY_HEALTH } from './health.ts';
import type { HealthState } from '../../core/delivery.ts';

const T0 = Date.parse('2026-12-03T12:00:00Z');
const fail = (target: string, at: number, why = 'pagerduty: HTTP 400 Invalid routing key') => ({ target, ok: false, why, at });
const ok = (target: string, at: number) => ({ target, ok: true, why: null, at });

describe('a failing target', () => {
  it('is one notice at the Nth failure in a row, none after it, and one when it delivers again', () => {
    let state: HealthState = EMPTY_HEALTH;
    const notices: string[] = [];
    const feed = (attempts: Parameters<typeof decideAttempts>[1]) => {
      const step = decideAttempts(state, attempts, 5);
      state = step.next;
      notices.push(...step.notices.map((n) => `${n.type} ${n.title}`));
    };
    feed([fail('oncall', T0), fail('oncall', T0 + 1), ok('data-eng', T0 + 2), fail('oncall', T0 + 3)]);
    expect(notices).toEqual([]);
    feed([fail('oncall', T0 + 4), fail('oncall', T0 + 5)]); // 5th: the notice
    feed([fail('oncall', T0 + 6), fail('oncall', T0 + 7)]); // still failing: nothing more
    expect(notices).toEqual(['health.target_failing oncall has failed 5 deliveries in a row']);
    feed([ok('oncall', T0 + 8), ok('oncall', T0 + 9)]);
    expect(notices).toEqual([
      'health.target_failing oncall has failed 5 deliveries in a row',
      'health.target_recovered oncall delivers again, after 7 failed deliveries',
    ]);
    expect(state.targets.oncall).toEqual({ failures: 0, since: null, alerted: false });
  });

  it('is nothing when a success breaks the streak before the threshold', () => {
    const step = decideAttempts(EMPTY_HEALTH, [fail('t', T0), fail('t', T0 + 1), fail('t', T0 + 2), fail('t', T0 + 3), ok('t', T0 + 4), fail('t', T0 + 5)], 5);
    expect(step.notices).toEqual([]);
    expect(step.next.targets.t!.failures).toBe(1);
  });
});

describe('a dead letter', () => {
  it('is one notice naming the target, the event and the replay call, numbered in sequence', () => {
    const a = decideDeadLetter(EMPTY_HEALTH, {
      jobId: 'job_1',
      event: 'prequel:pq_1',
      route: 'r',
      target: 'oncall',
      why: 'pagerduty: HTTP 400 Invalid routing key',
    });
    const b = decideDeadLetter(a.next, { jobId: 'job_2', event: 'prequel:pq_2', route: 'r', target: 'oncall', why: 'x' });
    expect(a.notices[0]).toMatchObject({
      type: 'health.dead_letter',
      seq: 1,
      subject: 'job_1',
      title: 'A notification to oncall was dead-lettered: pagerduty: HTTP 400 Invalid routing key',
    });
    expect(a.notices[0]!.text).toContain('POST /admin/dead-letters/job_1/replay');
    expect(b.notices[0]!.seq).toBe(2);
  });
});

describe('verification failures', () => {
  const limit = { max: 3, perMs: 600_000 };
  it('are one notice when a source reaches max within the window, naming the reasons, then none until a window passes', () => {
    let state: HealthState = EMPTY_HEALTH;
    const said: string[] = [];
    const at = (ms: number, reason = 'bad_signature') => {
      const step = decideVerificationFailure(state, { source: 'prequel', reason }, T0 + ms, limit);
      state = step.next;
      said.push(...step.notices.map((n) => n.title));
    };
    at(0);
    at(1000, 'timestamp_too_old');
    expect(said).toEqual([]);
    at(2000);
    expect(said).toEqual(['prequel: 3 deliveries refused at verification within 10 min (bad_signature ×2, timestamp_too_old ×1)']);
    at(3000);
    at(4000);
    expect(said).toHaveLength(1); // the same spike
    at(700_000);
    at(701_000);
    at(702_000);
    expect(said).toHaveLength(2); // a new window, a new spike
  });

  it('forget failures older than the window', () => {
    let state: HealthState = EMPTY_HEALTH;
    for (const ms of [0, 1000, 700_000]) state = decideVerificationFailure(state, { source: 's', reason: 'bad_token' }, T0 + ms, limit).next;
    expect(state.verification.s!.recent).toHaveLength(1);
  });
});

describe("a source's dead man's switch", () => {
  it('is one notice when the alarm finds it silent past expect_every, none while events arrive, and one when it is back', () => {
    const day = 86_400_000;
    let step = decideSeen(EMPTY_HEALTH, { source: 'prequel', expectEveryMs: day }, T0);
    expect([step.notices, step.alarmAt]).toEqual([[], T0 + day]);
    // Events keep coming: each pushes the switch a day on; an alarm before then says nothing.
    step = decideSeen(step.next, { source: 'prequel', expectEveryMs: day }, T0 + 3_600_000);
    let silence = decideSilence(step.next, T0 + day);
    expect([silence.notices, silence.alarmAt]).toEqual([[], T0 + 3_600_000 + day]);
    // A day after the last event: one notice; the next alarm says nothing more.
    silence = decideSilence(silence.next, T0 + 3_600_000 + day);
    expect(silence.notices.map((n) => [n.type, n.title])).toEqual([['health.source_silent', 'prequel has sent nothing for 24 h (expect_every: 24 h)']]);
    expect(decideSilence(silence.next, T0 + 2 * day).notices).toEqual([]);
    // It is back.
    const back = decideSeen(silence.next, { source: 'prequel', expectEveryMs: day }, T0 + 3 * day);
    expect(back.notices.map((n) => n.type)).toEqual(['health.source_back']);
    expect(back.next.sources.prequel!.silentSince).toBeNull();
  });
});
