/**
 * A group's life as pure decisions over its stored state, `now` passed in (the group's Durable Object,
 * state/group.ts, loads, calls, stores, sets the alarm). Alertmanager's timing:
 *   first      a new group collects for group_wait, then notifies once with every member firing then
 *   changes    a member joins, re-opens or resolves → the next notification at last + group_interval
 *   repeat     nothing changed, still firing → again after repeat_interval
 *   resolved   every member resolved → one last notification (all_resolved) at once, not after
 *              group_interval: nothing is left to collect, and a page is resolved when the vendor reports
 *              recovery; a member joining later starts the group afresh (group_wait again, same key)
 * A member that fires and resolves within group_wait is dropped before the first notification: never
 * announced. Adding the same event twice (one job per target) counts it once.
 */
import type { GroupAlert, GroupFlush, GroupMember, GroupReason, GroupSpec, GroupState, Severity } from '../../core/delivery.ts';

/** Members listed in one notification; the counts cover the rest. */
export const GROUP_LIST_MAX = 20;
/** Members kept per group (storage stays small in any storm); beyond, members are counted only. */
export const GROUP_MEMBERS_MAX = 500;

const SEVERITY_ORDER: readonly Severity[] = ['critical', 'error', 'warning', 'info'];

export interface MemberInput {
  readonly key: string;
  readonly severity: Severity;
  readonly title: string;
  readonly event: { readonly source: string; readonly id: string; readonly type: string };
}

/** A decision's effect on the object: the state to store (null: unchanged, 'delete': forget it), the alarm. */
export interface GroupStep<D = null> {
  readonly next: GroupState | null | 'delete';
  readonly decision: D;
  /** Wake no later than this (the object keeps an earlier alarm). */
  readonly alarmAt?: number;
}

function fresh(spec: GroupSpec, seq: number): GroupState {
  return { spec, status: 'pending', members: {}, overflow: 0, seq, lastFlushAt: null, changed: false, notified: [], pending: null, sent: {} };
}

/** When a changed group may notify next. */
const changeDue = (s: GroupState, now: number): number => (s.lastFlushAt === null ? now : Math.max(now, s.lastFlushAt + s.spec.intervalMs));

export function decideAdd(stored: GroupState | null, input: { spec: GroupSpec; member: MemberInput }, now: number): GroupStep<'joined' | 'counted' | 'seen'> {
  const { member } = input;
  // A resolved group starts afresh; the spec follows the rules deployed now.
  // (A new cycle posts a new message: what the last one left is not carried over.)
  const state: GroupState = stored && stored.status !== 'resolved' ? { ...stored, spec: input.spec } : fresh(input.spec, stored?.seq ?? 0);
  const current = state.members[member.key];
  if (current && current.event.id === member.event.id) return { next: null, decision: 'seen' };
  if (current && current.status === 'firing') {
    const next = { ...state, members: { ...state.members, [member.key]: { ...current, lastAt: now, count: current.count + 1, event: member.event } } };
    return { next, decision: 'counted' };
  }
  if (!current && Object.keys(state.members).length >= GROUP_MEMBERS_MAX) {
    return { next: { ...state, overflow: state.overflow + 1, changed: true }, decision: 'joined', alarmAt: alarmFor(state, now) };
  }
  const joined: GroupMember = current
    ? { ...current, status: 'firing', lastAt: now, resolvedAt: null, count: current.count + 1, event: member.event, flaps: (current.flaps ?? 0) + 1 }
    : {
        key: member.key,
        status: 'firing',
        firstAt: now,
        lastAt: now,
        resolvedAt: null,
        count: 1,
        severity: member.severity,
        title: member.title,
        event: member.event,
        announced: false,
      };
  const next: GroupState = { ...state, members: { ...state.members, [member.key]: joined }, changed: true };
  return { next, decision: 'joined', alarmAt: alarmFor(state, now) };
}

/** A pending group notifies group_wait after it opened; a notified one at its next change slot. */
function alarmFor(state: GroupState, now: number): number {
  if (state.status === 'pending') {
    const opened = Math.min(now, ...Object.values(state.members).map((m) => m.firstAt));
    return opened + state.spec.waitMs;
  }
  return changeDue(state, now);
}

export function decideResolveMember(stored: GroupState | null, input: { key: string }, now: number): GroupStep<'resolved' | 'dropped' | 'nothing'> {
  const member = stored?.members[input.key];
  if (!stored || !member || member.status !== 'firing') return { next: null, decision: 'nothing' };
  if (!member.announced) {
    // Fired and resolved before any notification showed it: never announced.
    const members = { ...stored.members };
    delete members[input.key];
    const empty = Object.keys(members).length === 0;
    if (stored.status === 'pending' && empty && stored.overflow === 0) return { next: 'delete', decision: 'dropped' };
    const stillChanged = stored.status !== 'pending' && Object.values(members).some((m) => !m.announced || m.status === 'resolved');
    return { next: { ...stored, members, changed: stored.status === 'pending' ? stored.changed : stillChanged }, decision: 'dropped' };
  }
  const resolved: GroupMember = { ...member, status: 'resolved', resolvedAt: now, lastAt: now };
  const next: GroupState = { ...stored, members: { ...stored.members, [input.key]: resolved }, changed: true };
  return { next, decision: 'resolved', alarmAt: allResolved(next) ? now : changeDue(stored, now) };
}

/** Every member resolved: nothing left to collect, so the group's last notification goes at once. */
function allResolved(s: GroupState): boolean {
  return s.status === 'firing' && s.overflow === 0 && Object.values(s.members).every((m) => m.status === 'resolved');
}

/**
 * The alarm: the notification due now, if any, recorded in the state (`pending`) so that its jobs are handed
 * over again should the handing over fail; and when to wake next.
 */
export function decideFlush(stored: GroupState | null, now: number): GroupStep<GroupFlush | null> {
  if (!stored) return { next: null, decision: null };
  // A notification recorded but maybe not handed over (the alarm failed after recording it): the same again.
  if (stored.pending) return { next: null, decision: stored.pending, alarmAt: nextWake(stored, now) };
  const members = Object.values(stored.members);
  const firing = members.filter((m) => m.status === 'firing');
  const reason = reasonFor(stored, firing, now);
  if (reason === null) {
    if (stored.status === 'firing') return { next: null, decision: null, alarmAt: nextWake(stored, now) };
    if (stored.status === 'pending' && firing.length === 0 && stored.overflow === 0) return { next: 'delete', decision: null };
    return { next: null, decision: null };
  }
  const notified = new Set(stored.notified);
  const added = firing.filter((m) => !notified.has(m.key) || !m.announced).map((m) => m.key);
  const recovered = members.filter((m) => m.status === 'resolved' && notified.has(m.key)).map((m) => m.key);
  const resolved = members.filter((m) => m.status === 'resolved');
  const status = firing.length === 0 && stored.overflow === 0 ? 'resolved' : 'firing';
  const flush: GroupFlush = {
    group: stored.spec,
    seq: stored.seq + 1,
    at: now,
    reason: status === 'resolved' ? 'all_resolved' : reason,
    status,
    severity: highest((firing.length > 0 ? firing : members).map((m) => m.severity)),
    counts: { firing: firing.length + stored.overflow, resolved: resolved.length, added: added.length, recovered: recovered.length },
    alerts: [...firing.sort(newestFirst), ...resolved.sort(newestFirst)].slice(0, GROUP_LIST_MAX).map(asAlert),
    added: added.slice(0, GROUP_LIST_MAX),
    recovered: recovered.slice(0, GROUP_LIST_MAX),
  };
  // Resolved members were told once: they leave the group; the firing ones are announced now.
  const kept = Object.fromEntries(firing.map((m) => [m.key, { ...m, announced: true }]));
  const next: GroupState = {
    ...stored,
    status,
    members: kept,
    seq: flush.seq,
    lastFlushAt: now,
    changed: false,
    notified: firing.map((m) => m.key),
    pending: flush,
  };
  return { next, decision: flush, alarmAt: status === 'firing' ? now + stored.spec.repeatMs : undefined };
}

/** When a notified group wakes next: its change slot if it changed, else its repeat. */
function nextWake(s: GroupState, now: number): number | undefined {
  if (s.status !== 'firing') return undefined;
  return s.changed ? changeDue(s, now) : (s.lastFlushAt ?? now) + s.spec.repeatMs;
}

function reasonFor(s: GroupState, firing: readonly GroupMember[], now: number): GroupReason | null {
  if (s.status === 'pending') return firing.length > 0 || s.overflow > 0 ? 'first' : null;
  if (s.status === 'resolved') return null;
  if (s.changed) {
    if (allResolved(s)) return 'members_resolved';
    if (s.lastFlushAt !== null && now < s.lastFlushAt + s.spec.intervalMs) return null;
    const notified = new Set(s.notified);
    return firing.some((m) => !notified.has(m.key) || !m.announced) ? 'members_added' : 'members_resolved';
  }
  return s.lastFlushAt !== null && now >= s.lastFlushAt + s.spec.repeatMs ? 'repeat' : null;
}

/** The notification's jobs were handed over: nothing pending any more. */
export function decideHandedOver(stored: GroupState | null, seq: number): GroupState | null {
  return stored?.pending?.seq === seq ? { ...stored, pending: null } : null;
}

/** What a target's notification left (a Slack message), for the next one to update in place. */
export function decideGroupSent(
  stored: GroupState | null,
  input: { target: string; slack: { channel: string; ts: string } | null; message: object | null },
): GroupState | null {
  if (!stored) return null;
  const previous = stored.sent[input.target];
  return {
    ...stored,
    sent: { ...stored.sent, [input.target]: { slack: input.slack ?? previous?.slack ?? null, message: input.message ?? previous?.message ?? null } },
  };
}

const newestFirst = (a: GroupMember, b: GroupMember): number => b.lastAt - a.lastAt;

function highest(severities: readonly Severity[]): Severity {
  return SEVERITY_ORDER.find((s) => severities.includes(s)) ?? 'error';
}

function asAlert(m: GroupMember): GroupAlert {
  return { key: m.key, status: m.status, title: m.title, severity: m.severity, count: m.count, startsAt: m.firstAt, endsAt: m.resolvedAt, event: m.event };
}
