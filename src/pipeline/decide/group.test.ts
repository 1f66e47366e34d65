import { describe, expect, it } from 'vitest';
import type { GroupSpec, GroupState } from '../../core/delivery.ts';
import { decideAdd, decideFlush, decideHandedOver, decideResolveMember, GROUP_LIST_MAX, type MemberInput } from './group.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const S = 1000;
const spec: GroupSpec = {
  id: 'g1',
  key: 'pages {type="transfer.error"}',
  route: 'pages',
  routeIndex: 2,
  labels: { type: 'transfer.error' },
  notify: ['oncall'],
  waitMs: 10 * S,
  intervalMs: 300 * S,
  repeatMs: 4 * 3600 * S,
};
const member = (key: string, n = 1): MemberInput => ({
  key,
  severity: 'error',
  title: `dest ${key}`,
  event: { source: 'prequel', id: `e_${key}_${n}`, type: 'transfer.error' },
});

/** Applies steps the way the object does. */
function run(steps: ((s: GroupState | null) => { next: GroupState | null | 'delete' })[]): GroupState | null {
  let s: GroupState | null = null;
  for (const step of steps) {
    const r = step(s);
    s = r.next === 'delete' ? null : (r.next ?? s);
  }
  return s;
}

describe('a group', () => {
  it('collects for group_wait, then notifies once with every member (the same event twice counts once)', () => {
    const first = decideAdd(null, { spec, member: member('a') }, T0);
    expect([first.decision, first.alarmAt]).toEqual(['joined', T0 + 10 * S]);
    const s = run([() => first, (x) => decideAdd(x, { spec, member: member('b') }, T0 + S), (x) => decideAdd(x, { spec, member: member('b') }, T0 + S)]);
    expect(decideAdd(s, { spec, member: member('b') }, T0 + 2 * S).decision).toBe('seen');
    const flush = decideFlush(s, T0 + 10 * S);
    expect(flush.decision).toMatchObject({ seq: 1, reason: 'first', status: 'firing', counts: { firing: 2, resolved: 0, added: 2 } });
    expect(flush.alarmAt).toBe(T0 + 10 * S + spec.repeatMs);
    // Recorded before its jobs go: a retried alarm gets the same notification back, until handed over.
    const recorded = flush.next as GroupState;
    expect(decideFlush(recorded, T0 + 11 * S).decision).toEqual(flush.decision);
    expect(decideFlush(decideHandedOver(recorded, 1), T0 + 11 * S).decision).toBeNull();
  });

  it('never announces a member that fires and resolves within group_wait (and forgets an empty group)', () => {
    const s = decideAdd(null, { spec, member: member('a') }, T0).next as GroupState;
    expect(decideResolveMember(s, { key: 'a' }, T0 + S)).toMatchObject({ next: 'delete', decision: 'dropped' });
  });

  it('notifies a change no sooner than group_interval, says why, and resolves when every member has', () => {
    let s = decideAdd(null, { spec, member: member('a') }, T0).next as GroupState;
    s = decideHandedOver(decideFlush(s, T0 + 10 * S).next as GroupState, 1)!;
    s = decideAdd(s, { spec, member: member('b') }, T0 + 20 * S).next as GroupState;
    expect(decideAdd(s, { spec, member: member('c') }, T0 + 21 * S).alarmAt).toBe(T0 + 310 * S);
    expect(decideFlush(s, T0 + 100 * S).decision).toBeNull();
    const added = decideFlush(s, T0 + 310 * S);
    expect(added.decision).toMatchObject({ seq: 2, reason: 'members_added', added: ['b'], counts: { firing: 2 } });
    s = decideHandedOver(added.next as GroupState, 2)!;
    s = decideResolveMember(s, { key: 'a' }, T0 + 400 * S).next as GroupState;
    expect(decideFlush(s, T0 + 610 * S).decision).toMatchObject({ reason: 'members_resolved', recovered: ['a'], counts: { firing: 1, resolved: 1 } });
    s = decideHandedOver(decideFlush(s, T0 + 610 * S).next as GroupState, 3)!;
    const last = decideResolveMember(s, { key: 'b' }, T0 + 700 * S);
    expect(last.alarmAt).toBe(T0 + 700 * S); // nothing left to collect: at once
    s = last.next as GroupState;
    const all = decideFlush(s, T0 + 700 * S);
    expect(all.decision).toMatchObject({ reason: 'all_resolved', status: 'resolved', recovered: ['b'] });
    // A member joining a resolved group starts it afresh.
    const again = decideAdd(decideHandedOver(all.next as GroupState, 4), { spec, member: member('d') }, T0 + 1000 * S);
    expect([again.next && (again.next as GroupState).status, again.alarmAt]).toEqual(['pending', T0 + 1010 * S]);
  });

  it('repeats an unchanged firing group after repeat_interval, and lists at most GROUP_LIST_MAX members', () => {
    let s: GroupState | null = null;
    for (let i = 0; i < 30; i++) s = decideAdd(s, { spec, member: member(`m${i}`) }, T0).next as GroupState;
    const first = decideFlush(s, T0 + 10 * S);
    expect(first.decision!.alerts).toHaveLength(GROUP_LIST_MAX);
    expect(first.decision!.counts.firing).toBe(30);
    s = decideHandedOver(first.next as GroupState, 1);
    expect(decideFlush(s, T0 + 10 * S + spec.repeatMs).decision).toMatchObject({ reason: 'repeat', seq: 2 });
  });
});
