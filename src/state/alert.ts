/**
 * One Durable Object per alert key (named `alert:<key>`): the alert's lifecycle across stateless vendor
 * events — firing or resolved, counts, and for each target it was sent to what a later update needs (Slack
 * channel and ts, the thread reply's ts; PagerDuty's dedup key). A thin store: it loads the state, calls the
 * pure decision (pipeline/decide/alert.ts: trigger, repeat, flap, resolve, the held resolve's alarm), stores
 * what it returns and sets the alarm it asks for. Its alarm emits a held resolve's jobs through the one
 * dispatch. Single-threaded per key, so every decision is atomic.
 */
import { DurableObject } from 'cloudflare:workers';
import type { AlertState, GroupSpec, ResolveDecision, TriggerDecision } from '../core/delivery.ts';
import type { Env } from '../core/env.ts';
import { JOB_MESSAGE_VERSION, resolveEffects, type DeliveryJob } from '../core/jobs.ts';
import {
  decideAlarm,
  decideFailed,
  decideJoin,
  decideReplied,
  decideResolve,
  decideSent,
  decideTrigger,
  type ResolveInput,
  type SentInput,
  type Step,
  type TriggerInput,
} from '../pipeline/decide/alert.ts';
import { dispatcher } from '../pipeline/dispatch.ts';
import { eventStore } from './event-store.ts';

const STATE = 'state';

export class AlertObject extends DurableObject<Env> {
  async trigger(input: TriggerInput): Promise<TriggerDecision> {
    return this.apply(decideTrigger(await this.load(), input, Date.now()));
  }

  async join(input: { key: string; eventId: string; title: string; group: GroupSpec }): Promise<void> {
    await this.store(decideJoin(await this.load(), input, Date.now()));
    await this.ctx.storage.deleteAlarm();
  }

  async sent(input: SentInput): Promise<void> {
    await this.store(decideSent(await this.load(), input, Date.now()));
  }

  async replied(target: string, replyTs: string): Promise<void> {
    await this.store(decideReplied(await this.load(), target, replyTs));
  }

  async failed(target: string, jobId: string): Promise<void> {
    await this.store(decideFailed(await this.load(), target, jobId));
  }

  async resolve(eventId: string, hold?: ResolveInput['hold']): Promise<ResolveDecision> {
    return this.apply(decideResolve(await this.load(), { eventId, ...(hold ? { hold } : {}) }, Date.now()));
  }

  async state(): Promise<AlertState | null> {
    return this.load();
  }

  override async alarm(): Promise<void> {
    const state = await this.load();
    const step = decideAlarm(state, Date.now());
    if (step.decision.do === 'forget') {
      await this.ctx.storage.deleteAll();
      return;
    }
    if (step.decision.do === 'resolve' && state) {
      // The flapping alert stayed quiet for a whole window: its resolve goes out now, everywhere it was sent.
      const { pending, reached } = step.decision;
      const origin = { v: JOB_MESSAGE_VERSION, id: '', event: pending.eventKey, routeIndex: pending.routeIndex, route: pending.route, target: '' } as const;
      const effects = await resolveEffects(origin, state.key, reached);
      await eventStore(this.env).of(pending.eventKey).addJobs(effects);
      await dispatcher(this.env, (jobs) => this.deliverInline(jobs))(effects);
    }
    await this.apply(step);
  }

  /**
   * Delivers jobs in place when the Worker has no queue. The Worker's own class (src/objects.ts) gives it
   * the inline runner; this one has none to give.
   */
  protected deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return Promise.reject(new Error(`no inline delivery here for ${jobs.length} job(s)`));
  }

  private async load(): Promise<AlertState | null> {
    return (await this.ctx.storage.get<AlertState>(STATE)) ?? null;
  }

  private async store(next: AlertState | null): Promise<void> {
    if (next) await this.ctx.storage.put(STATE, next);
  }

  private async apply<D>(step: Step<D>): Promise<D> {
    await this.store(step.next);
    if (step.alarm === 'delete') await this.ctx.storage.deleteAlarm();
    else if (step.alarm) await this.ctx.storage.setAlarm(step.alarm.at);
    return step.decision;
  }
}
