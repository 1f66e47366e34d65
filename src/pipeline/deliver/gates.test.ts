/**
 * The gates one by one, in Node, over the example rules with in-memory stores (test/kits/memory-delivery.ts)
 * and every target in the local inbox: time windows, silences, a resolve with nothing open, flapping, pacing.
 */
import { describe, expect, it } from 'vitest';
import { memoryDelivery } from '../../../test/kits/memory-delivery.ts';
import { exampleEvent, exampleRulesForTests } from '../../../test/kits/example-rules.ts';
import type { Silence } from '../../core/delivery.ts';
import type { CanonicalEvent } from '../../core/event.ts';
import { deliverJob } from '../deliver.ts';

// The example with the tests' per-destination paging route (the example groups its own transfer failures).
const rules = exampleRulesForTests();
const prequel = exampleEvent;
const NOON = Date.parse('2026-12-03T12:00:00Z'); // a Thursday: office hours in Paris

function relayAt(clock: () => number) {
  const relay = memoryDelivery(rules, { inbox: true, now: clock });
  const deliver = async (event: CanonicalEvent, deps = relay.deps) => {
    const jobs = await relay.accept(event);
    const out: Record<string, unknown> = {};
    for (const job of jobs) out[job.target] = await deliverJob(job, deps);
    return out;
  };
  const why = (event: CanonicalEvent, target: string) =>
    [...relay.jobs.values()].find((j) => j.job.event === `${event.source}:${event.id}` && j.job.target === target)?.why;
  return { relay, deliver, why };
}

describe('the gates', () => {
  it('windows: outside business hours the customer-success post is held, and shown greyed in the inbox', async () => {
    const sunday3am = Date.parse('2026-12-06T02:00:00Z');
    const { relay, deliver, why } = relayAt(() => sunday3am);
    const event = prequel('transfer.error', 'w', 1, 'third_party');
    expect(await deliver(event)).toEqual({ 'customer-success': { kind: 'settled', why: 'suppressed' } });
    expect(why(event, 'customer-success')).toMatch(/business-hours/);
    expect(relay.items[0]).toMatchObject({ target: 'customer-success', held: expect.stringMatching(/business-hours/) });
  });

  it('silences: a silence on a target holds its notification, not the others', async () => {
    const { relay, deliver, why } = relayAt(() => NOON);
    const silence: Silence = {
      id: 's1',
      matchers: { targets: ['data-eng'] },
      startsAt: NOON - 1000,
      endsAt: NOON + 3_600_000,
      createdBy: 'me',
      comment: 'deploy',
      createdAt: NOON,
    };
    const event = prequel('transfer.error', 's', 1);
    const results = await deliver(event, { ...relay.deps, batch: { ...relay.deps.batch, silences: [silence] } });
    expect(results).toEqual({ oncall: { kind: 'delivered' }, 'data-eng': { kind: 'settled', why: 'suppressed' } });
    expect(why(event, 'data-eng')).toMatch(/silenced/);
  });

  it('handOver: a resolve with nothing open sends nothing and says why', async () => {
    const { deliver, why } = relayAt(() => NOON);
    const event = prequel('transfer.success', 'n', 1);
    expect(await deliver(event)).toEqual({ oncall: { kind: 'settled', why: 'suppressed' } });
    expect(why(event, 'oncall')).toBe('resolve of alert prequel-transfer-n: no alert with this key is open; nothing sent');
  });

  it('lifecycle: a re-open within the flap window pages again but only relabels the Slack message', async () => {
    let now = NOON;
    const { relay, deliver, why } = relayAt(() => (now += 10));
    await deliver(prequel('transfer.error', 'f', 1));
    await deliver(prequel('transfer.success', 'f', 2));
    for (const effect of relay.dispatched) await deliverJob(effect, relay.deps);
    now += 2000; // past Slack's pacing slot
    const reopen = prequel('transfer.error', 'f', 3);
    expect(await deliver(reopen)).toEqual({ oncall: { kind: 'delivered' }, 'data-eng': { kind: 'settled', why: 'suppressed' } });
    expect(why(reopen, 'data-eng')).toBe('flapping: re-opened ×1 within flap_window, collapsed into the open alert; Slack message updated');
    const slack = relay.items.find((i) => i.kind === 'slack')!;
    expect(JSON.stringify(slack.payload)).toContain('Flapping (×1)');
  });

  it('paced: a Slack channel takes one message a second; a job whose slot is more than 2 s away is re-queued for it', async () => {
    const { deliver } = relayAt(() => NOON);
    const results = [];
    for (const d of ['p1', 'p2', 'p3', 'p4']) results.push((await deliver(prequel('transfer.cancelled', d, 1)))['data-eng']);
    expect(results).toEqual([{ kind: 'delivered' }, { kind: 'delivered' }, { kind: 'delivered' }, { kind: 'retry', delayMs: 3000, why: 'paced' }]);
  });
});
