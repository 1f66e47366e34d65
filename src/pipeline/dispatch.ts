/**
 * The one place that decides how jobs are delivered — through the JOBS queue when the Worker has one, else
 * inline — and hands them over. Everything that produces jobs comes here: ingest (an accepted event's jobs),
 * a resolve's effects, alarms (a flapping alert's held resolve, a paging budget's digest), replay and resume,
 * and the stuck-job sweep.
 *   queue   sent to the queue in batches of 100 (Queues' sendBatch limit), with an optional delay; the
 *           consumer delivers them (src/queue.ts)
 *   inline  delivered by the runner of the caller's context (pipeline/inline.ts): in a request's waitUntil,
 *           or in a Durable Object's alarm
 */
import type { DeliveryMode } from '../core/delivery.ts';
import type { Env } from '../core/env.ts';
import type { DeliveryJob } from '../core/jobs.ts';

export type { DeliveryMode };

/** Queue when there is one; inline otherwise (a plan without Queues). */
export function deliveryMode(env: Pick<Env, 'JOBS'>): DeliveryMode {
  return env.JOBS ? 'queue' : 'inline';
}

/** Queues take at most 100 messages per sendBatch. */
const SEND_BATCH_LIMIT = 100;

/**
 * To the queue (queue mode only): throws when the queue refuses, so the caller can answer 503 or retry.
 * `delaySeconds`: one for all, or each job's own.
 */
export async function enqueue(env: Pick<Env, 'JOBS'>, jobs: readonly DeliveryJob[], delaySeconds?: number | readonly number[]): Promise<void> {
  if (!env.JOBS) throw new Error('no JOBS queue binding');
  const delayOf = (i: number): number | undefined => (typeof delaySeconds === 'number' ? delaySeconds : delaySeconds?.[i]);
  for (let i = 0; i < jobs.length; i += SEND_BATCH_LIMIT) {
    const chunk = jobs.slice(i, i + SEND_BATCH_LIMIT).map((body, j) => {
      const delay = delayOf(i + j);
      return { body, contentType: 'json' as const, ...(delay ? { delaySeconds: delay } : {}) };
    });
    await env.JOBS.sendBatch(chunk);
  }
}

/** Delivers jobs inline, in the caller's context. */
export type InlineRunner = (jobs: readonly DeliveryJob[]) => Promise<void>;

/** Hands jobs over the way this Worker delivers them. */
export function dispatcher(env: Pick<Env, 'JOBS'>, inline: InlineRunner): (jobs: readonly DeliveryJob[]) => Promise<void> {
  return async (jobs) => {
    if (jobs.length === 0) return;
    if (deliveryMode(env) === 'queue') await enqueue(env, jobs);
    else await inline(jobs);
  };
}
