/**
 * Delivery without a queue (a Worker with no `JOBS` binding, e.g. a plan without Queues): the same
 * per-job flow, run inside the request's `waitUntil` after the sender has its 200. What it gives up:
 * retries are bounded by the time the runtime grants after the response (about 30 s), so a target down
 * for longer gets its job dead-lettered (kept in the ledger and the dead-letter index, replayable through
 * the admin API) instead of retried for hours; and a Worker evicted mid-delivery leaves its job queued in
 * the ledger until it is replayed.
 */
import { deliverJob, type DeliverDeps, type JobResult } from './deliver.ts';
import type { DeliveryJob } from '../core/jobs.ts';
import type { RetryPolicy } from '../core/delivery.ts';

export interface InlineOptions {
  /** Attempts per job inside one request. */
  readonly maxAttempts: number;
  /** Time after which no retry is started (the runtime ends waitUntil work ~30 s after the response). */
  readonly budgetMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  /** Records a job that ran out of in-request tries (there is no dead-letter queue to send it to). */
  readonly deadLetter: (job: DeliveryJob, why: string) => Promise<void>;
}

export const INLINE_MAX_ATTEMPTS = 3;
export const INLINE_BUDGET_MS = 20_000;

/** The short schedule used in-request: 1 s, then 2 s, Retry-After honoured up to the budget. */
export function inlinePolicy(budgetMs: number, maxAttempts: number): (target: string, p: RetryPolicy) => RetryPolicy {
  return (_target, p) => ({
    ...p,
    maxAttempts: Math.min(p.maxAttempts, maxAttempts),
    initialBackoffMs: 1000,
    maxBackoffMs: 4000,
    retryAfterCapMs: Math.min(p.retryAfterCapMs, budgetMs),
    maxAgeMs: Math.min(p.maxAgeMs, budgetMs),
  });
}

export async function deliverInline(jobs: readonly DeliveryJob[], deps: DeliverDeps, options: InlineOptions): Promise<JobResult[]> {
  const started = deps.clock.now();
  // Follow-up jobs (a resolve's effects) are delivered in place, within the same budget.
  const policyDeps: DeliverDeps = {
    ...deps,
    policyFor: inlinePolicy(options.budgetMs, options.maxAttempts),
    dispatch: async (more) => {
      await deliverInline(more, deps, { ...options, budgetMs: Math.max(0, options.budgetMs - (deps.clock.now() - started)) });
    },
  };
  return Promise.all(
    jobs.map(async (job) => {
      for (;;) {
        const result = await deliverJob(job, policyDeps);
        if (result.kind === 'dead') {
          await options.deadLetter(job, result.why);
          return result;
        }
        if (result.kind === 'missing') return result; // inline jobs are written before they are handed over
        if (result.kind !== 'retry') return result;
        if (deps.clock.now() - started + result.delayMs > options.budgetMs) {
          const why = `inline delivery ran out of time (next try in ${Math.ceil(result.delayMs / 1000)}s); replay it once the target is back`;
          await deps.stores.ledgerFor(job.event).markDead(job.id, why);
          await options.deadLetter(job, why);
          return { kind: 'dead', why } as const;
        }
        await options.sleep(result.delayMs);
      }
    }),
  );
}
