/**
 * The Durable Object classes as this Worker runs them: the stores of state/, given what only the Worker
 * can give — the inline runner, for alarms that emit jobs when there is no queue (a flapping alert's held
 * resolve, a paging budget's digest, a group's notification, a health notice). With a queue, the one dispatch sends their jobs there instead.
 */
import type { DeliveryJob } from './core/jobs.ts';
import { deliverInlineNow } from './env.ts';
import { AlertObject as AlertStore } from './state/alert.ts';
import { BudgetObject as BudgetStore } from './state/budget.ts';
import { GroupObject as GroupStore } from './state/group.ts';
import { HealthObject as HealthStore } from './state/health.ts';

export { EventLedgerObject } from './state/event-ledger.ts';
export { EventStoreObject } from './state/event-store.ts';
export { DeliveryControlObject } from './state/delivery-control.ts';
export { PacerObject } from './state/pacer.ts';
export { InboxObject } from './state/inbox.ts';

export class AlertObject extends AlertStore {
  protected override deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return deliverInlineNow(this.env, jobs, {});
  }
}

export class BudgetObject extends BudgetStore {
  protected override deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return deliverInlineNow(this.env, jobs, {});
  }
}

export class GroupObject extends GroupStore {
  protected override deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return deliverInlineNow(this.env, jobs, {});
  }
}

export class HealthObject extends HealthStore {
  protected override deliverInline(jobs: readonly DeliveryJob[]): Promise<void> {
    return deliverInlineNow(this.env, jobs, {});
  }
}
