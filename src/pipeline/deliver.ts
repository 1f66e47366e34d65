/**
 * The delivery flow for one job, one attempt (DESIGN §1, "queue consumer"):
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
import type { RouteConfig, RulesConfig, RetryPolicy } from '../rules/config.ts';
import type { EnvLookup } from '../rules/interpolate.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import { describeError, retryable, type Outcome, type Receipt } from '../targets/outcome.ts';
import { renderNotification, sendNotification } from '../targets/registry.ts';
import type { AttemptRecord, Claim } from '../state/event-ledger.ts';
import type { DeliveryJob } from './jobs.ts';
import { decide, DEFAULT_RETRY_POLICY, type Decision } from './retry.ts';

/** The event ledger as delivery sees it (one Durable Object per event, behind `ledgerFor`). */
export interface JobLedger {
  claim(jobId: string): Promise<Claim>;
  finish(jobId: string, attempt: AttemptRecord, decision: Decision, receipt: Receipt | null): Promise<void>;
  release(jobId: string, status: 'parked' | 'queued', why: string | null): Promise<void>;
  markDead(jobId: string, why: string): Promise<unknown>;
}

export interface DeliverDeps {
  readonly rules: Pick<RulesConfig, 'targets'>;
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
}

export type JobResult =
  | { readonly kind: 'delivered' }
  | { readonly kind: 'retry'; readonly delayMs: number; readonly why: string }
  | { readonly kind: 'dead'; readonly why: string }
  /** Nothing to do: delivered before (a redelivered message) or parked for a paused target. */
  | { readonly kind: 'settled'; readonly why: 'already_delivered' | 'parked' }
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

  const started = deps.now();
  const outcome = await attempt(job, claim.event, route, deps);
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
  };
  await ledger.finish(job.id, record, decision, outcome.kind === 'ok' ? outcome.receipt : null);
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

/** Render and send; anything thrown (a bug, never an expected failure) counts as a retryable attempt. */
async function attempt(job: DeliveryJob, event: CanonicalEvent, route: RouteConfig, deps: DeliverDeps): Promise<Outcome> {
  const target = deps.rules.targets[job.target]!;
  try {
    const rendered = renderNotification(target, { event, route, targetName: job.target });
    return await sendNotification(target, rendered.notification, { env: deps.env, fetch: deps.fetch, now: deps.now, messageId: job.id });
  } catch (e) {
    return retryable(null, `unexpected: ${describeError(e, [])}`);
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

function settled(job: DeliveryJob, deps: DeliverDeps, why: 'already_delivered' | 'parked'): JobResult {
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
    job: job.id,
    source: event.source,
    event_id: event.id,
    type: event.type,
    route: job.route,
    target: job.target,
    attempt: n,
    outcome: outcome?.kind ?? null,
    status: outcome?.status ?? null,
    latency_ms: latencyMs,
    ...(decision.action === 'retry' ? { retry_in_ms: decision.delayMs, why: decision.why } : {}),
    ...(decision.action === 'dead' ? { why: decision.why } : {}),
    ...(outcome && outcome.kind !== 'ok' ? { error: outcome.reason } : {}),
  });
}
