/**
 * One Durable Object per alert key (named `alert:<key>`): the alert's lifecycle across stateless vendor
 * events. Firing or resolved; first and last seen; how many times it fired; for each target it was sent to,
 * what a later update needs (Slack channel and ts, the thread reply's ts; PagerDuty's dedup key).
 *
 *   trigger   first event for a target → send (the target is reserved for this job, so two events racing
 *             for one alert post once); a repeat within the route's repeat_interval → counted, not sent
 *             (a Slack target gets one quiet thread reply, updated with the count)
 *   resolve   firing → resolved, with a snapshot of every target the alert reached: the caller queues one
 *             resolve effect per target (PagerDuty resolve, Slack message updated in place); not firing →
 *             nothing visible
 *   flapping  re-opened within the flap window after its resolve: the same alert again (its Slack message is
 *             turned back, no new post; PagerDuty, resolved meanwhile, is paged once more). From then on a
 *             resolve is held for one flap window (alarm), and a re-open inside it cancels the hold, so the
 *             cycles only update the Slack message's count; the alarm sends the resolve once it stays quiet.
 * Single-threaded per key, so every decision here is atomic.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';
import type { TargetKind } from '../rules/config.ts';
import type { SlackMessage } from '../targets/slack/render.ts';
import { JOB_MESSAGE_VERSION, resolveEffects } from '../core/jobs.ts';
import { enqueue } from './event-ledger.ts';
import type { AlertState, AlertTarget, PendingResolve, ResolveDecision, TriggerDecision } from '../core/delivery.ts';

const STATE = 'state';
/** A resolved alert is forgotten after this long (a later trigger opens a new one anyway). */
const FORGET_AFTER_MS = 30 * 86_400_000;

export class AlertObject extends DurableObject<Env> {
  async trigger(input: {
    key: string;
    target: string;
    kind: TargetKind;
    jobId: string;
    eventId: string;
    title: string;
    repeatIntervalMs: number;
    flapWindowMs?: number;
  }): Promise<TriggerDecision> {
    const now = Date.now();
    const { decision, state: current } = await this.flap(await this.ctx.storage.get<AlertState>(STATE), input, now);
    if (decision) return decision;
    const open = current && current.status === 'firing' ? current : null;
    const base: AlertState = open ?? {
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
    const seen = base.events ?? [];
    const firstForEvent = !seen.includes(input.eventId);
    const target = base.targets[input.target];
    const repeat = target && target.jobId !== input.jobId && (target.sentAt === null || now - target.sentAt < input.repeatIntervalMs);
    const next: AlertState = {
      ...base,
      lastSeen: now,
      count: base.count + (firstForEvent ? 1 : 0),
      suppressed: base.suppressed + (repeat ? 1 : 0),
      events: firstForEvent ? [...seen, input.eventId].slice(-50) : seen,
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
    await this.ctx.storage.put(STATE, next);
    await this.ctx.storage.deleteAlarm();
    if (!repeat) return { do: 'send' };
    return { do: 'repeat', count: next.count, openedAt: next.openedAt, slack: target.slack, replyTs: target.replyTs };
  }

  /**
   * The flap path of a trigger (a decision), or none for the ordinary one; with the state as it now stands. An
   * alert resolved less than a flap window ago, or whose resolve is being held, re-opens as the same alert (one
   * flap); the re-opening event's jobs then update what each target shows, except a PagerDuty target whose
   * incident was closed: paged once more.
   */
  private async flap(
    stored: AlertState | undefined,
    input: { target: string; jobId: string; eventId: string; flapWindowMs?: number },
    now: number,
  ): Promise<{ readonly decision: TriggerDecision | null; readonly state: AlertState | undefined }> {
    let state = stored;
    if (!state) return { decision: null, state };
    const window = input.flapWindowMs ?? 0;
    const reopened = state.status === 'resolved' && state.resolvedAt !== null && window > 0 && now - state.resolvedAt < window;
    const held = state.status === 'firing' && !!state.pendingResolve;
    if (reopened || held) {
      if (held) await this.ctx.storage.deleteAlarm();
      state = {
        ...state,
        status: 'firing',
        resolvedAt: null,
        resolvedBy: null,
        pendingResolve: null,
        flaps: (state.flaps ?? 0) + 1,
        flapEvent: input.eventId,
        count: state.count + 1,
        events: [...(state.events ?? []), input.eventId].slice(-50),
        lastSeen: now,
      };
      await this.ctx.storage.put(STATE, state);
    } else if (state.status !== 'firing' || state.flapEvent !== input.eventId) return { decision: null, state };
    const t = state.targets[input.target];
    if (!t || t.sentAt === null || t.jobId === input.jobId) return { decision: null, state };
    if (t.kind === 'pagerduty' && t.closed) {
      await this.ctx.storage.put(STATE, { ...state, targets: { ...state.targets, [input.target]: { ...t, jobId: input.jobId, sentAt: null, closed: false } } });
      return { decision: { do: 'send' }, state };
    }
    return { decision: { do: 'flap', flaps: state.flaps ?? 1, count: state.count, slack: t.slack, message: t.message }, state };
  }

  /** What a sent notification left behind (Slack ts, PD dedup key), for updates and the resolve. */
  async sent(input: {
    target: string;
    jobId: string;
    slack: { channel: string; ts: string } | null;
    dedupKey: string | null;
    message: SlackMessage | null;
  }): Promise<void> {
    const state = await this.ctx.storage.get<AlertState>(STATE);
    const t = state?.targets[input.target];
    if (!state || !t || t.jobId !== input.jobId) return;
    const updated: AlertTarget = {
      ...t,
      sentAt: Date.now(),
      slack: input.slack ?? t.slack,
      dedupKey: input.dedupKey ?? t.dedupKey,
      message: input.message ?? t.message,
    };
    await this.ctx.storage.put(STATE, { ...state, targets: { ...state.targets, [input.target]: updated } });
  }

  /** The ts of the quiet "happened again" reply in a Slack thread, so the next repeat updates it. */
  async replied(target: string, replyTs: string): Promise<void> {
    const state = await this.ctx.storage.get<AlertState>(STATE);
    const t = state?.targets[target];
    if (!state || !t) return;
    await this.ctx.storage.put(STATE, { ...state, targets: { ...state.targets, [target]: { ...t, replyTs } } });
  }

  /** A send that failed for good frees the target, so the next event for this alert is sent, not counted. */
  async failed(target: string, jobId: string): Promise<void> {
    const state = await this.ctx.storage.get<AlertState>(STATE);
    if (!state || state.targets[target]?.jobId !== jobId) return;
    const targets = { ...state.targets };
    delete targets[target];
    await this.ctx.storage.put(STATE, { ...state, targets });
  }

  async resolve(eventId: string, hold?: { readonly pending: Omit<PendingResolve, 'at'>; readonly flapWindowMs: number }): Promise<ResolveDecision> {
    const state = await this.ctx.storage.get<AlertState>(STATE);
    if (!state) return { do: 'nothing', why: 'no alert with this key is open' };
    if (state.status === 'resolved') {
      return state.resolvedBy === eventId ? { do: 'resolve', alert: state } : { do: 'nothing', why: 'the alert is already resolved' };
    }
    const now = Date.now();
    if (state.pendingResolve) return { do: 'hold', until: state.pendingResolve.at + (hold?.flapWindowMs ?? 0), flaps: state.flaps ?? 0 };
    if ((state.flaps ?? 0) > 0 && hold && hold.flapWindowMs > 0) {
      // Flapping: wait one window before resolving, so that a re-open inside it is no new notification.
      await this.ctx.storage.put(STATE, { ...state, pendingResolve: { ...hold.pending, at: now }, lastSeen: now });
      await this.ctx.storage.setAlarm(now + hold.flapWindowMs);
      return { do: 'hold', until: now + hold.flapWindowMs, flaps: state.flaps ?? 0 };
    }
    const resolved: AlertState = { ...closeAll(state), status: 'resolved', resolvedAt: now, lastSeen: now, resolvedBy: eventId };
    await this.ctx.storage.put(STATE, resolved);
    await this.ctx.storage.setAlarm(now + FORGET_AFTER_MS);
    return { do: 'resolve', alert: resolved };
  }

  async state(): Promise<AlertState | null> {
    return (await this.ctx.storage.get<AlertState>(STATE)) ?? null;
  }

  override async alarm(): Promise<void> {
    const state = await this.ctx.storage.get<AlertState>(STATE);
    if (!state) return;
    if (state.status === 'resolved') {
      await this.ctx.storage.deleteAll();
      return;
    }
    const pending = state.pendingResolve;
    if (!pending) return;
    // The flapping alert stayed quiet for a whole window: resolve it now, everywhere it was sent.
    const now = Date.now();
    const reached = Object.entries(state.targets)
      .filter(([, t]) => t.sentAt !== null)
      .map(([name]) => name);
    const origin = { v: JOB_MESSAGE_VERSION, id: '', event: pending.eventKey, routeIndex: pending.routeIndex, route: pending.route, target: '' } as const;
    const effects = await resolveEffects(origin, state.key, reached);
    await this.env.EVENTS.getByName(pending.eventKey).addJobs(effects);
    if (this.env.JOBS) await enqueue(this.env, effects);
    await this.ctx.storage.put(STATE, {
      ...closeAll(state),
      status: 'resolved',
      resolvedAt: now,
      lastSeen: now,
      resolvedBy: pending.eventId,
      pendingResolve: null,
    });
    await this.ctx.storage.setAlarm(now + FORGET_AFTER_MS);
  }
}

function closeAll(state: AlertState): AlertState {
  return { ...state, targets: Object.fromEntries(Object.entries(state.targets).map(([name, t]) => [name, { ...t, closed: true }])) };
}
