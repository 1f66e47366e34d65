/**
 * Grouping through the whole delivery stage list, in Node with in-memory stores (the group store runs the
 * same pure decisions as its Durable Object): a storm becomes one Slack message updated in place and one
 * page; recovery resolves both; a member that fires and resolves within group_wait is never announced.
 */
import { describe, expect, it } from 'vitest';
import { memoryDelivery, prequelEvent as prequel } from '../../test/kits/memory-delivery.ts';
import type { CanonicalEvent } from '../core/event.ts';
import type { GroupState } from '../core/delivery.ts';
import { loadRules } from '../rules/load.ts';
import { deliverJob } from './deliver.ts';

const RULES = `
version: 1
sources:
  prequel: { kind: prequel, public_keys: ["\${PREQUEL_WEBHOOK_PUBLIC_KEY}"] }
targets:
  data-eng: { kind: slack, token: "\${SLACK_BOT_TOKEN}", channel: "#data-eng-alerts" }
  oncall: { kind: pagerduty, routing_key: "\${PAGERDUTY_ROUTING_KEY}" }
  hook: { kind: http, url: "https://hooks.example.com/alerts?token=\${HOOK_TOKEN}" }
routes:
  - name: Transfer failures, grouped
    when: { source: prequel, type: transfer.error }
    notify: [oncall, data-eng, hook]
    alert_key: "prequel-transfer-{{data.destination_id}}"
    group_by: [type, data.transfer_blamed_party]
    group_wait: 10s
    group_interval: 1m
    # One page an hour: the group's first notification takes it; its updates and its resolve are the same page.
    page_budget: { max: 1, per: 1h, digest_to: data-eng }
  - name: A successful transfer resolves its destination
    when: { source: prequel, type: transfer.success }
    notify: [oncall]
    alert_key: "prequel-transfer-{{data.destination_id}}"
    action: resolve
`;

const loaded = loadRules(RULES);
if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
const T0 = Date.parse('2026-12-03T12:00:00Z');

function relay(rules = loaded) {
  let now = T0;
  const r = memoryDelivery(rules.ok ? rules.value.config : (undefined as never), { inbox: true, now: () => now });
  const deliverAll = async (event: CanonicalEvent) => {
    for (const job of await r.accept(event)) await deliverJob(job, r.deps);
  };
  const groupId = () => [...r.groups.keys()][0]!;
  const flush = async () => {
    const jobs = await r.flushGroup(groupId());
    const results = [];
    for (const job of jobs) results.push([job.target, (await deliverJob(job, r.deps)).kind]);
    return results;
  };
  return { r, deliverAll, flush, groupId, at: (ms: number) => (now = T0 + ms) };
}

describe('grouping, through the stage list', () => {
  it('turns a storm of 100 failures into one Slack message, one page and one request; updates in place; resolves on recovery', async () => {
    const { r, deliverAll, flush, groupId, at } = relay();
    for (let i = 0; i < 100; i++) await deliverAll(prequel('transfer.error', `d${i}`));
    expect(r.groups.size).toBe(1);
    expect(r.items).toHaveLength(0); // nothing before group_wait
    expect([...r.jobs.values()].every((j) => j.status === 'suppressed' && /^grouped: /.test(j.why ?? ''))).toBe(true);

    at(10_000);
    expect((await flush()).sort()).toEqual([
      ['data-eng', 'delivered'],
      ['hook', 'delivered'],
      ['oncall', 'delivered'],
    ]);
    const slack = () => r.items.filter((i) => i.kind === 'slack');
    const pages = () =>
      r.items.filter((i) => i.kind === 'pagerduty').map((i) => i.payload as { event_action: string; dedup_key: string; payload?: { summary: string } });
    expect(slack()).toHaveLength(1);
    expect((slack()[0]!.payload as { text: string }).text).toMatch(/100 failing — Transfer failures, grouped/);
    expect(pages()).toEqual([expect.objectContaining({ event_action: 'trigger', dedup_key: groupId() })]);
    const hook = JSON.parse((r.items.find((i) => i.kind === 'http')!.payload as { body: string }).body);
    expect(hook).toMatchObject({ version: '1', status: 'firing', notificationReason: 'first', counts: { firing: 100 }, truncatedAlerts: 80 });

    // Ten recover: within group_interval nothing is sent; after it, one update in place with one thread reply.
    for (let i = 0; i < 10; i++) await deliverAll(prequel('transfer.success', `d${i}`));
    at(30_000);
    expect(await flush()).toEqual([]);
    at(70_000);
    await flush();
    expect(slack()).toHaveLength(1);
    expect(slack()[0]).toMatchObject({ updates: 1, replies: [expect.objectContaining({ text: expect.stringMatching(/^✅ 10 recovered: /) })] });
    expect((slack()[0]!.payload as { text: string }).text).toMatch(/90 failing · 10 recovered/);

    // All recover: PagerDuty resolves the group's incident, the Slack message turns resolved. (The budget of one
    // page an hour was taken by the group's first notification only.)
    for (let i = 10; i < 100; i++) await deliverAll(prequel('transfer.success', `d${i}`));
    at(140_000);
    await flush();
    expect(pages().map((p) => [p.event_action, p.dedup_key])).toEqual([
      ['resolve', groupId()],
      ['trigger', groupId()],
      ['trigger', groupId()],
    ]);
    expect((slack()[0]!.payload as { text: string }).text).toMatch(/^✅ all 90 recovered/);
    expect((r.groups.get(groupId()) as GroupState).status).toBe('resolved');
  });

  it('never announces a member that fires and resolves within group_wait', async () => {
    const { r, deliverAll, at } = relay();
    await deliverAll(prequel('transfer.error', 'blip'));
    at(3000);
    await deliverAll(prequel('transfer.success', 'blip'));
    expect(r.groups.size).toBe(0);
    const resolve = [...r.jobs.values()].find((j) => j.job.target === 'oncall' && j.job.event.includes('transfer.success'))!;
    expect(resolve.why).toMatch(/it resolved before any notification showed it: never announced$/);
    expect(r.items).toHaveLength(0);
  });

  it("applies the route's templates to its group notifications: they read the counts, the members and why it was sent", async () => {
    const templated = loadRules(
      RULES.replace(
        '    group_interval: 1m\n',
        `    group_interval: 1m
    templates:
      title: '{{ data.counts.firing }} warehouses down ({{ meta.notification_reason }})'
      text: 'Runbook: https://runbooks.example.com/prequel · first: {{ data.alerts[0].key }}'
      body: '{"reason": "{{ meta.notification_reason }}", "firing": {{ data.counts.firing }}, "group": "{{ data.group.id }}"}'
`,
      ),
    );
    expect(templated.ok).toBe(true);
    const { r, deliverAll, flush, groupId, at } = relay(templated);
    for (let i = 0; i < 3; i++) await deliverAll(prequel('transfer.error', `d${i}`));
    at(10_000);
    await flush();
    const slack = r.items.find((i) => i.kind === 'slack')!.payload as { text: string; attachments: { blocks: { text?: { text: string } }[] }[] };
    expect(slack.text).toBe('🟠 3 warehouses down (first)');
    expect(slack.attachments[0]!.blocks[1]!.text!.text).toMatch(/^Runbook: https:\/\/runbooks\.example\.com\/prequel · first: prequel-transfer-d0\n\n/);
    const page = r.items.find((i) => i.kind === 'pagerduty')!.payload as { payload: { summary: string } };
    expect(page.payload.summary).toBe('3 warehouses down (first)');
    const hook = r.items.find((i) => i.kind === 'http')!.payload as { body: string };
    expect(JSON.parse(hook.body)).toEqual({ reason: 'first', firing: 3, group: groupId() });

    // The next notification says why it was sent, through the same templates.
    for (let i = 3; i < 5; i++) await deliverAll(prequel('transfer.error', `d${i}`));
    at(80_000);
    await flush();
    expect((r.items.find((i) => i.kind === 'slack')!.payload as { text: string }).text).toBe('🟠 5 warehouses down (members_added)');
  });
});
