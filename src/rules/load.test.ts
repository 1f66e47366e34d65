import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatProblems, loadRules } from './load.ts';
import { closest } from '../core/suggest.ts';
import { DEFAULT_RETRY_POLICY } from '../core/delivery.ts';

const problems = (yaml: string): string => {
  const r = loadRules(yaml);
  if (r.ok) throw new Error('expected problems');
  return formatProblems(r.error, 'rules.yaml');
};

describe('loading rules.yaml', () => {
  it('loads rules.example.yaml into the runtime form with defaults and units resolved', () => {
    const r = loadRules(readFileSync(new URL('../../rules.example.yaml', import.meta.url), 'utf8'));
    if (!r.ok) throw new Error(formatProblems(r.error, 'rules.example.yaml'));
    const { config } = r.value;
    expect(config.settings).toEqual({
      maxBodyBytes: 262_144,
      dedupRetentionMs: 15 * 86_400_000,
      unrouted: 'relay-notices',
      health: { notify: ['relay-notices'], failingAfter: 5, verificationFailures: { max: 10, perMs: 600_000 } },
    });
    // settings.unrouted adds a route after the file's: it takes only what no route above matched; settings.health
    // adds one that no event matches, for the relay's own notices.
    expect(config.routes.at(-2)).toMatchObject({ name: 'Unrouted events (settings.unrouted)', notify: ['relay-notices'], fallback: true, severity: 'info' });
    expect(config.routes.at(-1)).toMatchObject({ name: 'Relay health (settings.health)', notify: ['relay-notices'], health: true });
    expect(config.sources).toEqual({
      prequel: {
        kind: 'prequel',
        auth: { type: 'signature', keys: ['${PREQUEL_WEBHOOK_PUBLIC_KEY}'] },
        maxBodyBytes: 262_144,
        maxAgeMs: 300_000,
        maxFutureMs: 60_000,
        expectEveryMs: 86_400_000,
      },
      prelude: {
        kind: 'prelude',
        auth: { type: 'signature', keys: ['${PRELUDE_WEBHOOK_PUBLIC_KEY}'] },
        maxBodyBytes: 262_144,
        activation: { verificationToken: '${PRELUDE_VERIFICATION_TOKEN}', appIds: [] },
      },
      billing: { kind: 'standard-webhooks', auth: { type: 'signature', keys: ['${BILLING_WEBHOOK_SECRET}'] }, maxBodyBytes: 262_144, toleranceMs: 300_000 },
    });
    expect(config.targets['data-eng']).toEqual({
      kind: 'slack',
      mode: 'bot',
      token: '${SLACK_BOT_TOKEN}',
      channel: '#data-eng-alerts',
      apiUrl: null,
      templates: {},
      retry: DEFAULT_RETRY_POLICY,
    });
    expect(config.targets['customer-success']).toEqual({
      kind: 'slack',
      mode: 'webhook',
      webhookUrl: '${SLACK_CS_WEBHOOK_URL}',
      templates: {},
      retry: DEFAULT_RETRY_POLICY,
    });
    // settings.retry gives the defaults; a target's own fields win.
    expect(config.targets.oncall).toEqual({
      kind: 'pagerduty',
      routingKey: '${PAGERDUTY_ROUTING_KEY}',
      server: null,
      templates: {},
      retry: { ...DEFAULT_RETRY_POLICY, maxAgeMs: 2 * 86_400_000, maxBackoffMs: 300_000 },
    });
    expect(config.targets.crm).toMatchObject({ kind: 'http', method: 'GET', timeoutMs: 10_000, signingSecret: null });
    expect(config.routes[1]).toEqual({
      name: "Transfer failures caused by the customer's side go to customer success, no page",
      when: {
        op: 'all',
        of: [
          { op: 'eq', path: 'source', value: 'prequel' },
          { op: 'eq', path: 'type', value: 'transfer.error' },
          { op: 'eq', path: 'data.transfer_blamed_party', value: 'third_party' },
        ],
      },
      notify: ['customer-success'],
      continue: false,
      severity: 'warning',
      alertKey: null,
      action: null,
      activeWhen: ['business-hours'],
      templates: {},
    });
    expect(config.timeIntervals).toEqual({
      'business-hours': [{ weekdays: [[1, 5]], times: [[540, 1080]], daysOfMonth: null, months: null, years: null, location: 'Europe/Paris' }],
    });
    expect(r.value.references).toContain('PAGERDUTY_ROUTING_KEY');
  });

  it('checks settings.unrouted: a declared target, a route name of its own, not made useless by a catch-all', () => {
    const head = `version: 1
sources:
  prequel: { kind: prequel, public_keys: ['\${K}'] }
targets:
  notices: { kind: slack, token: '\${T}', channel: '#n' }
`;
    expect(problems(`${head}settings: { unrouted: notice }\nroutes: []\n`)).toMatch(
      /rules\.yaml:6:\d+: settings\.unrouted: unknown target "notice" \(did you mean "notices"\?\)/,
    );
    expect(problems(`${head}settings: { unrouted: notices }\nroutes:\n  - { name: 'Unrouted events (settings.unrouted)', notify: [notices] }\n`)).toMatch(
      /"Unrouted events \(settings\.unrouted\)" is the name of the route settings\.unrouted adds; choose another/,
    );
    expect(problems(`${head}settings: { unrouted: notices }\nroutes:\n  - { name: everything, notify: [notices] }\n`)).toMatch(
      /settings\.unrouted can never be used: route "everything" \(routes\[0\]\) matches every event and does not continue/,
    );
    expect(problems(head.replace('  prequel:', '  switchyard:') + 'routes: []\n')).toMatch(/"switchyard" is the source of the relay's own events/);
  });

  it('applies per-source overrides and token authentication', () => {
    const r = loadRules(`version: 1
sources:
  pq: { kind: prequel, token: "\${PQ_TOKEN}", max_age: 90s, max_future: 0s, max_body: 1MB }
`);
    expect(r.ok && r.value.config.sources.pq).toEqual({
      kind: 'prequel',
      auth: { type: 'token', token: '${PQ_TOKEN}' },
      maxBodyBytes: 1_048_576,
      maxAgeMs: 90_000,
      maxFutureMs: 0,
    });
  });

  it('reports every problem at once, each with line and column', () => {
    const text = `version: 1
settings:
  max_bdy: 1MB
  dedup_retention: 3d
sources:
  prequel:
    kind: prequel
    public_keys: ["-----BEGIN PUBLIC KEY-----MIIB..."]
    max_age: five minutes
  Prelude:
    kind: prelude
  billing:
    kind: standard-webhooks
    secrets: ["\${A}"]
    token: "\${B}"
  other:
    kind: stripe
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:3:3: settings: unknown key "max_bdy" (did you mean "max_body"?)',
        'rules.yaml:4:20: settings.dedup_retention: dedup_retention must be at least 14d: Prelude retries for two weeks',
        'rules.yaml:8:19: sources.prequel.public_keys[0]: public_keys entry must be a reference to a Worker secret such as "${MY_SECRET}", never the value itself',
        'rules.yaml:9:14: sources.prequel.max_age: max_age must be a duration such as 90s, 5m, 1h or 15d',
        'rules.yaml:10:3: sources.Prelude: source names are lower case letters, digits, - and _ (they become /hooks/<name>)',
        'rules.yaml:10:3: sources.Prelude: needs public_keys (signature verification) or token; a source is never left unauthenticated',
        'rules.yaml:15:12: sources.billing.token: give either secrets or token, not both',
        'rules.yaml:17:11: sources.other.kind: kind must be one of: prequel, prelude, standard-webhooks',
      ].join('\n'),
    );
  });

  it('suggests the nearest key for misspellings inside a source', () => {
    expect(problems(`version: 1\nsources:\n  pq:\n    kind: prequel\n    public_key: ["\${K}"]\n`)).toBe(
      [
        'rules.yaml:3:3: sources.pq: needs public_keys (signature verification) or token; a source is never left unauthenticated',
        'rules.yaml:5:5: sources.pq: unknown key "public_key" (did you mean "public_keys"?)',
      ].join('\n'),
    );
  });

  it('refuses an unauthenticated source', () => {
    expect(problems('version: 1\nsources:\n  hook: { kind: standard-webhooks }\n')).toBe(
      'rules.yaml:3:3: sources.hook: needs secrets (signature verification) or token; a source is never left unauthenticated',
    );
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('version: 1\nsources:\n  a: [unclosed\n')).toMatch(/^rules\.yaml:4:1: YAML: Flow sequence/);
  });

  it('points an indentation error at the offending line and column, with a snippet', () => {
    expect(problems('version: 1\nsources:\n  pq:\n    kind: prequel\n   public_keys: ["${K}"]\n')).toBe(
      ['rules.yaml:5:4: YAML: All mapping items must start at the same column', '  4 |     kind: prequel', '  5 |    public_keys: ["${K}"]', '    |    ^'].join(
        '\n',
      ),
    );
  });

  it('reports duplicate keys', () => {
    expect(problems('version: 1\nversion: 1\nsources: {}\n')).toMatch(/^rules\.yaml:2:1: YAML: Map keys must be unique/);
  });

  it('requires a version and at least one source', () => {
    expect(problems('sources: {}\n')).toBe(['rules.yaml:1:1: version: version must be 1', 'rules.yaml:1:1: sources: declare at least one source'].join('\n'));
  });

  it('treats an empty file as missing everything', () => {
    expect(problems('')).toContain('version: version must be 1');
  });
});

describe('targets and routes', () => {
  const base = `version: 1
sources:
  prequel: { kind: prequel, public_keys: ["\${K}"] }
`;
  it('reports unknown targets, duplicate names, literal credentials and target cross-field problems', () => {
    const text = `${base}targets:
  oncall: { kind: pagerduty, routing_key: "R0UT1NGKEY" }
  chat: { kind: slack, channel: "#x" }
  both: { kind: slack, webhook_url: "\${W}", token: "\${T}", channel: "#x" }
  hook: { kind: http, url: "https://x.example/h?api_key=abc123", headers: { Authorization: "Bearer abc", X-Trace: "1" } }
  weird: { kind: smtp }
routes:
  - name: a
    notify: [oncal]
  - name: a
    notify: [nobody]
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:5:43: targets.oncall.routing_key: routing_key must be a reference to a Worker secret such as "${MY_SECRET}", never the value itself',
        'rules.yaml:6:3: targets.chat: needs token and channel (bot mode) or webhook_url (incoming webhook)',
        'rules.yaml:7:37: targets.both.webhook_url: give either webhook_url, or token and channel, not both',
        'rules.yaml:8:28: targets.hook.url: url query parameter "api_key" looks like a credential with a literal value; use "${NAME}"',
        'rules.yaml:8:92: targets.hook.headers.Authorization: header Authorization carries a credential: write it as "${NAME}" (a Worker secret), never the value itself',
        'rules.yaml:9:18: targets.weird.kind: kind must be one of: slack, pagerduty, http',
        'rules.yaml:12:14: routes[0].notify[0]: unknown target "oncal" (did you mean "oncall"?)',
        'rules.yaml:13:11: routes[1].name: duplicate route name "a" (also routes[0])',
        'rules.yaml:14:14: routes[1].notify[0]: unknown target "nobody" (targets: oncall, chat, both, hook, weird)',
      ].join('\n'),
    );
  });

  it('checks retry settings: counts, durations within what Queues can do, and their order', () => {
    const text = `version: 1
settings:
  retry: { max_attempts: 0, max_backoff: 13h }
sources:
  prequel: { kind: prequel, public_keys: ["\${K}"] }
targets:
  t: { kind: pagerduty, routing_key: "\${R}", retry: { initial_backoff: 500ms, max_age: 15d, tries: 3 } }
  u: { kind: pagerduty, routing_key: "\${R}", retry: { initial_backoff: 1m, max_backoff: 30s } }
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:3:26: settings.retry.max_attempts: max_attempts must be at least 1',
        'rules.yaml:3:42: settings.retry.max_backoff: max_backoff must be at most 12h (the longest delay Queues accept)',
        'rules.yaml:7:72: targets.t.retry.initial_backoff: initial_backoff must be at least 1s (queue delays are whole seconds)',
        'rules.yaml:7:88: targets.t.retry.max_age: max_age must be at most 14d (events are kept for dedup_retention, at least 14d)',
        'rules.yaml:7:93: targets.t.retry: unknown key "tries" (expected one of: max_attempts, max_age, initial_backoff, max_backoff, retry_after_cap)',
        'rules.yaml:8:72: targets.u.retry.initial_backoff: initial_backoff must not exceed max_backoff',
      ].join('\n'),
    );
  });

  it('checks time intervals and the routes that use them', () => {
    const text = `${base}time_intervals:
  business-hours:
    - { weekdays: ["monday:fryday"], location: Europe/Pariss }
targets:
  t: { kind: pagerduty, routing_key: "\${R}" }
routes:
  - { name: a, notify: [t], active_when: [busines-hours] }
  - { name: b, notify: [t], mute_when: [holidays], when: { type: x } }
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:6:20: time_intervals.business-hours[0].weekdays[0]: "monday:fryday" is not a valid weekdays entry',
        'rules.yaml:6:48: time_intervals.business-hours[0].location: unknown time zone "Europe/Pariss" (an IANA name such as Europe/Paris)',
        'rules.yaml:10:43: routes[0].active_when[0]: unknown time interval "busines-hours" (did you mean "business-hours"?)',
        'rules.yaml:11:41: routes[1].mute_when[0]: unknown time interval "holidays" (time_intervals: business-hours)',
      ].join('\n'),
    );
  });

  it('checks a paging budget: a count, an interval, and a Slack target for the digest', () => {
    const text = `${base}targets:
  t: { kind: pagerduty, routing_key: "\${R}" }
routes:
  - { name: a, notify: [t], page_budget: { max: 0, per: 1h, digest_to: t } }
  - { name: b, notify: [t], page_budget: { max: 3, per: soon, digest_to: chat } }
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:7:49: routes[0].page_budget.max: max must be at least 1',
        'rules.yaml:7:72: routes[0].page_budget.digest_to: digest_to must be a Slack target ("t" is pagerduty)',
        'rules.yaml:8:57: routes[1].page_budget.per: per must be a duration such as 90s, 5m, 1h or 15d',
        'rules.yaml:8:74: routes[1].page_budget.digest_to: unknown target "chat"',
      ].join('\n'),
    );
  });

  it('reports every condition problem with its position and a suggestion', () => {
    const text = `${base}routes:
  - name: r
    notify: []
    when:
      typ: transfer.error
      data.rows: { gtt: 5 }
      data.count: { gt: "5" }
      data.log: { regex: "(unclosed" }
      data.list: [1, { a: 1 }]
      any: []
      not: { payload.x: { exists: maybe } }
      data..x: 1
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:8:7: routes[0].when.typ: unknown field "typ" (did you mean "type"?)',
        'rules.yaml:9:20: routes[0].when.data.rows.gtt: unknown operator "gtt" (did you mean "gt"?)',
        'rules.yaml:10:25: routes[0].when.data.count.gt: gt takes a number',
        'rules.yaml:11:26: routes[0].when.data.log.regex: invalid regular expression: /^(?:(unclosed)$/: Unterminated group',
        'rules.yaml:12:22: routes[0].when.data.list[1]: list values must be strings, numbers, booleans or null',
        'rules.yaml:13:7: routes[0].when.any: any takes a non-empty list of conditions',
        'rules.yaml:14:35: routes[0].when.not.payload.x.exists: exists takes true or false',
        'rules.yaml:15:7: routes[0].when.data..x: empty name at 6 (two dots, or a dot at the end)',
      ].join('\n'),
    );
  });

  it("says what an empty when expects, and suggests eq for equals (and other tools' spellings)", () => {
    const text = `${base}targets:\n  t: { kind: http, url: "https://x.example" }\nroutes:\n  - name: a\n    when:\n    notify: [t]\n  - name: b\n    when: { type: { equals: x }, data.n: { '>=': 3 } }\n    notify: [t]\n`;
    expect(problems(text).split('\n')).toEqual([
      'rules.yaml:8:10: routes[0].when: when is empty: give its conditions, e.g. `when: { type: transfer.error }`, or leave `when` out to match every event',
      'rules.yaml:11:21: routes[1].when.type.equals: unknown operator "equals" (did you mean "eq"?)',
      'rules.yaml:11:44: routes[1].when.data.n.>=: unknown operator ">=" (did you mean "gte"?)',
    ]);
  });

  it('reports routes that can never match because an earlier route catches everything they could', () => {
    const text = `${base}targets:
  t: { kind: pagerduty, routing_key: "\${R}" }
routes:
  - name: all transfer errors
    when: { type: transfer.error }
    notify: [t]
  - name: third-party errors
    when: { type: transfer.error, data.transfer_blamed_party: third_party }
    notify: [t]
  - name: any transfer
    when: { type: "transfer.*" }
    notify: [t]
  - name: cancelled
    when: { type: [transfer.cancelled] }
    notify: [t]
  - name: big failures
    when: { type: x, data.rows: { gt: 10 } }
    notify: [t]
    continue: true
  - name: bigger failures
    when: { type: x, data.rows: { gt: 100 } }
    notify: [t]
  - name: catch-all
    notify: [t]
  - name: after the catch-all
    when: { type: y }
    notify: [t]
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:10:11: routes[1]: route "third-party errors" can never match: route "all transfer errors" (routes[0]) matches every event it could and does not continue',
        'rules.yaml:16:11: routes[3]: route "cancelled" can never match: route "any transfer" (routes[2]) matches every event it could and does not continue',
        'rules.yaml:28:11: routes[7]: route "after the catch-all" can never match: route "catch-all" (routes[6]) matches every event it could and does not continue',
      ].join('\n'),
    );
  });

  it('accepts overlapping routes that can still match', () => {
    const r = loadRules(`${base}  prequel-two: { kind: prequel, public_keys: ["\${K}"] }
targets:
  t: { kind: pagerduty, routing_key: "\${R}" }
routes:
  - { name: narrow, when: { type: transfer.error, data.rows_transferred: 1 }, notify: [t] }
  - { name: wide, when: { type: transfer.error }, notify: [t] }
  - { name: other source, when: { source: prequel-two }, notify: [t] }
  - { name: glob then narrower glob, when: { type: "transfer.*", data.rows_transferred: { gt: 1 } }, notify: [t] }
  - { name: narrower, when: { type: "transfer.e*" }, notify: [t] }
`);
    expect(r.ok).toBe(true);
  });
});

describe('did-you-mean', () => {
  it('finds close keys and ignores far ones', () => {
    expect(closest('max_bdy', ['max_body', 'dedup_retention'])).toBe('max_body');
    expect(closest('tolerence', ['tolerance', 'secrets'])).toBe('tolerance');
    expect(closest('zzzz', ['max_body', 'dedup_retention'])).toBeNull();
  });
});

describe('templates are checked at build time', () => {
  const base = `version: 1
sources:
  prequel: { kind: prequel, public_keys: ["\${K}"] }
`;
  it('reports syntax errors, unknown filters and fields, tags, and failures on sample events, in routes and targets', () => {
    const text = `${base}targets:
  t:
    kind: pagerduty
    routing_key: "\${R}"
    templates: { summary: "{{ data.destination_name | shout }}" }
routes:
  - name: r
    notify: [t]
    alert_key: "{{ dta.destination_id }}"
    templates:
      title: "{{ data.destination_name"
      text: "{% if data.x %}x{% endif %}"
      summary: "{{ data.destination_name | truncate: 10 }}"
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:8:27: targets.t.templates.summary: template: undefined filter: shout, line:1, col:1',
        'rules.yaml:12:16: routes[0].alert_key: template: unknown field "dta" (did you mean "data"?)',
        'rules.yaml:14:14: routes[0].templates.title: template: output "{{ data.destination_name" not closed, line:1, col:1',
        'rules.yaml:15:13: routes[0].templates.text: templates are logic-less: only {{ … }} expressions, no {% … %} tags',
      ].join('\n'),
    );
  });
});
