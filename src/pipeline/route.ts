/**
 * Step 7 of ingest as a function: an event's routing decision under the live rules, stamped with their
 * version, and — when shadow rules are deployed (rules.shadow.yaml) — what they would have decided, recorded
 * beside it and never turned into jobs. Without shadow rules nothing more is evaluated.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RoutingDecision, RulesVersion, ShadowDecision } from '../core/delivery.ts';
import type { RuleSet } from '../rules/ruleset.ts';

/** Rules with their version: the live ones, or the shadow. */
export interface VersionedRules {
  readonly set: RuleSet;
  readonly version: RulesVersion;
}

function decide(set: RuleSet, event: CanonicalEvent): Pick<RoutingDecision, 'routes' | 'unrouted'> {
  const matches = set.match(event);
  const routes = matches.map((m) => ({ index: m.index, name: m.route.name, notify: m.route.notify }));
  return matches.every((m) => m.route.fallback) ? { routes, unrouted: true } : { routes };
}

export function routeWith(live: VersionedRules, shadow: VersionedRules | null = null): (event: CanonicalEvent) => RoutingDecision {
  return (event) => {
    const decision: RoutingDecision = { ...decide(live.set, event), rules: live.version };
    if (!shadow) return decision;
    const shadowDecision: ShadowDecision = { ...decide(shadow.set, event), rules: shadow.version };
    return { ...decision, shadow: shadowDecision };
  };
}
