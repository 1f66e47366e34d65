/**
 * An alert's lifecycle as pure decisions over its stored state, `now` passed in (the model: Alertmanager's
 * `needsUpdate` in notify/dedup_stage.go). The alert's Durable Object (state/alert.ts) loads the state, calls
 * one of these, stores `next` and sets the alarm it asks for — nothing else.
 *
 *   trigger   first event for a target → send (the target is reserved for this job, so two events racing
 *             for one alert post once); a repeat within the route's repeat_interval → counted, not sent
 *   flap      an alert resolved less than a flap window ago (or whose resolve is held) re-opens as the same
 *             alert: the re-opening event's jobs update what each target shows, except a target whose
 *             resolve closed it (a PagerDuty incident), notified once more
 *   resolve   firing → resolved, with a snapshot of every target it reached (the caller queues one resolve
 *             effect per target); while flapping the resolve is held one flap window (alarm); not firing →
 *             nothing visible
 *   alarm     a held resolve that stayed quiet → resolved, with its effects; a resolved alert → forgotten
 */
import type { AlertState, AlertTarget, GroupSpec, PendingResolve, PostedMessage, ResolveDecision, TriggerDecision } from '../../core/delivery.ts';

/** A resolved alert is forgotten after this long (a later trigger opens a new one anyway). */
export const FORGET_AFTER_MS = 30 * 86_400_000;
/** Events remembered per alert (so that several jobs of one event count it once). */
const KEEP_EVENTS = 50;

/** What the object does after a decision: the state to store (null: unchanged) and the alarm to set or clear. */
export interface Step<D> {
  readonly next: AlertState | null;
  readonly decision: D;
  readonly alarm?: { readonly at: number } | 'delete';
}

export interface TriggerInput {
  readonly key: string;
  readonly target: string;
  readonly kind: string;
  readonly jobId: string;
  readonly eventId: string;
  readonly title: string;
  readonly repeatIntervalMs: number;
  readonly flapWindowMs?: number;
  /** A resolve closed what this target showed (a PagerDuty incident): a flap must notify it again. */
  readonly reopensClosed?: boolean;
}

export function decideTrigger(stored: AlertState | null, input: TriggerInput, now: number): Step<TriggerDecision> {
  const flapped = decideFlap(stored, input, now);
  if (flapped.decision) return { next: flapped.next, decision: flapped.decision, ...(flapped.alarm ? { alarm: flapped.alarm } : {}) };
  const current = flapped.next ?? stored;
  const open = current && current.status === 'firing' ? current : null;
  const base = open ?? opened(input, now);
  const seen = base.events ?? [];
  const firstForEvent = !seen.includes(input.eventId);
  const target = base.targets[input.target];
  const repeat = !!target && target.jobId !== input.jobId && (target.sentAt === null || now - target.sentAt < input.repeatIntervalMs);
  const next: AlertState = {
    ...base,
    lastSeen: now,
    count: base.count + (firstForEvent ? 1 : 0),
    suppressed: base.suppressed + (repeat ? 1 : 0),
    events: firstForEvent ? [...seen, input.eventId].slice(-KEEP_EVENTS) : seen,
    targets: repeat
      ? base.targets
      : {
          ...base.targets,
          [input.target]: {
            kind: input.kind,
            jobId: input.jobId,
            sentAt: target?.jobId === input.jobId ? target.sentAt : null,
            slack: target?.slack ?? null,
            replyTs: target?.replyTs ?? null,
            dedupKey: target?.dedupKey ?? null,
            message: target?.message ?? null,
          },
        },
  };
  if (!repeat || !target) return { next, decision: { do: 'send' }, alarm: 'delete' };
  return { next, decision: { do: 'repeat', count: next.count, openedAt: next.openedAt, slack: target.slack, replyTs: target.replyTs }, alarm: 'delete' };
}

/**
 * The flap path of a trigger: a decision, or none for the ordinary path (with the state as it now stands,
 * re-opened when it flapped).
 */
function decideFlap(
  stored: AlertState | null,
  input: TriggerInput,
  now: number,
): { next: AlertState | null; decision: TriggerDecision | null; alarm?: 'delete' } {
  if (!stored) return { next: null, decision: null };
  let state = stored;
  let changed = false;
  const window = input.flapWindowMs ?? 0;
  const reopened = state.status === 'resolved' && state.resolvedAt !== null && window > 0 && now - state.resolvedAt < window;
  const held = state.status === 'firing' && !!state.pendingResolve;
  if (reopened || held) {
    state = {
      ...state,
      status: 'firing',
      resolvedAt: null,
      resolvedBy: null,
      pendingResolve: null,
      flaps: (state.flaps ?? 0) + 1,
      flapEvent: input.eventId,
      count: state.count + 1,
      events: [...(state.events ?? []), input.eventId].slice(-KEEP_EVENTS),
      lastSeen: now,
    };
    changed = true;
  } else if (state.status !== 'firing' || state.flapEvent !== input.eventId) return { next: null, decision: null };
  const alarm = held ? ({ alarm: 'delete' } as const) : {};
  const t = state.targets[input.target];
  if (!t || t.sentAt === null || t.jobId === input.jobId) return { next: changed ? state : null, decision: null, ...alarm };
  if (input.reopensClosed && t.closed) {
    const next = { ...state, targets: { ...state.targets, [input.target]: { ...t, jobId: input.jobId, sentAt: null, closed: false } } };
    return { next, decision: { do: 'send' }, ...alarm };
  }
  return { next: changed ? state : null, decision: { do: 'flap', flaps: state.flaps ?? 1, count: state.count, slack: t.slack, message: t.message }, ...alarm };
}

export interface SentInput {
  readonly target: string;
  readonly jobId: string;
  readonly slack: { readonly channel: string; readonly ts: string } | null;
  readonly dedupKey: string | null;
  readonly message: PostedMessage | null;
}

/** What a sent notification left behind (Slack ts, PagerDuty dedup key), for updates and the resolve. */
export function decideSent(state: AlertState | null, input: SentInput, now: number): AlertState | null {
  const t = state?.targets[input.target];
  if (!state || !t || t.jobId !== input.jobId) return null;
  const updated: AlertTarget = {
    ...t,
    sentAt: now,
    slack: input.slack ?? t.slack,
    dedupKey: input.dedupKey ?? t.dedupKey,
    message: input.message ?? t.message,
  };
  return { ...state, targets: { ...state.targets, [input.target]: updated } };
}

/** The ts of the quiet "happened again" reply in a Slack thread, so the next repeat updates it. */
export function decideReplied(state: AlertState | null, target: string, replyTs: string): AlertState | null {
  const t = state?.targets[target];
  return state && t ? { ...state, targets: { ...state.targets, [target]: { ...t, replyTs } } } : null;
}

/** A send that failed for good frees the target, so the next event for this alert is sent, not counted. */
export function decideFailed(state: AlertState | null, target: string, jobId: string): AlertState | null {
  if (!state || state.targets[target]?.jobId !== jobId) return null;
  const targets = { ...state.targets };
  delete targets[target];
  return { ...state, targets };
}

/**
 * A member of a group fired: the alert opens (or stays open) and remembers its group, so that a resolving
 * event — matched by another route — finds where to resolve it. Counted once per event.
 */
export function decideJoin(state: AlertState | null, input: { key: string; eventId: string; title: string; group: GroupSpec }, now: number): AlertState | null {
  if (state && state.status === 'firing' && state.group?.id === input.group.id && (state.events ?? []).includes(input.eventId)) return null;
  const open = state && state.status === 'firing' ? state : null;
  const base = open ?? opened(input, now);
  const seen = base.events ?? [];
  const first = !seen.includes(input.eventId);
  return {
    ...base,
    lastSeen: now,
    count: base.count + (first ? 1 : 0),
    events: first ? [...seen, input.eventId].slice(-KEEP_EVENTS) : seen,
    group: input.group,
  };
}

export interface ResolveInput {
  readonly eventId: string;
  readonly hold?: { readonly pending: Omit<PendingResolve, 'at'>; readonly flapWindowMs: number };
}

export function decideResolve(state: AlertState | null, input: ResolveInput, now: number): Step<ResolveDecision> {
  if (!state) return { next: null, decision: { do: 'nothing', why: 'no alert with this key is open' } };
  if (state.status === 'resolved') {
    if (state.resolvedBy !== input.eventId) return { next: null, decision: { do: 'nothing', why: 'the alert is already resolved' } };
    return { next: null, decision: state.group ? { do: 'group', group: state.group } : { do: 'resolve', alert: state } };
  }
  if (state.group) {
    const resolved: AlertState = { ...state, status: 'resolved', resolvedAt: now, lastSeen: now, resolvedBy: input.eventId };
    return { next: resolved, decision: { do: 'group', group: state.group }, alarm: { at: now + FORGET_AFTER_MS } };
  }
  const hold = input.hold;
  if (state.pendingResolve)
    return { next: null, decision: { do: 'hold', until: state.pendingResolve.at + (hold?.flapWindowMs ?? 0), flaps: state.flaps ?? 0 } };
  if ((state.flaps ?? 0) > 0 && hold && hold.flapWindowMs > 0) {
    // Flapping: wait one window before resolving, so that a re-open inside it is no new notification.
    return {
      next: { ...state, pendingResolve: { ...hold.pending, at: now }, lastSeen: now },
      decision: { do: 'hold', until: now + hold.flapWindowMs, flaps: state.flaps ?? 0 },
      alarm: { at: now + hold.flapWindowMs },
    };
  }
  const resolved: AlertState = { ...closeAll(state), status: 'resolved', resolvedAt: now, lastSeen: now, resolvedBy: input.eventId };
  return { next: resolved, decision: { do: 'resolve', alert: resolved }, alarm: { at: now + FORGET_AFTER_MS } };
}

/**
 * The alarm: a resolved alert is forgotten (`forget`); a held resolve that stayed quiet for a whole window
 * resolves now, everywhere the alert was sent (`resolve`: the caller emits the effects for `reached`).
 */
export type AlarmDecision =
  { readonly do: 'forget' } | { readonly do: 'nothing' } | { readonly do: 'resolve'; readonly pending: PendingResolve; readonly reached: readonly string[] };

export function decideAlarm(state: AlertState | null, now: number): Step<AlarmDecision> {
  if (!state) return { next: null, decision: { do: 'nothing' } };
  if (state.status === 'resolved') return { next: null, decision: { do: 'forget' } };
  const pending = state.pendingResolve;
  if (!pending) return { next: null, decision: { do: 'nothing' } };
  const reached = Object.entries(state.targets)
    .filter(([, t]) => t.sentAt !== null)
    .map(([name]) => name);
  return {
    next: { ...closeAll(state), status: 'resolved', resolvedAt: now, lastSeen: now, resolvedBy: pending.eventId, pendingResolve: null },
    decision: { do: 'resolve', pending, reached },
    alarm: { at: now + FORGET_AFTER_MS },
  };
}

/** A new alert, firing from now, with nothing sent yet. */
function opened(input: { key: string; title: string }, now: number): AlertState {
  return {
    key: input.key,
    status: 'firing',
    openedAt: now,
    lastSeen: now,
    resolvedAt: null,
    count: 0,
    suppressed: 0,
    title: input.title,
    targets: {},
    resolvedBy: null,
  };
}

function closeAll(state: AlertState): AlertState {
  return { ...state, targets: Object.fromEntries(Object.entries(state.targets).map(([name, t]) => [name, { ...t, closed: true }])) };
}
