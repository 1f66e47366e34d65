import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../core/event.ts';
import { loadRules } from '../rules/load.ts';
import type { RulesConfig } from '../rules/config.ts';
import { diffRules, type DiffEvent } from '../rules/diff.ts';
import { main, type Io } from './main.ts';

const HEAD = `version: 1
sources:
  prequel: { kind: prequel, public_keys: ['\${K}'] }
targets:
  oncall: { kind: pagerduty, routing_key: '\${PD}' }
  data-eng: { kind: slack, token: '\${SLACK}', channel: '#data-eng' }
  audit: { kind: http, url: 'https://audit.example.com/events' }
time_intervals:
  business-hours:
    - weekdays: ['monday:friday']
      times: [{ start: '09:00', end: '18:00' }]
      location: Europe/Paris
routes:
`;
const BASE = `  - name: pages
    when: { type: transfer.error, data.transfer_blamed_party: [prequel, first_party] }
    notify: [oncall, data-eng]
  - name: changes
    when: { type: 'export_destination.*' }
    notify: [audit]
`;

function rules(routes: string): RulesConfig {
  const r = loadRules(HEAD + routes);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value.config;
}

const T = Date.parse('2026-12-02T10:00:00Z'); // a Wednesday, 11:00 in Paris
const NIGHT = Date.parse('2026-12-02T02:00:00Z'); // 03:00 in Paris
function ev(n: number, type: string, blame = 'prequel', at = T): DiffEvent {
  const event: CanonicalEvent = {
    source: 'prequel',
    kind: 'prequel',
    type,
    id: `pq_${n}`,
    occurredAt: null,
    receivedAt: new Date(at).toISOString(),
    correlationId: null,
    data: { destination_id: `d${n}`, transfer_blamed_party: blame },
    meta: {},
  };
  return { key: `prequel:pq_${n}`, event, at };
}
const traffic = [ev(1, 'transfer.error'), ev(2, 'transfer.error', 'third_party'), ev(3, 'export_destination.updated'), ev(4, 'transfer.success')];

describe('the replay-diff engine', () => {
  it('finds nothing when the rules are the same', () => {
    const r = diffRules(rules(BASE), rules(BASE), traffic);
    expect([r.events, r.changed.count, r.routes, r.targets, r.notes]).toEqual([4, 0, [], [], []]);
  });

  it('an added route: the events it now takes and the targets they would now reach', () => {
    const added = `${BASE}  - name: successes
    when: { type: transfer.success }
    notify: [data-eng]
`;
    const r = diffRules(rules(BASE), rules(added), traffic);
    expect(r.changed).toEqual({ count: 1, examples: ['prequel:pq_4'] });
    expect(r.routes).toEqual([{ route: 'successes', nowMatches: { count: 1, examples: ['prequel:pq_4'] }, noLongerMatches: { count: 0, examples: [] } }]);
    expect(r.targets).toMatchObject([{ target: 'data-eng', kind: 'slack', verb: 'post', gained: { count: 1 }, lost: { count: 0 } }]);
    expect(r.unrouted.noLonger).toEqual({ count: 1, examples: ['prequel:pq_4'] });
  });

  it('a removed target: the pages that would no longer go out', () => {
    const r = diffRules(rules(BASE), rules(BASE.replace('notify: [oncall, data-eng]', 'notify: [data-eng]')), traffic);
    expect(r.routes).toEqual([]);
    expect(r.targets).toMatchObject([{ target: 'oncall', verb: 'page', gained: { count: 0 }, lost: { count: 1, examples: ['prequel:pq_1'] } }]);
  });

  it('a changed condition: which events move in and out of the route', () => {
    const r = diffRules(rules(BASE), rules(BASE.replace('[prequel, first_party]', '[prequel, third_party]')), traffic);
    const pages = r.routes.find((x) => x.route === 'pages')!;
    expect(pages.nowMatches.examples).toEqual(['prequel:pq_2']);
    expect(pages.noLongerMatches).toEqual({ count: 0, examples: [] });
    expect(r.targets.map((t) => [t.target, t.gained.count, t.lost.count])).toEqual([
      ['data-eng', 1, 0],
      ['oncall', 1, 0],
    ]);
  });

  it('a changed time window, read at each event’s recorded time: a night event is muted, a day one is not', () => {
    const windowed = BASE.replace('notify: [oncall, data-eng]\n', 'notify: [oncall, data-eng]\n    active_when: [business-hours]\n');
    const night = ev(5, 'transfer.error', 'prequel', NIGHT);
    const r = diffRules(rules(BASE), rules(windowed), [...traffic, night]);
    expect(r.routes).toEqual([]);
    expect(r.targets.map((t) => [t.target, t.lost.examples, t.nowMuted.examples])).toEqual([
      ['data-eng', ['prequel:pq_5'], ['prequel:pq_5']],
      ['oncall', ['prequel:pq_5'], ['prequel:pq_5']],
    ]);
  });

  it('a grouping change is named on the route, with the events it touches', () => {
    const grouped = BASE.replace('notify: [oncall, data-eng]\n', 'notify: [oncall, data-eng]\n    group_by: [source, type]\n    group_wait: 30s\n');
    const r = diffRules(rules(BASE), rules(grouped), traffic);
    expect(r.changed.count).toBe(0);
    expect(r.notes).toEqual([
      'grouping: route "pages" no grouping → group_by [source, type], wait 30s, interval 300s: 1 event (e.g. prequel:pq_1) notified differently',
    ]);
  });
});

describe('switchyard diff and events export', () => {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-diff-'));
  writeFileSync(join(dir, 'rules.yaml'), HEAD + BASE);
  writeFileSync(join(dir, 'same.yaml'), HEAD + BASE);
  writeFileSync(
    join(dir, 'quiet-nights.yaml'),
    HEAD + BASE.replace('notify: [oncall, data-eng]\n', 'notify: [oncall, data-eng]\n    active_when: [business-hours]\n'),
  );
  writeFileSync(join(dir, 'broken.yaml'), 'version: 1\nroutes: nope\n');
  const exported = [ev(1, 'transfer.error'), ev(5, 'transfer.error', 'prequel', NIGHT)].map((e) =>
    JSON.stringify({ key: e.key, accepted_at: new Date(e.at).toISOString(), event: e.event, routing: { routes: [] } }),
  );
  writeFileSync(join(dir, 'events.jsonl'), `${exported.join('\n')}\n`);

  async function run(argv: string[], extra: Partial<Io> = {}) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l), cwd: dir, now: () => T, ...extra });
    return { code, out: out.join('\n'), err: err.join('\n') };
  }

  it('exits 0 with no change, 1 with changes, 2 on bad input', async () => {
    expect((await run(['diff', '--rules', 'same.yaml', '--events', 'events.jsonl', '--at-recorded-times'])).code).toBe(0);
    const changed = await run(['diff', '--rules', 'quiet-nights.yaml', '--events', 'events.jsonl', '--at-recorded-times']);
    expect(changed.code).toBe(1);
    expect(changed.out).toContain('target oncall (pagerduty): 1 would no longer page (e.g. prequel:pq_5) — 1 of them muted at their time');
    // Read now (a Wednesday 11:00 in Paris), the night event is inside business hours: nothing changes.
    expect((await run(['diff', '--rules', 'quiet-nights.yaml', '--events', 'events.jsonl'])).code).toBe(0);
    expect((await run(['diff', '--rules', 'broken.yaml', '--events', 'events.jsonl'])).code).toBe(2);
    expect((await run(['diff', '--rules', 'same.yaml'])).err).toMatch(/say where the events come from/);
    expect((await run(['diff', '--events', 'events.jsonl'])).code).toBe(2);
  });

  it('--json gives the whole report', async () => {
    const r = await run(['diff', '--rules', 'quiet-nights.yaml', '--events', 'events.jsonl', '--at-recorded-times', '--json']);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.out) as Record<string, unknown>;
    expect(Object.keys(report).sort()).toEqual(
      ['at_recorded_times', 'candidate', 'changed', 'current', 'events', 'has_changes', 'notes', 'routes', 'targets', 'unrouted'].sort(),
    );
    expect(report).toMatchObject({ current: 'rules.yaml', candidate: 'quiet-nights.yaml', has_changes: true, events: 2, changed: { count: 1 } });
  });

  it('reads recorded events from a relay, page by page, with the token from the environment only', async () => {
    const seen: string[] = [];
    const pages = [exported.slice(0, 1), exported.slice(1)];
    const fetch = async (input: string, init?: RequestInit) => {
      seen.push(input);
      expect(new Headers(init?.headers).get('authorization')).toBe('Bearer s3cret');
      const cursor = new URL(input).searchParams.get('cursor');
      const page = pages[cursor === null ? 0 : 1]!.map((line) => {
        const e = JSON.parse(line) as { key: string; accepted_at: string; event: CanonicalEvent; routing: unknown };
        return { key: e.key, record: { event: e.event, routing: e.routing, accepted_at: e.accepted_at } };
      });
      return Response.json({ ok: true, events: page, next_cursor: cursor === null ? 'page2' : null });
    };
    const env = { SWITCHYARD_ADMIN_TOKEN: 's3cret' };
    const r = await run(['events', 'export', '--from', 'https://relay.example.com/anything', '--since', '7d'], { fetch, env });
    expect(r.code).toBe(0);
    expect(r.out.split('\n').map((l) => (JSON.parse(l) as { key: string }).key)).toEqual(['prequel:pq_1', 'prequel:pq_5']);
    expect(seen[0]).toBe('https://relay.example.com/admin/events?since=7d&include=records&limit=500');
    expect(seen[1]).toContain('cursor=page2');
    const diff = await run(['diff', '--rules', 'quiet-nights.yaml', '--from', 'https://relay.example.com', '--at-recorded-times'], { fetch, env });
    expect(diff.code).toBe(1);
    const missing = await run(['events', 'export', '--from', 'https://relay.example.com'], { fetch, env: {} });
    expect([missing.code, missing.err]).toEqual([2, expect.stringMatching(/set SWITCHYARD_ADMIN_TOKEN/)]);
    const refused = await run(['events', 'export', '--from', 'https://relay.example.com'], {
      fetch: async () => Response.json({ ok: false, error: { reason: 'bad_admin_token', message: 'missing or wrong bearer token' } }, { status: 401 }),
      env,
    });
    expect([refused.code, refused.err]).toEqual([2, expect.stringMatching(/401 bad_admin_token/)]);
  });
});
