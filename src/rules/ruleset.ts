/**
 * The compiled, frozen rule set the Worker routes with: routes in order behind an index on (source, type),
 * so that an event is only tested against routes whose source and type conditions admit it. Built once per
 * isolate from the build-time rules (no YAML, no per-request parsing). Pure: no I/O.
 *
 * Semantics (Alertmanager's): routes are tried in order; the first that matches stops the walk unless it
 * says `continue: true`; a route without `when` matches everything.
 *
 * Cold start: the build step packs each route as its own JSON text beside a small index (`packRoutes`). A
 * fresh isolate parses only the index; a route is parsed and compiled the first time an event could match
 * it. (Parsing a 1,000-route file into objects up front cost ~3 ms, and every allocation after it paid again
 * in garbage collection, copying the live tree: ~15 ms in all.)
 */
import { RELAY_SOURCE, type CanonicalEvent } from '../core/event.ts';
import { compileCondition, explainCondition, type Predicate } from './compile.ts';
import type { Condition, FieldCondition } from './conditions.ts';
import type { RouteConfig } from './config.ts';

export interface RouteMatch {
  readonly index: number;
  readonly route: RouteConfig;
}

export interface RouteExplanation {
  readonly index: number;
  readonly name: string;
  readonly matched: boolean;
  /** Why: the deciding condition and the event's value, or that an earlier route stopped the walk. */
  readonly reason: string;
  /** Targets this route notifies (when it matched). */
  readonly notify: readonly string[];
  readonly skipped: boolean;
}

export interface RuleSet {
  readonly size: number;
  route(index: number): RouteConfig;
  match(event: CanonicalEvent): readonly RouteMatch[];
  explain(event: CanonicalEvent): readonly RouteExplanation[];
}

/**
 * What the index needs of a route: the types and sources an equality or list condition allows (null: any),
 * and its other conditions on `type` and `source` (globs, regexes…), decided once per (source, type) pair.
 */
export interface RouteKeys {
  readonly types: readonly string[] | null;
  readonly sources: readonly string[] | null;
  readonly pair: readonly Condition[];
  /** settings.unrouted's route: taken only when no other route matched. */
  readonly fallback?: true;
  /** settings.health's route: never matched (the relay's own notices are addressed to it). */
  readonly health?: true;
}

/** Routes as the build step emits them: the index, and each route as its own JSON text. */
export interface PackedRoutes {
  readonly keys: readonly RouteKeys[];
  readonly routes: readonly string[];
}

interface Split {
  readonly keys: RouteKeys;
  /** The conjunction minus the conditions the index already decides. */
  readonly rest: Condition;
}

/** Separates the index's (source, type) conditions from the rest. Deterministic: build and run time agree. */
export function splitRoute(route: RouteConfig): Split {
  const conjuncts: readonly Condition[] = route.when.op === 'all' ? route.when.of : [route.when];
  let types: readonly string[] | null = null;
  let sources: readonly string[] | null = null;
  const pair: Condition[] = [];
  const rest: Condition[] = [];
  for (const c of conjuncts) {
    const field = 'path' in c && (c.path === 'type' || c.path === 'source') ? c.path : null;
    const allowed = field ? allowedStrings(c as FieldCondition) : null;
    if (allowed && field === 'type' && types === null) types = allowed;
    else if (allowed && field === 'source' && sources === null) sources = allowed;
    else if (field) pair.push(c);
    else rest.push(c);
  }
  const flags = { ...(route.fallback ? { fallback: true as const } : {}), ...(route.health ? { health: true as const } : {}) };
  return { keys: { types, sources, pair, ...flags }, rest: { op: 'all', of: rest } };
}

/** The strings an equality or list condition admits; null for other operators or non-string values. */
function allowedStrings(c: FieldCondition): readonly string[] | null {
  const values = c.op === 'eq' ? [c.value] : c.op === 'in' ? c.values : null;
  return values && values.every((v) => typeof v === 'string') ? (values as string[]) : null;
}

/** Fields a packed route omits when they hold their default. */
const ROUTE_DEFAULTS: Pick<RouteConfig, 'continue' | 'severity' | 'alertKey' | 'action' | 'templates'> = {
  continue: false,
  severity: null,
  alertKey: null,
  action: null,
  templates: {},
};

export function packRoutes(routes: readonly RouteConfig[]): PackedRoutes {
  const omitDefaults = (key: string, value: unknown): unknown =>
    Object.hasOwn(ROUTE_DEFAULTS, key) && JSON.stringify(value) === JSON.stringify(ROUTE_DEFAULTS[key as keyof typeof ROUTE_DEFAULTS]) ? undefined : value;
  return { keys: routes.map((r) => splitRoute(r).keys), routes: routes.map((r) => JSON.stringify(r, (k, v) => (k === '' ? v : omitDefaults(k, v)))) };
}

function unpackRoute(text: string): RouteConfig {
  return { ...ROUTE_DEFAULTS, ...(JSON.parse(text) as Partial<RouteConfig>) } as RouteConfig;
}

interface CompiledRoute extends RouteMatch {
  readonly rest: Predicate;
}

/** Distinct (source, type) pairs remembered; vendors send a few dozen types, so this bound is generous. */
const MAX_INDEXED_PAIRS = 4096;

const admits = (allowed: readonly string[] | null, value: string): boolean => allowed === null || allowed.includes(value);

export function compileRuleSet(input: readonly RouteConfig[] | PackedRoutes): RuleSet {
  const packed = Array.isArray(input) ? null : (input as PackedRoutes);
  const size = packed ? packed.routes.length : (input as readonly RouteConfig[]).length;
  const keys: readonly RouteKeys[] = packed ? packed.keys : (input as readonly RouteConfig[]).map((r) => splitRoute(r).keys);
  const parsed: (RouteConfig | undefined)[] = packed ? new Array(size) : [...(input as readonly RouteConfig[])];
  const compiled: (CompiledRoute | undefined)[] = new Array(size);
  let candidatesByPair = new Map<string, readonly CompiledRoute[]>();

  const route = (i: number): RouteConfig => (parsed[i] ??= unpackRoute(packed!.routes[i]!));
  const compiledRoute = (i: number): CompiledRoute => (compiled[i] ??= { index: i, route: route(i), rest: compileCondition(splitRoute(route(i)).rest) });

  // settings.unrouted's route (the last one, if any) stays out of the walk: it is what an event gets when the
  // walk found nothing.
  const fallback = keys.findIndex((k) => k.fallback === true);

  const pairTests: (Predicate | undefined)[] = new Array(size);
  const pairHolds = (i: number, probe: { source: string; type: string }): boolean => {
    const pair = keys[i]!.pair;
    return pair.length === 0 || (pairTests[i] ??= compileCondition({ op: 'all', of: pair }))(probe);
  };

  const candidates = (source: string, type: string): readonly CompiledRoute[] => {
    const pair = `${source}\u0000${type}`;
    let list = candidatesByPair.get(pair);
    if (!list) {
      const found: CompiledRoute[] = [];
      const probe = { source, type };
      for (let i = 0; i < size; i++) {
        const k = keys[i]!;
        if (i === fallback || k.health) continue;
        if (admits(k.types, type) && admits(k.sources, source) && pairHolds(i, probe)) found.push(compiledRoute(i));
      }
      if (candidatesByPair.size >= MAX_INDEXED_PAIRS) candidatesByPair = new Map();
      candidatesByPair.set(pair, (list = found));
    }
    return list;
  };

  return Object.freeze({
    size,
    route,
    match(event: CanonicalEvent): readonly RouteMatch[] {
      // The compiled routes are themselves the RouteMatch values: no allocation per match.
      const out: RouteMatch[] = [];
      for (const c of candidates(event.source, event.type)) {
        if (!c.rest(event)) continue;
        out.push(c);
        if (!c.route.continue) break;
      }
      // The relay's own events are never routed by the rules; they are no one's unrouted event either.
      if (out.length === 0 && fallback >= 0 && event.source !== RELAY_SOURCE) out.push(compiledRoute(fallback));
      return out;
    },
    explain(event: CanonicalEvent): readonly RouteExplanation[] {
      let stoppedBy: string | null = null;
      const out: RouteExplanation[] = [];
      for (let index = 0; index < size; index++) {
        if (keys[index]!.health) continue; // the relay's own notices: no event is routed there
        const r = route(index);
        if (index === fallback) {
          const matched = !out.some((e) => e.matched) && event.source !== RELAY_SOURCE;
          out.push({
            index,
            name: r.name,
            matched,
            skipped: false,
            reason: matched ? `no route matched: settings.unrouted tells ${r.notify.join(', ')}` : 'a route above matched (only unrouted events come here)',
            notify: matched ? r.notify : [],
          });
          continue;
        }
        if (stoppedBy !== null) {
          out.push({
            index,
            name: r.name,
            matched: false,
            skipped: true,
            reason: `not evaluated: route "${stoppedBy}" matched and does not continue`,
            notify: [],
          });
          continue;
        }
        const e = explainCondition(r.when, event);
        if (e.holds && !r.continue) stoppedBy = r.name;
        out.push({ index, name: r.name, matched: e.holds, skipped: false, reason: e.reason, notify: e.holds ? r.notify : [] });
      }
      return out;
    },
  });
}
