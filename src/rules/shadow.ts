/**
 * Finds routes that can never match because an earlier route without `continue` matches every event they
 * could (Alertmanager users ask for this check). The test is sound but not complete: it reports a route only
 * when implication is certain from the conditions' structure, so it never calls a reachable route dead.
 * Pure: no I/O.
 */
import { globToRegexSource, anchored, type Condition, type FieldCondition, type Scalar } from './conditions.ts';
import type { RouteConfig } from './config.ts';
import { parsePath } from '../core/paths.ts';

export interface ShadowedRoute {
  readonly index: number;
  readonly by: number;
}

export function findShadowedRoutes(routes: readonly Pick<RouteConfig, 'when' | 'continue'>[]): ShadowedRoute[] {
  const out: ShadowedRoute[] = [];
  routes.forEach((route, j) => {
    for (let i = 0; i < j; i++) {
      if (!routes[i]!.continue && implies(route.when, routes[i]!.when)) {
        out.push({ index: j, by: i });
        return;
      }
    }
  });
  return out;
}

/** True only when every event satisfying `b` certainly satisfies `a`. */
export function implies(b: Condition, a: Condition): boolean {
  if (a.op === 'all') return a.of.every((part) => implies(b, part));
  if (b.op === 'any') return b.of.length > 0 && b.of.every((branch) => implies(branch, a));
  if (a.op === 'any') return a.of.some((part) => implies(b, part));
  if (a.op === 'not') return false;
  if (b.op === 'all') return b.of.some((part) => implies(part, a));
  if (b.op === 'not') return false;
  return fieldImplies(b, a);
}

function canonicalPath(path: string): string | null {
  const p = parsePath(path);
  if (!p.ok || p.value.some((s) => typeof s === 'symbol')) return null; // [*] paths: no claims
  return p.value.join('\u0000');
}

const matchesPattern = (c: Extract<FieldCondition, { op: 'glob' | 'regex' }>, v: Scalar): boolean =>
  typeof v === 'string' && new RegExp(c.op === 'glob' ? globToRegexSource(c.pattern) : anchored(c.pattern)).test(v);

/** The values b allows, when b allows only a known finite set. */
function finiteValues(b: FieldCondition): readonly Scalar[] | null {
  if (b.op === 'eq') return [b.value];
  if (b.op === 'in') return b.values;
  return null;
}

function fieldImplies(b: FieldCondition, a: FieldCondition): boolean {
  const pa = canonicalPath(a.path);
  if (pa === null || pa !== canonicalPath(b.path)) return false;
  const values = finiteValues(b);
  if (values) return values.length > 0 && values.every((v) => valueSatisfies(v, a));
  switch (a.op) {
    case 'ne':
      return b.op === 'ne' && b.value === a.value;
    case 'not_in':
      return b.op === 'not_in' && a.values.every((v) => b.values.includes(v));
    case 'glob':
      return (b.op === 'glob' && globContains(a.pattern, b.pattern)) || (a.pattern === '*' && (b.op === 'regex' || b.op === 'glob'));
    case 'regex':
      return b.op === 'regex' && b.pattern === a.pattern;
    case 'gt':
      return (b.op === 'gt' && b.value >= a.value) || (b.op === 'gte' && b.value > a.value);
    case 'gte':
      return (b.op === 'gt' || b.op === 'gte') && b.value >= a.value;
    case 'lt':
      return (b.op === 'lt' && b.value <= a.value) || (b.op === 'lte' && b.value < a.value);
    case 'lte':
      return (b.op === 'lt' || b.op === 'lte') && b.value <= a.value;
    case 'exists':
      return a.value ? ['glob', 'regex', 'gt', 'gte', 'lt', 'lte', 'contains'].includes(b.op) || (b.op === 'exists' && b.value) : b.op === 'exists' && !b.value;
    case 'contains':
      return b.op === 'contains' && b.value === a.value;
    default:
      return false;
  }
}

/** Whether one known value satisfies a field condition (as the compiled predicate would decide). */
function valueSatisfies(v: Scalar, a: FieldCondition): boolean {
  switch (a.op) {
    case 'eq':
      return v === a.value;
    case 'ne':
      return v !== a.value;
    case 'in':
      return a.values.includes(v);
    case 'not_in':
      return !a.values.includes(v);
    case 'glob':
    case 'regex':
      return matchesPattern(a, v);
    case 'gt':
      return typeof v === 'number' && v > a.value;
    case 'gte':
      return typeof v === 'number' && v >= a.value;
    case 'lt':
      return typeof v === 'number' && v < a.value;
    case 'lte':
      return typeof v === 'number' && v <= a.value;
    case 'exists':
      return (v !== null) === a.value;
    case 'contains':
      return typeof v === 'string' && typeof a.value === 'string' && v.includes(a.value);
  }
}

/** Whether every string matching glob `inner` also matches glob `outer` (certain cases only). */
function globContains(outer: string, inner: string): boolean {
  if (outer === inner || outer === '*') return true;
  const star = outer.indexOf('*');
  // outer = "prefix*" (one trailing star): inner's literal head must start with the prefix.
  if (star === outer.length - 1) return inner.split('*')[0]!.startsWith(outer.slice(0, -1));
  return false;
}
