/**
 * The Worker's entry: HTTP through Hono, the queue consumers (delivery jobs and dead letters), and the
 * Durable Object classes the runtime needs.
 */
import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { handleQueue } from './queue.ts';

export { EventLedgerObject } from './state/event-ledger.ts';
export { DeliveryControlObject } from './state/delivery-control.ts';
export { AlertObject } from './state/alert.ts';
export { BudgetObject } from './state/budget.ts';
export { PacerObject } from './state/pacer.ts';
export { InboxObject } from './state/inbox.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
} satisfies ExportedHandler<Env>;
