/**
 * Delivery under faults, inside workerd: the real consumer (src/index.ts `queue`), the real event ledger
 * and control Durable Objects, the real Slack and PagerDuty SDKs, and only the network answered by the fake.
 * Queue batches are built with the Cloudflare vitest integration (`createMessageBatch` / `getQueueResult`),
 * so each redelivery is explicit; end-to-end cases go through Miniflare's real queues instead.
 *
 * Every test marks its events with a fresh id and scripts the fake network for that id only: the queue
 * consumer delivers other tests' events in the background.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject, waitOnExecutionContext } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { PAGING_ROUTE, PAGING_SOURCE, resetBudget } from './helpers/budget.ts';
import worker from '../src/index.ts';
import type { CanonicalEvent } from '../src/core/event.ts';
import { routeWith, ruleSet, type Env } from '../src/env.ts';
import { eventKey, planJobs, type DeliveryJob } from '../src/core/jobs.ts';
import { PREQUEL_FIXTURES, STANDARD_WEBHOOKS_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';
import { until } from './helpers/wait.ts';
import { consumerEnv, json, postBilling, postPrequel } from './helpers/worker.ts';
import type { EventTrace } from '../src/core/delivery.ts';
import type { EventStoreObject } from '../src/state/event-store.ts';
import { accept, editJob, intercept, recordOf, shardOf, traceOf } from './helpers/store.ts';

beforeEach(resetBudget);

const SLACK = 'slack.com';
const PD = 'events.pagerduty.com';
const TRANSFER_ERROR = JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body) as { data: Record<string, unknown> };

/** A fresh alphanumeric marker (survives Slack's form encoding, so requests can be found by it). */
const marker = (): string => `m${crypto.randomUUID().replaceAll('-', '')}`;

/** A transfer.error blamed on Prequel: the example rules page `oncall` and post to `data-eng`. */
function transferError(m: string, blame = 'prequel'): CanonicalEvent {
  return {
    source: PAGING_SOURCE,
    kind: 'prequel',
    type: 'transfer.error',
    id: `pq_${m}`,
    occurredAt: '2026-11-23T10:00:00+00:00',
    receivedAt: new Date().toISOString(),
    correlationId: null,
    meta: { apiVersion: '2023-10-15' },
    data: { ...TRANSFER_ERROR.data, transfer_id: m, destination_id: m, transfer_blamed_party: blame },
  };
}

/** Accepts the event in its ledger without queueing (inline mode), so the test delivers its jobs itself. */
async function jobsFor(event: CanonicalEvent): Promise<DeliveryJob[]> {
  const routing = routeWith(ruleSet())(event);
  return [...(await accept(event, {}, routing)).jobs];
}

const byTarget = (jobs: DeliveryJob[], target: string): DeliveryJob => jobs.find((j) => j.target === target)!;

/** One delivery of `jobs` as a batch (message id = job id; `attempts` as the queue would count them). */
/**
 * Queues redeliver a retried message after its delay: a message delivered again here (attempts > 1) stands for
 * that later delivery, so the retry it was waiting for is made due first (the claim holds back a copy that
 * arrives before its retry is due).
 */
async function dueNow(jobs: readonly DeliveryJob[]) {
  for (const job of jobs) await editJob(job.event, job.id, (s) => (s.status === 'retrying' ? { ...s, nextAttemptAt: Date.now() - 1 } : s));
}

async function consume(jobs: readonly DeliveryJob[], attempts = 1, useEnv: Env = env, timestamp = new Date()) {
  if (attempts > 1) await dueNow(jobs);
  const batch = createMessageBatch<DeliveryJob>(
    'switchyard-jobs',
    jobs.map((body) => ({ id: body.id, timestamp, attempts, body })),
  );
  const ctx = createExecutionContext();
  // The test harness records which messages were retried but not their delays: observe what the consumer asks.
  const delays = new Map<string, number | undefined>();
  let batchDelay: number | undefined;
  const observed = new Proxy(batch, {
    get(target, prop) {
      if (prop === 'messages') return target.messages.map((m) => observeRetry(m, delays));
      if (prop === 'retryAll')
        return (o?: QueueRetryOptions) => {
          batchDelay = o?.delaySeconds;
          target.retryAll(o);
        };
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  await worker.queue(observed, useEnv);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    retryBatch: { ...result.retryBatch, ...(batchDelay !== undefined ? { delaySeconds: batchDelay } : {}) },
    retryMessages: result.retryMessages.map((r) => ({ msgId: r.msgId, delaySeconds: delays.get(r.msgId) })),
  };
}

function observeRetry<T>(message: Message<T>, delays: Map<string, number | undefined>): Message<T> {
  return new Proxy(message, {
    get(target, prop) {
      if (prop === 'retry')
        return (o?: QueueRetryOptions) => {
          delays.set(target.id, o?.delaySeconds);
          target.retry(o);
        };
      const value = Reflect.get(target, prop) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

const trace = (event: Pick<CanonicalEvent, 'source' | 'id'>): Promise<EventTrace> => traceOf(event);

function admin(path: string, init: RequestInit = {}, token = env.ADMIN_TOKEN as string): Promise<Response> {
  const headers = new Headers(init.headers);
  if (token) headers.set('authorization', `Bearer ${token}`);
  if (init.body) headers.set('content-type', 'application/json');
  return exports.default.fetch(new Request(`https://relay.test${path}`, { ...init, headers }));
}

const settle = (ms = 1500) => new Promise((r) => setTimeout(r, ms));

describe('retries', () => {
  it('a target that fails three times, then recovers, gets the notification once', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m)), 'data-eng');
    await network.script(SLACK, ...Array.from({ length: 3 }, () => ({ status: 503, body: 'upstream down', match: m })));

    for (let attempt = 1; attempt <= 3; attempt++) {
      const result = await consume([job], attempt);
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages).toHaveLength(1);
      expect(result.retryMessages[0]!.delaySeconds).toBeGreaterThanOrEqual(1);
    }
    expect((await consume([job], 4)).explicitAcks).toEqual([job.id]);
    // Queues deliver at least once: a copy of the message after success sends nothing.
    expect((await consume([job], 5)).explicitAcks).toEqual([job.id]);

    const sent = await network.requests(SLACK, m);
    expect(sent).toHaveLength(4);
    const state = (await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!;
    expect(state.status).toBe('delivered');
    expect(state.attempts.map((a) => [a.n, a.outcome, a.status, a.decision])).toEqual([
      [1, 'retryable', 503, 'retry'],
      [2, 'retryable', 503, 'retry'],
      [3, 'retryable', 503, 'retry'],
      [4, 'ok', 200, 'delivered'],
    ]);
    expect(state.receipt).toEqual({ slack: { channel: 'C0FAKE0001', ts: expect.stringMatching(/^1763900000\.\d{6}$/) } });
  });

  it('a 429 with Retry-After: 7 is retried no sooner than 7 s', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m)), 'data-eng');
    await network.script(SLACK, { status: 429, headers: { 'retry-after': '7' }, body: '{"ok":false,"error":"ratelimited"}', match: m });
    const result = await consume([job]);
    expect(result.retryMessages).toEqual([{ msgId: job.id, delaySeconds: 7 }]);
    const state = (await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!;
    expect(state.status).toBe('retrying');
    expect(state.attempts[0]).toMatchObject({ outcome: 'retryable', status: 429, decision: 'retry', delayMs: 7000 });
    expect(state.nextAttemptAt! - state.attempts[0]!.at).toBeGreaterThanOrEqual(7000);
  });

  it('a permanent 4xx goes straight to dead letters, recorded by the dead-letter consumer', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m)), 'data-eng');
    await network.script(SLACK, { status: 200, body: '{"ok":false,"error":"channel_not_found"}', headers: { 'content-type': 'application/json' }, match: m });
    const result = await consume([job]);
    expect(result.explicitAcks).toEqual([job.id]);
    expect(result.retryMessages).toEqual([]);
    const control = env.CONTROL.getByName('control');
    const letter = await until('the dead letter', () => control.getDeadLetter(job.id));
    expect(letter).toMatchObject({ jobId: job.id, target: 'data-eng', replayedAt: null });
    expect(letter.why).toMatch(/^permanent failure: .*channel_not_found/);
    expect((await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!.status).toBe('dead');
    expect(await network.requests(SLACK, m)).toHaveLength(1);
  });

  it('gives up after the target’s max_attempts and dead-letters the job', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m)), 'data-eng');
    await network.script(SLACK, ...Array.from({ length: 20 }, () => ({ status: 500, match: m })));
    let last;
    for (let attempt = 1; attempt <= 20; attempt++) last = await consume([job], attempt);
    expect(last!.explicitAcks).toEqual([job.id]);
    const state = (await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!;
    expect(state.status).toBe('dead');
    expect(state.why).toMatch(/^gave up after 20 attempts/);
    expect(await network.requests(SLACK, m)).toHaveLength(20);
  });
});

describe('no duplicates', () => {
  it('a Slack outage does not re-send the PagerDuty page of the same event', async () => {
    const m = marker();
    const jobs = await jobsFor(transferError(m));
    expect(jobs.map((j) => j.target).sort()).toEqual(['data-eng', 'oncall']);
    await network.script(SLACK, { status: 503, match: m }, { status: 503, match: m });

    const first = await consume(jobs);
    expect(first.explicitAcks).toEqual([byTarget(jobs, 'oncall').id]);
    // The whole batch delivered again (as after a crash): the page is not sent twice.
    const second = await consume(jobs, 2);
    expect(second.explicitAcks).toEqual([byTarget(jobs, 'oncall').id]);
    const third = await consume([byTarget(jobs, 'data-eng')], 3);
    expect(third.explicitAcks).toEqual([byTarget(jobs, 'data-eng').id]);

    expect(await network.requests(PD, m)).toHaveLength(1);
    expect(await network.requests(SLACK, m)).toHaveLength(3);
  });

  it('a throw in the middle of a batch re-runs only the unsettled message, and nothing is sent twice', async () => {
    const marks = [marker(), marker(), marker()];
    const jobs = await Promise.all(marks.map(async (m) => byTarget(await jobsFor(transferError(m)), 'data-eng')));
    // The second job's ledger fails once (an overloaded Durable Object), in the middle of the batch.
    const faulty = { ...env, EVENT_STORE: faultyNamespace(eventKey(transferError(marks[1]!))) } as unknown as Env;
    const first = await consume(jobs, 1, faulty);
    expect(first.explicitAcks.sort()).toEqual([jobs[0]!.id, jobs[2]!.id].sort());
    expect(first.retryMessages).toEqual([{ msgId: jobs[1]!.id, delaySeconds: 10 }]);
    // Redelivered whole, as a runtime that lost the acks would.
    const second = await consume(jobs, 2);
    expect(second.explicitAcks.sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const m of marks) expect(await network.requests(SLACK, m)).toHaveLength(1);
  });

  it('a consumer that cannot read its control state retries the whole batch and sends nothing', async () => {
    const m = marker();
    const jobs = await jobsFor(transferError(m));
    const broken = { ...env, CONTROL: { getByName: () => ({ deliveryState: () => Promise.reject(new Error('overloaded')) }) } } as unknown as Env;
    const result = await consume(jobs, 1, broken);
    expect(result.retryBatch).toEqual({ retry: true, delaySeconds: 10 });
    expect(result.explicitAcks).toEqual([]);
    expect(await network.requests(undefined, m)).toHaveLength(0);
  });

  it('two consumers holding copies of one message at once send it once', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m)), 'oncall');
    const [a, b] = await Promise.all([consume([job]), consume([job])]);
    const acked = [a, b].filter((r) => r.explicitAcks.length === 1).length;
    const retried = [a, b].filter((r) => r.retryMessages.length === 1).length;
    expect(acked + retried).toBe(2);
    expect(await network.requests(PD, m)).toHaveLength(1);
  });
});

describe('pacing', () => {
  it('paces a burst to one Slack channel to about one a second: short waits slept out, the rest re-queued, none dropped', async () => {
    const marks = [marker(), marker(), marker(), marker()];
    const jobs = await Promise.all(marks.map(async (m) => byTarget(await jobsFor(transferError(m)), 'data-eng')));
    const first = await consume(jobs);
    expect(first.explicitAcks.length + first.retryMessages.length).toBe(4);
    expect(first.retryMessages.length).toBeGreaterThanOrEqual(1);
    for (const r of first.retryMessages) expect(r.delaySeconds).toBeGreaterThanOrEqual(1);
    await new Promise((r) => setTimeout(r, Math.max(...first.retryMessages.map((r) => r.delaySeconds ?? 0)) * 1000));
    const retried = jobs.filter((j) => first.retryMessages.some((r) => r.msgId === j.id));
    const second = await consume(retried, 2);
    expect(second.explicitAcks.sort()).toEqual(retried.map((j) => j.id).sort());

    const sent = (await Promise.all(marks.map((m) => network.requests(SLACK, m)))).map((r) => r);
    expect(sent.map((r) => r.length)).toEqual([1, 1, 1, 1]);
    const times = sent.map((r) => r[0]!.at).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(900);
  });
});

describe('ingest and the queue', () => {
  it('delivers a signed event end to end through the real queue: once per target', async () => {
    const m = marker();
    const body = JSON.stringify({ ...TRANSFER_ERROR, data: { ...TRANSFER_ERROR.data, transfer_id: m, destination_id: m, transfer_blamed_party: 'prequel' } });
    const res = await json(await postPrequel(body, { source: PAGING_SOURCE }));
    expect(res.accepted).toBe(1);
    await network.waitFor(PD, m, 1);
    await network.waitFor(SLACK, m, 1);
    // A vendor retry of the same delivery is a duplicate and queues nothing more.
    expect((await json(await postPrequel(body, { source: PAGING_SOURCE }))).duplicates).toBe(1);
    await settle();
    expect(await network.requests(PD, m)).toHaveLength(1);
    expect(await network.requests(SLACK, m)).toHaveLength(1);

    const id = res.events![0]!.id;
    const t = (await (await admin(`/admin/events/${PAGING_SOURCE}/${id}`)).json()) as {
      verification: { auth: string; deliveries_from_sender: number };
      routing: { matched: { name: string }[]; explanation: { name: string; matched: boolean; reason: string }[] };
      jobs: { target: string; status: string; attempts: { outcome: string; status: number; latencyMs: number }[] }[];
    };
    expect(t.verification).toMatchObject({ deliveries_from_sender: 2 });
    expect(t.verification.auth).toMatch(/^signature/);
    expect(t.routing.matched.map((r) => r.name)).toEqual([PAGING_ROUTE]);
    expect(t.routing.explanation.find((r) => r.matched)?.name).toBe(PAGING_ROUTE);
    expect(t.routing.explanation[1]).toMatchObject({ matched: false });
    expect(t.jobs.map((j) => [j.target, j.status, j.attempts.map((a) => a.outcome)]).sort()).toEqual([
      ['data-eng', 'delivered', ['ok']],
      ['oncall', 'delivered', ['ok']],
    ]);
  });

  it('an event whose jobs could not be queued is not a duplicate on the vendor’s retry (the queue consumer’s path)', async () => {
    const consumer = consumerEnv();
    const id = `msg_${marker()}`;
    const body = STANDARD_WEBHOOKS_FIXTURES[0]!.body;
    const key = `billing:${id}`;
    // The queue refuses the first send of this event's jobs (an outage between recording and enqueueing).
    const restore = await intercept(
      key,
      (real, calls) => (messages) => (calls.count === 1 ? Promise.reject(new Error('queue unavailable')) : real.sendBatch(messages)),
    );
    const first = await postBilling(body, id, { env: consumer });
    expect(first.status).toBe(503);
    expect(((await first.json()) as { error: { reason: string } }).error.reason).toBe('ledger_unavailable');
    const second = await json(await postBilling(body, id, { env: consumer }));
    expect([second.accepted, second.duplicates]).toEqual([1, 0]);
    const third = await json(await postBilling(body, id, { env: consumer }));
    expect([third.accepted, third.duplicates]).toEqual([0, 1]);
    await until('the delivered job', async () => (await trace({ source: 'billing', id })).jobs.every((j) => j.status === 'delivered'));
    const t = await trace({ source: 'billing', id });
    expect(t.jobs.map((j) => [j.job.target, j.attempts.length])).toEqual([['customer-success', 1]]);
    await restore();
  });

  it.each([
    ['the queue consumer’s path', true],
    ['the first attempt at once', false],
  ])('an event the store cannot write is answered 503 with nothing queued, and the vendor’s retry is a first delivery (%s)', async (_, viaQueue) => {
    const useEnv = viaQueue ? consumerEnv() : undefined;
    const id = `msg_${marker()}`;
    const key = `billing:${id}`;
    const body = STANDARD_WEBHOOKS_FIXTURES[0]!.body;
    const sent: string[] = [];
    const restore = await intercept(key, (real) => (messages) => {
      for (const m of messages) sent.push(m.body.event);
      return real.sendBatch(messages);
    });
    // The shard's write fails once for this event (a full disk, an overloaded object).
    await runInDurableObject(shardOf(key), (instance) => {
      const self = instance as unknown as { write: EventStoreObject['write'] };
      const real = self.write.bind(instance);
      let failed = false;
      self.write = (k, ...rest) => {
        if (k === key && !failed) {
          failed = true;
          throw new Error('SQLITE_FULL: database or disk is full');
        }
        return real(k, ...rest);
      };
    });
    const first = await postBilling(body, id, useEnv ? { env: useEnv } : {});
    expect(first.status).toBe(503);
    expect(((await first.json()) as { error: { reason: string } }).error.reason).toBe('ledger_unavailable');
    expect(sent).toEqual([]);
    expect(await recordOf(key)).toBeNull();
    const second = await json(await postBilling(body, id, useEnv ? { env: useEnv } : {}));
    expect([second.accepted, second.duplicates]).toEqual([1, 0]);
    // Queued once, now that it is recorded (the first attempt at once queues nothing unless it must retry).
    expect(sent).toEqual(viaQueue ? [key] : []);
    await until('the delivered job', async () => (await trace({ source: 'billing', id })).jobs.every((j) => j.status === 'delivered'));
    expect((await trace({ source: 'billing', id })).jobs.map((j) => [j.job.target, j.attempts.length])).toEqual([['customer-success', 1]]);
    await restore();
  });
});

describe('jobs whose event is not in the ledger', () => {
  it('waits for a young one (its record is being written, or the vendor will retry) and dead-letters an old one', async () => {
    const m = marker();
    const event = transferError(m);
    const [job] = await planJobs(event, routeWith(ruleSet())(event));
    const young = await consume([job!], 3);
    expect(young.retryMessages).toEqual([{ msgId: job!.id, delaySeconds: 8 }]);
    const old = await consume([job!], 40, env, new Date(Date.now() - 7 * 3_600_000));
    expect(old.explicitAcks).toEqual([job!.id]);
    const letter = await until('the dead letter', () => env.CONTROL.getByName('control').getDeadLetter(job!.id));
    expect(letter.why).toMatch(/not in the ledger/);
    expect(await network.requests(undefined, m)).toHaveLength(0);
  });
});

describe('replay and pause', () => {
  it('a replayed dead letter is delivered once, and replaying it again sends nothing', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m)), 'data-eng');
    await network.script(SLACK, { status: 200, body: '{"ok":false,"error":"not_in_channel"}', headers: { 'content-type': 'application/json' }, match: m });
    await consume([job]);
    await until('the dead letter', () => env.CONTROL.getByName('control').getDeadLetter(job.id));

    const listed = (await (await admin('/admin/dead-letters?target=data-eng&limit=1000')).json()) as { dead_letters: { job: string; why: string }[] };
    expect(listed.dead_letters.find((d) => d.job === job.id)?.why).toMatch(/not_in_channel/);

    // settings.health: the dead letter is one notice in the relay's notices channel, with the replay call.
    const channel = async (name: string) => (await network.requests(SLACK, m)).filter((r) => new URLSearchParams(r.body).get('channel') === name);
    await until('the health notice', async () => (await channel('#switchyard-notices')).length === 1);
    const notice = new URLSearchParams((await channel('#switchyard-notices'))[0]!.body);
    expect(notice.get('text')).toBe('🟠 Switchyard: A notification to data-eng was dead-lettered: permanent failure: slack: not_in_channel');
    expect(notice.get('attachments')).toContain(`POST /admin/dead-letters/${job.id}/replay`);

    const replay = (await (await admin(`/admin/dead-letters/${job.id}/replay`, { method: 'POST' })).json()) as { replayed: string[] };
    expect(replay.replayed).toEqual([job.id]);
    await until('the replayed delivery', async () => (await channel('#data-eng-alerts')).length === 2);
    await until('the delivery', async () => (await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!.status === 'delivered');

    const again = (await (await admin(`/admin/dead-letters/${job.id}/replay`, { method: 'POST' })).json()) as {
      replayed: string[];
      skipped: { why: string }[];
    };
    expect(again).toMatchObject({ replayed: [], skipped: [{ why: 'already delivered' }] });
    await settle();
    expect(await channel('#data-eng-alerts')).toHaveLength(2);
    expect(await channel('#switchyard-notices')).toHaveLength(1);
    const state = (await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!;
    expect(state.attempts.map((a) => [a.run, a.n, a.decision])).toEqual([
      [1, 1, 'dead'],
      [2, 1, 'delivered'],
    ]);
    const after = (await (await admin('/admin/dead-letters?target=data-eng&limit=1000')).json()) as { dead_letters: { job: string }[] };
    expect(after.dead_letters.some((d) => d.job === job.id)).toBe(false);
  });

  it('replays every dead letter of a target since a time', async () => {
    const since = new Date().toISOString();
    const marks = [marker(), marker()];
    const jobs = await Promise.all(marks.map(async (m) => byTarget(await jobsFor(transferError(m)), 'oncall')));
    for (const m of marks)
      await network.script(PD, { status: 400, body: '{"status":"invalid event","message":"Event object is invalid","errors":["x"]}', match: m });
    await consume(jobs);
    const control = env.CONTROL.getByName('control');
    for (const j of jobs) await until('dead letters', () => control.getDeadLetter(j.id));
    const res = (await (await admin('/admin/replay', { method: 'POST', body: JSON.stringify({ target: 'oncall', since }) })).json()) as { replayed: string[] };
    expect(res.replayed.sort()).toEqual(jobs.map((j) => j.id).sort());
    for (const m of marks) await network.waitFor(PD, m, 2);
    await settle();
    for (const m of marks) expect(await network.requests(PD, m)).toHaveLength(2);
  });

  it('a paused target parks its jobs; resuming delivers each once', async () => {
    const m = marker();
    const job = byTarget(await jobsFor(transferError(m, 'prequel')), 'data-eng');
    const paused = await admin('/admin/targets/data-eng/pause', { method: 'POST', body: JSON.stringify({ note: 'Slack incident' }) });
    expect(paused.status).toBe(200);
    try {
      const result = await consume([job]);
      expect(result.explicitAcks).toEqual([job.id]);
      expect(await network.requests(SLACK, m)).toHaveLength(0);
      expect((await trace(transferError(m))).jobs.find((j) => j.job.id === job.id)!.status).toBe('parked');
      const targets = (await (await admin('/admin/targets')).json()) as { targets: { name: string; paused: boolean; parked: number; note: string }[] };
      expect(targets.targets.find((t) => t.name === 'data-eng')).toMatchObject({ paused: true, note: 'Slack incident' });
      expect(targets.targets.find((t) => t.name === 'data-eng')!.parked).toBeGreaterThanOrEqual(1);
    } finally {
      const resumed = (await (await admin('/admin/targets/data-eng/resume', { method: 'POST' })).json()) as { requeued: number; was_paused: boolean };
      expect(resumed.was_paused).toBe(true);
      expect(resumed.requeued).toBeGreaterThanOrEqual(1);
    }
    await network.waitFor(SLACK, m, 1);
    await settle();
    expect(await network.requests(SLACK, m)).toHaveLength(1);
  });
});

describe('without a queue binding (inline delivery in waitUntil)', () => {
  const inlineEnv = (): Env => ({ ...env, JOBS: undefined, DEAD_LETTERS: undefined }) as Env;

  async function postInline(body: string): Promise<Response> {
    const { prequelHeaders, rfc3339 } = await import('./helpers/signers.ts');
    const { keys } = await import('./helpers/worker.ts');
    const headers = await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(Date.now()));
    const ctx = createExecutionContext();
    const res = await worker.fetch(new Request(`https://relay.test/hooks/${PAGING_SOURCE}`, { method: 'POST', body, headers }), inlineEnv(), ctx);
    await waitOnExecutionContext(ctx);
    return res;
  }

  it('delivers after the response, retrying a failing target within the request', async () => {
    const m = marker();
    await network.script(SLACK, { status: 503, match: m });
    const body = JSON.stringify({ ...TRANSFER_ERROR, data: { ...TRANSFER_ERROR.data, transfer_id: m, destination_id: m, transfer_blamed_party: 'prequel' } });
    const res = await postInline(body);
    expect(res.status).toBe(200);
    expect(await network.requests(PD, m)).toHaveLength(1);
    expect(await network.requests(SLACK, m)).toHaveLength(2);
  });

  it('dead-letters a job that stays down through its in-request tries', async () => {
    const m = marker();
    await network.script(SLACK, ...Array.from({ length: 5 }, () => ({ status: 503, match: m })));
    const body = JSON.stringify({ ...TRANSFER_ERROR, data: { ...TRANSFER_ERROR.data, transfer_id: m, destination_id: m, transfer_blamed_party: 'prequel' } });
    const res = (await (await postInline(body)).json()) as { events: { id: string }[] };
    expect(await network.requests(SLACK, m)).toHaveLength(3);
    const t = await trace({ source: PAGING_SOURCE, id: res.events[0]!.id });
    const slack = t.jobs.find((j) => j.job.target === 'data-eng')!;
    expect(slack.status).toBe('dead');
    expect(await env.CONTROL.getByName('control').getDeadLetter(slack.job.id)).toMatchObject({ target: 'data-eng' });
  });
});

describe('the admin API', () => {
  it('refuses a missing or wrong token, and says why', async () => {
    const none = await admin('/admin/targets', {}, '');
    expect(none.status).toBe(401);
    expect(none.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await admin('/admin/targets', {}, 'wrong')).status).toBe(401);
    const off = await worker.fetch(
      new Request('https://relay.test/admin/targets', { headers: { authorization: 'Bearer x' } }),
      { ...env, ADMIN_TOKEN: undefined } as unknown as Env,
      createExecutionContext(),
    );
    expect([off.status, ((await off.json()) as { error: { reason: string } }).error.reason]).toEqual([403, 'admin_disabled']);
  });

  it('answers bad input with a 4xx that names the problem', async () => {
    const cases: [string, RequestInit, number, string][] = [
      ['/admin/events/prequel/pq_nothing', {}, 404, 'unknown_event'],
      ['/admin/dead-letters?since=yesterday', {}, 400, 'bad_query'],
      ['/admin/dead-letters?limit=0', {}, 400, 'bad_query'],
      ['/admin/dead-letters/job_nope/replay', { method: 'POST' }, 404, 'unknown_dead_letter'],
      ['/admin/replay', { method: 'POST', body: '{}' }, 400, 'bad_body'],
      ['/admin/replay', { method: 'POST', body: 'not json' }, 400, 'bad_body'],
      ['/admin/replay', { method: 'POST', body: '{"since": 5}' }, 400, 'bad_body'],
      ['/admin/targets/nope/pause', { method: 'POST' }, 404, 'unknown_target'],
      ['/admin/targets/oncall/pause', { method: 'POST', body: 'x{' }, 400, 'bad_body'],
      ['/admin/targets/oncall/pause', { method: 'POST', body: '{"note": 5}' }, 400, 'bad_body'],
      ['/admin/replay', { method: 'POST', body: '{"state": "lost"}' }, 400, 'bad_body'],
      ['/admin/jobs', {}, 400, 'bad_query'],
      ['/admin/jobs?state=stuck&limit=5000', {}, 400, 'bad_query'],
    ];
    for (const [path, init, status, reason] of cases) {
      const res = await admin(path, init);
      expect([path, res.status, ((await res.json()) as { error: { reason: string } }).error.reason]).toEqual([path, status, reason]);
    }
  });
});

/** An EVENT_STORE namespace whose shards throw on the first claim of a job of `failingKey`. */
function faultyNamespace(failingKey: string): DurableObjectNamespace {
  let failed = false;
  return {
    getByName(name: string) {
      const real = env.EVENT_STORE.getByName(name);
      return new Proxy(real, {
        get(target, prop) {
          if (prop === 'claim')
            return (key: string, id: string) => {
              if (key !== failingKey || failed) return target.claim(key, id);
              failed = true;
              return Promise.reject(new Error('Durable Object overloaded'));
            };
          return Reflect.get(target, prop) as unknown;
        },
      });
    },
  } as unknown as DurableObjectNamespace;
}
