/**
 * The delivery flow for one job, one attempt, as the queue consumer runs it:
 *   1. claim      the job in its event's ledger: refused once delivered or dead, or while another consumer
 *                 holds it (Queues deliver at least once: this is what keeps a copy from sending twice)
 *   2. resolve    target and route in the current rules (gone since routing → dead letter)
 *   3. pause      a paused target's job is parked, to be re-queued on resume (never dropped)
 *   4. render     pure; a template failure falls back to the default format
 *   5. send       the only I/O to the outside, one attempt, classified by the target
 *   6. decide     pure: delivered, retry after a delay, or dead letter (pipeline/retry.ts)
 *   7. record     the attempt and the decision in the ledger; one log line
 * The queue consumer (src/queue.ts) and the inline fallback (pipeline/inline.ts) turn the result into
 * ack / retry / dead-letter. Time, randomness, fetch and the stores are passed in.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { Logger } from '../core/log.ts';
import type { RouteConfig, RulesConfig, TargetConfig } from '../rules/config.ts';
import type { EnvLookup } from '../core/interpolate.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { describeError, retryable, type Outcome, type Receipt } from '../core/outcome.ts';
import { renderNotification } from '../targets/registry.ts';
import { sendSlackThreadOp } from '../targets/slack/send.ts';
import type { SlackMessage } from '../targets/slack/render.ts';
import type { Notification } from '../targets/registry.ts';
import { timeMute } from '../rules/time-intervals.ts';
import { silencedBy, silenceNote } from './silences.ts';
import { resolveEffects, type DeliveryJob } from '../core/jobs.ts';
import {
  alertKeyFor,
  DEFAULT_FLAP_WINDOW_MS,
  DEFAULT_REPEAT_INTERVAL_MS,
  durationText,
  flappingSlackMessage,
  repeatText,
  resolvedReplyText,
  resolvedSlackMessage,
} from './lifecycle.ts';
import { sendOrInbox, showHeld, type InboxSink } from './inbox-sink.ts';
import type { SlackThreadOp } from '../targets/slack/send.ts';
import { ok as okOutcome, permanent as permanentOutcome } from '../core/outcome.ts';
import { decide } from './retry.ts';
import { type RetryPolicy, type AttemptRecord, type Claim, type AlertState, type PendingResolve, type ResolveDecision, type TriggerDecision, type Silence, type HeldPage, type TakeResult, DEFAULT_RETRY_POLICY, type Decision } from '../core/delivery.ts';

/** The event ledger as delivery sees it (one Durable Object per event, behind `ledgerFor`). */
export interface JobLedger {
  claim(jobId: string): Promise<Claim>;
  finish(jobId: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): Promise<void>;
  release(jobId: string, status: 'parked' | 'queued', why: string | null, inMs?: number | null): Promise<void>;
  markDead(jobId: string, why: string): Promise<unknown>;
  suppress(jobId: string, why: string): Promise<void>;
  addJobs(jobs: readonly DeliveryJob[]): Promise<void>;
}

/** One alert's lifecycle (src/state/alert.ts) as delivery uses it. */
export interface AlertLedger {
  trigger(input: {
    key: string;
    target: string;
    kind: TargetConfig['kind'];
    jobId: string;
    eventId: string;
    title: string;
    repeatIntervalMs: number;
    flapWindowMs?: number;
  }): Promise<TriggerDecision>;
  sent(input: {
    target: string;
    jobId: string;
    slack: { channel: string; ts: string } | null;
    dedupKey: string | null;
    message: SlackMessage | null;
  }): Promise<void>;
  replied(target: string, replyTs: string): Promise<void>;
  failed(target: string, jobId: string): Promise<void>;
  resolve(eventId: string, hold?: { pending: Omit<PendingResolve, 'at'>; flapWindowMs: number }): Promise<ResolveDecision>;
  state(): Promise<AlertState | null>;
}

export interface DeliverDeps {
  readonly rules: Pick<RulesConfig, 'targets' | 'timeIntervals'>;
  readonly ruleSet: Pick<RuleSet, 'size' | 'route'>;
  readonly env: EnvLookup;
  readonly fetch: typeof fetch;
  readonly now: () => number;
  readonly random: () => number;
  readonly log: Logger;
  readonly ledgerFor: (eventKey: string) => JobLedger;
  /** Targets paused when the batch started; `park` re-checks, atomically. */
  readonly paused: ReadonlySet<string>;
  readonly park: (job: DeliveryJob) => Promise<boolean>;
  /** Overrides each target's retry policy (the inline fallback's short in-request schedule). */
  readonly policyFor?: (target: string, policy: RetryPolicy) => RetryPolicy;
  /** The alert of a key (one Durable Object per key). */
  readonly alertFor: (key: string) => AlertLedger;
  /** Queues follow-up jobs (a resolve's effects), or delivers them in the background without a queue. */
  readonly dispatch: (jobs: readonly DeliveryJob[]) => Promise<void>;
  /** Silences not yet over when the batch started. */
  readonly silences: readonly Silence[];
  /** The send slot of a job at a paced receiver (one Durable Object per Slack channel or PagerDuty key): ms to wait. */
  readonly paceFor: (receiver: string, jobId: string, intervalMs: number) => Promise<number>;
  /** Waits (short pacing waits are slept out in place). */
  readonly sleep: (ms: number) => Promise<void>;
  /** The local inbox, when on: takes the notifications of targets without credentials. */
  readonly inbox: InboxSink | null;
  /** The paging budget of a route (one Durable Object per route). */
  readonly budgetFor: (route: string) => { take(input: { route: string; max: number; perMs: number; digestTo: string; page: HeldPage }): Promise<TakeResult> };
}

export type JobResult =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly why: string }
  | { readonly kind: 'dead'; readonly why: string }
  /** Nothing to do: delivered before (a redelivered message), parked for a paused target, or suppressed. */
  | { readonly kind: 'settled'; readonly why: 'already_delivered' | 'parked' | 'suppressed' }
  /**
   * The ledger has no such job: its event's record is not written yet (the jobs are queued first, and a
   * failed write is redone by the vendor's retry) or is past its retention. The caller decides by age.
   */
  | { readonly kind: 'missing' };

export async function deliverJob(job: DeliveryJob, deps: DeliverDeps): Promise<JobResult> {
  const ledger = deps.ledgerFor(job.event);
  const claim = await ledger.claim(job.id);
  switch (claim.kind) {
    case 'delivered':
      return settled(job, deps, 'already_delivered');
    case 'suppressed':
      return settled(job, deps, 'suppressed');
    case 'dead':
      return { kind: 'dead', why: claim.why };
    case 'busy':
      return { kind: 'retry', delayMs: Math.max(1000, claim.retryInMs), why: 'another consumer holds this job' };
    case 'missing':
      return { kind: 'missing' };
    case 'go':
      break;
  }

  const target = Object.hasOwn(deps.rules.targets, job.target) ? deps.rules.targets[job.target] : undefined;
  const route = findRoute(deps.ruleSet, job);
  const gone = !target ? `target "${job.target}" is no longer in the rules` : !route ? `route "${job.route}" is no longer in the rules` : null;
  if (gone || !target || !route) {
    await ledger.markDead(job.id, gone!);
    logDecision(deps, job, claim.event, { action: 'dead', why: gone! }, null, 0, claim.attempt);
    return { kind: 'dead', why: gone! };
  }

  if (deps.paused.has(job.target) && (await deps.park(job))) {
    await ledger.release(job.id, 'parked', `target "${job.target}" is paused`);
    return settled(job, deps, 'parked');
  }

  // Alert lifecycle: a resolve's effect, a resolve handed over to its effects, or a trigger that may repeat.
  // Resolves always go through, muted or not.
  if (job.effect) return finishAttempt(job, claim, target, deps, ledger, null, () => resolveEffect(job, target, route, claim.event, deps));
  const key = alertKeyFor(route, claim.event);
  if (key && route.action === 'resolve') return handOverResolve(job, route, key, claim.event, deps, ledger);
  if (route.action !== 'resolve') {
    const muted = timeMute(route, deps.rules.timeIntervals ?? {}, deps.now());
    const silence = muted ? null : silencedBy(deps.silences, { event: claim.event, route: route.name, target: job.target, alertKey: key }, deps.now());
    const held = muted ?? (silence ? silenceNote(silence) : null);
    if (held) {
      await showHeldInInbox(job, target, route, claim.event, held, deps);
      return suppressJob(job, held, claim.event, deps, ledger);
    }
  }
  if (key && (route.action ?? 'trigger') === 'trigger') {
    const alert = deps.alertFor(key);
    const d = await alert.trigger({
      key,
      target: job.target,
      kind: target.kind,
      jobId: job.id,
      eventId: claim.event.id,
      title: claim.event.type,
      repeatIntervalMs: route.repeatIntervalMs ?? DEFAULT_REPEAT_INTERVAL_MS,
      flapWindowMs: route.flapWindowMs ?? DEFAULT_FLAP_WINDOW_MS,
    });
    if (d.do === 'repeat') return noteRepeat(job, target, d, alert, deps, ledger, claim.event);
    if (d.do === 'flap') return noteFlap(job, target, d, deps, ledger, claim.event);
    const held = await overBudget(job, route, target, claim.event, deps);
    if (held) {
      await alert.failed(job.target, job.id);
      return suppressJob(job, held, claim.event, deps, ledger);
    }
    return finishAttempt(job, claim, target, deps, ledger, alert, () => attempt(job, claim.event, route, deps));
  }
  const held = route.action === 'resolve' ? null : await overBudget(job, route, target, claim.event, deps);
  if (held) return suppressJob(job, held, claim.event, deps, ledger);
  return finishAttempt(job, claim, target, deps, ledger, null, () => attempt(job, claim.event, route, deps));
}

/** A page beyond its route's budget is held back (and counted for the digest); why, or null when it may go. */
async function overBudget(job: DeliveryJob, route: RouteConfig, target: TargetConfig, event: CanonicalEvent, deps: DeliverDeps): Promise<string | null> {
  const budget = route.pageBudget;
  if (!budget || target.kind !== 'pagerduty' || (route.action ?? 'trigger') !== 'trigger') return null;
  const r = await deps.budgetFor(route.name).take({
    route: route.name,
    ...budget,
    page: { jobId: job.id, source: event.source, eventId: event.id, type: event.type, at: deps.now() },
  });
  if (r.ok) return null;
  return `held back: paging budget of ${budget.max} per ${durationText(budget.perMs)} used up (${r.heldCount} held); in the digest to ${budget.digestTo} at ${new Date(r.digestAt).toISOString()}`;
}

/** What one send came to; `notes`: what rendering left out or replaced (a dropped link, a failed template). */
type Attempted = { readonly outcome: Outcome; readonly notification: Notification | null; readonly notes?: readonly string[] };

/** Send (through `run`), decide, record the attempt; tell the alert what was sent or that it failed for good. */
async function finishAttempt(
  job: DeliveryJob,
  claim: Extract<Claim, { kind: 'go' }>,
  target: TargetConfig,
  deps: DeliverDeps,
  ledger: JobLedger,
  alert: AlertLedger | null,
  run: () => Promise<Attempted>,
): Promise<JobResult> {
  const wait = await paced(job, target, deps);
  if (wait > 0) {
    await ledger.release(job.id, 'queued', `paced: waiting ${Math.ceil(wait / 1000)}s for a send slot`, wait);
    deps.log.log('info', 'delivery.paced', { ...logFields(job, claim.event), wait_ms: wait });
    return { kind: 'retry', delayMs: wait, why: 'paced' };
  }
  const started = deps.now();
  const { outcome, notification, notes } = await run();
  const latencyMs = Math.max(0, deps.now() - started);
  const policy = policyOf(job.target, target.retry, deps);
  const decision = decide({ outcome, attempt: claim.attempt, queuedAt: claim.queuedAt, now: deps.now(), policy, random: deps.random });
  const record: AttemptRecord = {
    n: claim.attempt,
    run: claim.run,
    at: started,
    outcome: outcome.kind,
    status: outcome.status,
    latencyMs,
    error: outcome.kind === 'ok' ? null : outcome.reason,
    decision: decision.action,
    delayMs: decision.action === 'retry' ? decision.delayMs : null,
    ...(outcome.kind === 'ok' && outcome.via ? { via: outcome.via } : {}),
    ...(notes && notes.length > 0 ? { notes: notes.slice(0, 10).map((n) => n.slice(0, 300)) } : {}),
  };
  const receipt = outcome.kind === 'ok' ? outcome.receipt : null;
  await ledger.finish(job.id, record, decision, receipt);
  if (alert && decision.action === 'delivered') {
    await alert.sent({
      target: job.target,
      jobId: job.id,
      slack: receipt && 'slack' in receipt ? receipt.slack : null,
      dedupKey: receipt && 'pagerduty' in receipt ? receipt.pagerduty.dedupKey : notification?.kind === 'pagerduty' ? notification.payload.dedup_key : null,
      message: notification?.kind === 'slack' ? notification.payload : null,
    });
  } else if (alert && decision.action === 'dead') await alert.failed(job.target, job.id);
  logDecision(deps, job, claim.event, decision, outcome, latencyMs, claim.attempt);
  switch (decision.action) {
    case 'delivered':
      return { kind: 'delivered' };
    case 'retry':
      return { kind: 'retry', delayMs: decision.delayMs, why: decision.why };
    case 'dead':
      return { kind: 'dead', why: decision.why };
  }
}

/**
 * Vendors' rate limits, kept rather than hit: Slack about one message per second per channel, PagerDuty about
 * 120 events a minute per routing key. Waits up to this long are slept out; longer ones re-queue the job.
 */
export const PACE_MS = { slack: 1000, pagerduty: 500 } as const;
const SLEEP_UP_TO_MS = 2000;

/** Waits for the job's slot if it is near; returns the wait left when it is not (0: send now). */
async function paced(job: DeliveryJob, target: TargetConfig, deps: DeliverDeps): Promise<number> {
  const interval = target.paceMs ?? (target.kind === 'http' ? 0 : PACE_MS[target.kind]);
  if (interval <= 0) return 0;
  const receiver = target.kind === 'slack' && target.mode === 'bot' ? `slack:${target.apiUrl ?? ''}:${target.channel}` : `${target.kind}:${job.target}`;
  const wait = await deps.paceFor(receiver, job.id, interval);
  if (wait <= 0) return 0;
  if (wait > SLEEP_UP_TO_MS) return wait;
  await deps.sleep(wait);
  return 0;
}

/** A repeat of an open alert: counted, not sent; a Slack message gets one quiet thread reply, updated each time. */
async function noteRepeat(
  job: DeliveryJob,
  target: TargetConfig,
  d: Extract<TriggerDecision, { do: 'repeat' }>,
  alert: AlertLedger,
  deps: DeliverDeps,
  ledger: JobLedger,
  event: CanonicalEvent,
): Promise<JobResult> {
  let noted = '';
  if (target.kind === 'slack' && target.mode === 'bot' && d.slack) {
    const outcome = await threadOp(
      { op: 'reply', channel: d.slack.channel, ts: d.slack.ts, text: repeatText(d.count, deps.now()), replyTs: d.replyTs },
      target,
      deps,
    );
    if (outcome.kind === 'ok' && outcome.receipt && 'slack' in outcome.receipt && !d.replyTs) await alert.replied(job.target, outcome.receipt.slack.ts);
    // Best effort: a thread note that fails is not worth a retry of the job.
    noted = outcome.kind === 'ok' ? '; noted in the Slack thread' : `; the thread note failed (${outcome.reason})`;
  }
  return suppressJob(job, `repeat of an open alert (×${d.count}), within repeat_interval${noted}`, event, deps, ledger);
}

/** A flapping alert re-opened: what the target shows is turned back to firing with the count; nothing new is posted. */
async function noteFlap(
  job: DeliveryJob,
  target: TargetConfig,
  d: Extract<TriggerDecision, { do: 'flap' }>,
  deps: DeliverDeps,
  ledger: JobLedger,
  event: CanonicalEvent,
): Promise<JobResult> {
  let noted = '';
  if (target.kind === 'slack' && target.mode === 'bot' && d.slack && d.message) {
    const outcome = await threadOp(
      { op: 'update', channel: d.slack.channel, ts: d.slack.ts, message: flappingSlackMessage(d.message as SlackMessage, d.flaps, d.count), reply: null },
      target,
      deps,
    );
    noted = outcome.kind === 'ok' ? '; Slack message updated' : `; the Slack update failed (${outcome.reason})`;
  }
  return suppressJob(job, `flapping: re-opened ×${d.flaps} within flap_window, collapsed into the open alert${noted}`, event, deps, ledger);
}

/** Locally, a muted or silenced notification still shows, greyed, in the inbox (best effort: never blocks the job). */
async function showHeldInInbox(
  job: DeliveryJob,
  target: TargetConfig,
  route: RouteConfig,
  event: CanonicalEvent,
  why: string,
  deps: DeliverDeps,
): Promise<void> {
  const inbox = deps.inbox;
  if (!inbox?.takes(target)) return;
  try {
    const rendered = renderNotification(target, { event, route, targetName: job.target });
    await showHeld(
      target,
      rendered.notification,
      { target: job.target, event: { source: event.source, id: event.id, type: event.type }, job: job.id, route: job.route },
      why,
      inbox,
    );
  } catch (e) {
    deps.log.log('warn', 'inbox.held_failed', { job: job.id, error: describeError(e, []) });
  }
}

/** Settles a job without sending it; the reason goes to its trace and to the log. */
async function suppressJob(job: DeliveryJob, why: string, event: CanonicalEvent, deps: DeliverDeps, ledger: JobLedger): Promise<JobResult> {
  await ledger.suppress(job.id, why);
  deps.log.log('info', 'delivery.suppressed', { ...logFields(job, event), why });
  return { kind: 'settled', why: 'suppressed' };
}

/** A resolving event: the alert closes once, and one resolve effect per target it reached is queued. */
async function handOverResolve(
  job: DeliveryJob,
  route: RouteConfig,
  key: string,
  event: CanonicalEvent,
  deps: DeliverDeps,
  ledger: JobLedger,
): Promise<JobResult> {
  const r = await deps.alertFor(key).resolve(event.id, {
    pending: { eventKey: job.event, eventId: event.id, routeIndex: job.routeIndex, route: job.route },
    flapWindowMs: route.flapWindowMs ?? DEFAULT_FLAP_WINDOW_MS,
  });
  let why: string;
  if (r.do === 'nothing') why = `resolve of alert ${key}: ${r.why}; nothing sent`;
  else if (r.do === 'hold') why = `resolve of flapping alert ${key} (×${r.flaps}) held until ${new Date(r.until).toISOString()}: sent then unless it re-opens`;
  else {
    const reached = Object.entries(r.alert.targets)
      .filter(([, t]) => t.sentAt !== null)
      .map(([name]) => name);
    const effects = await resolveEffects(job, key, reached);
    await ledger.addJobs(effects);
    await deps.dispatch(effects);
    why = `resolved alert ${key}: update queued for ${reached.join(', ') || 'no target'}`;
  }
  return suppressJob(job, why, event, deps, ledger);
}

/** One target's share of a resolve: PagerDuty resolve with the dedup key it triggered; the Slack message updated. */
async function resolveEffect(job: DeliveryJob, target: TargetConfig, route: RouteConfig, event: CanonicalEvent, deps: DeliverDeps): Promise<Attempted> {
  const alert = await deps.alertFor(job.effect!.alert).state();
  const t = alert?.targets[job.target];
  if (!alert || !t || t.sentAt === null) return { outcome: { kind: 'ok', status: 0, receipt: null }, notification: null };
  try {
    if (target.kind === 'pagerduty' && t.dedupKey) {
      const notification: Notification = { kind: 'pagerduty', payload: { event_action: 'resolve', dedup_key: t.dedupKey, client: 'Switchyard' } };
      return { outcome: await send(job, target, notification, event, deps), notification };
    }
    if (target.kind === 'slack' && target.mode === 'bot' && t.slack && t.message) {
      const resolvedAt = alert.resolvedAt ?? deps.now();
      const op = {
        op: 'update' as const,
        channel: t.slack.channel,
        ts: t.slack.ts,
        message: resolvedSlackMessage(t.message as SlackMessage, alert.openedAt, resolvedAt, alert.count),
        reply: resolvedReplyText(alert.openedAt, resolvedAt, alert.count),
      };
      return { outcome: await threadOp(op, target, deps), notification: null };
    }
    // Receivers that cannot be updated (incoming webhooks, HTTP) are told with the resolving event itself.
    const rendered = renderNotification(target, { event, route, targetName: job.target });
    return { outcome: await send(job, target, rendered.notification, event, deps), notification: rendered.notification, notes: rendered.notes };
  } catch (e) {
    return { outcome: retryable(null, `unexpected: ${describeError(e, [])}`), notification: null };
  }
}

/** Render and send; anything thrown (a bug, never an expected failure) counts as a retryable attempt. */
async function attempt(job: DeliveryJob, event: CanonicalEvent, route: RouteConfig, deps: DeliverDeps): Promise<Attempted> {
  const target = deps.rules.targets[job.target]!;
  try {
    const rendered = renderNotification(target, { event, route, targetName: job.target });
    const outcome = await send(job, target, rendered.notification, event, deps);
    return { outcome, notification: rendered.notification, notes: rendered.notes };
  } catch (e) {
    return { outcome: retryable(null, `unexpected: ${describeError(e, [])}`), notification: null };
  }
}

export function policyOf(target: string, configured: RetryPolicy | undefined, deps: Pick<DeliverDeps, 'policyFor'>): RetryPolicy {
  const policy = configured ?? DEFAULT_RETRY_POLICY;
  return deps.policyFor ? deps.policyFor(target, policy) : policy;
}

/** The route a job was planned for: by position, unless the rules changed since and the name moved. */
export function findRoute(rules: Pick<RuleSet, 'size' | 'route'>, job: Pick<DeliveryJob, 'routeIndex' | 'route'>): RouteConfig | null {
  if (job.routeIndex < rules.size && rules.route(job.routeIndex).name === job.route) return rules.route(job.routeIndex);
  for (let i = 0; i < rules.size; i++) if (rules.route(i).name === job.route) return rules.route(i);
  return null;
}

function settled(job: DeliveryJob, deps: DeliverDeps, why: 'already_delivered' | 'parked' | 'suppressed'): JobResult {
  deps.log.log('info', 'delivery.skipped', { job: job.id, event: job.event, route: job.route, target: job.target, why });
  return { kind: 'settled', why };
}

function logDecision(
  deps: DeliverDeps,
  job: DeliveryJob,
  event: CanonicalEvent,
  decision: Decision,
  outcome: Outcome | null,
  latencyMs: number,
  n: number,
): void {
  const level = decision.action === 'dead' ? 'error' : decision.action === 'retry' ? 'warn' : 'info';
  deps.log.log(level, `delivery.${decision.action}`, {
    ...logFields(job, event),
    attempt: n,
    outcome: outcome?.kind ?? null,
    status: outcome?.status ?? null,
    ...(outcome?.kind === 'ok' && outcome.via ? { via: outcome.via } : {}),
    latency_ms: latencyMs,
    ...(decision.action === 'retry' ? { retry_in_ms: decision.delayMs, why: decision.why } : {}),
    ...(decision.action === 'dead' ? { why: decision.why } : {}),
    ...(outcome && outcome.kind !== 'ok' ? { error: outcome.reason } : {}),
  });
}

/** One attempt to the receiver, or to the local inbox (see inbox-sink.ts). */
function send(job: DeliveryJob, target: TargetConfig, notification: Notification, event: CanonicalEvent, deps: DeliverDeps): Promise<Outcome> {
  return sendOrInbox(
    target,
    notification,
    { target: job.target, event: { source: event.source, id: event.id, type: event.type }, job: job.id, route: job.route },
    { env: deps.env, fetch: deps.fetch, now: deps.now, messageId: job.id, inbox: deps.inbox },
  );
}

/** A Slack update or thread reply, applied to the inbox item when the message went there. */
async function threadOp(op: SlackThreadOp, target: Extract<TargetConfig, { kind: 'slack'; mode: 'bot' }>, deps: DeliverDeps): Promise<Outcome> {
  if (op.channel !== 'inbox' || !deps.inbox) return sendSlackThreadOp(op, target, { env: deps.env, fetch: deps.fetch, now: deps.now });
  const id = Number(op.ts);
  if (op.op === 'update') {
    if (!(await deps.inbox.update(id, op.message))) return permanentOutcome(null, 'inbox: message_not_found');
    if (op.reply !== null) await deps.inbox.reply(id, op.reply, null);
    return okOutcome(200, { slack: { channel: 'inbox', ts: op.ts } });
  }
  const rid = await deps.inbox.reply(id, op.text, op.replyTs);
  return rid ? okOutcome(200, { slack: { channel: 'inbox', ts: rid } }) : permanentOutcome(null, 'inbox: thread_not_found');
}

/** The fields every delivery log line carries: which job, which event, which route and target. */
function logFields(job: DeliveryJob, event: CanonicalEvent) {
  return { job: job.id, source: event.source, event_id: event.id, type: event.type, route: job.route, target: job.target };
}
