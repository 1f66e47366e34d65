/**
 * One Durable Object per group (named `group:<id>`, the id a hash of the route and its group_by values): the
 * group's members and its notifications. A thin store over the pure decisions in pipeline/decide/group.ts.
 * Its alarm is the group's clock (group_wait, group_interval, repeat_interval): each notification is recorded
 * in the state first (`pending`), then written as an event of the relay's own
 * (`switchyard:group:<id>:<seq>`, in the event ledger, its jobs keyed by group, sequence and target) and
 * handed to the one dispatch; only then is it cleared. A retried alarm re-sends the same notification, which
 * the ledger accepts once — so no target is notified twice. Single-threaded: a member arriving while the
 * alarm runs waits its turn and is counted in the next notification.
 */
import { DurableObject } from 'cloudflare:workers';
import type { GroupFlush, GroupState } from '../core/delivery.ts';
import type { Env } from '../core/env.ts';
import type { DeliveryJob } from '../core/jobs.ts';
import { createConsoleLogger } from '../core/log.ts';
import { decideAdd, decideFlush, decideGroupSent, decideHandedOver, decideResolveMember, type GroupStep, type MemberInput } from '../pipeline/decide/group.ts';
import type { GroupSpec } from '../core/delivery.ts';
import { recordOwnEvent } from './own-events.ts';
import { flushEvent } from '../pipeline/group-key.ts';

const STATE = 'state';

export class GroupObject extends DurableObject<Env> {
  async add(spec: GroupSpec, member: MemberInput): Promise<'joined' | 'counted' | 'seen'> {
    return this.apply(decideAdd(await this.state(), { spec, member }, Date.now()));
  }

  async resolveMember(key: string): Promise<'resolved' | 'dropped' | 'nothing'> {
    return this.apply(decideResolveMember(await this.state(), { key }, Date.now()));
  }

  async sent(target: string, slack: { channel: string; ts: string } | null, message: object | null): Promise<void> {
    const next = decideGroupSent(await this.state(), { target, slack, message });
    if (next) await this.ctx.storage.put(STATE, next);
  }

  async state(): Promise<GroupState | null> {
    return (await this.ctx.storage.get<GroupState>(STATE)) ?? null;
  }

  /** The state and when the group's clock runs next (its alarm), for the admin API. */
  async view(): Promise<{ state: GroupState | null; nextAt: number | null }> {
    return { state: await this.state(), nextAt: await this.ctx.storage.getAlarm() };
  }

  override async alarm(): Promise<void> {
    const step = decideFlush(await this.state(), Date.now());
    const flush = await this.apply(step);
    if (!flush) return;
    await this.emit(flush);
    const next = decideHandedOver(await this.state(), flush.seq);
    if (next) await this.ctx.storage.put(STATE, next);
  }

  /** The notification as the relay's own event in the ledger, its jobs handed to the one dispatch. */
  private async emit(flush: GroupFlush): Promise<void> {
    const event = flushEvent(flush);
    const jobs = await recordOwnEvent(
      this.env,
      event,
      { index: flush.group.routeIndex, name: flush.group.route, notify: flush.group.notify },
      {
        auth: 'the relay itself (group notification)',
        effect: { kind: 'group', group: flush.group.id },
        inline: (list) => this.deliverInline(list),
      },
    );
    createConsoleLogger({ service: 'switchyard' }).log('info', 'group.flushed', {
      group: flush.group.key,
      group_id: flush.group.id,
      route: flush.group.route,
      seq: flush.seq,
      notification_reason: flush.reason,
      firing: flush.counts.firing,
      resolved: flush.counts.resolved,
      jobs,
    });
  }

  /** Delivers jobs in place when the Worker has no queue (the Worker's own class, src/objects.ts, gives the runner). */
  protected deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return Promise.reject(new Error(`no inline delivery here for ${jobs.length} job(s)`));
  }

  private async apply<D>(step: GroupStep<D>): Promise<D> {
    if (step.next === 'delete') {
      await this.ctx.storage.deleteAll();
      return step.decision;
    }
    if (step.next) await this.ctx.storage.put(STATE, step.next);
    if (step.alarmAt !== undefined) {
      const current = await this.ctx.storage.getAlarm();
      if (current === null || step.alarmAt < current) await this.ctx.storage.setAlarm(step.alarmAt);
    }
    return step.decision;
  }
}
