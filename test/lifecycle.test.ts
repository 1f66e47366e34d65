/**
 * Alert lifecycles inside workerd: Prequel's stateless transfer.error / transfer.success become one alert that
 * opens, repeats quietly and closes — the real consumer, the real alert and ledger Durable Objects, the real
 * Slack and PagerDuty SDKs, and only the network faked. The resolve's follow-up jobs go through Miniflare's
 * real queue.
 */
import { env, exports } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import { budgetStub, PAGING_ROUTE, PAGING_SOURCE, resetBudget } from './helpers/budget.ts';
import { accept, traceOf } from './helpers/store.ts';
import type { CanonicalEvent } from '../src/core/event.ts';
import { deliverDeps } from '../src/env.ts';
import { deliverJob } from '../src/pipeline/deliver.ts';
import type { DeliveryJob } from '../src/core/jobs.ts';
import { PREQUEL_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';
import { until } from './helpers/wait.ts';
import { deliver } from './helpers/deliver.ts';
import type { RecordedRequest } from './helpers/fake-network.ts';
import type { AlertState, EventTrace } from '../src/core/delivery.ts';

beforeEach(resetBudget);

const SLACK = 'slack.com';
const PD = 'events.pagerduty.com';
const fixtureData = (name: string) => (JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === name)!.body) as { data: Record<string, unknown> }).data;

const marker = (): string => `m${crypto.randomUUID().replaceAll('-', '')}`;

function prequel(type: 'transfer.error' | 'transfer.success', destination: string, n: number, blame = 'prequel'): CanonicalEvent {
  return {
    source: PAGING_SOURCE,
    kind: 'prequel',
    type,
    id: `pq_${destination}_${type}_${n}`,
    occurredAt: new Date().toISOString(),
    receivedAt: new Date().toISOString(),
    correlationId: null,
    meta: { apiVersion: '2023-10-15' },
    data: { ...fixtureData(type), destination_id: destination, transfer_id: `${destination}t${n}`, transfer_blamed_party: blame },
  };
}

const alert = async (key: string) => (await env.ALERTS.getByName(`alert:${key}`).state()) as unknown as AlertState | null;
const trace = (event: CanonicalEvent): Promise<EventTrace> => traceOf(event);
const form = (r: RecordedRequest) => new URLSearchParams(r.body);

async function slackFor(ts: string): Promise<RecordedRequest[]> {
  return (await network.requests(SLACK)).filter((r) => form(r).get('ts') === ts || form(r).get('thread_ts') === ts);
}

describe('resolve pairing (transfer.error → transfer.success per destination)', () => {
  it('opens one PagerDuty incident and one Slack message, then resolves both with the exact requests', async () => {
    const dest = marker();
    const key = `prequel-transfer-${dest}`;
    await deliver(prequel('transfer.error', dest, 1));

    const pages = await network.requests(PD, dest);
    expect(pages).toHaveLength(1);
    expect(JSON.parse(pages[0]!.body)).toMatchObject({ event_action: 'trigger', dedup_key: key, routing_key: env.PAGERDUTY_ROUTING_KEY });
    const opened = (await alert(key))!;
    expect(opened).toMatchObject({ status: 'firing', count: 1 });
    const slack = opened.targets['data-eng']!.slack!;
    expect(opened.targets.oncall!.dedupKey).toBe(key);

    const success = prequel('transfer.success', dest, 2);
    const resolveJobs = await deliver(success);
    expect(resolveJobs.map((j) => j.target)).toEqual(['oncall']);

    // The resolve's effects go through the real queue: one per target the alert reached.
    const resolves = await network.waitFor(PD, key, 2);
    const resolve = JSON.parse(resolves[1]!.body) as Record<string, unknown>;
    expect(resolve).toEqual({ routing_key: env.PAGERDUTY_ROUTING_KEY, event_action: 'resolve', dedup_key: key, client: 'Switchyard' });

    const thread = await until('the Slack update and reply', async () => {
      const r = await slackFor(slack.ts);
      return r.length >= 2 ? r : null;
    });
    const update = thread.find((r) => r.url.endsWith('/chat.update'))!;
    expect(form(update).get('channel')).toBe(slack.channel);
    expect(form(update).get('text')).toMatch(/^✅ Resolved: /);
    const attachments = JSON.parse(form(update).get('attachments')!) as {
      color: string;
      blocks: { type: string; text?: { text: string }; elements?: { text: string }[] }[];
    }[];
    expect(attachments[0]!.color).toBe('#2EB67D');
    expect(attachments[0]!.blocks[0]!.text!.text).toMatch(/^✅ Resolved: Transfer to /);
    expect(attachments[0]!.blocks.at(-1)!.elements![0]!.text).toMatch(/^Resolved after \d+s · \d\d:\d\d UTC$/);
    const reply = thread.find((r) => r.url.endsWith('/chat.postMessage'))!;
    expect(form(reply).get('thread_ts')).toBe(slack.ts);
    expect(form(reply).get('text')).toMatch(/^✅ Resolved after \d+s\.$/);
    // No one is mentioned on resolve.
    for (const r of [update, reply]) expect(r.body).not.toMatch(/%3C%40|%3C%21|<@|<!/);

    expect(await alert(key)).toMatchObject({ status: 'resolved', resolvedBy: success.id });
    const t = await trace(success);
    expect(t.jobs.find((j) => j.job.target === 'oncall' && !j.job.effect)).toMatchObject({
      status: 'suppressed',
      why: expect.stringMatching(/^resolved alert /),
    });
    await until('both effects delivered', async () => (await trace(success)).jobs.filter((j) => j.job.effect && j.status === 'delivered').length === 2);
  });

  it('a resolve with no open alert does nothing visible', async () => {
    const dest = marker();
    const success = prequel('transfer.success', dest, 1);
    await deliver(success);
    await new Promise((r) => setTimeout(r, 1000));
    expect(await network.requests(undefined, dest)).toHaveLength(0);
    expect((await trace(success)).jobs[0]).toMatchObject({ status: 'suppressed', why: expect.stringMatching(/no alert with this key is open; nothing sent$/) });
  });
});

describe('no repeat noise', () => {
  it('repeats within the interval send no new page: the Slack thread gets one quiet note, updated with the count', async () => {
    const dest = marker();
    const key = `prequel-transfer-${dest}`;
    await deliver(prequel('transfer.error', dest, 1));
    const slack = (await alert(key))!.targets['data-eng']!.slack!;
    const second = prequel('transfer.error', dest, 2);
    await deliver(second);
    await deliver(prequel('transfer.error', dest, 3));

    expect(await network.requests(PD, dest)).toHaveLength(1);
    const thread = await slackFor(slack.ts);
    expect(thread.map((r) => r.url.split('/').pop())).toEqual(['chat.postMessage']);
    const note = thread[0]!;
    expect(form(note).get('text')).toMatch(/^↻ Happened again — ×2 in all/);
    const replyTs = (await alert(key))!.targets['data-eng']!.replyTs!;
    const updates = (await network.requests(SLACK)).filter((r) => form(r).get('ts') === replyTs);
    expect(updates.map((r) => [r.url.split('/').pop(), form(r).get('text')?.slice(0, 24)])).toEqual([['chat.update', '↻ Happened again — ×3 in']]);

    expect(await alert(key)).toMatchObject({ status: 'firing', count: 3, suppressed: 4 });
    const t = await trace(second);
    expect(t.jobs.map((j) => [j.job.target, j.status]).sort()).toEqual([
      ['data-eng', 'suppressed'],
      ['oncall', 'suppressed'],
    ]);
    expect(t.jobs.find((j) => j.job.target === 'data-eng')!.why).toMatch(/^repeat of an open alert \(×2\), within repeat_interval; noted in the Slack thread$/);
  });

  it('a failure after the flap window opens a new alert and pages again', async () => {
    const dest = marker();
    const key = `prequel-transfer-${dest}`;
    await deliver(prequel('transfer.error', dest, 1));
    await deliver(prequel('transfer.success', dest, 2));
    await network.waitFor(PD, key, 2);
    // The clock of the alert: resolved eleven minutes ago (the flap window is ten).
    await runInDurableObject(env.ALERTS.getByName(`alert:${key}`), async (_, state) => {
      const s = (await state.storage.get<AlertState>('state'))!;
      await state.storage.put('state', { ...s, resolvedAt: Date.now() - 11 * 60_000 });
    });
    await deliver(prequel('transfer.error', dest, 3));
    const pages = (await network.requests(PD, key)).map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
    expect(pages).toEqual(['trigger', 'resolve', 'trigger']);
    expect(await alert(key)).toMatchObject({ status: 'firing', count: 1 });
  });
});

describe('time windows', () => {
  it('customer success hears of third-party failures only in Paris business hours, across the DST change', async () => {
    const cases: [string, string, 'delivered' | 'settled'][] = [
      ['Fri 27 Mar 07:30Z = 08:30 CET, before opening', '2026-03-27T07:30:00Z', 'settled'],
      ['Fri 27 Mar 08:30Z = 09:30 CET', '2026-03-27T08:30:00Z', 'delivered'],
      ['Mon 30 Mar 07:30Z = 09:30 CEST (clocks went forward on the 29th)', '2026-03-30T07:30:00Z', 'delivered'],
      ['Mon 30 Mar 16:30Z = 18:30 CEST, after closing', '2026-03-30T16:30:00Z', 'settled'],
      ['Sat 28 Mar 10:00Z, weekend', '2026-03-28T10:00:00Z', 'settled'],
    ];
    for (const [label, iso, expected] of cases) {
      const dest = marker();
      // The example's own customer-success route (source prequel), not the tests' paging source.
      const event = { ...prequel('transfer.error', dest, 1, 'third_party'), source: 'prequel' };
      const accepted = await accept(event);
      const [job] = accepted.jobs as unknown as DeliveryJob[];
      expect(job!.target).toBe('customer-success');
      const result = await deliverJob(job!, deliverDeps(env, new Set(), { now: () => Date.parse(iso) }));
      expect([label, result.kind]).toEqual([label, expected]);
      const sent = await network.requests('hooks.slack.fake', dest);
      expect([label, sent.length]).toEqual([label, expected === 'delivered' ? 1 : 0]);
      if (expected === 'settled') expect((await trace(event)).jobs[0]!.why).toBe('muted: outside active_when "business-hours"');
    }
  });
});

function admin(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${env.ADMIN_TOKEN as string}`);
  if (init.body) headers.set('content-type', 'application/json');
  return exports.default.fetch(new Request(`https://relay.test${path}`, { ...init, headers }));
}

describe('silences', () => {
  it('a silence mutes a trigger but not its resolve, and expiring it lets the next trigger through', async () => {
    const dest = marker();
    const key = `prequel-transfer-${dest}`;
    await deliver(prequel('transfer.error', dest, 1));
    const created = await admin('/admin/silences', {
      method: 'POST',
      body: JSON.stringify({
        matchers: { when: { 'data.destination_id': dest } },
        duration: '2h',
        created_by: 'oncall@example.com',
        comment: 'Destination under maintenance',
      }),
    });
    expect(created.status).toBe(201);
    const { silence } = (await created.json()) as { silence: { id: string; state: string } };
    expect(silence.state).toBe('active');

    // The resolve goes through although the silence matches the resolving event.
    await deliver(prequel('transfer.success', dest, 2));
    const resolves = await network.waitFor(PD, key, 2);
    expect((JSON.parse(resolves[1]!.body) as { event_action: string }).event_action).toBe('resolve');

    // A new failure while silenced: nothing sent, the trace says by which silence.
    const silenced = prequel('transfer.error', dest, 3);
    await deliver(silenced);
    expect(await network.requests(PD, key)).toHaveLength(2);
    const t = await trace(silenced);
    expect(t.jobs.map((j) => j.status)).toEqual(['suppressed', 'suppressed']);
    expect(t.jobs[0]!.why).toMatch(new RegExp(`^silenced by ${silence.id} until .+ \\(oncall@example.com: Destination under maintenance\\)$`));

    const listed = (await (await admin('/admin/silences?state=active')).json()) as { silences: { id: string }[] };
    expect(listed.silences.map((s) => s.id)).toContain(silence.id);
    const expired = (await (await admin(`/admin/silences/${silence.id}`, { method: 'DELETE' })).json()) as { silence: { state: string } };
    expect(expired.silence.state).toBe('expired');

    await deliver(prequel('transfer.error', dest, 4));
    const pages = (await network.requests(PD, key)).map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
    expect(pages).toEqual(['trigger', 'resolve', 'trigger']);
  });

  it('refuses a silence that would match everything, names unknown targets, and needs an author, a reason and an end', async () => {
    const res = await admin('/admin/silences', { method: 'POST', body: JSON.stringify({ matchers: {}, created_by: '', duration: 'soon' }) });
    expect(res.status).toBe(400);
    const { error } = (await res.json()) as { error: { reason: string; message: string } };
    expect(error.reason).toBe('bad_silence');
    expect(error.message.split('; ')).toEqual([
      'a silence needs at least one matcher: when, targets, routes or alert_key (silencing everything is not allowed)',
      'duration must be a positive duration such as 30m, 2h or 3d (got "soon")',
      'created_by is required (who silenced it, and why)',
      'comment is required (who silenced it, and why)',
    ]);
    const bad = await admin('/admin/silences', {
      method: 'POST',
      body: JSON.stringify({ matchers: { targets: ['pager'], when: { typ: 'x' } }, duration: '1h', created_by: 'a', comment: 'b' }),
    });
    expect(((await bad.json()) as { error: { message: string } }).error.message).toBe(
      'when.typ: unknown field "typ" (did you mean "type"?); targets: no target "pager" in the rules (targets: data-eng, sms-ops, relay-notices, customer-success, oncall, audit, crm)',
    );
    expect((await admin('/admin/silences/sil_nope', { method: 'DELETE' })).status).toBe(404);
  });
});

describe('paging budget', () => {
  it('beyond 3 pages an hour, pages are held back (Slack still told) and summed up in one digest when the alarm runs', async () => {
    const marks = Array.from({ length: 5 }, marker);
    const events = marks.map((m) => prequel('transfer.error', m, 1));
    for (const e of events) await deliver(e);

    const pages = await Promise.all(marks.map(async (m) => (await network.requests(PD, m)).length));
    expect(pages).toEqual([1, 1, 1, 0, 0]);
    const posts = await Promise.all(marks.map(async (m) => (await network.requests(SLACK, m)).length));
    expect(posts).toEqual([1, 1, 1, 1, 1]);
    const held = (await trace(events[4]!)).jobs.find((j) => j.job.target === 'oncall')!;
    expect(held.status).toBe('suppressed');
    expect(held.why).toMatch(/^held back: paging budget of 3 per 1h used up \(2 held\); in the digest to data-eng at /);

    expect(await runDurableObjectAlarm(budgetStub())).toBe(true);
    // The digest is a job like any other: delivered by the queue's consumer.
    const digestsSent = async () => (await network.requests(SLACK)).filter((r) => r.body.includes(marks[3]!) && form(r).get('text')?.includes('held back'));
    await until('the digest', async () => (await digestsSent()).length >= 1);
    const digests = await digestsSent();
    expect(digests).toHaveLength(1);
    expect(form(digests[0]!).get('text')).toBe(`🟡 2 pages held back on "${PAGING_ROUTE}"`);
    expect(digests[0]!.body).toContain(marks[4]!);
    expect(form(digests[0]!).get('channel')).toBe('#data-eng-alerts');
    // One digest per interval: nothing is pending any more.
    expect(await runDurableObjectAlarm(budgetStub())).toBe(false);
  });
});

describe('flapping', () => {
  it('collapses open/resolve cycles: one extra page, then only the Slack message counts them; the resolve waits until it stays quiet', async () => {
    const dest = marker();
    const key = `prequel-transfer-${dest}`;
    const actions = async () => (await network.requests(PD, key)).map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
    await deliver(prequel('transfer.error', dest, 1));
    const slack = (await alert(key))!.targets['data-eng']!.slack!;
    await deliver(prequel('transfer.success', dest, 2));
    await network.waitFor(PD, key, 2);
    await until('the resolved Slack update', async () => (await slackFor(slack.ts)).length >= 2);

    // Re-opened within the flap window: the same alert (no new Slack post), paged once more.
    const reopen = prequel('transfer.error', dest, 3);
    await deliver(reopen);
    expect(await actions()).toEqual(['trigger', 'resolve', 'trigger']);
    expect((await alert(key))!).toMatchObject({ status: 'firing', flaps: 1 });
    const flapUpdate = (await slackFor(slack.ts)).at(-1)!;
    expect(flapUpdate.url).toMatch(/chat\.update$/);
    expect(form(flapUpdate).get('text')).toMatch(/^🔁 Flapping \(×1\): /);
    expect((await trace(reopen)).jobs.find((j) => j.job.target === 'data-eng')!.why).toMatch(/^flapping: re-opened ×1 within flap_window/);

    // Further cycles: the resolve is held, a re-open cancels it; nothing reaches PagerDuty.
    const held = prequel('transfer.success', dest, 4);
    await deliver(held);
    expect((await trace(held)).jobs[0]!.why).toMatch(/^resolve of flapping alert .* held until /);
    await deliver(prequel('transfer.error', dest, 5));
    expect((await alert(key))!).toMatchObject({ status: 'firing', flaps: 2, pendingResolve: null });
    await deliver(prequel('transfer.success', dest, 6));
    expect(await actions()).toEqual(['trigger', 'resolve', 'trigger']);

    // Quiet for a whole window (the alarm): resolved everywhere, once.
    expect(await runDurableObjectAlarm(env.ALERTS.getByName(`alert:${key}`))).toBe(true);
    await network.waitFor(PD, key, 4);
    expect(await actions()).toEqual(['trigger', 'resolve', 'trigger', 'resolve']);
    expect((await alert(key))!).toMatchObject({ status: 'resolved', flaps: 2 });
    const posts = (await network.requests(SLACK, dest)).filter((r) => r.url.endsWith('/chat.postMessage') && !form(r).get('thread_ts'));
    expect(posts).toHaveLength(1);
  });
  it('without a queue (inline delivery), the held resolve of a flapping alert is still sent when its alarm runs', async () => {
    const dest = marker();
    const key = `prequel-transfer-${dest}`;
    const actions = async () => (await network.requests(PD, key)).map((r) => (JSON.parse(r.body) as { event_action: string }).event_action);
    await deliver(prequel('transfer.error', dest, 1));
    await deliver(prequel('transfer.success', dest, 2));
    await network.waitFor(PD, key, 2);
    await deliver(prequel('transfer.error', dest, 3));
    const last = prequel('transfer.success', dest, 4);
    await deliver(last);
    expect((await alert(key))!.pendingResolve).toMatchObject({ eventId: last.id });

    // The alarm fires in a Worker that has no JOBS queue (a plan without Queues): its jobs are delivered in place.
    const stub = env.ALERTS.getByName(`alert:${key}`);
    await runInDurableObject(stub, async (instance: unknown) => {
      const object = instance as { env: Record<string, unknown>; alarm(): Promise<void> };
      object.env = { ...object.env, JOBS: undefined, DEAD_LETTERS: undefined };
      await object.alarm();
    });
    await network.waitFor(PD, key, 4);
    expect(await actions()).toEqual(['trigger', 'resolve', 'trigger', 'resolve']);
    const effects = (await trace(last)).jobs.filter((j) => j.job.effect?.kind === 'resolve');
    expect(effects.map((j) => [j.job.target, j.status]).sort()).toEqual([
      ['data-eng', 'delivered'],
      ['oncall', 'delivered'],
    ]);
  });
});
