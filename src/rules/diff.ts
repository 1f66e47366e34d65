/**
 * Replay-diff: two rules files over the same events, and what changes between them. Pure (no clock: each
 * event carries the instant its time windows are read at — its recorded time, or the caller's now).
 *
 * An event's outcome under one file: the routes it matches (a fallback route — settings.unrouted — counts as
 * "unrouted"), and for each target those routes notify, whether it would be sent or muted at that instant
 * (a target is sent if any matching route that notifies it is not muted). Two outcomes differ when the routes
 * or the sent/muted targets differ. Per route and per target the report counts the events that changed, each
 * direction apart, with a few example event keys; a target's verb follows its kind (a PagerDuty target
 * pages, Slack posts, HTTP calls). Grouping and paging-budget changes are named on the routes whose events
 * they touch: they change how many notifications go out, not whom they reach.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RouteConfig, RulesConfig } from './config.ts';
import { compileRuleSet, type RuleSet } from './ruleset.ts';
import { timeMute } from './time-intervals.ts';

/** An event to replay, keyed `<source>:<id>`, its time windows read at `at`. */
export interface DiffEvent {
  readonly key: string;
  readonly event: CanonicalEvent;
  readonly at: number;
}

export interface Outcome {
  readonly routes: readonly string[];
  readonly unrouted: boolean;
  /** Target → the mute that held it back (null: sent). */
  readonly targets: ReadonlyMap<string, string | null>;
}

/** Events counted in one direction, with the first few keys. */
export interface Change {
  readonly count: number;
  readonly examples: readonly string[];
}

export interface TargetDiff {
  readonly target: string;
  readonly kind: string;
  /** `page` (PagerDuty), `post` (Slack), `call` (HTTP) or `notify`. */
  readonly verb: string;
  /** Sent now, not before. */
  readonly gained: Change;
  /** Sent before, not now (no longer matched, or now muted). */
  readonly lost: Change;
  /** Of `lost`: still matched, muted at the event's time by the candidate's windows. */
  readonly nowMuted: Change;
  /** Of `gained`: matched before too, but muted then. */
  readonly noLongerMuted: Change;
}

export interface RouteDiff {
  readonly route: string;
  readonly nowMatches: Change;
  readonly noLongerMatches: Change;
}

export interface DiffReport {
  readonly events: number;
  readonly changed: Change;
  readonly routes: readonly RouteDiff[];
  readonly targets: readonly TargetDiff[];
  readonly unrouted: { readonly now: Change; readonly noLonger: Change };
  /** Grouping and budget changes on routes these events matched. */
  readonly notes: readonly string[];
}

const EXAMPLES = 3;
const VERBS: Readonly<Record<string, string>> = { pagerduty: 'page', slack: 'post', http: 'call' };

/** What one rules file does with one event at its instant. */
export function outcomeOf(rules: RulesConfig, set: RuleSet, e: DiffEvent): Outcome {
  const matches = set.match(e.event);
  const targets = new Map<string, string | null>();
  for (const m of matches) {
    const muted = timeMute(m.route, rules.timeIntervals ?? {}, e.at);
    for (const t of m.route.notify) if (!targets.has(t) || (targets.get(t) !== null && muted === null)) targets.set(t, muted);
  }
  const own = matches.filter((m) => !m.route.fallback);
  return { routes: own.map((m) => m.route.name), unrouted: own.length === 0, targets };
}

class Counter {
  private readonly map = new Map<string, { count: number; examples: string[] }>();
  add(name: string, key: string): void {
    const entry = this.map.get(name) ?? { count: 0, examples: [] };
    entry.count++;
    if (entry.examples.length < EXAMPLES) entry.examples.push(key);
    this.map.set(name, entry);
  }
  get(name: string): Change {
    return this.map.get(name) ?? { count: 0, examples: [] };
  }
  names(): string[] {
    return [...this.map.keys()];
  }
}

/** Runs `current` and `candidate` over the events and reports what changes. */
export function diffRules(current: RulesConfig, candidate: RulesConfig, events: readonly DiffEvent[]): DiffReport {
  const before = compileRuleSet(current.routes);
  const after = compileRuleSet(candidate.routes);
  const c = {
    changed: new Counter(),
    nowMatches: new Counter(),
    noLongerMatches: new Counter(),
    gained: new Counter(),
    lost: new Counter(),
    nowMuted: new Counter(),
    noLongerMuted: new Counter(),
    unrouted: new Counter(),
    touched: new Counter(),
  };
  for (const e of events) {
    const was = outcomeOf(current, before, e);
    const now = outcomeOf(candidate, after, e);
    for (const r of new Set([...was.routes, ...now.routes])) c.touched.add(r, e.key);
    const added = now.routes.filter((r) => !was.routes.includes(r));
    const removed = was.routes.filter((r) => !now.routes.includes(r));
    for (const r of added) c.nowMatches.add(r, e.key);
    for (const r of removed) c.noLongerMatches.add(r, e.key);
    if (was.unrouted !== now.unrouted) c.unrouted.add(now.unrouted ? 'now' : 'noLonger', e.key);
    let differs = added.length > 0 || removed.length > 0 || was.unrouted !== now.unrouted;
    for (const t of new Set([...was.targets.keys(), ...now.targets.keys()])) {
      const sentBefore = was.targets.has(t) && was.targets.get(t) === null;
      const sentNow = now.targets.has(t) && now.targets.get(t) === null;
      if (sentBefore === sentNow) continue;
      differs = true;
      if (sentNow) {
        c.gained.add(t, e.key);
        if (was.targets.has(t)) c.noLongerMuted.add(t, e.key);
      } else {
        c.lost.add(t, e.key);
        if (now.targets.has(t)) c.nowMuted.add(t, e.key);
      }
    }
    if (differs) c.changed.add('all', e.key);
  }
  const routeNames = [...new Set([...c.nowMatches.names(), ...c.noLongerMatches.names()])];
  const targetNames = [...new Set([...c.gained.names(), ...c.lost.names()])].sort();
  const kindOf = (t: string) => (Object.hasOwn(candidate.targets, t) ? candidate.targets[t] : current.targets[t])?.kind ?? 'unknown';
  return {
    events: events.length,
    changed: c.changed.get('all'),
    routes: routeNames.map((route) => ({ route, nowMatches: c.nowMatches.get(route), noLongerMatches: c.noLongerMatches.get(route) })),
    targets: targetNames.map((target) => ({
      target,
      kind: kindOf(target),
      verb: VERBS[kindOf(target)] ?? 'notify',
      gained: c.gained.get(target),
      lost: c.lost.get(target),
      nowMuted: c.nowMuted.get(target),
      noLongerMuted: c.noLongerMuted.get(target),
    })),
    unrouted: { now: c.unrouted.get('now'), noLonger: c.unrouted.get('noLonger') },
    notes: notesOn(current, candidate, c.touched),
  };
}

/** Grouping and budget changes on routes that these events matched under either file. */
function notesOn(current: RulesConfig, candidate: RulesConfig, touched: Counter): string[] {
  const notes: string[] = [];
  const byName = (rules: RulesConfig) => new Map<string, RouteConfig>(rules.routes.map((r) => [r.name, r]));
  const was = byName(current);
  const now = byName(candidate);
  const groupText = (r: RouteConfig | undefined) =>
    r?.group ? `group_by [${r.group.by.join(', ')}], wait ${r.group.waitMs / 1000}s, interval ${r.group.intervalMs / 1000}s` : 'no grouping';
  const budgetText = (r: RouteConfig | undefined) => (r?.pageBudget ? `${r.pageBudget.max} pages per ${r.pageBudget.perMs / 60_000}m` : 'no page budget');
  for (const name of touched.names()) {
    const a = was.get(name);
    const b = now.get(name);
    const n = touched.get(name);
    const affected = `${n.count} event${n.count === 1 ? '' : 's'} (e.g. ${n.examples.join(', ')})`;
    if (groupText(a) !== groupText(b)) notes.push(`grouping: route "${name}" ${groupText(a)} → ${groupText(b)}: ${affected} notified differently`);
    if (budgetText(a) !== budgetText(b)) notes.push(`paging budget: route "${name}" ${budgetText(a)} → ${budgetText(b)}: ${affected}`);
  }
  return notes;
}

/** The report as lines of text. */
export function diffText(report: DiffReport): string[] {
  const ex = (c: Change) => (c.examples.length > 0 ? ` (e.g. ${c.examples.join(', ')})` : '');
  const lines = [`${report.events} event${report.events === 1 ? '' : 's'} replayed; ${report.changed.count} would be handled differently`];
  for (const r of report.routes) {
    const parts = [];
    if (r.nowMatches.count > 0) parts.push(`${r.nowMatches.count} would now match${ex(r.nowMatches)}`);
    if (r.noLongerMatches.count > 0) parts.push(`${r.noLongerMatches.count} would no longer match${ex(r.noLongerMatches)}`);
    lines.push(`  route "${r.route}": ${parts.join('; ')}`);
  }
  for (const t of report.targets) {
    const parts = [];
    if (t.gained.count > 0)
      parts.push(
        `${t.gained.count} would now ${t.verb}${ex(t.gained)}${t.noLongerMuted.count > 0 ? ` — ${t.noLongerMuted.count} of them no longer muted at their time` : ''}`,
      );
    if (t.lost.count > 0)
      parts.push(
        `${t.lost.count} would no longer ${t.verb}${ex(t.lost)}${t.nowMuted.count > 0 ? ` — ${t.nowMuted.count} of them muted at their time${ex(t.nowMuted)}` : ''}`,
      );
    lines.push(`  target ${t.target} (${t.kind}): ${parts.join('; ')}`);
  }
  if (report.unrouted.now.count > 0) lines.push(`  unrouted: ${report.unrouted.now.count} would now match no route${ex(report.unrouted.now)}`);
  if (report.unrouted.noLonger.count > 0) lines.push(`  unrouted: ${report.unrouted.noLonger.count} would now be routed${ex(report.unrouted.noLonger)}`);
  for (const n of report.notes) lines.push(`  ${n}`);
  return lines;
}

/** A recorded decision: routes matched and whom they notify. */
export interface RecordedDecision {
  readonly routes: readonly { readonly name: string; readonly notify: readonly string[] }[];
}

export interface ShadowReport {
  readonly events: number;
  readonly differing: Change;
  readonly routes: readonly { readonly route: string; readonly liveOnly: Change; readonly shadowOnly: Change }[];
  readonly targets: readonly { readonly target: string; readonly liveOnly: Change; readonly shadowOnly: Change }[];
}

/** Where the shadow rules decided differently from the live ones, over recorded decisions. */
export function compareRecorded(items: readonly { readonly key: string; readonly live: RecordedDecision; readonly shadow: RecordedDecision }[]): ShadowReport {
  const c = { differing: new Counter(), routeLive: new Counter(), routeShadow: new Counter(), targetLive: new Counter(), targetShadow: new Counter() };
  for (const { key, live, shadow } of items) {
    const lr = new Set(live.routes.map((r) => r.name));
    const sr = new Set(shadow.routes.map((r) => r.name));
    const lt = new Set(live.routes.flatMap((r) => r.notify));
    const st = new Set(shadow.routes.flatMap((r) => r.notify));
    const only = (a: Set<string>, b: Set<string>) => [...a].filter((x) => !b.has(x));
    const found = [
      ...only(lr, sr).map((r) => c.routeLive.add(r, key)),
      ...only(sr, lr).map((r) => c.routeShadow.add(r, key)),
      ...only(lt, st).map((t) => c.targetLive.add(t, key)),
      ...only(st, lt).map((t) => c.targetShadow.add(t, key)),
    ];
    if (found.length > 0) c.differing.add('all', key);
  }
  const routes = [...new Set([...c.routeLive.names(), ...c.routeShadow.names()])].sort();
  const targets = [...new Set([...c.targetLive.names(), ...c.targetShadow.names()])].sort();
  return {
    events: items.length,
    differing: c.differing.get('all'),
    routes: routes.map((route) => ({ route, liveOnly: c.routeLive.get(route), shadowOnly: c.routeShadow.get(route) })),
    targets: targets.map((target) => ({ target, liveOnly: c.targetLive.get(target), shadowOnly: c.targetShadow.get(target) })),
  };
}
