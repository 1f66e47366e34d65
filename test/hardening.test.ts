/**
 * What an attack run, a crash test and the vendors' schemas found (issue 11), each reproduced against the real
 * Worker in workerd: permanent ingest errors answered 4xx before anything is stored, a batch's bad element
 * rejected alone, silences that cannot break paging, the inbox's headers, and the stuck-job sweep that
 * re-dispatches what a crash lost.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { beforeEach, describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { CanonicalEvent } from '../src/core/event.ts';
import type { Env } from '../src/env.ts';
import { eventKey } from '../src/core/jobs.ts';
import { DEFAULT_SWEEP_AFTER_MS } from '../src/pipeline/sweep.ts';
import { PAGING_SOURCE, resetBudget } from './helpers/budget.ts';
import { PREQUEL_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';
import { until } from './helpers/wait.ts';
import { deliver } from './helpers/deliver.ts';
import { json, postBilling, postPrelude } from './helpers/worker.ts';
import type { EventRecord, JobState } from '../src/core/delivery.ts';
import { accept, editJob, editRecord, recordOf, shardOf, store, traceOf } from './helpers/store.ts';

beforeEach(resetBudget);

const AUDIT = 'audit.example.com';
const PD = 'events.pagerduty.com';
const marker = (): string => `m${crypto.randomUUID().replaceAll('-', '')}`;
const fixtureData = (name: string) => (JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === name)!.body) as { data: Record<string, unknown> }).data;

function admin(path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set('authorization', `Bearer ${env.ADMIN_TOKEN as string}`);
  if (init.body) headers.set('content-type', 'application/json');
  return exports.default.fetch(new Request(`https://relay.test${path}`, { ...init, headers }));
}

/**
 * A Prequel event of `type` for a fresh destination `dest`, from the seed payload, with `extra` data; a transfer
 * failure comes from the tests' per-destination paging source (the example groups its own).
 */
function prequelEvent(type: string, dest: string, extra: Record<string, unknown> = {}): CanonicalEvent {
  return {
    source: type === 'transfer.error' ? PAGING_SOURCE : 'prequel',
    kind: 'prequel',
    type,
    id: `pq_${dest}`,
    occurredAt: null,
    receivedAt: new Date().toISOString(),
    correlationId: null,
    meta: {},
    data: { ...fixtureData(type), ...extra },
  };
}

const recorded = (source: string, id: string): Promise<EventRecord | null> => recordOf(`${source}:${id}`);

describe('permanent ingest errors: a 4xx with the reason, nothing recorded', () => {
  it('refuses JSON nested deeper than 64 levels, for every source kind', async () => {
    const deep = (n: number) => `{"type":"x.y","data":${'['.repeat(n)}${']'.repeat(n)}}`;
    const id = `msg_${marker()}`;
    const res = await postBilling(deep(5000), id);
    expect(res.status).toBe(400);
    expect((await json(res)).error).toEqual({ reason: 'json_too_deep', message: 'JSON nested deeper than 64 levels' });
    expect(await recorded('billing', id)).toBeNull();
    const prelude = await postPrelude(`{"id":"evt_${marker()}","type":"x","payload":${deep(200)}}`);
    expect([prelude.status, (await json(prelude)).error?.reason]).toEqual([400, 'json_too_deep']);
    // At the limit it is accepted.
    const ok = await postBilling(`{"type":"x.y","data":${'['.repeat(60)}${']'.repeat(60)}}`, `msg_${marker()}`);
    expect(ok.status).toBe(200);
  });

  it('refuses an event id of 130 KB, an empty one, and CR/LF in an id or a type', async () => {
    const huge = `evt_${'a'.repeat(130 * 1024)}`;
    const res = await postPrelude(JSON.stringify({ id: huge, type: 'transactional.message.failed', payload: { to: '+33612345678' } }));
    expect(res.status).toBe(400);
    expect((await json(res)).error).toEqual({
      reason: 'invalid_event',
      message: `unacceptable event: event id is ${huge.length} characters long (at most 256)`,
    });
    expect(await recorded('prelude', huge)).toBeNull();

    const crlf = await postPrelude(JSON.stringify({ id: `evt_${marker()}\r\nX-Evil: 1`, type: 'user.created', payload: {} }));
    expect([crlf.status, (await json(crlf)).error?.message]).toEqual([400, 'unacceptable event: event id contains a control character (CR, LF, tab, …)']);
    const type = await postPrelude(JSON.stringify({ id: `evt_${marker()}`, type: 'user.created\n', payload: {} }));
    expect([type.status, (await json(type)).error?.message]).toEqual([400, 'unacceptable event: event type contains a control character (CR, LF, tab, …)']);

    const empty = await postBilling('{"type":"invoice.paid","data":{}}', '');
    expect([empty.status, (await json(empty)).error?.reason]).toEqual([400, 'malformed_header']);
  });

  it('refuses a batch of more than 1,000 events with 413', async () => {
    const events = Array.from({ length: 1001 }, (_, i) => ({ id: `evt_${i}`, type: 'user.created', payload: {} }));
    const res = await postPrelude(JSON.stringify({ app_id: 'app_1', events }));
    expect(res.status).toBe(413);
    expect((await json(res)).error).toEqual({ reason: 'too_many_events', message: 'more than 1000 events in one delivery' });
    expect(await recorded('prelude', 'evt_0')).toBeNull();
  });

  it('accepts a batch whose bad elements are rejected alone, and a __proto__ element as plain data', async () => {
    const m = marker();
    const body = JSON.stringify({
      app_id: 'app_1',
      events: [{ id: `evt_${m}_1`, type: 'user.created', user_id: 'u1' }, 7, { id: `evt_${m}_3`, type: 'user\r\n.created' }, { id: `evt_${m}_4` }],
    }).replace('"user_id":"u1"', '"user_id":"u1","__proto__":{"polluted":true}');
    const res = await postPrelude(body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { accepted: number; rejected: { at: string; reason: string }[] };
    expect(answer.accepted).toBe(1);
    expect(answer.rejected).toEqual([
      { at: 'events[1]', reason: 'events[1] must be a JSON object' },
      { at: 'events[3]', reason: 'events[3] is missing string "type"' },
      { at: `event "evt_${m}_3" (user\uFFFD\uFFFD.created)`, reason: 'event type contains a control character (CR, LF, tab, …)' },
    ]);
    const stored = await recorded('prelude', `evt_${m}_1`);
    expect(Object.getPrototypeOf(stored!.event.data)).toBe(Object.prototype);
    expect(Object.hasOwn(stored!.event.data as object, '__proto__')).toBe(true);
  });
});

describe('silences cannot break paging', () => {
  it('refuses durations and times no Date can hold, quoting the value', async () => {
    const res = await admin('/admin/silences', {
      method: 'POST',
      body: JSON.stringify({ matchers: { targets: ['oncall'] }, duration: '100000000d', created_by: 'a', comment: 'b' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toBe('duration "100000000d" is longer than a silence may last (366d)');
    const far = await admin('/admin/silences', {
      method: 'POST',
      body: JSON.stringify({ matchers: { targets: ['oncall'] }, ends_at: '+275760-09-13T00:00:00.000Z', created_by: 'a', comment: 'b' }),
    });
    expect(far.status).toBe(400);
    const created = await admin('/admin/silences', {
      method: 'POST',
      body: JSON.stringify({ matchers: { routes: ['nope-route'] }, duration: '1h', created_by: 'a', comment: 'b' }),
    });
    expect(created.status).toBe(400);
    expect((await admin('/admin/silences')).status).toBe(200);
  });

  it('a stored silence that cannot be read is listed as broken, silences nothing, and can be expired', async () => {
    const id = `sil_broken_${marker().slice(0, 8)}`;
    await runInDurableObject(env.CONTROL.getByName('control'), (_, state) => {
      state.storage.sql.exec(
        'INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
        id,
        '{"targets":["oncall"]}',
        0,
        8.64e15 * 100,
        'someone',
        'stored before times were checked',
        0,
      );
    });
    const listed = (await (await admin('/admin/silences')).json()) as { silences: { id: string; state: string; problem?: string; ends_at: string }[] };
    const broken = listed.silences.find((s) => s.id === id)!;
    expect(broken).toMatchObject({
      state: 'broken',
      problem: 'ends_at is not a valid time (864000000000000000)',
      ends_at: 'invalid time (864000000000000000)',
    });

    // A page to the target it names still goes out.
    const dest = marker();
    const event = prequelEvent('transfer.error', dest, { destination_id: dest, transfer_id: dest, transfer_blamed_party: 'prequel' });
    await deliver(event);
    expect((await network.requests(PD, dest)).length).toBe(1);

    const expired = await admin(`/admin/silences/${id}`, { method: 'DELETE' });
    expect(expired.status).toBe(200);
    const after = (await (await admin('/admin/silences?state=current')).json()) as { silences: { id: string }[] };
    expect(after.silences.map((s) => s.id)).not.toContain(id);
  });
});

describe('unsafe links from a payload', () => {
  it('become no button and no PagerDuty link, and the trace says so', async () => {
    const dest = marker();
    const event = prequelEvent('transfer.error', dest, {
      destination_id: dest,
      transfer_id: dest,
      transfer_blamed_party: 'prequel',
      in_app_url: 'javascript:alert(document.cookie)',
    });
    await deliver(event);
    const [page] = await network.requests(PD, dest);
    expect((JSON.parse(page!.body) as { links?: unknown }).links).toBeUndefined();
    const t = (await (await admin(`/admin/events/${PAGING_SOURCE}/pq_${dest}`)).json()) as { jobs: { target: string; attempts: { notes?: string[] }[] }[] };
    const notes = t.jobs.find((j) => j.target === 'oncall')!.attempts[0]!.notes!;
    expect(notes).toEqual(['link dropped: "javascript:alert(document.cookie)" is not an http(s) URL']);
  });
});

describe('the inbox page', () => {
  it('sends a strict Content-Security-Policy, cannot be framed, and nonces its own script', async () => {
    const e = { ...env, INBOX: 'on' } as Env;
    const res = await worker.fetch(
      new Request('https://relay.test/inbox', { headers: { authorization: `Bearer ${env.ADMIN_TOKEN as string}` } }),
      e,
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("default-src 'none'");
    const nonce = /script-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await res.text();
    expect(html).toContain(`<script nonce="${nonce}">`);
    expect(html).not.toMatch(/<script>/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
  });
});

describe('the stuck-job sweep', () => {
  /** An audited Prequel change (the example sends it to the `audit` HTTP target), accepted without its queue message. */
  async function lostJob(): Promise<{ event: CanonicalEvent; key: string; m: string }> {
    const m = marker();
    const event = prequelEvent('export_destination.updated', m, { marker: m });
    const key = eventKey(event);
    // Inline acceptance queues nothing; calling the record queue-mode makes it a job whose message was lost.
    await accept(event, { retentionMs: 86_400_000 });
    await editRecord(key, (record) => ({ ...record, mode: 'queue' }));
    return { event, key, m };
  }

  const jobsOf = async (key: string) => (await traceOf(key)).jobs;
  const sweep = (key: string, now: number) => runInDurableObject(shardOf(key), (o) => o.sweep(key, now));
  /** When the event's shard next looks at it, and when the shard's alarm runs (the earliest of its events). */
  const looks = (key: string) =>
    runInDurableObject(shardOf(key), async (_, state) => ({
      sweepAt: Number(state.storage.sql.exec('SELECT sweep_at FROM events WHERE key = ?', key).one().sweep_at),
      alarm: await state.storage.getAlarm(),
    }));

  it('schedules itself when the event is accepted, before the retention ends', async () => {
    const { key } = await lostJob();
    const { sweepAt, alarm } = await looks(key);
    expect(sweepAt - Date.now()).toBeGreaterThan(DEFAULT_SWEEP_AFTER_MS - 5_000);
    expect(sweepAt - Date.now()).toBeLessThan(DEFAULT_SWEEP_AFTER_MS + 5_000);
    expect(alarm).not.toBeNull();
    expect(alarm!).toBeLessThanOrEqual(sweepAt);
  });

  it('runs from the shard’s alarm: a due event is swept there, and the alarm moves on', async () => {
    const { key, m } = await lostJob();
    // Make the event due now, as if its margin had passed (the job's message lost long ago).
    await editJob(key, (await jobsOf(key))[0]!.job.id, (s) => ({ ...s, updatedAt: Date.now() - DEFAULT_SWEEP_AFTER_MS - 60_000 }));
    await runInDurableObject(shardOf(key), (_, state) => {
      state.storage.sql.exec('UPDATE events SET sweep_at = ? WHERE key = ?', Date.now() - 1, key);
    });
    expect(await runDurableObjectAlarm(shardOf(key))).toBe(true);
    await network.waitFor(AUDIT, m, 1);
    const [job] = await until('delivered', async () => {
      const js = await jobsOf(key);
      return js[0]!.status === 'delivered' ? js : null;
    });
    expect(job!.sweeps![0]).toMatchObject({ was: 'queued', action: 'requeued' });
    expect((await looks(key)).alarm).not.toBeNull();
  });

  it('re-dispatches a queued job nobody picked up, exactly once, and it is delivered once', async () => {
    const { key, m } = await lostJob();
    const later = Date.now() + DEFAULT_SWEEP_AFTER_MS + 60_000;
    // Not overdue yet: nothing to do.
    expect((await sweep(key, Date.now())).swept).toEqual([]);
    const first = await sweep(key, later);
    expect(first.swept.map((s) => [s.was, s.action])).toEqual([['queued', 'requeued']]);
    // The same sweep again (an alarm retried) finds nothing more.
    const again = await sweep(key, later);
    expect(again.swept).toEqual([]);

    await network.waitFor(AUDIT, m, 1);
    const jobs = await until('the job delivered', async () => {
      const js = await jobsOf(key);
      return js.every((j) => j.status === 'delivered') ? js : null;
    });
    expect(jobs[0]!.sweeps).toHaveLength(1);
    expect((await network.requests(AUDIT, m)).length).toBe(1);

    // Listed for the operator; a replay of stuck jobs skips it now that it is delivered.
    const listed = (await (await admin('/admin/jobs?state=stuck')).json()) as { jobs: { job: string; was: string; status_now: string }[] };
    expect(listed.jobs.find((j) => j.job === jobs[0]!.job.id)).toMatchObject({ was: 'queued', status_now: 'delivered' });
    const replay = (await (await admin('/admin/replay', { method: 'POST', body: JSON.stringify({ state: 'stuck' }) })).json()) as {
      replayed: string[];
      skipped: { job: string; why: string }[];
    };
    expect(replay.replayed).not.toContain(jobs[0]!.job.id);
    expect(replay.skipped).toContainEqual({ job: jobs[0]!.job.id, why: 'already delivered' });
    expect((await network.requests(AUDIT, m)).length).toBe(1);
  });

  it('re-dispatches a job whose consumer died while sending (lease run out), and the trace shows it', async () => {
    const { key, m } = await lostJob();
    const [job] = await jobsOf(key);
    await store().of(key).claim(job!.job.id);
    expect((await jobsOf(key))[0]!.status).toBe('sending');
    const swept = await sweep(key, Date.now() + 2 * 60_000 + DEFAULT_SWEEP_AFTER_MS + 1000);
    expect(swept.swept.map((s) => s.was)).toEqual(['sending']);
    await network.waitFor(AUDIT, m, 1);
    const [settled] = await until('delivered', async () => {
      const js = await jobsOf(key);
      return js[0]!.status === 'delivered' ? js : null;
    });
    expect(settled!.sweeps![0]).toMatchObject({ was: 'sending', action: 'requeued' });
    const t = (await (await admin(`/admin/events/prequel/pq_${m}`)).json()) as { jobs: { sweeps?: { was: string }[] }[] };
    expect(t.jobs[0]!.sweeps![0]!.was).toBe('sending');
    expect((await network.requests(AUDIT, m)).length).toBe(1);
  });

  it('brings the next sweep forward when a settled event gets a job again (a resolve effect, a replay)', async () => {
    const { key, m } = await lostJob();
    await sweep(key, Date.now() + DEFAULT_SWEEP_AFTER_MS + 60_000); // re-dispatched, then delivered
    await network.waitFor(AUDIT, m, 1);
    await until('delivered', async () => ((await jobsOf(key))[0]!.status === 'delivered' ? true : null));
    // Everything settled: the next sweep finds nothing and leaves the event's next look at the retention's end.
    await sweep(key, Date.now());
    expect((await looks(key)).sweepAt - Date.now()).toBeGreaterThan(DEFAULT_SWEEP_AFTER_MS * 2);
    const [job] = await jobsOf(key);
    await store()
      .of(key)
      .addJobs([{ ...job!.job, id: `${job!.job.id}x`, route: 'again' }]);
    const { sweepAt, alarm } = await looks(key);
    expect(sweepAt - Date.now()).toBeLessThanOrEqual(DEFAULT_SWEEP_AFTER_MS + 1000);
    expect(alarm!).toBeLessThanOrEqual(sweepAt);
  });

  it('without a queue, dead-letters a stuck job so it can be replayed', async () => {
    const { key } = await lostJob();
    await editRecord(key, (record) => ({ ...record, mode: 'inline' }));
    const swept = await sweep(key, Date.now() + DEFAULT_SWEEP_AFTER_MS + 60_000);
    expect(swept.swept.map((s) => s.action)).toEqual(['dead']);
    const [job] = (await jobsOf(key)) as JobState[];
    expect(job!.status).toBe('dead');
    const letters = (await (await admin('/admin/dead-letters')).json()) as { dead_letters: { job: string; why: string }[] };
    expect(letters.dead_letters.find((l) => l.job === job!.job.id)?.why).toMatch(/^stuck \(queued \d+s past due\): the inline delivery was interrupted/);
  });
});
