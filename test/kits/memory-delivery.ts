/**
 * The delivery stage list's stores in memory, for the Node tier: the event ledger's job states, alerts, paging
 * budgets and pacers — the alert, budget and pace stores run the same pure decisions as their Durable Objects
 * (src/pipeline/decide/), and the local inbox keeps its items in a list. Never used by the Worker.
 */
import type { AlertState, BudgetState, GroupState, InboxItem, JobStatus, RoutingDecision } from '../../src/core/delivery.ts';
import type { CanonicalEvent } from '../../src/core/event.ts';
import { eventKey, planJobs, type DeliveryJob } from '../../src/core/jobs.ts';
import { decideFailed, decideJoin, decideReplied, decideResolve, decideSent, decideTrigger } from '../../src/pipeline/decide/alert.ts';
import { decideAdd, decideFlush, decideGroupSent, decideHandedOver, decideResolveMember } from '../../src/pipeline/decide/group.ts';
import { decideTake } from '../../src/pipeline/decide/budget.ts';
import { decideSlot, type PacerState } from '../../src/pipeline/decide/pace.ts';
import type { DeliverDeps, DeliveryStores, JobLedger } from '../../src/pipeline/deliver.ts';
import type { RulesConfig } from '../../src/rules/config.ts';
import { compileRuleSet } from '../../src/rules/ruleset.ts';
import type { InboxOps } from '../../src/targets/kind.ts';
import { inboxTakes } from '../../src/pipeline/inbox-sink.ts';
import { flushEvent } from '../../src/pipeline/group-key.ts';

export interface MemoryJob {
  job: DeliveryJob;
  status: JobStatus;
  why: string | null;
  attempts: number;
}

export function memoryDelivery(rules: RulesConfig, options: { env?: Record<string, unknown>; now?: () => number; inbox?: boolean } = {}) {
  const now = options.now ?? (() => Date.parse('2026-12-03T12:00:00Z'));
  const events = new Map<string, CanonicalEvent>();
  const jobs = new Map<string, MemoryJob>();
  const alerts = new Map<string, AlertState>();
  const budgets = new Map<string, BudgetState>();
  const pacers = new Map<string, PacerState>();
  const groups = new Map<string, GroupState>();
  const applyGroup = (id: string, next: GroupState | null | 'delete') => {
    if (next === 'delete') groups.delete(id);
    else if (next) groups.set(id, next);
  };
  const items: InboxItem[] = [];
  const paused = new Set<string>();
  const env = options.env ?? {};
  const ruleSet = compileRuleSet(rules.routes);

  const ledger: JobLedger = {
    async claim(id) {
      const j = jobs.get(id);
      if (!j) return { kind: 'missing' };
      if (j.status === 'delivered') return { kind: 'delivered' };
      if (j.status === 'suppressed') return { kind: 'suppressed' };
      if (j.status === 'dead') return { kind: 'dead', why: j.why ?? 'dead' };
      j.status = 'sending';
      j.attempts += 1;
      return { kind: 'go', event: events.get(j.job.event)!, attempt: j.attempts, run: 1, queuedAt: now() };
    },
    async finish(id, _attempt, decision) {
      const j = jobs.get(id)!;
      j.status = decision.action === 'retry' ? 'retrying' : decision.action;
      j.why = decision.action === 'delivered' ? null : decision.why;
    },
    async release(id, status, why) {
      Object.assign(jobs.get(id)!, { status, why });
    },
    async markDead(id, why) {
      Object.assign(jobs.get(id)!, { status: 'dead', why });
    },
    async suppress(id, why) {
      Object.assign(jobs.get(id)!, { status: 'suppressed', why });
    },
    async addJobs(more) {
      for (const job of more) if (!jobs.has(job.id)) jobs.set(job.id, { job, status: 'queued', why: null, attempts: 0 });
    },
  };

  const stores: DeliveryStores = {
    ledgerFor: () => ledger,
    alertFor: (key) => ({
      async trigger(input) {
        const step = decideTrigger(alerts.get(key) ?? null, input, now());
        if (step.next) alerts.set(key, step.next);
        return step.decision;
      },
      async sent(input) {
        const next = decideSent(alerts.get(key) ?? null, input, now());
        if (next) alerts.set(key, next);
      },
      async join(input) {
        const next = decideJoin(alerts.get(key) ?? null, input, now());
        if (next) alerts.set(key, next);
      },
      async replied(target, ts) {
        const next = decideReplied(alerts.get(key) ?? null, target, ts);
        if (next) alerts.set(key, next);
      },
      async failed(target, jobId) {
        const next = decideFailed(alerts.get(key) ?? null, target, jobId);
        if (next) alerts.set(key, next);
      },
      async resolve(eventId, hold) {
        const step = decideResolve(alerts.get(key) ?? null, { eventId, ...(hold ? { hold } : {}) }, now());
        if (step.next) alerts.set(key, step.next);
        return step.decision;
      },
      async state() {
        return alerts.get(key) ?? null;
      },
    }),
    budgetFor: (route) => ({
      async take(input) {
        const step = decideTake(budgets.get(route) ?? null, input, now());
        if (step.next) budgets.set(route, step.next);
        return step.result;
      },
    }),
    groupFor: (id) => ({
      async add(spec, member) {
        const step = decideAdd(groups.get(id) ?? null, { spec, member }, now());
        applyGroup(id, step.next);
        return step.decision;
      },
      async resolveMember(key) {
        const step = decideResolveMember(groups.get(id) ?? null, { key }, now());
        applyGroup(id, step.next);
        return step.decision;
      },
      async sent(target, slack, message) {
        applyGroup(id, decideGroupSent(groups.get(id) ?? null, { target, slack, message }));
      },
      async state() {
        return groups.get(id) ?? null;
      },
    }),
    async paceFor(receiver, jobId, intervalMs) {
      const { waitMs, next } = decideSlot(pacers.get(receiver) ?? null, { jobId, intervalMs }, now());
      if (next) pacers.set(receiver, next);
      return waitMs;
    },
    park: async (job) => paused.has(job.target),
  };

  const inbox: InboxOps = {
    takes: (target) => inboxTakes(target, env),
    async post(item) {
      const id = items.length + 1;
      items.unshift({ ...item, id, at: now(), updatedAt: now(), replies: [], updates: 0 });
      return id;
    },
    async update(id, payload) {
      const i = items.findIndex((x) => x.id === id);
      if (i < 0) return false;
      items[i] = { ...items[i]!, payload, updates: items[i]!.updates + 1 };
      return true;
    },
    async reply(id, text) {
      const item = items.find((x) => x.id === id);
      if (!item) return null;
      const rid = `${id}.${item.replies.length + 1}`;
      items[items.indexOf(item)] = { ...item, replies: [...item.replies, { id: rid, text, at: now() }] };
      return rid;
    },
  };

  const dispatched: DeliveryJob[] = [];
  const deps: DeliverDeps = {
    rules,
    ruleSet,
    stores,
    batch: { paused, silences: [] },
    io: { env, fetch: () => Promise.reject(new Error('no network in this test')), inbox: options.inbox ? inbox : null },
    clock: { now, random: () => 0.5, sleep: async () => undefined },
    log: { log: () => undefined },
    dispatch: async (more) => {
      dispatched.push(...more);
    },
  };

  /** Accepts an event (as the ledger does in inline mode) and returns its jobs. */
  async function accept(event: CanonicalEvent): Promise<DeliveryJob[]> {
    events.set(eventKey(event), event);
    const routing: RoutingDecision = { routes: ruleSet.match(event).map((m) => ({ index: m.index, name: m.route.name, notify: m.route.notify })) };
    const planned = await planJobs(event, routing);
    await ledger.addJobs(planned);
    return planned;
  }

  /**
   * A group's alarm, as its Durable Object runs it: the notification due now (recorded, then its jobs planned
   * as the ledger plans the relay's own events), or none.
   */
  async function flushGroup(id: string): Promise<DeliveryJob[]> {
    const step = decideFlush(groups.get(id) ?? null, now());
    applyGroup(id, step.next);
    const flush = step.decision;
    if (!flush) return [];
    const event = flushEvent(flush);
    events.set(eventKey(event), event);
    const planned = await planJobs(
      event,
      { routes: [{ index: flush.group.routeIndex, name: flush.group.route, notify: flush.group.notify }] },
      { kind: 'group', group: id },
    );
    await ledger.addJobs(planned);
    applyGroup(id, decideHandedOver(groups.get(id) ?? null, flush.seq));
    return planned;
  }

  return { deps, accept, jobs, alerts, groups, flushGroup, items, paused, dispatched };
}

/**
 * A Prequel event for tests that are not about verifying it: `<type>` for a destination, the n-th of its kind,
 * from `source` (the example's `prequel`, or the tests' per-destination `prequel-paging`).
 */
export function prequelEvent(type: string, destination: string, n = 1, blame = 'prequel', source = 'prequel'): CanonicalEvent {
  return {
    source,
    kind: 'prequel',
    type,
    id: `pq_${type}_${destination}_${n}`,
    occurredAt: null,
    receivedAt: '2026-12-03T12:00:00.000Z',
    correlationId: null,
    data: { destination_id: destination, destination_name: destination, transfer_blamed_party: blame },
    meta: {},
  };
}
