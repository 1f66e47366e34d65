/**
 * The whole delivery stage list in Node, with in-memory stores running the same pure decisions as the
 * Durable Objects (test/kits/memory-delivery.ts), over the example rules with every target in the inbox:
 * send, repeat, resolve hand-over and its effects, budget, pause, and the budget's digest as a job.
 */
import { describe, expect, it } from 'vitest';
import { memoryDelivery } from '../../test/kits/memory-delivery.ts';
import { exampleEvent, exampleRulesForTests } from '../../test/kits/example-rules.ts';
import { PAGING_ROUTE } from '../../test/kits/paging.ts';
import type { CanonicalEvent } from '../core/event.ts';
import { JOB_MESSAGE_VERSION } from '../core/jobs.ts';
import { deliverJob } from './deliver.ts';

// The example with the tests' per-destination paging route (the example groups its own transfer failures).
const rules = exampleRulesForTests();
const prequel = exampleEvent;
const PAGES = PAGING_ROUTE;

async function deliverAll(relay: ReturnType<typeof memoryDelivery>, event: CanonicalEvent) {
  const jobs = await relay.accept(event);
  return Promise.all(jobs.map(async (job) => [job.target, await deliverJob(job, relay.deps)] as const));
}

describe('the delivery stage list with in-memory stores', () => {
  it('sends a page and a Slack message once, counts a repeat with a thread note, and resolves both in place', async () => {
    const relay = memoryDelivery(rules, { inbox: true });
    expect(await deliverAll(relay, prequel('transfer.error', 'd1', 1))).toEqual([
      ['oncall', { kind: 'delivered' }],
      ['data-eng', { kind: 'delivered' }],
    ]);
    expect(relay.items.map((i) => i.kind).sort()).toEqual(['pagerduty', 'slack']);

    const again = prequel('transfer.error', 'd1', 2);
    await deliverAll(relay, again);
    const repeat = [...relay.jobs.values()].find((j) => j.job.event === `${again.source}:${again.id}` && j.job.target === 'data-eng')!;
    expect(repeat.why).toMatch(/^repeat of an open alert \(×2\), within repeat_interval; noted in the Slack thread/);
    expect(relay.items.find((i) => i.kind === 'slack')!.replies).toHaveLength(1);

    await deliverAll(relay, prequel('transfer.success', 'd1', 3));
    expect(relay.dispatched.map((j) => [j.target, j.effect?.kind])).toEqual([
      ['oncall', 'resolve'],
      ['data-eng', 'resolve'],
    ]);
    for (const effect of relay.dispatched) expect(await deliverJob(effect, relay.deps)).toEqual({ kind: 'delivered' });
    const pd = relay.items.filter((i) => i.kind === 'pagerduty').map((i) => (i.payload as { event_action: string }).event_action);
    expect(pd.sort()).toEqual(['resolve', 'trigger']);
    const slack = relay.items.find((i) => i.kind === 'slack')!;
    expect([slack.updates, JSON.stringify(slack.payload)]).toEqual([1, expect.stringContaining('Resolved')]);
  });

  it('holds the fourth page of the hour for the digest, and delivers the digest as a job', async () => {
    let clock = Date.parse('2026-12-03T12:00:00Z');
    // A second passes at each look at the clock: Slack's pacing lets each message go in turn.
    const relay = memoryDelivery(rules, { inbox: true, now: () => (clock += 1000) });
    for (const d of ['a', 'b', 'c', 'd']) await deliverAll(relay, prequel('transfer.error', d, 1));
    const fourth = prequel('transfer.error', 'd', 1);
    const held = [...relay.jobs.values()].find((j) => j.job.event === `${fourth.source}:${fourth.id}` && j.job.target === 'oncall')!;
    expect([held.status, held.why]).toEqual(['suppressed', expect.stringMatching(/^held back: paging budget of 3 per 1h used up \(1 held\)/)]);

    const digest = {
      source: 'switchyard',
      kind: 'switchyard',
      type: 'budget.digest',
      id: `digest:${PAGES}:1`,
      occurredAt: null,
      receivedAt: '2026-12-03T13:00:00.000Z',
      correlationId: null,
      data: {
        route: PAGES,
        max: 3,
        perMs: 3_600_000,
        held: [{ jobId: held.job.id, source: 'prequel', eventId: fourth.id, type: 'transfer.error', at: 0 }],
        heldCount: 1,
      },
      meta: {},
    } satisfies CanonicalEvent;
    const [job] = await relay.accept(digest);
    expect(job).toBeUndefined(); // a digest is no routed event: its job is planned by the budget's alarm
    const digestJob = {
      v: JOB_MESSAGE_VERSION,
      id: 'job_digest',
      event: `switchyard:${digest.id}`,
      routeIndex: 0,
      route: PAGES,
      target: 'data-eng',
      effect: { kind: 'digest' },
    } as const;
    await relay.deps.stores.ledgerFor(digestJob.event).addJobs([digestJob]);
    expect(await deliverJob(digestJob, relay.deps)).toEqual({ kind: 'delivered' });
    expect((relay.items[0]!.payload as { text: string }).text).toBe(`🟡 1 page held back on "${PAGES}"`);
  });

  it('parks the job of a paused target', async () => {
    const relay = memoryDelivery(rules, { inbox: true });
    relay.paused.add('oncall');
    const results = await deliverAll(relay, prequel('transfer.error', 'p', 1));
    expect(results.find(([t]) => t === 'oncall')![1]).toEqual({ kind: 'settled', why: 'parked' });
  });

  it('dead-letters, with the reason, a job whose target is of a kind this Worker does not have', async () => {
    const relay = memoryDelivery({ ...rules, targets: { ...rules.targets, ghost: { kind: 'ghost' } } }, { inbox: true });
    const event = prequel('transfer.error', 'g', 1);
    const [first] = await relay.accept(event);
    const job = { ...first!, id: 'job_ghost', target: 'ghost' };
    await relay.deps.stores.ledgerFor(job.event).addJobs([job]);
    expect(await deliverJob(job, relay.deps)).toEqual({ kind: 'dead', why: 'target "ghost" is of kind "ghost", which this Worker does not have' });
  });
});
