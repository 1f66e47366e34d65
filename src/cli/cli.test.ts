import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Io } from './main.ts';
import { setPath } from './rules-tests.ts';

const root = resolve(import.meta.dirname, '../..');

async function run(argv: string[], cwd = root): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: Io = { out: (l) => out.push(l), err: (l) => err.push(l), cwd };
  const code = await main(argv, io);
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const fixtures = ['prequel', 'prelude', 'standard-webhooks'].flatMap((dir) =>
  readdirSync(join(root, 'test/fixtures', dir)).map((f) => `test/fixtures/${dir}/${f}`),
);

describe('switchyard check', () => {
  it('accepts rules.example.yaml and lists the secrets a deploy needs', async () => {
    const r = await run(['check', 'rules.example.yaml']);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^rules\.example\.yaml: OK — 3 sources, 7 targets, 19 routes \(\+ unrouted events to relay-notices\); health notices to relay-notices\nsecrets and variables it needs \(wrangler secret put NAME\): PREQUEL_WEBHOOK_PUBLIC_KEY, /,
    );
    // Coverage: every event type Prequel and Prelude document reaches a route; the deliberate drops are listed.
    expect(r.out).toContain('coverage: every known event type of prequel, prelude reaches a route; billing: free-form (declare types: to check them)');
    expect(r.out).toMatch(/deliberately dropped \(a route that notifies no one\): prelude transactional\.message\.created; /);
  });

  it('exits 1 with every problem for a broken file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(
      join(dir, 'rules.yaml'),
      'version: 1\nsources:\n  pq: { kind: prequel, public_keys: ["${K}"] }\nroutes:\n  - name: r\n    notify: [nobody]\n    when: { tpye: x }\n',
    );
    const r = await run(['check'], dir);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      [
        'rules.yaml:6:14: routes[0].notify[0]: unknown target "nobody" (no targets are declared)',
        'rules.yaml:7:13: routes[0].when.tpye: unknown field "tpye" (did you mean "type"?)',
        'rules.yaml: 2 problems',
      ].join('\n'),
    );
  });

  it('warns (and still passes) on a regex whose nested quantifiers can backtrack for seconds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(
      join(dir, 'rules.yaml'),
      [
        'version: 1',
        'sources:',
        '  pq: { kind: prequel, public_keys: ["${K}"] }',
        'targets:',
        '  t: { kind: http, url: "https://x.example" }',
        'routes:',
        '  - name: slow',
        '    notify: [t]',
        '    when: { data.destination_name: { regex: "(a+)+b" } }',
        '  - name: fine',
        '    notify: [t]',
        '    when: { data.destination_name: { regex: "[a-z]+-\\\\d{2,}" } }',
        '',
      ].join('\n'),
    );
    const r = await run(['check'], dir);
    expect(r.code).toBe(0);
    const warnings = r.out.split('\n').filter((l) => l.includes('warning'));
    expect(warnings).toEqual([
      'rules.yaml:9:45: warning: regex "(a+)+b" nests a quantifier inside a quantified group: on a long value that almost matches it can take seconds per event; rewrite it without the nesting (e.g. (a+)+ → a+) (routes[0].when.data.destination_name.regex)',
    ]);
  });

  it('exits 2 for a missing file or an unknown command', async () => {
    expect((await run(['check', 'nope.yaml'])).code).toBe(2);
    expect((await run(['frobnicate'])).code).toBe(2);
    expect((await run(['explain'])).code).toBe(2);
  });
});

describe('switchyard explain', () => {
  it.each(fixtures)('explains %s with rules.example.yaml', async (file) => {
    const r = await run(['explain', file, '--rules', 'rules.example.yaml', ...(file.includes('standard-webhooks') ? ['--source', 'billing'] : [])]);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^event \S+ from (prequel|prelude|billing) /);
    expect(r.out).toMatch(/\n {2}notifies: .+/);
  });

  it('names the deciding condition and the value for each route', async () => {
    const r = await run(['explain', 'test/fixtures/prequel/transfer.error.json', '--rules', 'rules.example.yaml', '--at', '2026-12-03T12:00:00+01:00']);
    expect(r.out.split('\n').slice(0, 8)).toEqual([
      expect.stringMatching(/^event transfer\.error from prequel \(pq_[0-9a-f]{64}\)$/),
      '  ✗ [0] Audit every change to sources, destinations, recipients and magic links',
      '      type matches regex /(export_source|export_destination|recipient|export_magic_link)\\.(created|updated|deleted)/ failed: type is "transfer.error"',
      "  ✓ [1] Transfer failures caused by the customer's side go to customer success, no page",
      '      held: source = "prequel" and type = "transfer.error" and data.transfer_blamed_party = "third_party"',
      '      → customer-success',
      '      ⏵ sends at Thu 2026-12-03 12:00 Europe/Paris: inside active_when "business-hours"',
      `  – [2]…[19] not evaluated: route "Transfer failures caused by the customer's side go to customer success, no page" matched and does not continue`,
    ]);
  });

  it('reads time windows at --at: which window decided, and when the route sends again (across a DST change)', async () => {
    const explainAt = (at: string) => run(['explain', 'test/fixtures/prequel/transfer.error.json', '--rules', 'rules.example.yaml', '--at', at]);
    // The quick start's event at 03:00 on a Sunday in Paris: customer success hears of it on Monday at 09:00.
    const sunday = await explainAt('2026-12-06T03:00:00+01:00');
    expect(sunday.out).toContain(
      '      ⏸ muted: outside active_when "business-hours" at Sun 2026-12-06 03:00 Europe/Paris; sends again from Mon 2026-12-07 09:00 Europe/Paris (2026-12-07T08:00:00.000Z)',
    );
    expect(sunday.out).toContain('  notifies: no one (muted at that time: customer-success)');
    // Friday 27 March 2026, 18:30 Paris (CET): the next opening is Monday 30 March 09:00 CEST, 07:00 UTC — an hour
    // earlier in UTC than the week before, because the clocks went forward on the Sunday in between.
    const friday = await explainAt('2026-03-27T18:30:00+01:00');
    expect(friday.out).toContain('sends again from Mon 2026-03-30 09:00 Europe/Paris (2026-03-30T07:00:00.000Z)');
    // JSON says the same.
    const json = JSON.parse(
      (await run(['explain', 'test/fixtures/prequel/transfer.error.json', '--rules', 'rules.example.yaml', '--at', '2026-12-06T03:00:00+01:00', '--json'])).out,
    ) as {
      at: string;
      windows: { route: string; muted: string; next: number }[];
    }[];
    expect(json[0]!.at).toBe('2026-12-06T02:00:00.000Z');
    expect(json[0]!.windows).toEqual([
      expect.objectContaining({ muted: 'muted: outside active_when "business-hours"', next: Date.parse('2026-12-07T08:00:00Z') }),
    ]);
    // A time that is not RFC 3339 with an offset is refused.
    const bad = await explainAt('tomorrow 3am');
    expect([bad.code, bad.err]).toEqual([2, 'switchyard: --at takes an RFC 3339 time with its offset, e.g. 2026-12-06T03:00:00+01:00 (got "tomorrow 3am")']);
  });

  it('shows what each notified target would receive, rendered', async () => {
    const r = await run(['explain', 'test/fixtures/prequel/transfer.error.json', '--source', 'prequel', '--rules', 'rules.example.yaml']);
    expect(r.out.split('\n').slice(-1)).toEqual(['  customer-success (slack): Slack message "🟡 Transfer to Foo Bar failed — customer side"']);
    const page = await run(['explain', 'test/fixtures/prelude/transactional.message.failed.json', '--rules', 'rules.example.yaml']);
    expect(page.out).toContain('  oncall (pagerduty): PagerDuty trigger prelude-balance "Message to +33••••••678 failed — insufficient balance" (critical)');
    expect(page.out).toContain('  sms-ops (slack): Slack message "🔴 Message to +33••••••678 failed — insufficient balance"');
  });

  it('prints JSON for tools', async () => {
    const r = await run(['explain', 'test/fixtures/prelude/session.batch.json', '--json', '--rules', 'rules.example.yaml']);
    const report = JSON.parse(r.out) as {
      event: { type: string };
      routes: { matched: boolean; notify: string[] }[];
      notifications: { target: string; notification: { kind: string; payload: { event_action: string } } }[];
    }[];
    expect(report.map((e) => e.event.type)).toEqual(['user.created', 'user.session.created', 'migration.hook_failed']);
    expect(report[2]!.routes.filter((x) => x.matched).flatMap((x) => x.notify)).toEqual(['oncall']);
    expect(report[2]!.notifications).toMatchObject([{ target: 'oncall', notification: { kind: 'pagerduty', payload: { event_action: 'trigger' } } }]);
  });

  it('refuses a payload whose source cannot be told, and one that is not JSON', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(join(dir, 'odd.json'), '{"hello": 1}');
    writeFileSync(join(dir, 'bad.json'), '{"hello": ');
    const odd = await run(['explain', join(dir, 'odd.json'), '--rules', join(root, 'rules.example.yaml')]);
    expect([odd.code, odd.err]).toEqual([2, 'switchyard: cannot tell which source sent this (looks like nothing known); name it with --source']);
    const bad = await run(['explain', join(dir, 'bad.json'), '--rules', join(root, 'rules.example.yaml')]);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^switchyard: the event file is not JSON/);
  });
});

describe('switchyard test', () => {
  it('runs the project routing tests (rules.test.yaml) green against the example, and says which file it tested', async () => {
    // Named explicitly: a rules.yaml of one's own in this checkout is what `switchyard test` tests by default.
    const r = await run(['test', '--rules', 'rules.example.yaml']);
    expect(r.code).toBe(0);
    expect(r.out.split('\n')[0]).toBe('testing rules.example.yaml (named by --rules) with rules.test.yaml');
    expect(r.out.split('\n').pop()).toBe('37 passed, 0 failed');
  });

  it('tests rules.yaml once there is one: a broken rules.yaml fails, not the example', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(join(dir, 'rules.test.yaml'), 'cases:\n  - name: c\n    event: { type: x.y, data: {} }\n    source: billing\n    expect: { notify: [] }\n');
    writeFileSync(join(dir, 'rules.yaml'), 'version: 1\nroutes:\n  - name: r\n    notify: [nobody]\n');
    const r = await run(['test'], dir);
    expect(r.out.split('\n')[0]).toBe('testing rules.yaml (the file the relay deploys) with rules.test.yaml');
    expect(r.code).toBe(1);
    expect(r.err).toContain('rules.yaml:4:14: routes[0].notify[0]: unknown target "nobody"');
  });

  it('fails with the difference and the case position when an expectation is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(
      join(dir, 'routing.test.yaml'),
      `rules: ${join(root, 'rules.example.yaml')}
cases:
  - name: wrong on purpose
    event: ${join(root, 'test/fixtures/prequel/transfer.error.json')}
    expect: { notify: [oncall] }
  - name: right
    event: { type: transfer.cancelled, api_version: x, created_at: y, data: {} }
    expect: { notify: [data-eng] }
`,
    );
    const r = await run(['test', 'routing.test.yaml'], dir);
    expect(r.code).toBe(1);
    expect(r.out.split('\n').slice(2).join('\n')).toBe(
      [
        '  ✗ wrong on purpose (routing.test.yaml:3)',
        '      notify: expected [oncall], got [customer-success]',
        "      matched: [1] Transfer failures caused by the customer's side go to customer success, no page",
        '  ✓ right',
        '1 passed, 1 failed',
      ].join('\n'),
    );
  });

  it('says which window muted a route when a case with at: fails', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(
      join(dir, 'routing.test.yaml'),
      `rules: ${join(root, 'rules.example.yaml')}
cases:
  - name: expects customer success on a Friday evening
    event: ${join(root, 'test/fixtures/prequel/transfer.error.json')}
    at: 2026-12-04T18:00:00+01:00
    expect: { notify: [customer-success] }
  - name: not a time
    event: ${join(root, 'test/fixtures/prequel/transfer.error.json')}
    at: friday
    expect: { notify: [] }
`,
    );
    const bad = await run(['test', 'routing.test.yaml'], dir);
    expect([bad.code, bad.err]).toEqual([2, 'routing.test.yaml: cases.1.at: at takes an RFC 3339 time with its offset, e.g. 2026-12-06T03:00:00+01:00']);
    writeFileSync(join(dir, 'routing.test.yaml'), readFileSync(join(dir, 'routing.test.yaml'), 'utf8').split('  - name: not a time')[0]!);
    const r = await run(['test', 'routing.test.yaml'], dir);
    expect(r.out.split('\n').slice(2)).toEqual([
      '  ✗ expects customer success on a Friday evening (routing.test.yaml:3)',
      '      notify: expected [customer-success], got []',
      '      muted: [1] Transfer failures caused by the customer\'s side go to customer success, no page — muted: outside active_when "business-hours" at Fri 2026-12-04 18:00 Europe/Paris',
      "      matched: [1] Transfer failures caused by the customer's side go to customer success, no page",
      '0 passed, 1 failed',
    ]);
  });

  it('rejects a malformed test file with the field at fault', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(join(dir, 't.yaml'), 'cases:\n  - name: x\n    event: e.json\n    expect: {}\n');
    const r = await run(['test', 't.yaml'], dir);
    expect([r.code, r.err]).toEqual([2, 't.yaml: cases.0.expect: expect needs notify, routes or group']);
  });
});

describe('setPath', () => {
  it('sets nested fields and array elements, creating the way', () => {
    const o: Record<string, unknown> = { a: { b: 1 } };
    setPath(o, 'a.b', 2);
    setPath(o, 'x.y[1].z', true);
    expect(o).toEqual({ a: { b: 2 }, x: { y: [undefined, { z: true }] } });
  });
});

describe('grouping in the command line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sy-group-'));
  const rules = readFileSync(join(root, 'rules.example.yaml'), 'utf8').replace(
    "    severity: error\n    alert_key: 'prequel-transfer-{{data.destination_id}}'\n",
    "    severity: error\n    alert_key: 'prequel-transfer-{{data.destination_id}}'\n    group_by: [source, type]\n",
  );
  writeFileSync(join(dir, 'rules.yaml'), rules);
  // The seed failure, blamed on Prequel's side (the seed's own blame goes to customer success).
  const failure = JSON.parse(readFileSync(join(root, 'test/fixtures/prequel/transfer.error.json'), 'utf8')) as { data: Record<string, unknown> };
  failure.data.transfer_blamed_party = 'prequel';
  writeFileSync(join(dir, 'failure.json'), JSON.stringify(failure));

  it('explain shows the group an event lands in', async () => {
    expect(rules).toContain('group_by: [source, type]');
    const r = await run(['explain', join(dir, 'failure.json'), '--rules', join(dir, 'rules.yaml')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain(
      'grouped: Every other transfer failure pages on-call and tells data engineering {source="prequel", type="transfer.error"} — notified with its group (first after 10s, then at most every 5m)',
    );
  });

  it('switchyard test shows and checks it', async () => {
    const group = 'Every other transfer failure pages on-call and tells data engineering {source="prequel", type="transfer.error"}';
    writeFileSync(
      join(dir, 'cases.yaml'),
      `rules: rules.yaml\ncases:\n  - name: a failure joins the transfer group\n    event: failure.json\n    expect: { group: '${group}' }\n  - name: not this group\n    event: failure.json\n    expect: { group: 'other' }\n`,
    );
    const r = await run(['test', join(dir, 'cases.yaml')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain(`✓ a failure joins the transfer group — group ${group}`);
    expect(r.out).toContain(`group: expected "other", got ${JSON.stringify(group)}`);
  });
});
