/**
 * The delivery flow for one job, one attempt, as the queue consumer (src/queue.ts) and the inline runner
 * (pipeline/inline.ts) run it — a list of stages, each a small module, sharing one typed context, stopping
 * at the first that settles the job:
 *   1. claim      the job in its event's ledger, then its target and route in the current rules   deliver/claim.ts
 *   2. gates      pause → resolve hand-over → time windows → silences → grouping → alert lifecycle
 *                 → budget → pacing (effects pass pause and pacing; a group's notification also
 *                 the budget)                                                                    deliver/gates.ts
 *   3. render + send   the one attempt to the outside (or the local inbox), by the target's kind  deliver/attempt.ts
 *   4. decide + record pure retry decision (retry.ts); the attempt in the ledger, what was sent
 *                 in the alert, one log line                                                      deliver/record.ts
 * The caller turns the result into ack / retry / dead-letter. Time, randomness, fetch and the stores are
 * passed in (deliver/context.ts), so the whole list runs in Node with in-memory stores.
 */
import type { DeliveryJob } from '../core/jobs.ts';
import type { ClaimedJob } from '../core/delivery.ts';
import { attempt } from './deliver/attempt.ts';
import { claim } from './deliver/claim.ts';
import type { DeliverDeps, JobResult, Stage } from './deliver/context.ts';
import { budget, grouping, handOver, lifecycle, paced, paused, silences, windows } from './deliver/gates.ts';
import { decideAndRecord } from './deliver/record.ts';

export type { AlertLedger, DeliverDeps, DeliveryStores, JobLedger, JobResult } from './deliver/context.ts';
export { findRoute } from './deliver/claim.ts';
export { policyOf } from './deliver/record.ts';

/** The gates of a notification, in order. */
const GATES: readonly Stage[] = [paused, handOver, windows, silences, grouping, lifecycle, budget, paced];
/** The gates of an effect: it carries what already happened (an alert resolved, pages held back). */
const EFFECT_GATES: readonly Stage[] = [paused, paced];
/** The gates of a group's notification: its first one is one page for the budget. */
const GROUP_GATES: readonly Stage[] = [paused, budget, paced];

/** One attempt of a job; `claimed` when the accept that recorded it claimed it already (a first attempt at once). */
export async function deliverJob(job: DeliveryJob, deps: DeliverDeps, preClaimed?: ClaimedJob['claim']): Promise<JobResult> {
  const claimed = await claim(job, deps, preClaimed);
  if ('stop' in claimed) return claimed.stop;
  let ctx = claimed.go;
  for (const gate of !job.effect ? GATES : job.effect.kind === 'group' ? GROUP_GATES : EFFECT_GATES) {
    const step = await gate(ctx);
    if ('stop' in step) return step.stop;
    ctx = step.go;
  }
  const startedAt = deps.clock.now();
  return decideAndRecord(ctx, await attempt(ctx), { startedAt });
}
