/**
 * The Worker's entry: HTTP through Hono; the Durable Object classes the runtime needs are exported here.
 */
import { createApp } from './app.ts';
import type { Env } from './env.ts';

export { EventLedgerObject } from './state/event-ledger.ts';

const app = createApp();

export default {
  fetch: app.fetch,
} satisfies ExportedHandler<Env>;
