/**
 * Everything the renderers produce, checked against what Slack and PagerDuty accept (their published schemas,
 * when ../shared/schemas is there, and the limits the schemas leave out): every seed event through every target
 * kind and every relabel, then maximal and adversarial payloads; and the injection, link and length findings of
 * the attack run, each reproduced.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREQUEL_FIXTURES, PRELUDE_FIXTURES, STANDARD_WEBHOOKS_FIXTURES } from '../../test/helpers/fixtures.ts';
import { pagerDutyProblems, PUBLISHED_SCHEMAS, slackProblems } from '../../test/helpers/vendor-schemas.ts';
import { payloadToEvents } from '../cli/events.ts';
import type { CanonicalEvent } from '../core/event.ts';
import { flappingSlackMessage, resolvedSlackMessage } from './slack/lifecycle.ts';
import type { HttpTargetConfig } from './http/config.ts';
import { routeFixture } from '../../test/helpers/routes.ts';
import { loadRules } from '../rules/load.ts';
import { compileRuleSet } from '../rules/ruleset.ts';
import { renderHttp } from './http/render.ts';
import { headerSafe } from './http/send.ts';
import { redactSecrets } from '../core/outcome.ts';
import { renderPagerDuty } from './pagerduty/render.ts';
import { renderSlack, type SlackMessage } from './slack/render.ts';
import { budgetDigest } from './slack/digest.ts';
import { renderSlackGroup } from './slack/group.ts';
import { renderPagerDutyGroup } from './pagerduty/group.ts';
import type { GroupState } from '../core/delivery.ts';
import { decideAdd, decideFlush, decideHandedOver, decideResolveMember } from '../pipeline/decide/group.ts';
import {
  decideAttempts,
  decideDeadLetter,
  decideSeen,
  decideSilence,
  decideVerificationFailure,
  EMPTY_HEALTH,
  healthEvent,
} from '../pipeline/decide/health.ts';
import { flushEvent } from '../pipeline/group-key.ts';
import { prepare } from '../render/overrides.ts';

const root = resolve(import.meta.dirname, '../..');
const loaded = loadRules(readFileSync(join(root, 'rules.example.yaml'), 'utf8'));
if (!loaded.ok) throw new Error('rules.example.yaml must load');
const rules = loaded.value.config;
const ruleSet = compileRuleSet(rules.routes);
const RECEIVED_AT = '2026-11-23T12:00:00.000Z';

const route = routeFixture;

const seedEvents: CanonicalEvent[] = [
  ...PREQUEL_FIXTURES.map((f) => ({ f, source: null })),
  ...PRELUDE_FIXTURES.map((f) => ({ f, source: null })),
  ...STANDARD_WEBHOOKS_FIXTURES.map((f) => ({ f, source: 'billing' })),
].flatMap(({ f, source }) => {
  const r = payloadToEvents(f.body, rules, source, RECEIVED_AT);
  if (!r.ok) throw new Error(r.error);
  return r.events;
});

function expectValid(slack: SlackMessage, label: string): void {
  expect(slackProblems(slack), label).toEqual([]);
}

const blocksOf = (m: SlackMessage) =>
  m.attachments[0]!.blocks as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { url?: string }[] }[];
const mrkdwnTexts = (m: SlackMessage): string[] => [
  m.text,
  ...blocksOf(m).flatMap((b) => [
    ...(b.type !== 'header' && b.text ? [b.text.text] : []),
    ...(b.fields ?? []).map((f) => f.text),
    ...(b.type === 'context' ? ((b.elements ?? []) as { text?: string }[]).map((e) => e.text ?? '') : []),
  ]),
];

describe(`every rendered notification is valid${PUBLISHED_SCHEMAS ? ' (published Block Kit and Events v2 schemas)' : ' (limits only: ../shared/schemas not found)'}`, () => {
  it('every seed event, with the route the example picks, to Slack and PagerDuty, then resolved and flapping', () => {
    for (const event of seedEvents) {
      const r = ruleSet.match(event)[0]?.route ?? route();
      const slack = renderSlack({ event, route: r, targetName: 's' }).payload;
      expectValid(slack, `${event.type} slack`);
      expectValid(resolvedSlackMessage(slack, 0, 3_600_000, 4), `${event.type} resolved`);
      expectValid(flappingSlackMessage(slack, 3, 7), `${event.type} flapping`);
      const pd = renderPagerDuty({ event, route: r, targetName: 'p' }).payload;
      expect(pagerDutyProblems(pd), `${event.type} pagerduty`).toEqual([]);
      const resolve = renderPagerDuty({ event, route: { ...r, action: 'resolve' }, targetName: 'p' }).payload;
      expect(pagerDutyProblems(resolve), `${event.type} pagerduty resolve`).toEqual([]);
    }
  });

  it('the paging budget digest, with many held pages and hostile types', () => {
    const held = Array.from({ length: 40 }, (_, i) => ({
      jobId: `job_${i}`,
      source: 'prequel',
      eventId: `pq_${'f'.repeat(64)}`,
      type: i % 2 ? '<!channel>'.repeat(30) : 'transfer.error',
      at: i * 1000,
    }));
    const digest = budgetDigest({ route: 'Every <!here> transfer failure', max: 3, perMs: 3_600_000, held, heldCount: 400 });
    expectValid(digest, 'digest');
    for (const text of mrkdwnTexts(digest)) expect(text).not.toMatch(/<[!@#]/);
  });

  it("a group's notifications, with hundreds of members and hostile keys, titles, labels and route names", () => {
    const hostile = '<!channel> *bold* `code` <https://evil.example|click> ' + '€'.repeat(400);
    const stored = Array.from({ length: 500 }, (_, i) => ({
      key: i % 3 ? `${hostile}${i}` : `prequel-transfer-${i}`,
      severity: i % 2 ? ('critical' as const) : ('warning' as const),
      title: i % 2 ? hostile : `Transfer to warehouse ${i} failed`,
      event: { source: 'prequel', id: `pq_${i}`, type: 'transfer.error' },
    }));
    const spec = {
      id: 'f'.repeat(32),
      key: hostile,
      route: `${hostile} route`,
      routeIndex: 0,
      labels: { type: hostile, 'data.x': '' },
      notify: ['x'],
      waitMs: 10_000,
      intervalMs: 300_000,
      repeatMs: 14_400_000,
    };
    let state: GroupState | null = null;
    for (const member of stored) state = decideAdd(state, { spec, member }, 1000).next as GroupState;
    for (let i = 0; i < 200; i++) state = decideResolveMember(state, { key: stored[i]!.key }, 2000).next as GroupState;
    const flushes = [decideFlush(state, 20_000).decision!];
    let after = decideHandedOver(decideFlush(state, 20_000).next as GroupState, 1)!;
    for (const m of stored.slice(200)) after = decideResolveMember(after, { key: m.key }, 30_000).next as GroupState;
    flushes.push(decideFlush(after, 30_000).decision!);
    expect(flushes.map((f) => f.reason)).toEqual(['first', 'all_resolved']);
    // Templates over the notification (as the route's would be), writing hostile text at length.
    const templates = {
      title: `{{ data.group.key }} {{ data.group.key }} ${hostile}`,
      text: `{{ data.alerts | json }} ${hostile}`,
      summary: `{{ data.group.key }}${hostile}`,
    };
    for (const flush of flushes) {
      const parts = prepare({ event: flushEvent(flush), route: routeFixture({ templates }), targetName: 'x' });
      for (const slack of [renderSlackGroup(flush), renderSlackGroup(flush, parts)]) {
        expectValid(slack, `group ${flush.reason}`);
        for (const text of mrkdwnTexts(slack)) expect(text).not.toMatch(/<[!@#]|<https?:/);
      }
      for (const pd of [renderPagerDutyGroup(flush), renderPagerDutyGroup(flush, parts)])
        expect(pagerDutyProblems(pd), `group ${flush.reason} pagerduty`).toEqual([]);
    }
  });

  it("the relay's health notices, with hostile target names, sources and errors", () => {
    const hostile = '<!channel> *bold* <https://evil.example|click> ' + '€'.repeat(3000);
    const failing = decideAttempts(
      EMPTY_HEALTH,
      Array.from({ length: 6 }, (_, i) => ({ target: hostile, ok: i === 5, why: hostile, at: i })),
      5,
    ).notices;
    const dead = decideDeadLetter(EMPTY_HEALTH, { jobId: hostile, event: hostile, route: hostile, target: hostile, why: hostile }).notices;
    let verification = EMPTY_HEALTH;
    const spikes = [];
    for (let i = 0; i < 3; i++) {
      const step = decideVerificationFailure(verification, { source: hostile, reason: hostile }, i, { max: 3, perMs: 60_000 });
      verification = step.next;
      spikes.push(...step.notices);
    }
    const seen = decideSeen(EMPTY_HEALTH, { source: hostile, expectEveryMs: 1000 }, 0);
    const silent = decideSilence(seen.next, 5000);
    const back = decideSeen(silent.next, { source: hostile, expectEveryMs: 1000 }, 9000).notices;
    const notices = [...failing, ...dead, ...spikes, ...silent.notices, ...back];
    expect(notices.map((n) => n.type)).toEqual([
      'health.target_failing',
      'health.target_recovered',
      'health.dead_letter',
      'health.verification_failures',
      'health.source_silent',
      'health.source_back',
    ]);
    for (const notice of notices) {
      const input = {
        event: healthEvent(notice, '2026-12-03T12:00:00.000Z'),
        route: routeFixture({ name: 'Relay health (settings.health)' }),
        targetName: 'x',
      };
      const slack = renderSlack(input).payload;
      expectValid(slack, notice.type);
      for (const text of mrkdwnTexts(slack)) expect(text).not.toMatch(/<[!@#]|<https?:/);
      expect(pagerDutyProblems(renderPagerDuty(input).payload), `${notice.type} pagerduty`).toEqual([]);
    }
  });

  it('maximal and adversarial payloads: injection, long lines, many lines, odd links, odd Unicode', () => {
    const nasty = fc.oneof(
      fc.string({ maxLength: 5000, unit: 'grapheme' }),
      fc.constantFrom(
        '<!channel> <https://evil.example/login|Open in Prequel> please re-auth',
        '<!here|here> <@U123> <#C123> &amp; &lt; &gt;',
        'javascript:alert(1)',
        '```closing fence``` `tick` *bold* _it_ ~strike~ > quote',
        'a\u0000b\r\nc\u2028d\u202ee',
      ),
      fc.array(fc.string({ minLength: 1, maxLength: 30 }), { minLength: 100, maxLength: 400 }).map((lines) => lines.join('\n')),
      fc.string({ minLength: 3000, maxLength: 40_000 }),
    );
    const url = fc.oneof(
      fc.webUrl(),
      fc.constantFrom('javascript:alert(1)', 'data:text/html,<script>1</script>', 'https://ok.example/x', ' https://x', 'https://u:p@x.example/'),
      fc.string(),
    );
    fc.assert(
      fc.property(
        nasty,
        nasty,
        nasty,
        url,
        fc.constantFrom('first_party', 'third_party', 'prequel', '<!channel>'),
        fc.constantFrom('transfer.error', 'transfer.cancelled', 'x.y'),
        (name, log, pretty, link, blame, type) => {
          const event: CanonicalEvent = {
            source: 'prequel',
            kind: type === 'x.y' ? 'standard-webhooks' : 'prequel',
            type,
            id: 'pq_adversarial',
            occurredAt: null,
            receivedAt: RECEIVED_AT,
            correlationId: null,
            meta: {},
            data: {
              destination_name: name,
              transfer_log: log,
              transfer_log_pretty: pretty,
              in_app_url: link,
              transfer_blamed_party: blame,
              note: name,
              email: pretty,
            },
          };
          const templated = route({ templates: { text: 'Check {{ data.destination_name }}', fields: '*Log* {{ data.transfer_log }}' } });
          for (const r of [route(), templated]) {
            const slack = renderSlack({ event, route: r, targetName: 's' }).payload;
            expectValid(slack, 'slack');
            for (const text of mrkdwnTexts(slack)) expect(text).not.toMatch(/<[!@#]|<https?:|<javascript:/i);
            expect(pagerDutyProblems(renderPagerDuty({ event, route: r, targetName: 'p' }).payload)).toEqual([]);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('findings of the attack run, reproduced', () => {
  const transferError = (data: Record<string, unknown>): CanonicalEvent => ({
    source: 'prequel',
    kind: 'prequel',
    type: 'transfer.error',
    id: 'pq_1',
    occurredAt: null,
    receivedAt: RECEIVED_AT,
    correlationId: null,
    meta: {},
    data: { transfer_blamed_party: 'first_party', ...data },
  });
  const INJECTION = '<!channel> <https://evil.example/login|Open in Prequel> please re-auth';

  it('a mention and a link in a payload field reach Slack as text, in the fallback, the fields and a template', () => {
    const event = transferError({ destination_name: INJECTION });
    const slack = renderSlack({ event, route: route(), targetName: 's' }).payload;
    expect(slack.text).toBe('🟠 Transfer to &lt;!channel&gt; &lt;https://evil.example/login|Open in Prequel&gt; please re-auth failed — our integration');
    const templated = renderSlack({
      event,
      route: route({ templates: { text: 'Fix {{ data.destination_name }} now', fields: '{{ data.destination_name | raw }}' } }),
      targetName: 's',
    }).payload;
    expect(JSON.stringify(templated)).toContain('Fix &lt;!channel&gt; &lt;https://evil.example/login|Open in Prequel&gt; please re-auth now');
    // `| raw` is the template author's explicit way out.
    expect(JSON.stringify(templated)).toContain(`"text":"${INJECTION}"`);
  });

  it('a javascript: or data: URL becomes no button and no PagerDuty link, and the notes say so', () => {
    for (const bad of ['javascript:alert(document.cookie)', 'data:text/html;base64,PHNjcmlwdD4=', 'JaVaScRiPt:alert(1)']) {
      const event = transferError({ destination_name: 'd', in_app_url: bad });
      const slack = renderSlack({ event, route: route(), targetName: 's' });
      expect(blocksOf(slack.payload).some((b) => b.type === 'actions')).toBe(false);
      expect(slack.notes.join()).toContain('link dropped');
      const pd = renderPagerDuty({ event, route: route(), targetName: 'p' }).payload;
      expect(pd.links).toBeUndefined();
      expect(JSON.stringify(pd.payload!.custom_details)).toContain('link dropped');
    }
    const good = renderSlack({ event: transferError({ in_app_url: 'https://app.prequel.co/x' }), route: route(), targetName: 's' }).payload;
    expect(blocksOf(good).find((b) => b.type === 'actions')!.elements![0]!.url).toBe('https://app.prequel.co/x');
  });

  it('a quoted body of 150 short lines stays within 3,000 characters, entities never cut', () => {
    const reason = Array.from({ length: 150 }, (_, i) => `line ${i} & <more>`).join('\n');
    const event: CanonicalEvent = { ...transferError({}), type: 'transfer.cancelled', data: { destination_name: 'd', transfer_log: reason } };
    const slack = renderSlack({ event, route: route(), targetName: 's' }).payload;
    const section = blocksOf(slack).find((b) => b.text?.text.startsWith('*Reason*'))!.text!.text;
    expect(section.length).toBeLessThanOrEqual(3000);
    expect(section.length).toBeGreaterThan(2900);
    expect(section).toMatch(/…$/);
    expect(section).not.toMatch(/&[a-z]{0,3}…$/);
    expectValid(slack, 'cancelled');
  });

  it('masks e-mail addresses and phone numbers by value, whatever key they came under', () => {
    const event: CanonicalEvent = {
      ...transferError({}),
      kind: 'standard-webhooks',
      type: 'customer.note',
      data: { contact: 'jane.doe@example.com', mobile_number_field: '+33 6 12 34 56 78', rows: 12345678, note: 'call +14155550123 or write to ops@acme.io' },
    };
    const text = JSON.stringify([
      renderSlack({ event, route: route(), targetName: 's' }).payload,
      renderPagerDuty({ event, route: route(), targetName: 'p' }).payload,
    ]);
    expect(text).not.toContain('jane.doe@');
    expect(text).not.toContain('12 34 56');
    expect(text).not.toContain('4155550123');
    expect(text).not.toContain('ops@acme');
    expect(text).toContain('j•••@example.com');
    expect(text).toContain('o•••@acme.io');
    expect(text).toContain('12,345,678');
  });

  it('chained template filters cannot blow up: the default is used and a note says why', () => {
    const event = transferError({ destination_name: 'x'.repeat(10_000) });
    const bomb = `{{ data.destination_name ${'| append: data.destination_name '.repeat(12)}| append: data.destination_name | append: data.destination_name }}`;
    const r = renderHttp({ event, route: route({ templates: { body: `${bomb}${bomb}${bomb}` } }), targetName: 'h' }, {
      kind: 'http',
      method: 'POST',
      url: 'https://x.example',
      headers: {},
      timeoutMs: 1000,
      signingSecret: null,
      templates: {},
    } as HttpTargetConfig);
    expect(r.payload.body!.length).toBeLessThan(256 * 1024);
    expect(r.notes.join()).toMatch(/body: template (failed|rendered)/);
  });

  it('a GET target never repeats or overrides a parameter its URL sets', () => {
    const config = {
      kind: 'http',
      method: 'GET',
      url: 'https://crm.example.com/h?key=${CRM_API_KEY}&v=2',
      headers: {},
      timeoutMs: 1000,
      signingSecret: null,
      templates: {},
    } as HttpTargetConfig;
    const event = transferError({ key: 'attacker', v: '3', ok: 'yes' });
    const r = renderHttp({ event, route: route({ templates: { body: '{"key": "attacker", "v": 9, "ok": "yes"}' } }), targetName: 'crm' }, config);
    expect(r.payload.query).toEqual([['ok', 'yes']]);
    expect(r.notes.join()).toContain('query parameters key, v left out');
  });

  it('header values that cannot be sent are percent-encoded, not a failed request', () => {
    expect(headerSafe('transfer.error')).toBe('transfer.error');
    expect(headerSafe('a\r\nX-Evil: 1')).toBe('a%0D%0AX-Evil%3A%201');
    expect(headerSafe('événement')).toBe('%C3%A9v%C3%A9nement');
    expect(() => new Headers({ 'x-t': headerSafe('a\r\nb') })).not.toThrow();
  });

  it('a secret is redacted in every spelling: raw, percent-encoded, form-encoded, base64', () => {
    const secret = 'xoxb-1/2+3 key=ü';
    const b64 = Buffer.from(secret).toString('base64');
    const text = `GET https://x/?t=${encodeURIComponent(secret)} f=${encodeURIComponent(secret).replace(/%20/g, '+')} b=${b64} u=${b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '')} r=${secret}`;
    const out = redactSecrets(text, [secret]);
    expect(out).toBe('GET https://x/?t=[secret] f=[secret] b=[secret] u=[secret] r=[secret]');
  });
});
