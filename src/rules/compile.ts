/**
 * Condition trees → predicates (closures built once per isolate; no per-request parsing), and explanations
 * of why a condition held or not. Pure: no I/O.
 */
import { anchored, globToRegexSource, type Condition, type FieldCondition, type Scalar } from './conditions.ts';
import { compilePathTest, parsePath, valuesAt, type Segment } from '../core/paths.ts';

export type Predicate = (event: unknown) => boolean;

const ALWAYS: Predicate = () => true;

/** Parsed paths, shared by every route of the isolate: a large file repeats the same few dozen paths. */
const PATHS = new Map<string, Segment[]>();

function segmentsOf(path: string): Segment[] {
  let segments = PATHS.get(path);
  if (!segments) {
    const parsed = parsePath(path);
    if (!parsed.ok) throw new Error(`invalid path "${path}" in built rules: ${parsed.error}`);
    PATHS.set(path, (segments = parsed.value));
  }
  return segments;
}

/** The test a field condition applies to one value. */
export function valueTest(c: FieldCondition): (v: unknown) => boolean {
  switch (c.op) {
    case 'eq': {
      const want = c.value;
      return (v) => v === want;
    }
    case 'ne': {
      const want = c.value;
      return (v) => v !== want;
    }
    case 'in': {
      const set = new Set<unknown>(c.values);
      return (v) => set.has(v);
    }
    case 'not_in': {
      const set = new Set<unknown>(c.values);
      return (v) => !set.has(v);
    }
    case 'glob': {
      const star = c.pattern.indexOf('*');
      if (star < 0) {
        const want = c.pattern;
        return (v) => v === want;
      }
      if (star === c.pattern.length - 1) {
        const prefix = c.pattern.slice(0, -1);
        return (v) => typeof v === 'string' && v.startsWith(prefix);
      }
      const re = new RegExp(globToRegexSource(c.pattern));
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'regex': {
      const re = new RegExp(anchored(c.pattern));
      return (v) => typeof v === 'string' && re.test(v);
    }
    case 'gt': {
      const n = c.value;
      return (v) => typeof v === 'number' && v > n;
    }
    case 'gte': {
      const n = c.value;
      return (v) => typeof v === 'number' && v >= n;
    }
    case 'lt': {
      const n = c.value;
      return (v) => typeof v === 'number' && v < n;
    }
    case 'lte': {
      const n = c.value;
      return (v) => typeof v === 'number' && v <= n;
    }
    case 'exists': {
      const want = c.value;
      return (v) => (v !== undefined && v !== null) === want;
    }
    case 'contains': {
      const want = c.value;
      return (v) => (Array.isArray(v) ? v.includes(want) : typeof v === 'string' && typeof want === 'string' && v.includes(want));
    }
  }
}

export function compileCondition(c: Condition): Predicate {
  switch (c.op) {
    case 'all': {
      const parts = c.of.map(compileCondition);
      if (parts.length === 0) return ALWAYS;
      if (parts.length === 1) return parts[0]!;
      if (parts.length === 2) {
        const [a, b] = parts as [Predicate, Predicate];
        return (e) => a(e) && b(e);
      }
      return (e) => {
        for (const p of parts) if (!p(e)) return false;
        return true;
      };
    }
    case 'any': {
      const parts = c.of.map(compileCondition);
      return (e) => {
        for (const p of parts) if (p(e)) return true;
        return false;
      };
    }
    case 'not': {
      const inner = compileCondition(c.of);
      return (e) => !inner(e);
    }
    default:
      return compilePathTest(segmentsOf(c.path), valueTest(c));
  }
}

// ---- explanations ---------------------------------------------------------------------------------------

const show = (v: unknown): string => (v === undefined ? 'missing' : JSON.stringify(v));
const showList = (vs: readonly Scalar[]): string => `[${vs.map((v) => JSON.stringify(v)).join(', ')}]`;

const SYMBOL: Record<FieldCondition['op'], string> = {
  eq: '=',
  ne: '≠',
  in: 'in',
  not_in: 'not in',
  glob: 'matches',
  regex: 'matches regex',
  gt: '>',
  gte: '≥',
  lt: '<',
  lte: '≤',
  exists: 'exists',
  contains: 'contains',
};

/** A condition as a reader sees it: `data.transfer_blamed_party = "third_party"`. */
export function describe(c: Condition): string {
  switch (c.op) {
    case 'all':
      return c.of.length === 0 ? 'always' : c.of.map(describe).join(' and ');
    case 'any':
      return `any of (${c.of.map(describe).join('; ')})`;
    case 'not':
      return `not (${describe(c.of)})`;
    case 'in':
    case 'not_in':
      return `${c.path} ${SYMBOL[c.op]} ${showList(c.values)}`;
    case 'glob':
      return `${c.path} ${SYMBOL[c.op]} "${c.pattern}"`;
    case 'regex':
      return `${c.path} ${SYMBOL[c.op]} /${c.pattern}/`;
    case 'exists':
      return c.value ? `${c.path} exists` : `${c.path} is absent`;
    default:
      return `${c.path} ${SYMBOL[c.op]} ${JSON.stringify(c.value)}`;
  }
}

export interface ConditionExplanation {
  readonly holds: boolean;
  /** The condition that decided the outcome, with the value found. */
  readonly reason: string;
}

/** Why a condition holds or not, naming the deciding field condition and the event's value. */
export function explainCondition(c: Condition, event: unknown): ConditionExplanation {
  switch (c.op) {
    case 'all': {
      for (const part of c.of) {
        const r = explainCondition(part, event);
        if (!r.holds) return r;
      }
      return { holds: true, reason: c.of.length === 0 ? 'no conditions (matches every event)' : `held: ${describe(c)}` };
    }
    case 'any': {
      const results = c.of.map((part) => explainCondition(part, event));
      const hit = results.find((r) => r.holds);
      return hit ? { holds: true, reason: `any: ${hit.reason}` } : { holds: false, reason: `none of: ${results.map((r) => r.reason).join('; ')}` };
    }
    case 'not': {
      const inner = explainCondition(c.of, event);
      return { holds: !inner.holds, reason: `not (${inner.reason})` };
    }
    default: {
      const holds = compileCondition(c)(event);
      const values = valuesAt(event, segmentsOf(c.path));
      const found = values.length === 1 ? show(values[0]) : `[${values.map(show).join(', ')}]`;
      return { holds, reason: `${describe(c)} ${holds ? 'held' : 'failed'}: ${c.path} is ${found}` };
    }
  }
}
