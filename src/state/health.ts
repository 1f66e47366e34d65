/**
 * The relay's own health, in one Durable Object (named `health`): streaks of failed deliveries per target,
 * recent verification failures per source, and each watched source's last event with its dead man's switch
 * on the alarm. Load → decide (pipeline/decide/health.ts) → emit → store. Each notice becomes an event of the
 * relay's own (`switchyard:health:<n>`) in the event ledger, with jobs to the targets settings.health names
 * (through the route it adds), handed to the one dispatch. Emitted before the state is stored, under an id
 * from the stored sequence: a call or alarm that fails half-way is retried into the same ids, which the
 * ledger accepts once.
 */
import { DurableObject } from 'cloudflare:workers';
import type { HealthNotice, HealthState } from '../core/delivery.ts';
import type { Env } from '../core/env.ts';
import type { DeliveryJob } from '../core/jobs.ts';
import { createConsoleLogger } from '../core/log.ts';
import {
  decideAttempts,
  decideDeadLetter,
  decideSeen,
  decideSilence,
  decideVerificationFailure,
  EMPTY_HEALTH,
  healthEvent,
  type AttemptSeen,
  type Step,
} from '../pipeline/decide/health.ts';
import { recordOwnEvent } from './own-events.ts';

const STATE = 'state';
const ROUTE = 'route';

export const HEALTH_NAME = 'health';

/** Where notices go: settings.health's route (its index in the rules) and its targets. */
export interface HealthRoute {
  readonly index: number;
  readonly name: string;
  readonly notify: readonly string[];
}

export class HealthObject extends DurableObject<Env> {
  async attempts(seen: readonly AttemptSeen[], failingAfter: number, route: HealthRoute): Promise<number> {
    return this.apply(decideAttempts(await this.state(), seen, failingAfter), route);
  }

  async deadLettered(dead: Parameters<typeof decideDeadLetter>[1], route: HealthRoute): Promise<number> {
    return this.apply(decideDeadLetter(await this.state(), dead), route);
  }

  async verificationFailed(input: { source: string; reason: string }, limit: { max: number; perMs: number }, route: HealthRoute): Promise<number> {
    return this.apply(decideVerificationFailure(await this.state(), input, Date.now(), limit), route);
  }

  async seen(source: string, expectEveryMs: number, route: HealthRoute): Promise<number> {
    const step = decideSeen(await this.state(), { source, expectEveryMs }, Date.now());
    await this.ctx.storage.put(ROUTE, route);
    const sent = await this.apply(step, route);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || step.alarmAt < current) await this.ctx.storage.setAlarm(step.alarmAt);
    return sent;
  }

  async state(): Promise<HealthState> {
    return (await this.ctx.storage.get<HealthState>(STATE)) ?? EMPTY_HEALTH;
  }

  /** The dead man's switch: sources silent past their expect_every. */
  override async alarm(): Promise<void> {
    const route = await this.ctx.storage.get<HealthRoute>(ROUTE);
    const step = decideSilence(await this.state(), Date.now());
    if (route) await this.apply(step, route);
    else await this.ctx.storage.put(STATE, step.next);
    if (step.alarmAt !== null) await this.ctx.storage.setAlarm(step.alarmAt);
  }

  /** Emits the step's notices, then keeps its state; the number of notices sent. */
  private async apply(step: Step, route: HealthRoute): Promise<number> {
    for (const n of step.notices) await this.emit(n, route);
    await this.ctx.storage.put(STATE, step.next);
    return step.notices.length;
  }

  private async emit(notice: HealthNotice, route: HealthRoute): Promise<void> {
    const event = healthEvent(notice, new Date().toISOString());
    const jobs = await recordOwnEvent(this.env, event, route, { auth: 'the relay itself (health)', inline: (list) => this.deliverInline(list) });
    createConsoleLogger({ service: 'switchyard' }).log(notice.severity === 'info' ? 'info' : 'warn', notice.type, {
      subject: notice.subject,
      title: notice.title,
      event: `${event.source}:${event.id}`,
      jobs,
    });
  }

  /** Delivers jobs in place when the Worker has no queue (the Worker's own class, src/objects.ts, gives the runner). */
  protected deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return Promise.reject(new Error(`no inline delivery here for ${jobs.length} job(s)`));
  }
}
