/**
 * The local inbox in workerd: with INBOX=on and a target's credentials unset, its notifications (and their
 * later updates) land in the inbox object instead of the network; the page and its JSON are behind the admin
 * token; the inbox is off unless switched on.
 */
import { env } from 'cloudflare:workers';
import { createExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import worker from '../src/index.ts';
import type { CanonicalEvent } from '../src/core/event.ts';
import { deliverDeps, type Env } from '../src/env.ts';
import { deliverJob, type DeliverDeps } from '../src/pipeline/deliver.ts';
import type { DeliveryJob } from '../src/core/jobs.ts';
import type { InboxItem } from '../src/core/delivery.ts';
import { PAGING_SOURCE } from './helpers/budget.ts';
import { accept } from './helpers/store.ts';
import { PREQUEL_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';

const fixtureData = (name: string) => (JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === name)!.body) as { data: Record<string, unknown> }).data;
const marker = (): string => `m${crypto.randomUUID().replaceAll('-', '')}`;

/** The local setup: inbox on, no Slack or PagerDuty credentials. */
const localEnv = (): Env => ({ ...env, INBOX: 'on', SLACK_BOT_TOKEN: undefined, PAGERDUTY_ROUTING_KEY: undefined, SLACK_CS_WEBHOOK_URL: undefined }) as Env;

/** A Prequel transfer event; by default from the tests' per-destination paging source (the example groups its own). */
function prequel(type: 'transfer.error' | 'transfer.success', dest: string, n: number, source = PAGING_SOURCE): CanonicalEvent {
  return {
    source,
    kind: 'prequel',
    type,
    id: `pq_${dest}_${n}`,
    occurredAt: null,
    receivedAt: new Date().toISOString(),
    correlationId: null,
    meta: {},
    data: { ...fixtureData(type), destination_id: dest, transfer_id: `${dest}t${n}`, transfer_blamed_party: 'prequel' },
  };
}

async function deliverAll(event: CanonicalEvent, deps: DeliverDeps): Promise<void> {
  const accepted = await accept(event);
  for (const job of accepted.jobs as unknown as DeliveryJob[]) expect((await deliverJob(job, deps)).kind).not.toBe('dead');
}

async function request(path: string, e: Env, headers: Record<string, string> = {}): Promise<Response> {
  return await worker.fetch(new Request(`https://relay.test${path}`, { headers }), e, createExecutionContext());
}

async function items(e: Env): Promise<InboxItem[]> {
  const res = await request('/inbox/items', e, { authorization: `Bearer ${env.ADMIN_TOKEN as string}` });
  expect(res.status).toBe(200);
  return ((await res.json()) as { items: InboxItem[] }).items;
}

describe('the local inbox', () => {
  it('takes the notifications of targets without credentials, and applies updates to them as Slack would', async () => {
    const e = localEnv();
    const base = deliverDeps(e, new Set());
    // Follow-up jobs (the resolve's effects) are delivered at once, in the same local setup.
    const deps: DeliverDeps = {
      ...base,
      dispatch: async (jobs) => {
        for (const job of jobs) await deliverJob(job, deps);
      },
    };
    const dest = marker();
    await deliverAll(prequel('transfer.error', dest, 1), deps);
    expect(await network.requests(undefined, dest)).toHaveLength(0);

    let mine = (await items(e)).filter((i) => i.event.id.includes(dest));
    expect(mine.map((i) => [i.kind, i.target]).sort()).toEqual([
      ['pagerduty', 'oncall'],
      ['slack', 'data-eng'],
    ]);
    const page = mine.find((i) => i.kind === 'pagerduty')!.payload as { event_action: string; dedup_key: string };
    expect(page).toMatchObject({ event_action: 'trigger', dedup_key: `prequel-transfer-${dest}` });

    await deliverAll(prequel('transfer.success', dest, 2), deps);
    mine = (await items(e)).filter((i) => i.event.id.includes(dest));
    const slack = mine.find((i) => i.kind === 'slack')!;
    expect(slack.updates).toBe(1);
    expect((slack.payload as { text: string }).text).toMatch(/^✅ Resolved: /);
    expect(slack.replies.map((r) => r.text)).toEqual([expect.stringMatching(/^✅ Resolved after /)]);
    const resolve = mine.find((i) => i.kind === 'pagerduty' && (i.payload as { event_action: string }).event_action === 'resolve');
    expect(resolve?.payload).toEqual({ event_action: 'resolve', dedup_key: `prequel-transfer-${dest}`, client: 'Switchyard' });
    expect(await network.requests(undefined, dest)).toHaveLength(0);
  });

  it('shows a muted notification as a greyed card with its reason: the quick start at 03:00 on a Sunday in Paris', async () => {
    const e = localEnv();
    // Sunday 2026-12-06, 03:00 in Paris (02:00 UTC): outside the example's business hours.
    const sunday3am = Date.parse('2026-12-06T02:00:00Z');
    const deps: DeliverDeps = deliverDeps(e, new Set(), { now: () => sunday3am });
    const m = marker();
    // The quick start's first event: the seed transfer.error, blamed on the customer's side.
    const event: CanonicalEvent = {
      ...prequel('transfer.error', m, 1, 'prequel'),
      data: { ...fixtureData('transfer.error'), destination_id: m, transfer_id: m },
    };
    await deliverAll(event, deps);
    const mine = (await items(e)).filter((i) => i.event.id.includes(m));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ target: 'customer-success', kind: 'slack' });
    expect(mine[0]!.held).toMatch(/^muted: outside active_when "business-hours"/);
    expect((mine[0]!.payload as { text: string }).text).toContain('Transfer to Foo Bar failed');
    expect(await network.requests(undefined, m)).toHaveLength(0);
  });

  it('is behind the admin token: a sign-in form for browsers, a cookie after ?token=, JSON errors otherwise', async () => {
    const e = localEnv();
    const form = await request('/inbox', e, { accept: 'text/html' });
    expect(form.status).toBe(401);
    expect(await form.text()).toContain('Paste the admin token');
    expect((await request('/inbox/items', e)).status).toBe(401);
    expect((await request('/inbox?token=wrong', e)).status).toBe(401);

    const signIn = await request(`/inbox?token=${env.ADMIN_TOKEN as string}`, e);
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/inbox');
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^switchyard_admin=.+; Path=\/; HttpOnly; Secure; SameSite=Strict$/);
    const page = await request('/inbox', e, { cookie: cookie.split(';')[0]! });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<title>Switchyard — local inbox</title>');
    expect(html).not.toContain(env.ADMIN_TOKEN as string);
    // The cookie reads traces too, but cannot change anything.
    const write = await Promise.resolve(
      worker.fetch(
        new Request('https://relay.test/admin/targets/oncall/pause', { method: 'POST', headers: { cookie: cookie.split(';')[0]! } }),
        e,
        createExecutionContext(),
      ),
    );
    expect(write.status).toBe(401);
  });

  it('is off unless INBOX is on: targets without credentials then fail as they would in production', async () => {
    const off = { ...env, INBOX: undefined } as Env;
    const res = await request('/inbox', off, { authorization: `Bearer ${env.ADMIN_TOKEN as string}` });
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { reason: string } }).error.reason).toBe('inbox_off');
  });
});
