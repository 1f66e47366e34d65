import { describe, expect, it } from 'vitest';
import type { AlertState } from '../../core/delivery.ts';
import { decideAlarm, decideFailed, decideReplied, decideResolve, decideSent, decideTrigger, FORGET_AFTER_MS, type TriggerInput } from './alert.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;

const input = (fields: Partial<TriggerInput> = {}): TriggerInput => ({
  key: 'k',
  target: 'oncall',
  kind: 'pagerduty',
  jobId: 'job_1',
  eventId: 'e1',
  title: 'transfer.error',
  repeatIntervalMs: 4 * HOUR,
  flapWindowMs: 10 * MIN,
  ...fields,
});

/** An alert opened by job_1 and sent (a dedup key kept). */
function opened(): AlertState {
  const first = decideTrigger(null, input(), T0).next!;
  return decideSent(first, { target: 'oncall', jobId: 'job_1', slack: null, dedupKey: 'k', message: null }, T0 + 1000)!;
}

describe('an alert trigger', () => {
  it('opens the alert and reserves the target for its job; the same job again (a retry) may send', () => {
    const step = decideTrigger(null, input(), T0);
    expect(step.decision).toEqual({ do: 'send' });
    expect(step.next).toMatchObject({ status: 'firing', openedAt: T0, count: 1, targets: { oncall: { jobId: 'job_1', sentAt: null } } });
    expect(decideTrigger(step.next, input(), T0 + 5000).decision).toEqual({ do: 'send' });
  });

  it('counts a repeat within repeat_interval (another job, another event), and sends again after it', () => {
    const repeat = decideTrigger(opened(), input({ jobId: 'job_2', eventId: 'e2' }), T0 + HOUR);
    expect(repeat.decision).toMatchObject({ do: 'repeat', count: 2, openedAt: T0 });
    expect(repeat.next).toMatchObject({ count: 2, suppressed: 1, targets: { oncall: { jobId: 'job_1' } } });
    const later = decideTrigger(opened(), input({ jobId: 'job_3', eventId: 'e3' }), T0 + 5 * HOUR);
    expect(later.decision).toEqual({ do: 'send' });
    expect(later.next!.targets.oncall).toMatchObject({ jobId: 'job_3', sentAt: null, dedupKey: 'k' });
  });

  it('counts an event once however many of its jobs trigger', () => {
    const a = decideTrigger(null, input(), T0).next!;
    const b = decideTrigger(a, input({ target: 'data-eng', kind: 'slack', jobId: 'job_s' }), T0).next!;
    expect(b.count).toBe(1);
  });
});

describe('resolving', () => {
  it('resolves a firing alert once, closing every target; the same event again gets the same answer, another nothing', () => {
    const step = decideResolve(opened(), { eventId: 'r1' }, T0 + HOUR);
    expect(step.decision).toMatchObject({ do: 'resolve', alert: { status: 'resolved', resolvedBy: 'r1' } });
    expect(step.next!.targets.oncall!.closed).toBe(true);
    expect(step.alarm).toEqual({ at: T0 + HOUR + FORGET_AFTER_MS });
    expect(decideResolve(step.next, { eventId: 'r1' }, T0 + HOUR).decision.do).toBe('resolve');
    expect(decideResolve(step.next, { eventId: 'r2' }, T0 + HOUR).decision).toEqual({ do: 'nothing', why: 'the alert is already resolved' });
    expect(decideResolve(null, { eventId: 'r1' }, T0).decision).toEqual({ do: 'nothing', why: 'no alert with this key is open' });
  });
});

describe('flapping', () => {
  const hold = { pending: { eventKey: 'prequel:r2', eventId: 'r2', routeIndex: 3, route: 'resolve' }, flapWindowMs: 10 * MIN };

  it('re-opens within the flap window as the same alert: a closed incident is paged again, an updatable message relabelled', () => {
    const resolved = decideResolve(opened(), { eventId: 'r1' }, T0 + HOUR).next!;
    const page = decideTrigger(resolved, input({ jobId: 'job_2', eventId: 'e2', reopensClosed: true }), T0 + HOUR + MIN);
    expect(page.decision).toEqual({ do: 'send' });
    expect(page.next).toMatchObject({ status: 'firing', flaps: 1, count: 2 });
    const slack = decideTrigger(resolved, input({ jobId: 'job_2', eventId: 'e2' }), T0 + HOUR + MIN);
    expect(slack.decision).toMatchObject({ do: 'flap', flaps: 1, count: 2 });
    // Past the window: a new alert.
    const fresh = decideTrigger(resolved, input({ jobId: 'job_2', eventId: 'e2' }), T0 + HOUR + 11 * MIN);
    expect([fresh.decision, fresh.next!.openedAt, fresh.next!.flaps]).toEqual([{ do: 'send' }, T0 + HOUR + 11 * MIN, undefined]);
  });

  it('holds the resolve of a flapping alert one window (an alarm); a re-open cancels it; the alarm resolves once quiet', () => {
    const resolved = decideResolve(opened(), { eventId: 'r1' }, T0 + HOUR).next!;
    const flapping = decideTrigger(resolved, input({ jobId: 'job_2', eventId: 'e2', reopensClosed: true }), T0 + HOUR + MIN).next!;
    const held = decideResolve(flapping, { eventId: 'r2', hold }, T0 + HOUR + 2 * MIN);
    expect(held.decision).toEqual({ do: 'hold', until: T0 + HOUR + 12 * MIN, flaps: 1 });
    expect(held.alarm).toEqual({ at: T0 + HOUR + 12 * MIN });
    const reopened = decideTrigger(held.next, input({ jobId: 'job_3', eventId: 'e3' }), T0 + HOUR + 3 * MIN);
    expect(reopened.alarm).toBe('delete');
    expect(reopened.next).toMatchObject({ flaps: 2, pendingResolve: null });

    const quiet = decideAlarm(held.next, T0 + HOUR + 12 * MIN);
    expect(quiet.decision).toEqual({ do: 'resolve', pending: { ...hold.pending, at: T0 + HOUR + 2 * MIN }, reached: [] });
    expect(quiet.next).toMatchObject({ status: 'resolved', resolvedBy: 'r2', pendingResolve: null });
    expect(decideAlarm(quiet.next, T0 + 40 * 86_400_000).decision).toEqual({ do: 'forget' });
  });
});

describe('what a send leaves behind', () => {
  it('keeps the receipt for the job that holds the target, frees the target when its send failed for good', () => {
    const a = decideTrigger(null, input(), T0).next!;
    expect(decideSent(a, { target: 'oncall', jobId: 'job_other', slack: null, dedupKey: 'x', message: null }, T0)).toBeNull();
    const sent = decideSent(a, { target: 'oncall', jobId: 'job_1', slack: { channel: 'C1', ts: '1.1' }, dedupKey: null, message: { text: 'm' } }, T0 + 5)!;
    expect(sent.targets.oncall).toMatchObject({ sentAt: T0 + 5, slack: { channel: 'C1', ts: '1.1' }, message: { text: 'm' } });
    expect(decideReplied(sent, 'oncall', '1.2')!.targets.oncall!.replyTs).toBe('1.2');
    expect(decideFailed(sent, 'oncall', 'job_2')).toBeNull();
    expect(decideFailed(sent, 'oncall', 'job_1')!.targets).toEqual({});
  });
});
