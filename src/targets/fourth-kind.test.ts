/**
 * A fourth target kind, registered by this test alone — no other file changed — and driven through
 * `check`, `explain`, delivery (the whole stage list, with in-memory stores) and the local inbox. It is what
 * adding a receiver takes: one folder with one object, and one registry line (here, `registerTargetKind`).
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryDelivery } from '../../test/kits/memory-delivery.ts';
import { main } from '../cli/main.ts';
import { renderInboxItems } from '../inbox/render.ts';
import { deliverJob } from '../pipeline/deliver.ts';
import { esc } from '../render/html.ts';
import { loadRules } from '../rules/load.ts';
import type { CanonicalEvent } from '../core/event.ts';
import type { TargetConfigBase, TargetKind } from './kind.ts';
import { registerTargetKind } from './registry.ts';

interface LogConfig extends TargetConfigBase {
  readonly kind: 'log';
  readonly token: string;
  readonly prefix: string;
}

const sent: { line: string; token: unknown }[] = [];

const logKind: TargetKind<LogConfig, string, { kind: 'log'; token: string; prefix: string; templates?: Record<string, string> }> = {
  kind: 'log',
  label: 'Log line',
  config: {
    schema: ({ z, common, secretRef }) =>
      z.strictObject({ kind: z.literal('log'), ...common, token: secretRef('token'), prefix: z.string().min(1).default('switchyard') }).describe('A log line'),
    toConfig: (t) => ({ kind: 'log', token: t.token, prefix: t.prefix, templates: t.templates ?? {} }),
  },
  credentials: (c) => [c.token],
  render: (c, input) => ({ payload: `${c.prefix}: ${input.event.type} ${input.event.id} (${input.route.name})`, notes: [] }),
  send: async (line, c, ctx) => {
    sent.push({ line, token: ctx.env[c.token.slice(2, -1)] });
    return { kind: 'ok', status: 200, receipt: null };
  },
  preview: (line) => `log line "${line}"`,
  pace: { defaultMs: 0, receiver: (_c, name) => `log:${name}` },
  inbox: { answer: () => ({ status: 200, receipt: null }), view: (item) => `<pre class="log-line">${esc(item.payload)}</pre>` },
};
registerTargetKind(logKind);

const RULES = `
version: 1
sources:
  prequel:
    kind: prequel
    public_keys: ["\${PREQUEL_WEBHOOK_PUBLIC_KEY}"]
targets:
  audit-log:
    kind: log
    token: "\${LOG_TOKEN}"
    prefix: relay
routes:
  - name: Transfer failures go to the log
    when: { type: transfer.error }
    notify: [audit-log]
`;

const event: CanonicalEvent = {
  source: 'prequel',
  kind: 'prequel',
  type: 'transfer.error',
  id: 'pq_fourth_kind',
  occurredAt: null,
  receivedAt: '2026-12-03T12:00:00.000Z',
  correlationId: null,
  data: { destination_id: 'd1' },
  meta: {},
};

describe('a fourth target kind registered from a test', () => {
  it('is checked: its fields are validated, and it is one of the kinds named', () => {
    expect(loadRules(RULES).ok).toBe(true);
    const bad = loadRules(RULES.replace('prefix: relay', 'prefix: ""'));
    expect(!bad.ok && bad.error.map((p) => p.path)).toContain('targets.audit-log.prefix');
    const unknown = loadRules(RULES.replace('kind: log', 'kind: logg'));
    expect(!unknown.ok && unknown.error.map((p) => p.message).join('\n')).toMatch(/kind must be one of: slack, pagerduty, http, log/);
  });

  it('is explained: `switchyard explain` previews what it would send', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sy-kind-'));
    writeFileSync(join(dir, 'rules.yaml'), RULES);
    const out: string[] = [];
    const code = await main(['explain', 'test/fixtures/prequel/transfer.error.json', '--rules', join(dir, 'rules.yaml')], {
      out: (l) => out.push(l),
      err: (l) => out.push(l),
      cwd: process.cwd(),
    });
    expect(code).toBe(0);
    expect(out.join('\n')).toMatch(/audit-log \(log\): log line "relay: transfer\.error pq_/);
  });

  it('is delivered through the whole stage list, with its secret from the env', async () => {
    const loaded = loadRules(RULES);
    if (!loaded.ok) throw new Error('rules');
    const relay = memoryDelivery(loaded.value.config, { env: { LOG_TOKEN: 't0ken' } });
    const [job] = await relay.accept(event);
    expect(await deliverJob(job!, relay.deps)).toEqual({ kind: 'delivered' });
    expect(sent.at(-1)).toEqual({ line: 'relay: transfer.error pq_fourth_kind (Transfer failures go to the log)', token: 't0ken' });
    expect(await deliverJob(job!, relay.deps)).toEqual({ kind: 'settled', why: 'already_delivered' });
  });

  it('goes to the local inbox when its secret is unset, and the inbox shows it with its view', async () => {
    const loaded = loadRules(RULES);
    if (!loaded.ok) throw new Error('rules');
    const relay = memoryDelivery(loaded.value.config, { env: {}, inbox: true });
    const before = sent.length;
    const [job] = await relay.accept({ ...event, id: 'pq_fourth_kind_inbox' });
    expect(await deliverJob(job!, relay.deps)).toEqual({ kind: 'delivered' });
    expect(sent.length).toBe(before);
    expect(relay.items).toHaveLength(1);
    expect(relay.items[0]).toMatchObject({
      kind: 'log',
      target: 'audit-log',
      payload: 'relay: transfer.error pq_fourth_kind_inbox (Transfer failures go to the log)',
    });
    const html = renderInboxItems(relay.items);
    expect(html).toContain('<pre class="log-line">relay: transfer.error pq_fourth_kind_inbox');
    expect(html).toContain('data-kind="log"');
  });
});
