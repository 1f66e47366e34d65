/**
 * The first two stages: claim the job in its event's ledger (refused once delivered, suppressed or dead, or
 * while another consumer holds it — Queues deliver at least once, and this keeps a copy from sending twice),
 * then find its target and route in the current rules (gone since routing → dead letter).
 */
import type { RouteConfig } from '../../rules/config.ts';
import type { RuleSet } from '../../rules/ruleset.ts';
import { findKind } from '../../targets/registry.ts';
import { alertKeyFor } from '../lifecycle.ts';
import type { DeliveryJob } from '../../core/jobs.ts';
import type { Claim } from '../../core/delivery.ts';
import { logDecision } from './record.ts';
import { settled, type DeliverDeps, type JobContext, type Step } from './context.ts';

/** `claimed`: the job was claimed already (a first attempt at once, claimed by the accept that recorded it). */
export async function claim(job: DeliveryJob, deps: DeliverDeps, claimed?: Extract<Claim, { kind: 'go' }>): Promise<Step> {
  const ledger = deps.stores.ledgerFor(job.event);
  const c = claimed ?? (await ledger.claim(job.id));
  switch (c.kind) {
    case 'delivered':
      return { stop: settled(job, deps, 'already_delivered') };
    case 'suppressed':
      return { stop: settled(job, deps, 'suppressed') };
    case 'dead':
      return { stop: { kind: 'dead', why: c.why } };
    case 'busy':
      return { stop: { kind: 'retry', delayMs: Math.max(1000, c.retryInMs), why: 'another consumer holds this job' } };
    case 'missing':
      return { stop: { kind: 'missing' } };
    case 'go':
      return resolveTarget({ job, deps, ledger, claim: c });
  }
}

async function resolveTarget(partial: Pick<JobContext, 'job' | 'deps' | 'ledger' | 'claim'>): Promise<Step> {
  const { job, deps, ledger, claim: c } = partial;
  const target = Object.hasOwn(deps.rules.targets, job.target) ? deps.rules.targets[job.target] : undefined;
  const route = findRoute(deps.ruleSet, job);
  const targetKind = target ? findKind(target.kind) : null;
  if (!target || !route || !targetKind) {
    const why = !target
      ? `target "${job.target}" is no longer in the rules`
      : !route
        ? `route "${job.route}" is no longer in the rules`
        : `target "${job.target}" is of kind "${target.kind}", which this Worker does not have`;
    await ledger.markDead(job.id, why);
    logDecision({ job, deps, event: c.event }, { action: 'dead', why }, { outcome: null, latencyMs: 0, n: c.attempt });
    return { stop: { kind: 'dead', why } };
  }
  return {
    go: { ...partial, event: c.event, target, targetKind, route, alertKey: job.effect ? null : alertKeyFor(route, c.event), alert: null },
  };
}

/** The route a job was planned for: by position, unless the rules changed since and the name moved. */
export function findRoute(rules: Pick<RuleSet, 'size' | 'route'>, job: Pick<DeliveryJob, 'routeIndex' | 'route'>): RouteConfig | null {
  if (job.routeIndex < rules.size && rules.route(job.routeIndex).name === job.route) return rules.route(job.routeIndex);
  for (let i = 0; i < rules.size; i++) if (rules.route(i).name === job.route) return rules.route(i);
  return null;
}
