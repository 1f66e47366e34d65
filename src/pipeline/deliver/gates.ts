/**
 * The gates a job passes before anything is sent, in order; each lets it go on or settles it:
 *   paused      a paused target's job is parked, to be re-queued on resume (never dropped)
 *   handOver    a resolving event closes its alert once and queues one resolve effect per target reached
 *   windows     outside `active_when` / inside `mute_when` → held (resolves always go through)
 *   silences    a matching silence → held (resolves always go through)
 *   grouping    a grouping route's event joins its group as a member; the group notifies (its own jobs)
 *   lifecycle   an alert's trigger: send, a repeat (counted; a quiet thread note), or a flap (relabelled)
 *   budget      a page beyond its route's budget is held for the digest
 *   paced       the receiver's send slot: a short wait is slept out, a long one re-queues the job
 * Held notifications still show, greyed, in the local inbox. Effects (a resolve's, a digest) pass only
 * `paused` and `paced`: they carry what already happened; a group's notification also passes `budget` (its
 * first one is one page).
 */
import { durationText } from '../../core/units.ts';
import { timeMute } from '../../rules/time-intervals.ts';
import { DEFAULT_FLAP_WINDOW_MS, DEFAULT_REPEAT_INTERVAL_MS, repeatText } from '../lifecycle.ts';
import { resolveEffects } from '../../core/jobs.ts';
import { silencedBy, silenceNote } from '../silences.ts';
import { summarize } from '../../render/summary.ts';
import type { GroupFlush } from '../../core/delivery.ts';
import { groupSpec } from '../group-key.ts';
import { showHeldInInbox } from './attempt.ts';
import { logFields, sendContext, settled, suppress, type JobContext, type Stage, type Step } from './context.ts';

const go = (ctx: JobContext): Step => ({ go: ctx });
const isResolve = (ctx: JobContext): boolean => ctx.route.action === 'resolve';
const isTrigger = (ctx: JobContext): boolean => (ctx.route.action ?? 'trigger') === 'trigger';

export const paused: Stage = async (ctx) => {
  const { job, deps } = ctx;
  if (!deps.batch.paused.has(job.target) || !(await deps.stores.park(job))) return go(ctx);
  await ctx.ledger.release(job.id, 'parked', `target "${job.target}" is paused`);
  return { stop: settled(job, deps, 'parked') };
};

export const handOver: Stage = async (ctx) => {
  const { job, route, alertKey: key, event, deps } = ctx;
  if (!key || !isResolve(ctx)) return go(ctx);
  const r = await deps.stores.alertFor(key).resolve(event.id, {
    pending: { eventKey: job.event, eventId: event.id, routeIndex: job.routeIndex, route: job.route },
    flapWindowMs: route.flapWindowMs ?? DEFAULT_FLAP_WINDOW_MS,
  });
  if (r.do === 'nothing') return suppress(ctx, `resolve of alert ${key}: ${r.why}; nothing sent`);
  if (r.do === 'hold')
    return suppress(ctx, `resolve of flapping alert ${key} (×${r.flaps}) held until ${new Date(r.until).toISOString()}: sent then unless it re-opens`);
  if (r.do === 'group') {
    const outcome = await deps.stores.groupFor(r.group.id).resolveMember(key);
    const said =
      outcome === 'dropped'
        ? 'it resolved before any notification showed it: never announced'
        : outcome === 'resolved'
          ? "in the group's next notification"
          : 'the group had it resolved already';
    return suppress(ctx, `resolve of alert ${key}, a member of group ${r.group.key}: ${said}`);
  }
  const reached = Object.entries(r.alert.targets)
    .filter(([, t]) => t.sentAt !== null)
    .map(([name]) => name);
  const effects = await resolveEffects(job, key, reached);
  await ctx.ledger.addJobs(effects);
  await deps.dispatch(effects);
  return suppress(ctx, `resolved alert ${key}: update queued for ${reached.join(', ') || 'no target'}`);
};

export const windows: Stage = async (ctx) => {
  if (isResolve(ctx)) return go(ctx);
  const muted = timeMute(ctx.route, ctx.deps.rules.timeIntervals ?? {}, ctx.deps.clock.now());
  return muted ? held(ctx, muted) : go(ctx);
};

export const silences: Stage = async (ctx) => {
  if (isResolve(ctx)) return go(ctx);
  const { event, route, job, alertKey, deps } = ctx;
  const silence = silencedBy(deps.batch.silences, { event, route: route.name, target: job.target, alertKey }, deps.clock.now());
  return silence ? held(ctx, silenceNote(silence)) : go(ctx);
};

async function held(ctx: JobContext, why: string): Promise<Step> {
  await showHeldInInbox(ctx, why);
  return suppress(ctx, why);
}

/**
 * A grouping route's event joins its group as a member (its alert key, or the event itself) and is notified
 * with the group (state/group.ts): the job itself sends nothing. Silences and time windows acted on it
 * already, as a member; its alert remembers the group, so that a resolve finds it.
 */
export const grouping: Stage = async (ctx) => {
  const { route, event, alertKey, deps } = ctx;
  if (!route.group || !isTrigger(ctx)) return go(ctx);
  const spec = await groupSpec(route, event, { index: ctx.job.routeIndex, repeatMs: route.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS });
  const summary = summarize(event);
  const member = {
    key: alertKey ?? `event:${event.id}`,
    severity: route.severity ?? summary.severity,
    title: summary.title,
    event: { source: event.source, id: event.id, type: event.type },
  };
  if (alertKey) await deps.stores.alertFor(alertKey).join({ key: alertKey, eventId: event.id, title: event.type, group: spec });
  const joined = await deps.stores.groupFor(spec.id).add(spec, member);
  return suppress(ctx, `grouped: ${member.key} is a member of ${spec.key} (${joined}); notified with the group (GET /admin/groups/${spec.id})`);
};

export const lifecycle: Stage = async (ctx) => {
  const { job, route, alertKey: key, event, deps, targetKind } = ctx;
  if (!key || !isTrigger(ctx)) return go(ctx);
  const alert = deps.stores.alertFor(key);
  const d = await alert.trigger({
    key,
    target: job.target,
    kind: ctx.target.kind,
    jobId: job.id,
    eventId: event.id,
    title: event.type,
    repeatIntervalMs: route.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS,
    flapWindowMs: route.flapWindowMs ?? DEFAULT_FLAP_WINDOW_MS,
    reopensClosed: !!targetKind.lifecycle?.resolveWith,
  });
  if (d.do === 'send') return go({ ...ctx, alert });
  const inPlace = targetKind.lifecycle?.inPlace?.(ctx.target) ?? null;
  if (d.do === 'repeat') {
    // A repeat of an open alert: counted, not sent; what the target shows gets one quiet note, updated each time.
    let noted = '';
    if (inPlace && d.slack) {
      const note = await inPlace.note(d.slack, repeatText(d.count, deps.clock.now()), d.replyTs, sendContext(ctx));
      if (note.replyTs && !d.replyTs) await alert.replied(job.target, note.replyTs);
      // Best effort: a thread note that fails is not worth a retry of the job.
      noted = note.outcome.kind === 'ok' ? `; noted in the ${targetKind.label} thread` : `; the thread note failed (${note.outcome.reason})`;
    }
    return suppress(ctx, `repeat of an open alert (×${d.count}), within repeat_interval${noted}`);
  }
  // A flapping alert re-opened: what the target shows is turned back to firing with the count; nothing new is posted.
  let noted = '';
  if (inPlace && d.slack && d.message) {
    const sent = { kind: ctx.target.kind, jobId: '', sentAt: null, slack: d.slack, replyTs: null, dedupKey: null, message: d.message };
    const outcome = await inPlace.relabel(sent, { as: 'flapping', flaps: d.flaps, count: d.count }, null, sendContext(ctx));
    noted = outcome.kind === 'ok' ? `; ${targetKind.label} message updated` : `; the ${targetKind.label} update failed (${outcome.reason})`;
  }
  return suppress(ctx, `flapping: re-opened ×${d.flaps} within flap_window, collapsed into the open alert${noted}`);
};

export const budget: Stage = async (ctx) => {
  const { job, route, event, deps } = ctx;
  const b = route.pageBudget;
  if (!b || !ctx.targetKind.pages || !isTrigger(ctx)) return go(ctx);
  // A group's page counts once: its first notification; its updates and resolve are the same incident.
  if (job.effect?.kind === 'group' && (event.data as GroupFlush).reason !== 'first') return go(ctx);
  const r = await deps.stores.budgetFor(route.name).take({
    route: route.name,
    ...b,
    page: { jobId: job.id, source: event.source, eventId: event.id, type: event.type, at: deps.clock.now() },
  });
  if (r.ok) return go(ctx);
  if (ctx.alert) await ctx.alert.failed(job.target, job.id);
  return suppress(
    ctx,
    `held back: paging budget of ${b.max} per ${durationText(b.perMs)} used up (${r.heldCount} held); in the digest to ${b.digestTo} at ${new Date(r.digestAt).toISOString()}`,
  );
};

/** Waits up to this long are slept out; longer ones re-queue the job. */
const SLEEP_UP_TO_MS = 2000;

export const paced: Stage = async (ctx) => {
  const { job, target, targetKind, deps } = ctx;
  const interval = target.paceMs ?? targetKind.pace.defaultMs;
  if (interval <= 0) return go(ctx);
  const wait = await deps.stores.paceFor(targetKind.pace.receiver(target, job.target), job.id, interval);
  if (wait <= 0) return go(ctx);
  if (wait <= SLEEP_UP_TO_MS) {
    await deps.clock.sleep(wait);
    return go(ctx);
  }
  await ctx.ledger.release(job.id, 'queued', `paced: waiting ${Math.ceil(wait / 1000)}s for a send slot`, wait);
  deps.log.log('info', 'delivery.paced', { ...logFields(job, ctx.event), wait_ms: wait });
  return { stop: { kind: 'retry', delayMs: wait, why: 'paced' } };
};
