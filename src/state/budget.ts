/**
 * One Durable Object per route with a paging budget (named `budget:<route>`): the pages sent in the sliding
 * interval, and the pages held back beyond the budget. The first page held back sets an alarm one interval
 * away; the alarm sends one Slack digest to the route's `digest_to` target saying how many were held and
 * where their traces are, then starts counting afresh. A throw in the alarm (Slack down) makes the runtime
 * run it again, so the digest is retried, not lost.
 */
import { DurableObject } from 'cloudflare:workers';
import { BUILT_RULES, inboxSinkOf, type Env } from '../env.ts';
import { sendOrInbox } from '../pipeline/inbox-sink.ts';
import { budgetDigest } from '../targets/slack/digest.ts';
import type { BudgetState, HeldPage, TakeResult } from '../core/delivery.ts';

const STATE = 'state';
/** Events listed in one digest; the count covers the rest. */

export class BudgetObject extends DurableObject<Env> {
  /** A page may go if fewer than `max` were sent in the last `perMs`; a retry of a job that already took a slot goes. */
  async take(input: { route: string; max: number; perMs: number; digestTo: string; page: HeldPage }): Promise<TakeResult> {
    const now = Date.now();
    const current = await this.ctx.storage.get<BudgetState>(STATE);
    const state: BudgetState = current
      ? { ...current, max: input.max, perMs: input.perMs, digestTo: input.digestTo }
      : { route: input.route, max: input.max, perMs: input.perMs, digestTo: input.digestTo, sent: [], held: [], heldCount: 0, digests: 0 };
    if (state.sent.some((s) => s.jobId === input.page.jobId)) return { ok: true };
    const recent = state.sent.filter((s) => now - s.at < state.perMs);
    if (recent.length < state.max) {
      await this.ctx.storage.put(STATE, { ...state, sent: [...recent, { jobId: input.page.jobId, at: now }] });
      return { ok: true };
    }
    const already = state.held.some((h) => h.jobId === input.page.jobId);
    const next: BudgetState = {
      ...state,
      sent: recent,
      held: already ? state.held : [...state.held, input.page].slice(-100),
      heldCount: state.heldCount + (already ? 0 : 1),
    };
    await this.ctx.storage.put(STATE, next);
    let digestAt = await this.ctx.storage.getAlarm();
    if (digestAt === null) {
      digestAt = now + state.perMs;
      await this.ctx.storage.setAlarm(digestAt);
    }
    return { ok: false, heldCount: next.heldCount, digestAt };
  }

  async state(): Promise<BudgetState | null> {
    return (await this.ctx.storage.get<BudgetState>(STATE)) ?? null;
  }

  override async alarm(): Promise<void> {
    const state = await this.ctx.storage.get<BudgetState>(STATE);
    if (!state || state.heldCount === 0) return;
    const target = Object.hasOwn(BUILT_RULES.targets, state.digestTo) ? BUILT_RULES.targets[state.digestTo] : undefined;
    if (!target || target.kind !== 'slack') throw new Error(`paging budget digest: "${state.digestTo}" is not a Slack target`);
    const messageId = `digest:${state.route}:${state.digests + 1}`;
    const outcome = await sendOrInbox(
      target,
      { kind: 'slack', payload: budgetDigest(state) },
      { target: state.digestTo, event: { source: 'switchyard', id: messageId, type: 'budget.digest' }, job: messageId, route: state.route },
      { env: this.env, fetch: (input, init) => fetch(input, init), now: Date.now, messageId, inbox: inboxSinkOf(this.env) },
    );
    // Permanent failures are dropped after logging (retrying cannot help); anything else is retried by the runtime.
    if (outcome.kind === 'retryable') throw new Error(`paging budget digest not sent yet: ${outcome.reason}`);
    if (outcome.kind === 'permanent') console.error(JSON.stringify({ level: 'error', msg: 'budget.digest_failed', route: state.route, why: outcome.reason }));
    await this.ctx.storage.put(STATE, { ...state, held: [], heldCount: 0, digests: state.digests + 1 });
  }
}
