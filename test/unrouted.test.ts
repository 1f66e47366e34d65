/**
 * Nothing dropped without someone knowing (workerd, the real Worker): an event no route matches is accepted,
 * marked unrouted in its trace, logged, counted at GET /admin/unrouted and — with settings.unrouted, as the
 * example has it — posted to the relay's notices channel; without settings.unrouted it is still logged,
 * counted and traced.
 */
import { env, exports } from 'cloudflare:workers';
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { createApp } from '../src/app.ts';
import type { LogFields, Logger } from '../src/core/log.ts';
import { BUILT_RULES, routeWith, type Env } from '../src/env.ts';
import { compileRuleSet } from '../src/rules/ruleset.ts';
import type { RouteConfig } from '../src/rules/config.ts';
import { network } from './helpers/network.ts';
import { keys } from './helpers/worker.ts';
import { standardWebhooksHeaders } from './helpers/signers.ts';

const admin = async (path: string, init: RequestInit = {}) => {
  const res = await exports.default.fetch(new Request(`https://relay.test${path}`, { ...init, headers: { authorization: `Bearer ${env.ADMIN_TOKEN}` } }));
  return (await res.json()) as Record<string, unknown> & { types?: { source: string; type: string; count: number; last_event: string }[] };
};

async function billing(type: string, id: string) {
  const body = JSON.stringify({ type, data: { id } });
  return { body, headers: await standardWebhooksHeaders(keys.billing[0], id, Math.floor(Date.now() / 1000), body) };
}

describe('an event no route matches', () => {
  it('with settings.unrouted (the example): posted to #switchyard-notices, traced as unrouted, counted', async () => {
    const id = `msg_unrouted_${crypto.randomUUID()}`;
    const { body, headers } = await billing('invoice.created', id);
    const res = await exports.default.fetch(new Request('https://relay.test/hooks/billing', { method: 'POST', body, headers }));
    expect(res.status).toBe(200);
    const [post] = await network.waitFor('slack.com', id, 1);
    expect(new URLSearchParams(post!.body).get('channel')).toBe('#switchyard-notices');

    const trace = (await admin(`/admin/events/billing/${id}`)) as { routing: { unrouted: boolean; matched: { name: string }[] } };
    expect(trace.routing.unrouted).toBe(true);
    expect(trace.routing.matched.map((r) => r.name)).toEqual(['Unrouted events (settings.unrouted)']);
    const counted = await admin('/admin/unrouted');
    expect(counted.told).toBe('relay-notices');
    expect(counted.types).toContainEqual(expect.objectContaining({ source: 'billing', type: 'invoice.created', last_event: `/admin/events/billing/${id}` }));
  });

  it('without settings.unrouted: accepted, nobody told, but logged, counted and traced — never silently dropped', async () => {
    const routes = compileRuleSet(BUILT_RULES.routes);
    const withoutFallback = Array.from({ length: routes.size }, (_, i) => routes.route(i)).filter((r: RouteConfig) => !r.fallback);
    const lines: [string, LogFields][] = [];
    const logger: Logger = { log: (_level, msg, fields = {}) => lines.push([msg, fields]) };
    const app = createApp({
      rules: { ...BUILT_RULES, settings: { ...BUILT_RULES.settings, unrouted: null } },
      route: routeWith(compileRuleSet(withoutFallback)),
      logger,
    });

    const before = ((await admin('/admin/unrouted')).types ?? []).find((t) => t.type === 'invoice.voided')?.count ?? 0;
    const id = `msg_unrouted_${crypto.randomUUID()}`;
    const { body, headers } = await billing('invoice.voided', id);
    const ctx = createExecutionContext();
    const res = await app.fetch(new Request('https://relay.test/hooks/billing', { method: 'POST', body, headers }), env as Env, ctx);
    await waitOnExecutionContext(ctx);
    expect([res.status, ((await res.json()) as { accepted: number }).accepted]).toEqual([200, 1]);
    expect(lines).toContainEqual(['ingest.unrouted', { source: 'billing', type: 'invoice.voided', id, told: 'nobody (no settings.unrouted)' }]);
    const trace = (await admin(`/admin/events/billing/${id}`)) as { routing: { unrouted: boolean; matched: unknown[] }; jobs: unknown[] };
    expect([trace.routing.unrouted, trace.routing.matched, trace.jobs]).toEqual([true, [], []]);
    const after = ((await admin('/admin/unrouted')).types ?? []).find((t) => t.type === 'invoice.voided')!.count;
    expect(after).toBe(before + 1);
    await new Promise((r) => setTimeout(r, 300));
    expect(await network.requests(undefined, id)).toEqual([]);

    // A duplicate delivery of it is not counted again.
    await app.fetch(new Request('https://relay.test/hooks/billing', { method: 'POST', body, headers }), env as Env, createExecutionContext());
    expect(((await admin('/admin/unrouted')).types ?? []).find((t) => t.type === 'invoice.voided')!.count).toBe(before + 1);
  });
});
