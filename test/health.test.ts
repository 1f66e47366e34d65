/**
 * The relay's own health in the Workers runtime (settings.health in the example: notices to #switchyard-notices):
 * a dead-lettered page is one notice and a notice's own dead letter is none; five failed deliveries in a row to
 * one target are one notice, and its recovery one more; a spike of refused signatures is one notice; a silent
 * source is one notice from the health object's alarm, none while events arrive, and one when it is back.
 * The health object is the real one; its alarm is driven with runDurableObjectAlarm.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { HealthState } from '../src/core/delivery.ts';
import type { CanonicalEvent } from '../src/core/event.ts';
import type { DeliveryJob } from '../src/core/jobs.ts';
import { healthOf, healthRoute } from '../src/env.ts';
import { PAGING_SOURCE, resetBudget } from './helpers/budget.ts';
import { accept, store } from './helpers/store.ts';
import { prequelEvent } from './kits/memory-delivery.ts';
import { network } from './helpers/network.ts';
import { until } from './helpers/wait.ts';
import { keys, post } from './helpers/worker.ts';
import { prequelHeaders, rfc3339 } from './helpers/signers.ts';

const SLACK = 'slack.com';
const AUDIT = 'audit.example.com';
const PD = 'events.pagerduty.com';
const marker = (): string => `h${crypto.randomUUID().replaceAll('-', '')}`;

beforeEach(async () => {
  await resetBudget();
  await runInDurableObject(healthOf(env), async (_, state) => {
    const seq = ((await state.storage.get<HealthState>('state')) ?? { seq: 0 }).seq;
    await state.storage.deleteAlarm();
    await state.storage.deleteAll();
    // Keep the numbering: notices are events of the relay's own, keyed by it.
    await state.storage.put('state', { targets: {}, verification: {}, sources: {}, seq });
  });
});

const health = async () => (await healthOf(env).state()) as unknown as HealthState;
/** The notices sent since `from` (their events in the ledger), in order. */
async function noticesSince(from: number): Promise<{ type: string; title: string }[]> {
  const out: { type: string; title: string }[] = [];
  const { seq } = await health();
  for (let n = from + 1; n <= seq; n++) {
    const t = (await store().of(`switchyard:health:${n}`).timeline()) as unknown as { record: { event: CanonicalEvent } } | null;
    const data = t?.record.event.data as { type: string; title: string } | undefined;
    if (data) out.push({ type: data.type, title: data.title });
  }
  return out;
}

/** A transfer failure through the tests' per-destination paging route (a page and a Slack post). */
const page = (m: string): CanonicalEvent => prequelEvent('transfer.error', m, 1, 'prequel', PAGING_SOURCE);

/** A change to a Prequel source: the example audits it (HTTP POST to audit.example.com). */
function change(m: string): CanonicalEvent {
  return {
    ...page(m),
    source: 'prequel',
    type: 'export_source.created',
    id: `pq_change_${m}`,
    data: { current_resource: { id: m, name: m }, previous_resource: null },
  };
}

/** Accepts events and hands their jobs for `target` to the real queue consumer, one batch, one attempt each. */
async function attempt(events: readonly CanonicalEvent[], target: string): Promise<void> {
  const jobs: DeliveryJob[] = [];
  for (const e of events) {
    const accepted = await accept(e, { retentionMs: 86_400_000 });
    jobs.push(...(accepted.jobs as unknown as DeliveryJob[]).filter((j) => j.target === target));
  }
  const batch = createMessageBatch<DeliveryJob>(
    'switchyard-jobs',
    jobs.map((body) => ({ id: body.id, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await worker.queue(batch, env);
  await getQueueResult(batch, ctx);
}

describe('relay health (settings.health)', () => {
  it('a target failing five deliveries in a row is one notice; its recovery is one more', async () => {
    const from = (await health()).seq;
    // The audit endpoint (HTTP, neither paced nor budgeted) answers 500 to seven changes in a row.
    const marks = Array.from({ length: 7 }, marker);
    for (const m of marks) await network.script(AUDIT, { status: 500, body: 'down', match: m });
    await attempt(marks.slice(0, 4).map(change), 'audit');
    expect(await noticesSince(from)).toEqual([]);
    await attempt(marks.slice(4).map(change), 'audit'); // the 5th, 6th and 7th
    expect(await noticesSince(from)).toEqual([{ type: 'health.target_failing', title: 'audit has failed 5 deliveries in a row' }]);

    await attempt([change(marker())], 'audit'); // it answers again
    expect(await noticesSince(from)).toEqual([
      { type: 'health.target_failing', title: 'audit has failed 5 deliveries in a row' },
      { type: 'health.target_recovered', title: 'audit delivers again, after 7 failed deliveries' },
    ]);
    // Both reached the notices channel, rendered like any Slack message.
    await until('the two notices in Slack', async () => {
      const posts = (await network.requests(SLACK)).filter((r) => new URLSearchParams(r.body).get('channel') === '#switchyard-notices');
      const texts = posts.map((r) => new URLSearchParams(r.body).get('text') ?? '');
      return texts.some((t) => t.includes('audit has failed 5 deliveries in a row')) && texts.some((t) => t.includes('audit delivers again'));
    });
  });

  it("a dead-lettered page is one notice; a health notice's own dead letter makes no further notice", async () => {
    const from = (await health()).seq;
    const m = marker();
    // A revoked PagerDuty routing key: a permanent 400 for the page. The notices channel then refuses the notice.
    await network.script(PD, {
      status: 400,
      body: '{"status":"invalid event","message":"Event object is invalid","errors":["Invalid routing key"]}',
      headers: { 'content-type': 'application/json' },
      match: m,
    });
    await network.script(SLACK, {
      status: 200,
      body: '{"ok":false,"error":"channel_not_found"}',
      headers: { 'content-type': 'application/json' },
      match: 'switchyard-notices',
    });
    await attempt([page(m)], 'oncall');
    await until('the dead letter and its notice', async () => (await noticesSince(from)).length === 1);
    const [notice] = await noticesSince(from);
    expect(notice!.title).toMatch(/^A notification to oncall was dead-lettered: permanent failure: pagerduty: HTTP 400/);
    // The notice's job died too (channel_not_found): it is a dead letter like any, and nothing more is said.
    const noticeJobs = (await store()
      .of(`switchyard:health:${from + 1}`)
      .timeline()) as unknown as { jobs: { status: string }[] };
    await until('the notice dead-lettered', async () =>
      (
        (await store()
          .of(`switchyard:health:${from + 1}`)
          .timeline()) as unknown as { jobs: { status: string }[] }
      ).jobs.every((j) => j.status === 'dead'),
    );
    expect(noticeJobs.jobs).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 500));
    expect((await health()).seq).toBe(from + 1);
  });

  it('ten refused signatures from one source within ten minutes are one notice, naming the reason', async () => {
    const from = (await health()).seq;
    const body = JSON.stringify({ type: 'transfer.error', created_at: '2026-12-03T12:00:00Z', data: { destination_id: marker() } });
    const forged = await prequelHeaders(keys.stranger.privatePem, body, rfc3339(Date.now()));
    for (let i = 0; i < 12; i++) expect((await post('/hooks/prequel', body, forged)).status).toBe(401);
    await until('the notice', async () => (await health()).verification.prequel?.recent.length === 10);
    expect(await noticesSince(from)).toEqual([
      { type: 'health.verification_failures', title: 'prequel: 10 deliveries refused at verification within 10 min (bad_signature ×10)' },
    ]);
  });

  it('a silent source is one notice from the alarm, none while events arrive, and one when it is back', async () => {
    const from = (await health()).seq;
    const route = healthRoute()!;
    const stub = healthOf(env);
    // An event from prequel (expect_every: 24h): the switch is set a day ahead; an alarm now finds nothing.
    await stub.seen('prequel', 86_400_000, route);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await noticesSince(from)).toEqual([]);
    // A day and an hour without events: the alarm says so, once.
    await runInDurableObject(stub, async (_, state) => {
      const s = (await state.storage.get<HealthState>('state'))!;
      await state.storage.put('state', { ...s, sources: { prequel: { ...s.sources.prequel!, lastAt: Date.now() - 25 * 3_600_000 } } });
      await state.storage.setAlarm(Date.now());
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    await runInDurableObject(stub, (_, state) => state.storage.setAlarm(Date.now()));
    await runDurableObjectAlarm(stub);
    expect(await noticesSince(from)).toEqual([{ type: 'health.source_silent', title: 'prequel has sent nothing for 25 h (expect_every: 24 h)' }]);
    // It sends again.
    await stub.seen('prequel', 86_400_000, route);
    expect((await noticesSince(from)).map((n) => n.type)).toEqual(['health.source_silent', 'health.source_back']);
  });

  it('an accepted event resets the switch (reported after the answer, at most once a minute per isolate)', async () => {
    const { noteSourceSeen } = await import('../src/env.ts');
    const log = { log: () => undefined };
    const later = Date.now() + 10 * 60_000; // past any report this isolate made in earlier tests
    await noteSourceSeen(env, 'prequel', log, later);
    const first = (await health()).sources.prequel!.lastAt;
    await noteSourceSeen(env, 'prequel', log, later + 1000); // within the minute: not reported again
    expect((await health()).sources.prequel!.lastAt).toBe(first);
    await noteSourceSeen(env, 'billing', log, later); // no expect_every: nothing to watch
    expect((await health()).sources.billing).toBeUndefined();
  });
});
