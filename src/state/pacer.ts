/**
 * Per-receiver pacing (one Durable Object per Slack channel, Slack webhook or PagerDuty routing key): hands
 * out send slots at most one per interval, in order. A job asks for a slot; it gets the time it may send at,
 * and keeps that slot if it comes back later (a job told to wait is not sent to the back of the line). The
 * consumer waits a short wait out and re-queues the job for a long one: jobs are delayed, never dropped.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../env.ts';

interface PacerState {
  readonly nextFree: number;
  /** Job id → its slot (recent ones only). */
  readonly slots: Readonly<Record<string, number>>;
}

const STATE = 'state';
const KEEP_SLOTS = 500;

export class PacerObject extends DurableObject<Env> {
  /** Milliseconds the job must wait before sending (0: now). */
  async reserve(jobId: string, intervalMs: number): Promise<number> {
    const now = Date.now();
    const state = (await this.ctx.storage.get<PacerState>(STATE)) ?? { nextFree: 0, slots: {} };
    const mine = state.slots[jobId];
    if (mine !== undefined && mine >= now - intervalMs) return Math.max(0, mine - now);
    const slot = Math.max(now, state.nextFree);
    const slots = Object.entries({ ...state.slots, [jobId]: slot })
      .filter(([, at]) => at >= now - 60_000)
      .slice(-KEEP_SLOTS);
    await this.ctx.storage.put(STATE, { nextFree: slot + intervalMs, slots: Object.fromEntries(slots) } satisfies PacerState);
    return slot - now;
  }
}
