/**
 * Grouping in the Workers runtime: real group, alert and ledger objects, the group's alarm driven with
 * runDurableObjectAlarm, its notifications delivered by the real queue consumer through the real SDKs to the
 * fake network. The routes are test/rules.workerd.yaml's (added to the example's): `storm.failed` events
 * grouped by type and batch, `storm.recovered` resolving one member. Time is moved by ageing the group's
 * stored clock (its last notification), so group_interval can pass without waiting.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, createMessageBatch, getQueueResult, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { AlertState, GroupState } from '../src/core/delivery.ts';
import type { CanonicalEvent } from '../src/core/event.ts';
import type { DeliveryJob } from '../src/core/jobs.ts';
import type { EventTrace } from '../src/core/delivery.ts';
import { deliver } from './helpers/deliver.ts';
import { store } from './helpers/store.ts';
import { network } from './helpers/network.ts';
import type { RecordedRequest } from './helpers/fake-network.ts';

const SLACK = 'slack.com';
const PD = 'events.pagerduty.com';
const AUDIT = 'audit.example.com';
const marker = (): string => `b${crypto.randomUUID().replaceAll('-', '')}`;
const form = (r: RecordedRequest) => new URLSearchParams(r.body);

function storm(type: 'storm.failed' | 'storm.recovered', batch: string, item: string): CanonicalEvent {
  return {
    source: 'billing',
    kind: 'standard-webhooks',
    type,
    id: `msg_${batch}_${type}_${item}`,
    occurredAt: null,
    receivedAt: new Date().toISOString(),
    correlationId: null,
    data: { batch, item },
    meta: {},
  };
}

const groupIdOf = async (batch: string, item: string): Promise<string> =>
  ((await env.ALERTS.getByName(`alert:storm-${batch}-${item}`).state()) as unknown as AlertState).group!.id;
const groupStub = (id: string) => env.GROUPS.getByName(`group:${id}`);
const groupState = async (id: string) => (await groupStub(id).state()) as unknown as GroupState | null;

/** Moves the group's clock back by `ms`: its last notification (and members) happened that much earlier. */
async function age(id: string, ms: number): Promise<void> {
  await runInDurableObject(groupStub(id), async (_, state) => {
    const s = (await state.storage.get<GroupState>('state'))!;
    await state.storage.put('state', { ...s, lastFlushAt: s.lastFlushAt === null ? null : s.lastFlushAt - ms });
  });
}

/** The group's notifications as the fake network saw them, by receiver. */
async function seen(batch: string, id: string) {
  const slack = (await network.requests(SLACK, batch)).filter((r) => r.url.endsWith('/chat.postMessage') || r.url.endsWith('/chat.update'));
  const pages = (await network.requests(PD, id)).map(
    (r) => JSON.parse(r.body) as { event_action: string; dedup_key: string; payload?: { summary: string; severity: string } },
  );
  const hooks = (await network.requests(AUDIT, id)).map(
    (r) => JSON.parse(r.body) as { notificationReason: string; status: string; counts: { firing: number; resolved: number } },
  );
  return { slack, pages, hooks };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('grouping (workerd, real objects and queue)', () => {
  it('a storm of 100 failures is one Slack message then updates, and one page; recovery resolves both', async () => {
    const batch = marker();
    for (let i = 0; i < 100; i++) await deliver(storm('storm.failed', batch, `i${i}`));
    const id = await groupIdOf(batch, 'i0');
    expect((await groupState(id))!.status).toBe('pending');
    expect((await seen(batch, id)).pages).toHaveLength(0); // group_wait: nothing yet

    expect(await runDurableObjectAlarm(groupStub(id))).toBe(true);
    await waitUntil('the first notification', async () => {
      const s = await seen(batch, id);
      return s.slack.length === 1 && s.pages.length === 1 && s.hooks.length === 1;
    });
    let s = await seen(batch, id);
    expect(s.slack[0]!.url).toMatch(/chat\.postMessage$/);
    expect(form(s.slack[0]!).get('text')).toMatch(/100 failing — Storm test - failures grouped/);
    expect(s.pages[0]).toMatchObject({ event_action: 'trigger', dedup_key: id, payload: { severity: 'error' } });
    expect(s.hooks[0]).toMatchObject({ notificationReason: 'first', status: 'firing', counts: { firing: 100 } });
    const ts = (await groupState(id))!.sent['data-eng']!.slack!.ts;

    // Spread arrivals: five more join; after group_interval, one update in place and one thread reply.
    for (let i = 100; i < 105; i++) await deliver(storm('storm.failed', batch, `i${i}`));
    await age(id, 3_600_000);
    expect(await runDurableObjectAlarm(groupStub(id))).toBe(true);
    await waitUntil('the update', async () => (await seen(batch, id)).pages.length === 2);
    await waitUntil('the Slack update', async () =>
      (await network.requests(SLACK)).some((r) => r.url.endsWith('/chat.update') && form(r).get('text')?.includes('105 failing')),
    );
    s = await seen(batch, id);
    expect(s.slack.filter((r) => r.url.endsWith('/chat.postMessage') && !form(r).get('thread_ts'))).toHaveLength(1);
    expect(s.hooks.map((h) => h.notificationReason)).toEqual(['first', 'members_added']);
    await waitUntil('the thread reply', async () =>
      (await network.requests(SLACK)).some((r) => form(r).get('thread_ts') === ts && /5 more failing/.test(form(r).get('text') ?? '')),
    );

    // Every member recovers: at once (nothing left to collect), PagerDuty resolves the group's incident.
    for (let i = 0; i < 105; i++) await deliver(storm('storm.recovered', batch, `i${i}`));
    expect(await runDurableObjectAlarm(groupStub(id))).toBe(true);
    await waitUntil('the resolve', async () => (await seen(batch, id)).pages.length === 3);
    s = await seen(batch, id);
    expect(s.pages.map((p) => [p.event_action, p.dedup_key])).toEqual([
      ['trigger', id],
      ['trigger', id],
      ['resolve', id],
    ]);
    await waitUntil('the resolved Slack message', async () =>
      (await network.requests(SLACK)).some((r) => r.url.endsWith('/chat.update') && /all 105 recovered/.test(form(r).get('text') ?? '')),
    );
    expect((await groupState(id))!.status).toBe('resolved');
  });

  it('the admin API shows a group: members, status, its last notification, when its clock runs next', async () => {
    const batch = marker();
    const jobs = await deliver(storm('storm.failed', batch, 'a'));
    await deliver(storm('storm.failed', batch, 'b'));
    const id = await groupIdOf(batch, 'a');
    // The member's trace says where it went, and where to look.
    const t = (await store()
      .of(`billing:${storm('storm.failed', batch, 'a').id}`)
      .timeline()) as unknown as EventTrace;
    expect(t.jobs.find((j) => j.job.id === jobs[0]!.id)!.why).toMatch(new RegExp(`^grouped: storm-${batch}-a is a member of .*GET /admin/groups/${id}\\)$`));

    const get = async (path: string) => {
      const res = await exports.default.fetch(new Request(`https://relay.test${path}`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN as string}` } }));
      return [res.status, (await res.json()) as Record<string, any>] as const; // eslint-disable-line @typescript-eslint/no-explicit-any
    };
    let [status, body] = await get(`/admin/groups/${id}`);
    expect(status).toBe(200);
    expect(body.group).toMatchObject({
      id,
      route: 'Storm test - failures grouped',
      labels: { type: 'storm.failed', 'data.batch': batch },
      status: 'pending',
      counts: { firing: 2, resolved: 0 },
      notifications: 0,
      last_notification: null,
      timing: { group_wait_ms: 3_600_000, group_interval_ms: 3_600_000 },
    });
    expect(body.group.members.map((m: { key: string; announced: boolean }) => [m.key, m.announced])).toEqual([
      [`storm-${batch}-a`, false],
      [`storm-${batch}-b`, false],
    ]);
    expect(Date.parse(body.group.next_check_at) - Date.now()).toBeGreaterThan(3_000_000); // group_wait (1h) ahead

    await runDurableObjectAlarm(groupStub(id));
    await waitUntil('the first notification', async () => (await seen(batch, id)).pages.length === 1);
    [status, body] = await get(`/admin/groups/${id}`);
    expect(status).toBe(200);
    expect(body.group).toMatchObject({ status: 'firing', notifications: 1, last_notification: `/admin/events/switchyard/group:${id}:1` });
    expect(body.group.members.every((m: { announced: boolean }) => m.announced)).toBe(true);
    const [traceStatus, trace] = await get(body.group.last_notification as string);
    expect([traceStatus, trace.jobs.map((j: { target: string }) => j.target).sort()]).toEqual([200, ['audit', 'data-eng', 'oncall']]);

    expect(await get('/admin/groups/not-a-group')).toEqual([400, expect.objectContaining({ error: expect.objectContaining({ reason: 'bad_group_id' }) })]);
    expect(await get(`/admin/groups/${'0'.repeat(32)}`)).toEqual([
      404,
      expect.objectContaining({ error: expect.objectContaining({ reason: 'unknown_group' }) }),
    ]);
  });

  it('a member that fires and resolves within group_wait is never announced', async () => {
    const batch = marker();
    await deliver(storm('storm.failed', batch, 'blip'));
    const id = await groupIdOf(batch, 'blip');
    await deliver(storm('storm.recovered', batch, 'blip'));
    expect(await groupState(id)).toBeNull();
    await runDurableObjectAlarm(groupStub(id));
    await new Promise((r) => setTimeout(r, 1500));
    expect(await seen(batch, id)).toEqual({ slack: [], pages: [], hooks: [] });
  });

  it('a retried alarm and a redelivered job notify once; members arriving during a notification are all counted', async () => {
    const batch = marker();
    for (let i = 0; i < 3; i++) await deliver(storm('storm.failed', batch, `i${i}`));
    const id = await groupIdOf(batch, 'i0');
    // Members arrive while the alarm runs: each is counted, now or in the next notification.
    const during = Promise.all(Array.from({ length: 7 }, (_, i) => deliver(storm('storm.failed', batch, `late${i}`))));
    await runDurableObjectAlarm(groupStub(id));
    await during;
    await waitUntil('the first notification', async () => (await seen(batch, id)).pages.length === 1);

    // The alarm retried as if its hand-over had not been stored: the same notification, accepted once.
    await runInDurableObject(groupStub(id), async (_, state) => {
      const st = (await state.storage.get<GroupState>('state'))!;
      const flushed = (await store().of(`switchyard:group:${id}:1`).timeline()) as unknown as EventTrace;
      await state.storage.put('state', { ...st, pending: flushed.record.event.data });
      await state.storage.setAlarm(Date.now());
    });
    await runDurableObjectAlarm(groupStub(id));
    // A redelivered job of that notification: settled, not sent again.
    const trace = (await store().of(`switchyard:group:${id}:1`).timeline()) as unknown as EventTrace;
    const jobs = trace.jobs.map((j) => j.job) as DeliveryJob[];
    await waitUntil('the first notification delivered', async () =>
      ((await store().of(`switchyard:group:${id}:1`).timeline()) as unknown as EventTrace).jobs.every((j) => j.status === 'delivered'),
    );
    const batchOfCopies = createMessageBatch<DeliveryJob>(
      'switchyard-jobs',
      jobs.map((body) => ({ id: `${body.id}-copy`, timestamp: new Date(), attempts: 2, body })),
    );
    const ctx = createExecutionContext();
    await worker.queue(batchOfCopies, env);
    await getQueueResult(batchOfCopies, ctx);
    await new Promise((r) => setTimeout(r, 1000));
    const once = await seen(batch, id);
    expect([once.pages.length, once.hooks.length, once.slack.filter((r) => !form(r).get('thread_ts')).length]).toEqual([1, 1, 1]);

    // Every member, the late ones too, is counted: in the first notification, or (those that joined while it
    // was sent) in the next one, once group_interval has passed.
    const firstCount = once.hooks[0]!.counts.firing;
    if (firstCount < 10) {
      await age(id, 3_600_000);
      await runDurableObjectAlarm(groupStub(id));
      await waitUntil('the next notification', async () => (await seen(batch, id)).hooks.length === 2);
    }
    const last = (await seen(batch, id)).hooks.at(-1)!;
    expect(last.counts.firing).toBe(10);
    expect(Object.keys((await groupState(id))!.members).sort()).toHaveLength(10);
  });
});
