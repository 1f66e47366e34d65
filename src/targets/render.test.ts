import { readFileSync } from 'node:fs';
import { PREQUEL_FIXTURES, PRELUDE_FIXTURES, STANDARD_WEBHOOKS_FIXTURES } from '../../test/helpers/fixtures.ts';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { payloadToEvents } from '../cli/events.ts';
import type { CanonicalEvent } from '../core/event.ts';
import { loadRules } from '../rules/load.ts';
import type { RouteConfig } from '../rules/config.ts';
import type { PagerDutyEvent } from './pagerduty/render.ts';
import type { BuiltInTargetConfig as TargetConfig } from './registry.ts';
import { compileRuleSet } from '../rules/ruleset.ts';
import { renderNotification } from './registry.ts';
import { routeFixture } from '../../test/helpers/routes.ts';
import { renderHttp } from './http/render.ts';
import { PD_DEDUP_KEY_MAX, PD_SUMMARY_MAX, renderPagerDuty } from './pagerduty/render.ts';
import { renderSlack, SLACK_BLOCKS_MAX, SLACK_FIELDS_MAX, SLACK_HEADER_MAX, SLACK_SECTION_TEXT_MAX } from './slack/render.ts';

const root = resolve(import.meta.dirname, '../..');
const loaded = loadRules(readFileSync(join(root, 'rules.example.yaml'), 'utf8'));
if (!loaded.ok) throw new Error('rules.example.yaml must load');
const rules = loaded.value.config;
const ruleSet = compileRuleSet(rules.routes);

const fixtures = [
  ...PREQUEL_FIXTURES.map((f) => ({ ...f, name: `prequel/${f.name}`, source: null })),
  ...PRELUDE_FIXTURES.map((f) => ({ ...f, name: `prelude/${f.name}`, source: null })),
  ...STANDARD_WEBHOOKS_FIXTURES.map((f) => ({ ...f, name: `standard-webhooks/${f.name}`, source: 'billing' })),
];

const RECEIVED_AT = '2026-11-23T12:00:00.000Z';
const events: { name: string; event: CanonicalEvent }[] = fixtures.flatMap((f) => {
  const r = payloadToEvents(f.body, rules, f.source, RECEIVED_AT);
  if (!r.ok) throw new Error(`${f.name}: ${r.error}`);
  return r.events.map((event, i) => ({ name: r.events.length > 1 ? `${f.name}#${i}` : f.name, event }));
});

const genericRoute: RouteConfig = routeFixture({ name: 'snapshot' });
const targets: Record<string, TargetConfig> = {
  slack: { kind: 'slack', mode: 'bot', token: '${T}', channel: '#c', apiUrl: null },
  pagerduty: { kind: 'pagerduty', routingKey: '${R}', server: null },
  http: { kind: 'http', method: 'POST', url: 'https://x.example/h', headers: {}, timeoutMs: 10_000, signingSecret: null },
  'http-get': { kind: 'http', method: 'GET', url: 'https://x.example/h', headers: {}, timeoutMs: 10_000, signingSecret: null },
};

describe('default formats for every seed event (snapshots, reviewed by eye)', () => {
  for (const { name, event } of events) {
    it(name, () => {
      // The route the example rules pick, when one does; its severity and alert key shape the output.
      const route = ruleSet.match(event).find((m) => !m.route.fallback)?.route ?? genericRoute;
      const rendered = Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, renderNotification(t, { event, route, targetName: k })]));
      expect(rendered).toMatchSnapshot();
      // Rendering is deterministic.
      expect(Object.fromEntries(Object.entries(targets).map(([k, t]) => [k, renderNotification(t, { event, route, targetName: k })]))).toEqual(rendered);
    });
  }
});

describe('the headline of each Prequel transfer outcome', () => {
  const transferError = events.find((e) => e.name === 'prequel/transfer.error')!.event;
  const withBlame = (blame: string): CanonicalEvent => ({ ...transferError, data: { ...(transferError.data as object), transfer_blamed_party: blame } });
  it.each([
    ['third_party', '🟡 Transfer to Foo Bar failed — customer side'],
    ['first_party', '🟠 Transfer to Foo Bar failed — our integration'],
    ['prequel', '🟠 Transfer to Foo Bar failed — Prequel'],
    ['host', '🟠 Transfer to Foo Bar failed — self-hosted Prequel'],
    ['unknown', '🟠 Transfer to Foo Bar failed — cause unknown'],
  ])('blame %s', (blame, header) => {
    const slack = renderSlack({ event: withBlame(blame), route: genericRoute, targetName: 's' }).payload;
    expect((slack.attachments[0]!.blocks[0] as { text: { text: string } }).text.text).toBe(header);
  });

  it('shows the customer-safe text for third-party failures and the log as code otherwise', () => {
    const texts = (blame: string) => JSON.stringify(renderSlack({ event: withBlame(blame), route: genericRoute, targetName: 's' }).payload);
    expect(texts('third_party')).toContain('What the customer sees');
    expect(texts('third_party')).toContain('heat death of the universe');
    expect(texts('first_party')).toContain('```Exception in thread');
  });
});

describe('limits hold for any input', () => {
  const huge = fc.string({ minLength: 0, maxLength: 20_000, unit: 'grapheme' });
  it('Slack: header ≤ 150, section text ≤ 3000, ≤ 10 fields, ≤ 50 blocks; PagerDuty: summary ≤ 1024, dedup key ≤ 255', () => {
    fc.assert(
      fc.property(huge, huge, huge, (name, log, key) => {
        const event: CanonicalEvent = {
          source: 'prequel',
          kind: 'prequel',
          type: 'transfer.error',
          id: 'e',
          occurredAt: null,
          receivedAt: RECEIVED_AT,
          correlationId: null,
          meta: {},
          data: { destination_name: name, transfer_log: log, transfer_blamed_party: 'first_party', models: Array.from({ length: 30 }, (_, i) => `m${i}`) },
        };
        const route = { ...genericRoute, alertKey: `{{ data.destination_name }}${key.slice(0, 500)}` };
        const slack = renderSlack({ event, route, targetName: 's' }).payload;
        const blocks = slack.attachments[0]!.blocks as { type: string; text?: { text: string }; fields?: { text: string }[] }[];
        expect(blocks.length).toBeLessThanOrEqual(SLACK_BLOCKS_MAX);
        for (const b of blocks) {
          if (b.type === 'header') expect(Array.from(b.text!.text).length).toBeLessThanOrEqual(SLACK_HEADER_MAX);
          if (b.text) expect(Array.from(b.text.text).length).toBeLessThanOrEqual(SLACK_SECTION_TEXT_MAX);
          if (b.fields) expect(b.fields.length).toBeLessThanOrEqual(SLACK_FIELDS_MAX);
        }
        const pd = renderPagerDuty({ event, route, targetName: 'p' }).payload;
        expect(Array.from(pd.payload!.summary).length).toBeLessThanOrEqual(PD_SUMMARY_MAX);
        expect(Array.from(pd.dedup_key).length).toBeLessThanOrEqual(PD_DEDUP_KEY_MAX);
      }),
      { numRuns: 200 },
    );
  });
});

describe('templates', () => {
  const event = events.find((e) => e.name === 'prequel/transfer.error')!.event;
  it('override title, text, summary and body', () => {
    const route = {
      ...genericRoute,
      templates: {
        title: 'Sync to {{ data.destination_name | upper }} broke',
        text: 'Ask {{ data.id_in_provider_system }} to check credentials',
        summary: '{{ type }} / {{ data.destination_name }}',
        body: '{"dest": {{ data.destination_name | json }}}',
      },
    };
    const slack = JSON.stringify(renderSlack({ event, route, targetName: 's' }).payload);
    expect(slack).toContain('Sync to FOO BAR broke');
    expect(slack).toContain('Ask acme to check credentials');
    expect(renderPagerDuty({ event, route, targetName: 'p' }).payload.payload!.summary).toBe('transfer.error / Foo Bar');
    expect(renderHttp({ event, route, targetName: 'h' }, targets.http as never).payload.body).toBe('{"dest": "Foo Bar"}');
  });

  it("apply a target's templates to every route, the route's own winning", () => {
    const target: TargetConfig = { kind: 'pagerduty', routingKey: '${R}', server: null, templates: { summary: 'T: {{ type }}', title: 'unused' } };
    const viaTarget = renderNotification(target, { event, route: genericRoute, targetName: 'p' }).notification;
    const routeWins = renderNotification(target, { event, route: { ...genericRoute, templates: { summary: 'R: {{ type }}' } }, targetName: 'p' }).notification;
    expect(viaTarget.kind === 'pagerduty' && (viaTarget.payload as PagerDutyEvent).payload!.summary).toBe('T: transfer.error');
    expect(routeWins.kind === 'pagerduty' && (routeWins.payload as PagerDutyEvent).payload!.summary).toBe('R: transfer.error');
  });

  it('fall back to the default format, with a note, when a template fails at run time', () => {
    const route = { ...genericRoute, templates: { title: '{{ data.destination_name | truncate: "x" | nosuchfilter }}' } };
    const r = renderSlack({ event, route, targetName: 's' });
    expect(r.notes).toEqual([expect.stringMatching(/^title: template failed: undefined filter: nosuchfilter/)]);
    expect(JSON.stringify(r.payload)).toContain('Transfer to Foo Bar failed');
    expect(JSON.stringify(r.payload)).toContain('⚠ title: template failed');
  });

  it('use the alert key for the PagerDuty dedup key, so a later event can resolve the incident', () => {
    const route = { ...genericRoute, alertKey: 'prequel-transfer-{{data.destination_id}}' };
    const trigger = renderPagerDuty({ event, route, targetName: 'p' }).payload;
    const resolve = renderPagerDuty({
      event: { ...event, type: 'transfer.success' },
      route: { ...route, action: 'resolve' as const },
      targetName: 'p',
    }).payload;
    expect(trigger.dedup_key).toBe('prequel-transfer-00000000-0000-0000-0000-000000000000');
    expect(resolve).toEqual({ event_action: 'resolve', dedup_key: trigger.dedup_key, client: 'Switchyard' });
  });
});

describe('HTTP GET flattens the payload into query parameters', () => {
  it('uses dotted keys and array indexes', () => {
    const event = events.find((e) => e.name === 'prequel/transfer.error')!.event;
    const q = new Map(renderHttp({ event, route: genericRoute, targetName: 'g' }, targets['http-get'] as never).payload.query);
    expect(q.get('type')).toBe('transfer.error');
    expect(q.get('data.models.0')).toBe('users');
    expect(q.get('data.transfer_blamed_party')).toBe('third_party');
  });

  it('drops the longest values first when the URL would pass 8 KB, and says which', () => {
    const event: CanonicalEvent = { ...events[0]!.event, data: { log: 'x'.repeat(20_000), short: 'y' } };
    const q = renderHttp({ event, route: genericRoute, targetName: 'g' }, targets['http-get'] as never).payload.query;
    expect(q.find(([k]) => k === 'data.log')).toBeUndefined();
    expect(q.find(([k]) => k === '_truncated')).toEqual(['_truncated', 'data.log']);
    expect(q.find(([k]) => k === 'data.short')).toEqual(['data.short', 'y']);
  });
});
