/**
 * One Durable Object per route with a paging budget (named `budget:<route>`): the pages sent in the sliding
 * interval, and the pages held back beyond the budget. A thin store over the pure decision
 * (pipeline/decide/budget.ts): the first page held back sets an alarm one interval away; the alarm records
 * the digest as an event of the relay's own (`switchyard:digest:<route>:<n>`, in the event ledger) whose one
 * job goes to the route's `digest_to` target through the one dispatch — so a digest is retried, dead-lettered,
 * replayed, traced and shown in the inbox like any notification.
 */
import { DurableObject } from 'cloudflare:workers';
import type { BudgetState, HeldPage, TakeResult } from '../core/delivery.ts';
import type { Env } from '../core/env.ts';
import { RELAY_SOURCE, type CanonicalEvent } from '../core/event.ts';
import type { DeliveryJob } from '../core/jobs.ts';
import { decideDigest, decideTake, type TakeInput } from '../pipeline/decide/budget.ts';
import { recordOwnEvent } from './own-events.ts';

const STATE = 'state';

export class BudgetObject extends DurableObject<Env> {
  async take(input: TakeInput): Promise<TakeResult> {
    const step = decideTake(await this.state(), input, Date.now());
    if (step.next) await this.ctx.storage.put(STATE, step.next);
    if (step.result.ok || step.digestAt === undefined) return step.result;
    let digestAt = await this.ctx.storage.getAlarm();
    if (digestAt === null) await this.ctx.storage.setAlarm((digestAt = step.digestAt));
    return { ...step.result, digestAt };
  }

  async state(): Promise<BudgetState | null> {
    return (await this.ctx.storage.get<BudgetState>(STATE)) ?? null;
  }

  override async alarm(): Promise<void> {
    const turn = decideDigest(await this.state());
    if (!turn) return;
    const { digest, next } = turn;
    const event = digestEvent(digest, new Date().toISOString());
    // Its id counts the digests: a retried alarm records it once.
    await recordOwnEvent(
      this.env,
      event,
      { index: 0, name: digest.route, notify: [digest.digestTo] },
      {
        auth: 'the relay itself (paging budget digest)',
        effect: { kind: 'digest' },
        inline: (jobs) => this.deliverInline(jobs),
      },
    );
    await this.ctx.storage.put(STATE, next);
  }

  /** Delivers jobs in place when the Worker has no queue (the Worker's own class, src/objects.ts, gives the runner). */
  protected deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return Promise.reject(new Error(`no inline delivery here for ${jobs.length} job(s)`));
  }
}

/** The digest as an event of the relay's own: what its target's kind renders the digest from. */
export function digestEvent(state: BudgetState, receivedAt: string): CanonicalEvent {
  const held: readonly HeldPage[] = state.held;
  return {
    source: RELAY_SOURCE,
    kind: 'switchyard',
    type: 'budget.digest',
    id: `digest:${state.route}:${state.digests + 1}`,
    occurredAt: receivedAt,
    receivedAt,
    correlationId: null,
    data: { route: state.route, max: state.max, perMs: state.perMs, held, heldCount: state.heldCount },
    meta: {},
  };
}
