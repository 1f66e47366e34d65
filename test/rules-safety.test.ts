/**
 * Changing rules safely (workerd): every event records the version of the rules that routed it; recorded
 * events list newest first, filtered and paged; shadow rules (built here from test/rules.shadow.workerd.yaml)
 * are evaluated on every accepted event and recorded beside the live decision, never sent.
 */
import { env, exports } from 'cloudflare:workers';
import { beforeEach, describe, expect, it } from 'vitest';
import { BUILT_RULES_VERSION } from '../src/env.ts';
import { PAGING_SOURCE, resetBudget } from './helpers/budget.ts';
import { PREQUEL_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';
import { json, postPrequel } from './helpers/worker.ts';

beforeEach(resetBudget);

const FIXTURE = JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body) as { data: Record<string, unknown> };
const marker = (): string => `r${crypto.randomUUID().replaceAll('-', '')}`;
const SHADOW_HOST = 'shadow.example.com';

function admin(path: string): Promise<Response> {
  return exports.default.fetch(new Request(`https://relay.test${path}`, { headers: { authorization: `Bearer ${env.ADMIN_TOKEN as string}` } }));
}

async function postPaging(m: string): Promise<string> {
  const body = JSON.stringify({ ...FIXTURE, data: { ...FIXTURE.data, transfer_id: m, destination_id: m, transfer_blamed_party: 'prequel' } });
  const res = await json(await postPrequel(body, { source: PAGING_SOURCE }));
  expect(res.accepted).toBe(1);
  return res.events![0]!.id;
}

interface Trace {
  routing: {
    matched: { name: string; notify: string[] }[];
    rules_version: { hash: string; builtAt: string } | null;
    re_evaluated: { against: string; same_rules: boolean; differs_from_recorded: boolean; rules_version: { hash: string } };
    shadow?: { routes: { name: string; notify: string[] }[]; rules: { hash: string } };
  };
  jobs: { target: string; status: string }[];
}

describe('rules versions', () => {
  it('every event records the version of the rules that routed it, and the trace says what it re-evaluates against', async () => {
    const id = await postPaging(marker());
    const t = (await (await admin(`/admin/events/${PAGING_SOURCE}/${id}`)).json()) as Trace;
    expect(t.routing.rules_version).toEqual(BUILT_RULES_VERSION);
    expect(t.routing.rules_version!.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(t.routing.re_evaluated).toMatchObject({ against: 'the rules deployed now', same_rules: true, differs_from_recorded: false });
  });
});

describe('GET /admin/events', () => {
  it('lists recorded events newest first, filtered by source and type, paged by cursor without skipping or repeating', async () => {
    const since = new Date(Date.now() - 1000).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < 7; i++) ids.push(await postPaging(marker()));
    const keys: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 10; page++) {
      const res = await admin(`/admin/events?since=${since}&source=${PAGING_SOURCE}&type=transfer.error&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      const body = (await res.json()) as { events: { key: string; type: string; source: string; trace: string }[]; next_cursor: string | null };
      expect(body.events.length).toBeLessThanOrEqual(3);
      for (const e of body.events) expect([e.source, e.type]).toEqual([PAGING_SOURCE, 'transfer.error']);
      keys.push(...body.events.map((e) => e.key));
      cursor = body.next_cursor;
      if (!cursor) break;
    }
    const mine = keys.filter((k) => ids.some((id) => k.endsWith(id)));
    expect(mine).toEqual(ids.map((id) => `${PAGING_SOURCE}:${id}`).reverse());
    expect(new Set(keys).size).toBe(keys.length);
    // With records: the event and its routing as recorded.
    const withRecords = (await (await admin(`/admin/events?since=${since}&source=${PAGING_SOURCE}&limit=1&include=records`)).json()) as {
      events: { record: { event: { id: string }; routing: { rules: { hash: string } } } }[];
    };
    expect(withRecords.events[0]!.record.routing.rules.hash).toBe(BUILT_RULES_VERSION.hash);
    expect(withRecords.events[0]!.record.event.id).toBe(ids[ids.length - 1]);
  });

  it('refuses a bad query with the reason', async () => {
    for (const [query, reason] of [
      ['cursor=nonsense', /cursor is not one this relay gave/],
      ['limit=0', /limit must be a whole number from 1 to 1000/],
      ['since=yesterday', /since must be an RFC 3339 time/],
      ['include=everything', /include takes one value: records/],
    ] as const) {
      const res = await admin(`/admin/events?${query}`);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { reason: string; message: string } }).error.message).toMatch(reason);
    }
  });
});

describe('shadow rules', () => {
  it('are evaluated on every accepted event and recorded beside the live decision, never sent', async () => {
    const m = marker();
    const id = await postPaging(m);
    // The live page goes out; the shadow's jobs are never even planned.
    await network.waitFor('events.pagerduty.com', m, 1);
    const t = (await (await admin(`/admin/events/${PAGING_SOURCE}/${id}`)).json()) as Trace;
    expect(t.routing.matched.map((r) => r.name)).toEqual(['Per-destination transfer pages (tests)']);
    expect(t.routing.shadow).toMatchObject({ routes: [{ name: 'Shadow pages every transfer failure', notify: ['oncall', 'shadow-hook'] }] });
    expect(t.routing.shadow!.rules.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(t.jobs.map((j) => j.target).sort()).toEqual(['data-eng', 'oncall']);
    expect(await network.requests(SHADOW_HOST)).toHaveLength(0);

    const report = (await (await admin('/admin/shadow?since=1h')).json()) as {
      shadow: { deployed: boolean };
      events_compared: number;
      differing: { count: number };
      routes: { route: string; live_only: { count: number }; shadow_only: { count: number; examples: string[] } }[];
      targets: { target: string; live_only: { count: number }; shadow_only: { count: number } }[];
    };
    expect(report.shadow.deployed).toBe(true);
    expect(report.events_compared).toBeGreaterThan(0);
    expect(report.differing.count).toBeGreaterThan(0);
    expect(report.routes.find((r) => r.route === 'Shadow pages every transfer failure')!.shadow_only.count).toBeGreaterThan(0);
    expect(report.targets.find((x) => x.target === 'shadow-hook')!.shadow_only.count).toBeGreaterThan(0);
    // The live-only side: data-eng is not in the shadow's route.
    expect(report.targets.find((x) => x.target === 'data-eng')!.live_only.count).toBeGreaterThan(0);
  });
});
