/**
 * The first attempt at once (queue mode, workerd): an accepted event's jobs are attempted right after the
 * answer, and their queued copies — delayed, the backstop — find them done. The claim keeps the two paths from
 * both sending; a first attempt that fails leaves the job to its copy, which waits until the retry is due; a
 * Worker that dies after the send but before it records sends at most once more (the lease, as before).
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, waitOnExecutionContext } from 'cloudflare:test';
import { createApp } from '../src/app.ts';
import { prequelHeaders, rfc3339 } from './helpers/signers.ts';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { DeliveryJob } from '../src/core/jobs.ts';
import { PAGING_SOURCE, resetBudget } from './helpers/budget.ts';
import { prequelEvent } from './kits/memory-delivery.ts';
import { PREQUEL_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';
import { until } from './helpers/wait.ts';
import { json, keys, postPrequel } from './helpers/worker.ts';
import { accept, editJob, intercept, runBackstop, traceOf } from './helpers/store.ts';

beforeEach(resetBudget);

const PD = 'events.pagerduty.com';
const FIXTURE = JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body) as { data: Record<string, unknown> };
const marker = (): string => `f${crypto.randomUUID().replaceAll('-', '')}`;

async function post(m: string): Promise<string> {
  const body = JSON.stringify({ ...FIXTURE, data: { ...FIXTURE.data, transfer_id: m, destination_id: m, transfer_blamed_party: 'prequel' } });
  const res = await json(await postPrequel(body, { source: PAGING_SOURCE }));
  expect(res.accepted).toBe(1);
  return res.events![0]!.id;
}
const keyOf = (id: string) => `${PAGING_SOURCE}:${id}`;
const trace = (id: string) => traceOf(keyOf(id));
const pageJob = async (id: string) => (await trace(id)).jobs.find((j) => j.job.target === 'oncall')!;

/** The queued copy of a job, delivered by the real consumer now (as if its delay had passed). */
async function deliverCopy(job: DeliveryJob) {
  const batch = createMessageBatch<DeliveryJob>('switchyard-jobs', [{ id: `${job.id}-copy`, timestamp: new Date(), attempts: 1, body: job }]);
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  return getQueueResult(batch, ctx);
}

describe('the first attempt at once, the queue as backstop (the default)', () => {
  it('is asked of the store only with the flag: the jobs come back claimed, nothing is queued until the backstop', async () => {
    const m = marker();
    const event = prequelEvent('transfer.error', m, 1, 'prequel', PAGING_SOURCE);
    const routing = { routes: [{ index: 0, name: 'r', notify: ['audit'] }] };
    const without = await accept(event, { retentionMs: 60_000, mode: 'queue' }, routing);
    expect([without.jobs.length, without.attemptNow]).toEqual([0, undefined]);
    const other = { ...event, id: `pq_${m}_2` };
    const key = `${PAGING_SOURCE}:${other.id}`;
    const sent: { event: string; delay: number | undefined }[] = [];
    const restore = await intercept(key, (real) => (messages) => {
      for (const msg of messages) sent.push({ event: msg.body.event, delay: msg.delaySeconds });
      return real.sendBatch(messages);
    });
    const withFlag = await accept(other, { retentionMs: 60_000, mode: 'queue', firstAttempt: true }, routing);
    expect([withFlag.jobs.length, withFlag.attemptNow?.map((j) => [j.job.target, j.claim.attempt])]).toEqual([0, [['audit', 1]]]);
    expect((await traceOf(key)).jobs[0]).toMatchObject({ status: 'sending', runAttempts: 1 });
    expect(sent).toEqual([]);
    // Nobody attempted it (a Worker gone before its waitUntil ran): the backstop queues it, due when the claim's lease ends.
    await runBackstop(key);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.delay).toBeGreaterThan(100);
    expect(sent[0]!.delay).toBeLessThanOrEqual(120);
    await restore();
  });

  it('sends right after the answer, within the request; the queued copy finds the job done and sends nothing', async () => {
    const m = marker();
    const body = JSON.stringify({ ...FIXTURE, data: { ...FIXTURE.data, transfer_id: m, destination_id: m, transfer_blamed_party: 'prequel' } });
    const headers = await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(Date.now()));
    const ctx = createExecutionContext();
    const res = await createApp().fetch(new Request(`https://relay.test/hooks/${PAGING_SOURCE}`, { method: 'POST', body, headers }), env, ctx);
    const id = ((await res.json()) as { events: { id: string }[] }).events[0]!.id;
    // Once the request's background work is done, the page is out and recorded: no consumer was needed.
    await waitOnExecutionContext(ctx);
    expect(await network.requests(PD, m)).toHaveLength(1);
    const job = await pageJob(id);
    expect([job.status, job.attempts.length]).toEqual(['delivered', 1]);
    // The backstop finds it delivered and queues nothing; a stray copy (Queues deliver at least once) sends nothing.
    const sent: string[] = [];
    const restore = await intercept(keyOf(id), (real) => (messages) => {
      sent.push(...messages.map((msg) => msg.body.id));
      return real.sendBatch(messages);
    });
    await runBackstop(keyOf(id));
    expect(sent).toEqual([]);
    await restore();
    const copy = await deliverCopy(job.job as DeliveryJob);
    expect(copy.explicitAcks).toEqual([`${job.job.id}-copy`]);
    await new Promise((r) => setTimeout(r, 300));
    expect(await network.requests(PD, m)).toHaveLength(1);
    expect((await pageJob(id)).attempts).toHaveLength(1);
  });

  it('a first attempt that fails leaves the job to its copy, which waits until the retry is due, then sends once', async () => {
    const m = marker();
    await network.script(PD, { status: 500, body: '{"status":"error"}', headers: { 'content-type': 'application/json' }, match: m });
    const id = await post(m);
    const failed = await until('the failed first attempt', async () => {
      const j = await pageJob(id);
      return j.status === 'retrying' ? j : null;
    });
    expect(failed.attempts.map((a) => a.outcome)).toEqual(['retryable']);
    // The backstop queues one copy, delayed until the retry is due.
    const sent: { job: string; delay: number | undefined }[] = [];
    const restore = await intercept(keyOf(id), (real) => (messages) => {
      sent.push(...messages.map((msg) => ({ job: msg.body.id, delay: msg.delaySeconds })));
      return real.sendBatch(messages);
    });
    await runBackstop(keyOf(id));
    await restore();
    const copies = sent.filter((x) => x.job === failed.job.id);
    expect(copies).toHaveLength(1);
    expect(copies[0]!.delay ?? 0).toBeLessThanOrEqual(Math.ceil((failed.nextAttemptAt! - Date.now()) / 1000) + 1);
    // Were the copy to arrive before the retry is due: it is told to come back, and sends nothing.
    const early = await deliverCopy(failed.job as DeliveryJob);
    expect(early.retryMessages).toHaveLength(1);
    expect(await network.requests(PD, m)).toHaveLength(1);
    // Once due, the copy sends, once.
    await editJob(keyOf(id), failed.job.id, (s) => ({ ...s, nextAttemptAt: Date.now() - 1 }));
    await deliverCopy(failed.job as DeliveryJob);
    expect(await network.requests(PD, m)).toHaveLength(2);
    expect((await pageJob(id)).status).toBe('delivered');
  });

  it('a Worker that dies after the send but before recording it sends at most once more: after the lease', async () => {
    const m = marker();
    // The first attempt is cut short here: the job is claimed (as a send would) and never finished.
    await network.script(PD, { networkError: true, match: m });
    const id = await post(m);
    await until('the first attempt', async () => (await pageJob(id)).attempts.length === 1);
    const job = (await pageJob(id)).job as DeliveryJob;
    await editJob(keyOf(id), job.id, (s) => ({ ...s, status: 'sending', leaseUntil: Date.now() + 60_000, nextAttemptAt: null }));
    const sentBefore = (await network.requests(PD, m)).length;
    // While the dead attempt's lease holds, the copy does not send.
    expect((await deliverCopy(job)).retryMessages).toHaveLength(1);
    expect(await network.requests(PD, m)).toHaveLength(sentBefore);
    // After the lease, it sends once more, and that is all.
    await editJob(keyOf(id), job.id, (s) => ({ ...s, leaseUntil: Date.now() - 1 }));
    await deliverCopy(job);
    await deliverCopy(job);
    expect(await network.requests(PD, m)).toHaveLength(sentBefore + 1);
    expect((await pageJob(id)).status).toBe('delivered');
  });
});
