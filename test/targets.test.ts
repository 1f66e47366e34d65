/**
 * Every target kind through its real code path inside workerd — the real @slack/web-api and @pagerduty/pdjs
 * included — with only the network answered by a fake: one shared contract (status table → ok / retryable /
 * permanent, Retry-After, network errors, no secret in any outcome), then the exact requests each sends.
 */
import { env } from 'cloudflare:workers';
import { Webhook } from 'standardwebhooks';
import { beforeEach, describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../src/core/event.ts';
import type { RouteConfig } from '../src/rules/config.ts';
import type { BuiltInTargetConfig as TargetConfig } from '../src/targets/registry.ts';
import type { Outcome } from '../src/core/outcome.ts';
import { renderNotification, sendNotification } from '../src/targets/registry.ts';
import { PREQUEL_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';

const NOW = Date.parse('2026-11-23T12:00:00Z');
const event: CanonicalEvent = {
  source: 'prequel',
  kind: 'prequel',
  type: 'transfer.error',
  id: 'pq_test',
  occurredAt: '2023-10-15T19:19:08+00:00',
  receivedAt: '2026-11-23T12:00:00.000Z',
  correlationId: null,
  meta: { apiVersion: '2023-10-15' },
  data: (JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body) as { data: unknown }).data,
};
const route: RouteConfig = {
  name: 'page on transfer errors',
  when: { op: 'all', of: [] },
  notify: [],
  continue: false,
  severity: 'error',
  alertKey: 'prequel-transfer-{{data.destination_id}}',
  action: null,
  templates: {},
};

const SECRETS = [env.SLACK_BOT_TOKEN, env.SLACK_CS_WEBHOOK_URL, env.PAGERDUTY_ROUTING_KEY, env.AUDIT_TOKEN, env.CRM_API_KEY] as string[];

interface Kind {
  readonly name: string;
  readonly host: string;
  readonly config: TargetConfig;
  /** How this vendor answers success (for the contract table). */
  readonly success: { status: number; body?: string; headers?: Record<string, string> };
}

const KINDS: Kind[] = [
  {
    name: 'slack (bot token, @slack/web-api)',
    host: 'slack.fake',
    config: { kind: 'slack', mode: 'bot', token: '${SLACK_BOT_TOKEN}', channel: '#data-eng-alerts', apiUrl: 'https://slack.fake/api/' },
    success: { status: 200, body: JSON.stringify({ ok: true, channel: 'C0DATA', ts: '1.2' }), headers: { 'content-type': 'application/json' } },
  },
  {
    name: 'slack (incoming webhook)',
    host: 'hooks.slack.fake',
    config: { kind: 'slack', mode: 'webhook', webhookUrl: '${SLACK_CS_WEBHOOK_URL}' },
    success: { status: 200, body: 'ok' },
  },
  {
    name: 'pagerduty (@pagerduty/pdjs)',
    host: 'events.pagerduty.fake',
    config: { kind: 'pagerduty', routingKey: '${PAGERDUTY_ROUTING_KEY}', server: 'events.pagerduty.fake' },
    success: { status: 202, body: JSON.stringify({ status: 'success', dedup_key: 'k' }), headers: { 'content-type': 'application/json' } },
  },
  {
    name: 'http POST',
    host: 'audit.example.com',
    config: {
      kind: 'http',
      method: 'POST',
      url: 'https://audit.example.com/events',
      headers: { Authorization: 'Bearer ${AUDIT_TOKEN}' },
      timeoutMs: 5000,
      signingSecret: '${AUDIT_SIGNING_SECRET}',
    },
    success: { status: 204 },
  },
  {
    name: 'http GET',
    host: 'crm.example.com',
    config: {
      kind: 'http',
      method: 'GET',
      url: 'https://crm.example.com/hooks/undeliverable?key=${CRM_API_KEY}',
      headers: {},
      timeoutMs: 5000,
      signingSecret: null,
    },
    success: { status: 200 },
  },
];

async function deliver(config: TargetConfig, messageId = 'job_1', now = NOW): Promise<Outcome> {
  const { notification } = renderNotification(config, { event, route, targetName: 't' });
  return sendNotification(config, notification, { env, fetch: (input, init) => fetch(input, init), now: () => now, messageId, inbox: null });
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) => ({
  status,
  body: JSON.stringify(body),
  headers: { 'content-type': 'application/json', ...headers },
});

beforeEach(() => network.reset());

describe.each(KINDS)('target contract: $name', (kind) => {
  it('2xx → ok', async () => {
    await network.script(kind.host, kind.success);
    expect((await deliver(kind.config)).kind).toBe('ok');
  });

  // pdjs itself re-sends a 429 three times (without sleeping: retryTimeout 0) before answering, so the
  // PagerDuty rows script four answers; every other target sends once.
  const times = (n: number) => (kind.host === 'events.pagerduty.fake' ? 4 : n);

  it.each([
    [429, 'retryable'],
    [500, 'retryable'],
    [502, 'retryable'],
    [503, 'retryable'],
    [400, 'permanent'],
    [403, 'permanent'],
    [404, 'permanent'],
  ] as const)('HTTP %i → %s', async (status, expected) => {
    // PagerDuty answers JSON, errors included; the others' error bodies are plain text.
    const answer =
      kind.host === 'events.pagerduty.fake'
        ? json({ status: 'error', message: `HTTP ${status}` }, status)
        : { status, body: kind.host === 'slack.fake' ? '' : 'error', headers: (status === 429 ? { 'retry-after': '7' } : {}) as Record<string, string> };
    await network.script(kind.host, ...Array.from({ length: status === 429 ? times(1) : 1 }, () => answer));
    const outcome = await deliver(kind.config);
    expect(outcome.kind).toBe(expected);
    if (outcome.kind !== 'ok') expect(outcome.status).toBe(status);
  });

  it('a 429 with Retry-After: 7 is retryable no sooner than 7 s', async () => {
    await network.script(
      kind.host,
      ...Array.from({ length: times(1) }, () => ({ status: 429, body: '{}', headers: { 'retry-after': '7', 'content-type': 'application/json' } })),
    );
    expect(await deliver(kind.config)).toMatchObject({ kind: 'retryable', status: 429, retryAfterMs: 7000 });
  });

  it('a network error → retryable', async () => {
    await network.script(kind.host, { networkError: true });
    expect((await deliver(kind.config)).kind).toBe('retryable');
  });

  it('renders deterministically', () => {
    expect(renderNotification(kind.config, { event, route, targetName: 't' })).toEqual(renderNotification(kind.config, { event, route, targetName: 't' }));
  });

  it('never puts a secret in an outcome', async () => {
    const outcomes: Outcome[] = [];
    for (const answer of [{ status: 500, body: `echo ${SECRETS.join(' ')}` }, { status: 400, body: SECRETS.join(',') }, { networkError: true }]) {
      await network.script(kind.host, answer);
      outcomes.push(await deliver(kind.config));
    }
    const text = JSON.stringify(outcomes);
    for (const secret of SECRETS) expect(text).not.toContain(secret);
  });

  it('an unset secret is a permanent, named failure', async () => {
    const outcome = await sendNotification(kind.config, renderNotification(kind.config, { event, route, targetName: 't' }).notification, {
      env: {},
      fetch: (i, init) => fetch(i, init),
      now: () => NOW,
      messageId: 'job_1',
      inbox: null,
    });
    expect(outcome.kind).toBe('permanent');
    expect(JSON.stringify(outcome)).toMatch(/unset/);
  });
});

describe('Slack bot: the exact chat.postMessage request, and its errors', () => {
  const config = KINDS[0]!.config;
  it('posts the rendered message with the bot token and keeps the channel id and ts', async () => {
    await network.script('slack.fake', json({ ok: true, channel: 'C0DATA', ts: '1763900000.000200' }));
    const outcome = await deliver(config);
    expect(outcome).toEqual({ kind: 'ok', status: 200, receipt: { slack: { channel: 'C0DATA', ts: '1763900000.000200' } } });
    const [request] = await network.requests('slack.fake');
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('https://slack.fake/api/chat.postMessage');
    expect(request!.headers.authorization).toBe(`Bearer ${env.SLACK_BOT_TOKEN}`);
    const form = new URLSearchParams(request!.body);
    const rendered = renderNotification(config, { event, route, targetName: 't' }).notification.payload as { text: string; attachments: unknown };
    expect(form.get('channel')).toBe('#data-eng-alerts');
    expect(form.get('text')).toBe(rendered.text);
    expect(JSON.parse(form.get('attachments')!)).toEqual(rendered.attachments);
    expect(form.get('unfurl_links')).toBe('false');
  });

  it.each([
    ['channel_not_found', 'permanent'],
    ['not_in_channel', 'permanent'],
    ['invalid_blocks', 'permanent'],
    ['msg_too_long', 'permanent'],
    ['internal_error', 'retryable'],
    ['service_unavailable', 'retryable'],
  ] as const)('ok:false %s → %s', async (error, kind) => {
    await network.script('slack.fake', json({ ok: false, error }));
    expect(await deliver(config)).toMatchObject({ kind, reason: `slack: ${error}` });
  });

  it('sends once: the SDK retries nothing itself', async () => {
    await network.script('slack.fake', { status: 503, body: '' });
    await deliver(config);
    expect(await network.requests('slack.fake')).toHaveLength(1);
  });
});

describe('Slack incoming webhook: plain-text errors', () => {
  const config = KINDS[1]!.config;
  it('posts the rendered JSON to the webhook URL from the secret', async () => {
    expect((await deliver(config)).kind).toBe('ok');
    const [request] = await network.requests('hooks.slack.fake');
    expect(request!.url).toBe(env.SLACK_CS_WEBHOOK_URL);
    expect(JSON.parse(request!.body)).toEqual(renderNotification(config, { event, route, targetName: 't' }).notification.payload);
  });

  it.each([
    [400, 'invalid_payload'],
    [403, 'action_prohibited'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
  ])('%i %s → permanent, reason kept', async (status, text) => {
    await network.script('hooks.slack.fake', { status, body: text });
    expect(await deliver(config)).toEqual({ kind: 'permanent', status, reason: `slack webhook: HTTP ${status} ${text}` });
  });
});

describe('PagerDuty: the exact Events API v2 request', () => {
  const config = KINDS[2]!.config;
  it('sends trigger with the routing key, the alert key as dedup_key, and the summary', async () => {
    const outcome = await deliver(config);
    expect(outcome).toEqual({ kind: 'ok', status: 202, receipt: { pagerduty: { dedupKey: 'prequel-transfer-00000000-0000-0000-0000-000000000000' } } });
    const [request] = await network.requests('events.pagerduty.fake');
    expect(request!.method).toBe('POST');
    expect(request!.url).toBe('https://events.pagerduty.fake/v2/enqueue');
    const body = JSON.parse(request!.body) as Record<string, unknown>;
    expect(body).toMatchObject({
      routing_key: env.PAGERDUTY_ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'prequel-transfer-00000000-0000-0000-0000-000000000000',
      payload: {
        summary: 'Transfer to Foo Bar failed — customer side',
        source: 'prequel',
        severity: 'error',
        class: 'transfer.error',
        group: 'prequel',
        component: 'Foo Bar',
      },
      links: [{ href: 'https://app.prequel.co/export/destinations/00000000-0000-0000-0000-000000000000/transfers', text: 'Open in Prequel' }],
    });
  });

  it('sends resolve with only the key when the route says so', async () => {
    const resolveRoute = { ...route, action: 'resolve' as const };
    const { notification } = renderNotification(config, { event: { ...event, type: 'transfer.success' }, route: resolveRoute, targetName: 't' });
    await sendNotification(config, notification, { env, fetch: (i, init) => fetch(i, init), now: () => NOW, messageId: 'j', inbox: null });
    const [request] = await network.requests('events.pagerduty.fake');
    expect(JSON.parse(request!.body)).toEqual({
      routing_key: env.PAGERDUTY_ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'prequel-transfer-00000000-0000-0000-0000-000000000000',
      client: 'Switchyard',
    });
  });

  it('a 400 with PagerDuty errors is permanent and says why', async () => {
    await network.script(
      'events.pagerduty.fake',
      json({ status: 'invalid event', message: 'Event object is invalid', errors: ['Length of routing_key is incorrect'] }, 400),
    );
    expect(await deliver(config)).toEqual({
      kind: 'permanent',
      status: 400,
      reason: 'pagerduty: HTTP 400 Event object is invalid; Length of routing_key is incorrect',
    });
  });

  it('a non-JSON error body (a proxy page) is retryable', async () => {
    await network.script('events.pagerduty.fake', { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } });
    expect((await deliver(config)).kind).toBe('retryable');
  });
});

describe('HTTP: POST with headers from secrets and a Standard Webhooks signature; GET with query parameters', () => {
  it('POSTs the canonical event, signed so the receiver can verify us with the reference library', async () => {
    const now = Date.now(); // the reference library checks the timestamp against the real clock
    expect((await deliver(KINDS[3]!.config, 'job_abc', now)).kind).toBe('ok');
    const [request] = await network.requests('audit.example.com');
    expect(request!.method).toBe('POST');
    expect(request!.headers.authorization).toBe(`Bearer ${env.AUDIT_TOKEN}`);
    expect(request!.headers['content-type']).toBe('application/json');
    expect(JSON.parse(request!.body)).toEqual(event);
    expect(request!.headers['webhook-id']).toBe('job_abc');
    const verified = new Webhook(env.AUDIT_SIGNING_SECRET as string).verify(request!.body, {
      'webhook-id': request!.headers['webhook-id']!,
      'webhook-timestamp': request!.headers['webhook-timestamp']!,
      'webhook-signature': request!.headers['webhook-signature']!,
    });
    expect(verified).toEqual(JSON.parse(JSON.stringify(event)));
  });

  it('GETs with the payload flattened into the query, after the URL own parameters', async () => {
    await deliver(KINDS[4]!.config);
    const [request] = await network.requests('crm.example.com');
    const url = new URL(request!.url);
    expect(request!.method).toBe('GET');
    expect(request!.body).toBe('');
    expect(url.searchParams.get('key')).toBe(env.CRM_API_KEY);
    expect(url.searchParams.get('type')).toBe('transfer.error');
    expect(url.searchParams.get('data.transfer_blamed_party')).toBe('third_party');
  });

  it('does not follow redirects', async () => {
    await network.script('audit.example.com', { status: 302, headers: { location: 'https://elsewhere.example.com/' } });
    expect(await deliver(KINDS[3]!.config)).toMatchObject({ kind: 'permanent', status: 302 });
  });
});
