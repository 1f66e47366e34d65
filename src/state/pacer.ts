/**
 * Per-receiver pacing (one Durable Object per Slack channel, Slack webhook or PagerDuty routing key): a thin
 * store over the pure decision in pipeline/decide/pace.ts — send slots at most one per interval, in order.
 * The consumer waits a short wait out and re-queues the job for a long one: jobs are delayed, never dropped.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../core/env.ts';
import { decideSlot, type PacerState } from '../pipeline/decide/pace.ts';

const STATE = 'state';

export class PacerObject extends DurableObject<Env> {
  /** Milliseconds the job must wait before sending (0: now). */
  async reserve(jobId: string, intervalMs: number): Promise<number> {
    const stored = (await this.ctx.storage.get<PacerState>(STATE)) ?? null;
    const { waitMs, next } = decideSlot(stored, { jobId, intervalMs }, Date.now());
    if (next) await this.ctx.storage.put(STATE, next);
    return waitMs;
  }
}
