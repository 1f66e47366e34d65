/**
 * The event store (workerd): accepting creates no object per event (one row in one of the fixed shards);
 * events list newest first across shards, filtered and paged; the per-event objects of earlier versions stay
 * readable, their jobs deliverable, and — while LEGACY_EVENTS_UNTIL holds — a redelivery of one of their
 * events a duplicate.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { Env } from '../src/env.ts';
import { routeWith, ruleSet } from '../src/env.ts';
import { eventKey, type DeliveryJob } from '../src/core/jobs.ts';
import { DEFAULT_EVENT_SHARDS, shardName } from '../src/state/event-store.ts';
import { prequelEvent } from './kits/memory-delivery.ts';
import { network } from './helpers/network.ts';
import { until } from './helpers/wait.ts';
import { accept, shardOf, store } from './helpers/store.ts';

const marker = (): string => `s${crypto.randomUUID().replaceAll('-', '')}`;
const AUDIT = 'audit.example.com';

describe('the event store', () => {
  it('keeps an accepted event as a row of its shard, one of a fixed set named by the key', async () => {
    const m = marker();
    const events = Array.from({ length: 40 }, (_, i) => prequelEvent('export_destination.updated', `${m}${i}`));
    for (const e of events) expect((await accept(e)).outcome).toBe('accepted');
    const shards = new Set(events.map((e) => shardName(eventKey(e), DEFAULT_EVENT_SHARDS)));
    // 40 keys over 16 shards: several share one; no name outside the set.
    expect(shards.size).toBeLessThanOrEqual(DEFAULT_EVENT_SHARDS);
    expect(shards.size).toBeGreaterThan(4);
    for (const name of shards) expect(name).toMatch(/^events-\d+-of-16$/);
    const e = events[0]!;
    const row = await runInDurableObject(shardOf(eventKey(e)), (_, state) =>
      state.storage.sql.exec('SELECT source, type, deliveries, jobs FROM events WHERE key = ?', eventKey(e)).one(),
    );
    expect(row).toEqual({ source: 'prequel', type: 'export_destination.updated', deliveries: 1, jobs: 1 });
    expect((await accept(e)).outcome).toBe('duplicate');
    expect((await store().of(eventKey(e)).record())?.deliveries).toBe(2);
  });

  it('lists events newest first across shards, filtered by source, type and time, in pages that neither skip nor repeat', async () => {
    const m = marker();
    const since = Date.now();
    const types = ['export_source.created', 'export_source.deleted'];
    const events = Array.from({ length: 23 }, (_, i) => prequelEvent(types[i % 2]!, `${m}${i}`));
    for (const e of events) await accept(e);
    const all = await store().list({ since, source: 'prequel', limit: 1000 });
    const mine = all.events.filter((e) => e.key.includes(m));
    expect(mine).toHaveLength(23);
    expect(mine.map((e) => e.acceptedAt)).toEqual([...mine.map((e) => e.acceptedAt)].sort((a, b) => b - a));
    // Only one type.
    const deleted = await store().list({ since, type: 'export_source.deleted', limit: 1000 });
    expect(deleted.events.filter((e) => e.key.includes(m))).toHaveLength(11);
    expect(deleted.events.every((e) => e.type === 'export_source.deleted')).toBe(true);
    // Pages of 5 from the newest: the same 23, once each, in order.
    const paged: string[] = [];
    let before: Parameters<ReturnType<typeof store>['list']>[0]['before'] | undefined;
    for (let page = 0; page < 20; page++) {
      const res = await store().list({ since, source: 'prequel', limit: 5, ...(before ? { before } : {}) });
      paged.push(...res.events.map((e) => e.key));
      if (!res.next) break;
      before = res.next;
    }
    expect(paged.filter((k) => k.includes(m))).toEqual(mine.map((e) => e.key));
    expect(new Set(paged).size).toBe(paged.length);
    // Nothing from before `since`, nothing at or after `until`.
    const none = await store().list({ until: since, source: 'prequel', limit: 1000 });
    expect(none.events.filter((e) => e.key.includes(m))).toEqual([]);
  });
});

describe('events of the per-event objects of earlier versions', () => {
  /** An event accepted as a version before the store did: in its own object, its job queued. */
  async function legacyEvent() {
    const m = marker();
    const event = prequelEvent('export_destination.updated', m);
    const key = eventKey(event);
    const accepted = (await env.EVENTS.getByName(key).accept(event, routeWith(ruleSet())(event), {
      retentionMs: 86_400_000,
      mode: 'inline',
      auth: 'test',
    })) as unknown as {
      jobs: DeliveryJob[];
    };
    return { m, event, key, jobs: accepted.jobs };
  }

  it('stay readable (the trace) and their jobs deliverable by the consumer', async () => {
    const { m, key, jobs } = await legacyEvent();
    expect(await store().of(key).record()).toMatchObject({ event: { id: `pq_export_destination.updated_${m}_1` } });
    const batch = createMessageBatch<DeliveryJob>(
      'switchyard-jobs',
      jobs.map((body) => ({ id: body.id, timestamp: new Date(), attempts: 1, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batch, env);
    expect((await getQueueResult(batch, ctx)).explicitAcks).toEqual(jobs.map((j) => j.id));
    await network.waitFor(AUDIT, m, 1);
    const trace = await until('delivered', async () => {
      const t = await store().of(key).timeline();
      return t?.jobs.every((j) => j.status === 'delivered') ? t : null;
    });
    expect(trace.jobs).toHaveLength(1);
    const res = await exports.default.fetch(
      new Request(`https://relay.test/admin/events/prequel/${encodeURIComponent(`pq_export_destination.updated_${m}_1`)}`, {
        headers: { authorization: `Bearer ${env.ADMIN_TOKEN as string}` },
      }),
    );
    expect(res.status).toBe(200);
    // Nothing was written to the store for it.
    expect(await runInDurableObject(shardOf(key), (_, state) => state.storage.sql.exec('SELECT key FROM events WHERE key = ?', key).toArray())).toEqual([]);
  });

  it('count as seen while LEGACY_EVENTS_UNTIL is ahead, and not after it', async () => {
    const { event, key } = await legacyEvent();
    const routing = routeWith(ruleSet())(event);
    const options = { retentionMs: 86_400_000, mode: 'inline' as const, auth: 'test' };
    const open = store({ ...(env as unknown as Env), LEGACY_EVENTS_UNTIL: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await open.accept(event, routing, options)).outcome).toBe('duplicate');
    expect(((await env.EVENTS.getByName(key).record()) as { deliveries: number } | null)?.deliveries).toBe(2);
    const closed = store({ ...(env as unknown as Env), LEGACY_EVENTS_UNTIL: new Date(Date.now() - 1).toISOString() });
    expect((await closed.accept(event, routing, options)).outcome).toBe('accepted');
  });
});
