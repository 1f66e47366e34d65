/**
 * What every delivery stage shares: the dependencies of a batch (stores, the batch's operating state, the
 * outside world, the clock), the one typed context of a job on its way, and a stage's answer — go on with
 * the context, or stop with the job's result. Types and small helpers only.
 */
import type {
  AlertState,
  AttemptRecord,
  Claim,
  HeldPage,
  PendingResolve,
  ResolveDecision,
  RetryPolicy,
  Silence,
  TakeResult,
  TriggerDecision,
} from '../../core/delivery.ts';
import type { Decision, GroupSpec, GroupState } from '../../core/delivery.ts';
import type { MemberInput } from '../decide/group.ts';
import type { CanonicalEvent } from '../../core/event.ts';
import type { EnvLookup } from '../../core/interpolate.ts';
import type { DeliveryJob } from '../../core/jobs.ts';
import type { Logger } from '../../core/log.ts';
import type { Receipt } from '../../core/outcome.ts';
import type { RouteConfig, RulesConfig } from '../../rules/config.ts';
import type { RuleSet } from '../../rules/ruleset.ts';
import type { AnyTargetKind, InboxOps, SendContext, TargetConfig } from '../../targets/kind.ts';
import type { SentInput, TriggerInput } from '../decide/alert.ts';
import type { TakeInput } from '../decide/budget.ts';

/** The event ledger as delivery sees it (one Durable Object per event). */
export interface JobLedger {
  claim(jobId: string): Promise<Claim>;
  finish(jobId: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): Promise<void>;
  release(jobId: string, status: 'parked' | 'queued', why: string | null, inMs?: number | null): Promise<void>;
  markDead(jobId: string, why: string): Promise<unknown>;
  suppress(jobId: string, why: string): Promise<void>;
  addJobs(jobs: readonly DeliveryJob[]): Promise<void>;
}

/** One alert's lifecycle (state/alert.ts) as delivery uses it. */
export interface AlertLedger {
  trigger(input: TriggerInput): Promise<TriggerDecision>;
  sent(input: SentInput): Promise<void>;
  /** A member of a group fired (decide/alert.ts decideJoin). */
  join(input: { key: string; eventId: string; title: string; group: GroupSpec }): Promise<void>;
  replied(target: string, replyTs: string): Promise<void>;
  failed(target: string, jobId: string): Promise<void>;
  resolve(eventId: string, hold?: { pending: Omit<PendingResolve, 'at'>; flapWindowMs: number }): Promise<ResolveDecision>;
  state(): Promise<AlertState | null>;
}

/** One group (state/group.ts) as delivery uses it. */
export interface GroupLedger {
  add(spec: GroupSpec, member: MemberInput): Promise<'joined' | 'counted' | 'seen'>;
  resolveMember(key: string): Promise<'resolved' | 'dropped' | 'nothing'>;
  sent(target: string, slack: { channel: string; ts: string } | null, message: object | null): Promise<void>;
  state(): Promise<GroupState | null>;
}

/** The stores, each one Durable Object per key. */
export interface DeliveryStores {
  readonly ledgerFor: (eventKey: string) => JobLedger;
  readonly alertFor: (key: string) => AlertLedger;
  /** A group of a grouping route, by its id. */
  readonly groupFor: (id: string) => GroupLedger;
  /** The paging budget of a route. */
  readonly budgetFor: (route: string) => { take(input: TakeInput): Promise<TakeResult> };
  /** The send slot of a job at a paced receiver: ms to wait. */
  readonly paceFor: (receiver: string, jobId: string, intervalMs: number) => Promise<number>;
  /** Parks a job of a paused target (re-checks the pause, atomically); false when it is no longer paused. */
  readonly park: (job: DeliveryJob) => Promise<boolean>;
}

export interface DeliverDeps {
  readonly rules: Pick<RulesConfig, 'targets' | 'timeIntervals'>;
  readonly ruleSet: Pick<RuleSet, 'size' | 'route'>;
  readonly stores: DeliveryStores;
  /** Read once per batch: the paused targets and the silences not yet over. */
  readonly batch: { readonly paused: ReadonlySet<string>; readonly silences: readonly Silence[] };
  /** The outside world: the env (secrets), the network, and the local inbox when it is on. */
  readonly io: { readonly env: EnvLookup; readonly fetch: typeof fetch; readonly inbox: InboxOps | null };
  readonly clock: { readonly now: () => number; readonly random: () => number; readonly sleep: (ms: number) => Promise<void> };
  readonly log: Logger;
  /** Hands follow-up jobs (a resolve's effects) over the way this Worker delivers (pipeline/dispatch.ts). */
  readonly dispatch: (jobs: readonly DeliveryJob[]) => Promise<void>;
  /** Overrides each target's retry policy (the inline runner's short in-request schedule). */
  readonly policyFor?: (target: string, policy: RetryPolicy) => RetryPolicy;
  /** Takes each attempt's outcome for the relay's health (buffered; sent once per batch, after it). */
  readonly health?: { attempted(seen: { readonly target: string; readonly ok: boolean; readonly why: string | null; readonly at: number }): void };
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

/** One job on its way, claimed, with its target and route found. */
export interface JobContext {
  readonly job: DeliveryJob;
  readonly deps: DeliverDeps;
  readonly ledger: JobLedger;
  readonly claim: Extract<Claim, { kind: 'go' }>;
  readonly event: CanonicalEvent;
  readonly target: TargetConfig;
  readonly targetKind: AnyTargetKind;
  readonly route: RouteConfig;
  /** The alert the event belongs to (its route's alert_key), or null; effects carry theirs in the job. */
  readonly alertKey: string | null;
  /** The alert a trigger reserved this target in: told what was sent, or that the send failed for good. */
  readonly alert: AlertLedger | null;
}

/** A stage's answer: go on (with the context, maybe added to), or stop with the job's result. */
export type Step = { readonly go: JobContext } | { readonly stop: JobResult };

/** What a stage that may stop the job looks like. */
export type Stage = (ctx: JobContext) => Promise<Step>;

/** What one job's send needs, for its target's kind. */
export function sendContext(ctx: JobContext): SendContext {
  const { env, fetch, inbox } = ctx.deps.io;
  return { env, fetch, now: ctx.deps.clock.now, messageId: ctx.job.id, inbox };
}

/** The fields every delivery log line carries: which job, which event, which route and target. */
export function logFields(job: DeliveryJob, event: CanonicalEvent) {
  const reason = event.meta.notification_reason;
  return {
    job: job.id,
    source: event.source,
    event_id: event.id,
    type: event.type,
    route: job.route,
    target: job.target,
    ...(reason ? { notification_reason: reason } : {}),
  };
}

/** A job with nothing to do (delivered before, parked, suppressed): logged, settled. */
export function settled(job: DeliveryJob, deps: Pick<DeliverDeps, 'log'>, why: 'already_delivered' | 'parked' | 'suppressed'): JobResult {
  deps.log.log('info', 'delivery.skipped', { job: job.id, event: job.event, route: job.route, target: job.target, why });
  return { kind: 'settled', why };
}

/** Settles a job without sending it; the reason goes to its trace and to the log. */
export async function suppress(ctx: JobContext, why: string): Promise<Step> {
  await ctx.ledger.suppress(ctx.job.id, why);
  ctx.deps.log.log('info', 'delivery.suppressed', { ...logFields(ctx.job, ctx.event), why });
  return { stop: { kind: 'settled', why: 'suppressed' } };
}

export type { HeldPage, TargetConfig };
