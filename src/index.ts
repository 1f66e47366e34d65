/**
 * The Worker's entry: HTTP through Hono, the queue consumers (delivery jobs and dead letters), and the
 * Durable Object classes the runtime needs.
 */
import { createApp } from './app.ts';
import type { Env } from './env.ts';
import { handleQueue } from './queue.ts';

export {
  AlertObject,
  BudgetObject,
  DeliveryControlObject,
  EventLedgerObject,
  EventStoreObject,
  GroupObject,
  HealthObject,
  InboxObject,
  PacerObject,
} from './objects.ts';

const app = createApp();

export default {
  fetch: app.fetch,
  queue: (batch, env) => handleQueue(batch, env),
} satisfies ExportedHandler<Env>;
