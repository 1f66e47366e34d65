/**
 * The last two stages: decide (pure, pipeline/retry.ts: delivered, retry after a delay, or dead letter) and
 * record — the attempt and the decision in the ledger, what was sent in the alert (for updates and the
 * resolve) or that its send failed for good, and one log line.
 */
import { DEFAULT_RETRY_POLICY, type AttemptRecord, type Decision, type RetryPolicy } from '../../core/delivery.ts';
import type { CanonicalEvent } from '../../core/event.ts';
import type { DeliveryJob } from '../../core/jobs.ts';
import type { Outcome } from '../../core/outcome.ts';
import { decide } from '../retry.ts';
import type { Attempted } from './attempt.ts';
import { logFields, type DeliverDeps, type JobContext, type JobResult } from './context.ts';

/** Notes kept per attempt, and their length. */
const KEEP_NOTES = 10;
const NOTE_MAX = 300;

export async function decideAndRecord(ctx: JobContext, attempted: Attempted, timing: { readonly startedAt: number }): Promise<JobResult> {
  const { job, deps, claim, ledger } = ctx;
  const { outcome, notification, notes } = attempted;
  const latencyMs = Math.max(0, deps.clock.now() - timing.startedAt);
  const policy = policyOf(job.target, ctx.target.retry, deps);
  const decision = decide({ outcome, attempt: claim.attempt, queuedAt: claim.queuedAt, now: deps.clock.now(), policy, random: deps.clock.random });
  const record: AttemptRecord = {
    n: claim.attempt,
    run: claim.run,
    at: timing.startedAt,
    outcome: outcome.kind,
    status: outcome.status,
    latencyMs,
    error: outcome.kind === 'ok' ? null : outcome.reason,
    decision: decision.action,
    delayMs: decision.action === 'retry' ? decision.delayMs : null,
    ...(outcome.kind === 'ok' && outcome.via ? { via: outcome.via } : {}),
    ...(notes && notes.length > 0 ? { notes: notes.slice(0, KEEP_NOTES).map((n) => n.slice(0, NOTE_MAX)) } : {}),
  };
  const receipt = outcome.kind === 'ok' ? outcome.receipt : null;
  await ledger.finish(job.id, record, decision, receipt);
  // A health notice's own attempts never count toward its target's health: it cannot feed itself.
  if (ctx.route.health !== true) deps.health?.attempted({ target: job.target, ok: outcome.kind === 'ok', why: record.error, at: timing.startedAt });
  if (ctx.alert && decision.action === 'delivered') {
    // A kind that keeps nothing for later (an HTTP endpoint) is told with the resolving event itself.
    const remembered = ctx.targetKind.lifecycle?.remember?.(notification?.payload, receipt) ?? { slack: null, dedupKey: null, message: null };
    await ctx.alert.sent({ target: job.target, jobId: job.id, ...remembered });
  } else if (ctx.alert && decision.action === 'dead') await ctx.alert.failed(job.target, job.id);
  logDecision(ctx, decision, { outcome, latencyMs, n: claim.attempt });
  switch (decision.action) {
    case 'delivered':
      return { kind: 'delivered' };
    case 'retry':
      return { kind: 'retry', delayMs: decision.delayMs, why: decision.why };
    case 'dead':
      return { kind: 'dead', why: decision.why };
  }
}

export function policyOf(target: string, configured: RetryPolicy | undefined, deps: Pick<DeliverDeps, 'policyFor'>): RetryPolicy {
  const policy = configured ?? DEFAULT_RETRY_POLICY;
  return deps.policyFor ? deps.policyFor(target, policy) : policy;
}

/** One line per decision: delivered (info), retry (warn), dead (error). */
export function logDecision(
  ctx: { readonly job: DeliveryJob; readonly deps: Pick<DeliverDeps, 'log'>; readonly event: CanonicalEvent },
  decision: Decision,
  attempt: { readonly outcome: Outcome | null; readonly latencyMs: number; readonly n: number },
): void {
  const { outcome } = attempt;
  const level = decision.action === 'dead' ? 'error' : decision.action === 'retry' ? 'warn' : 'info';
  ctx.deps.log.log(level, `delivery.${decision.action}`, {
    ...logFields(ctx.job, ctx.event),
    attempt: attempt.n,
    outcome: outcome?.kind ?? null,
    status: outcome?.status ?? null,
    ...(outcome?.kind === 'ok' && outcome.via ? { via: outcome.via } : {}),
    latency_ms: attempt.latencyMs,
    ...(decision.action === 'retry' ? { retry_in_ms: decision.delayMs, why: decision.why } : {}),
    ...(decision.action === 'dead' ? { why: decision.why } : {}),
    ...(outcome && outcome.kind !== 'ok' ? { error: outcome.reason } : {}),
  });
}
