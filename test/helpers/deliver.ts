/**
 * Accepts an event in its ledger without a queue message (inline mode), then delivers its jobs as one queue
 * batch through the real consumer, and checks every message was acked: one event, delivered now.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult } from 'cloudflare:test';
import { expect } from 'vitest';
import worker from '../../src/index.ts';
import type { CanonicalEvent } from '../../src/core/event.ts';
import type { DeliveryJob } from '../../src/core/jobs.ts';
import { accept } from './store.ts';

export async function deliver(event: CanonicalEvent): Promise<DeliveryJob[]> {
  const jobs = [...(await accept(event)).jobs];
  const batch = createMessageBatch<DeliveryJob>(
    'switchyard-jobs',
    jobs.map((body) => ({ id: body.id, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  const result = await getQueueResult(batch, ctx);
  expect(result.explicitAcks.sort()).toEqual(jobs.map((j) => j.id).sort());
  return jobs;
}
