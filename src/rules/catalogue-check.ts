/**
 * Routes checked against what the vendors send (core/catalogue.ts), so a typo routes nothing only in the
 * editor, never in production:
 *   - a `source` a route names that is not declared                         → error, "did you mean"
 *   - a `type` (value, glob or regex) that no admitted source sends         → error, "did you mean"
 *   - a `data.…` path that no admitted event type carries                  → error, "did you mean"
 *   - a value outside a field's documented closed set                       → warning, "did you mean"
 * "Admitted" is decided by the route's own conditions, evaluated with only the source (then the type) known:
 * three-valued, so a condition on anything else never narrows what the route may receive. A source that is
 * free-form (Standard Webhooks without `types:`) or a type the file declares itself (`extra_types:`) admits
 * any field; `data.x: { exists: … }` declares that a route knows x may be undocumented (and then any
 * condition on x in that route passes). Also the coverage report: per source with a catalogue, the known
 * event types (and documented values) that reach no route, or only a deliberate drop. Pure.
 */
import { catalogueOf, documentsField, type EventTypeSpec } from '../core/catalogue.ts';
import type { SourceKind } from '../core/event.ts';
import { parsePath } from '../core/paths.ts';
import { closest, didYouMean } from '../core/suggest.ts';
import { compileCondition, type Predicate } from './compile.ts';
import { globToRegexSource, anchored, type Condition, type Scalar } from './conditions.ts';
import type { RouteConfig } from './config.ts';

/** What the check needs of a source: its kind and the types the file declares for it. */
export interface SourceTypes {
  readonly kind: SourceKind;
  /** `extra_types` (any kind), or Standard Webhooks' `types`: known types with free-form data. */
  readonly declared: readonly string[] | null;
}

export interface CatalogueIssue {
  /** Path in the rules file (for positions); `onKey`: the problem is the key at that path. */
  readonly path: readonly (string | number)[];
  readonly onKey: boolean;
  readonly message: string;
  readonly severity: 'error' | 'warning';
}

/** The known types of a source (null: free-form, anything goes). */
function knownTypes(s: SourceTypes): ReadonlyMap<string, EventTypeSpec | null> | null {
  const catalogue = catalogueOf(s.kind);
  if (!catalogue && !s.declared) return null;
  const out = new Map<string, EventTypeSpec | null>(Object.entries(catalogue ?? {}));
  for (const t of s.declared ?? []) if (!out.has(t)) out.set(t, null); // declared: fields unknown, so free
  return out;
}

// ---- three-valued evaluation ------------------------------------------------------------------------------

type Tri = boolean | null;
const compiled = new WeakMap<Condition, Predicate>();

/** The condition's value when only `known` fields (dotted canonical paths) are known; null: it depends. */
export function evaluate(c: Condition, known: ReadonlyMap<string, unknown>, event: object): Tri {
  switch (c.op) {
    case 'all': {
      let out: Tri = true;
      for (const part of c.of) {
        const v = evaluate(part, known, event);
        if (v === false) return false;
        if (v === null) out = null;
      }
      return out;
    }
    case 'any': {
      let out: Tri = false;
      for (const part of c.of) {
        const v = evaluate(part, known, event);
        if (v === true) return true;
        if (v === null) out = null;
      }
      return out;
    }
    case 'not': {
      const v = evaluate(c.of, known, event);
      return v === null ? null : !v;
    }
    default: {
      const key = canonical(c.path);
      if (key === null || !known.has(key)) return null;
      let p = compiled.get(c);
      if (!p) compiled.set(c, (p = compileCondition(c)));
      return p(event);
    }
  }
}

/** `payload.reason` → `data.reason`; array indexes and [*] dropped; null when unreadable. */
function canonical(path: string): string | null {
  const parsed = parsePath(path);
  return parsed.ok ? parsed.value.filter((s) => typeof s === 'string').join('.') : null;
}

/** A partial event holding the known fields, for the compiled predicates. */
function partialEvent(known: ReadonlyMap<string, unknown>): object {
  const event: Record<string, unknown> = { data: {}, meta: {} };
  for (const [key, value] of known) {
    const parts = key.split('.');
    let node = event;
    for (const p of parts.slice(0, -1)) node = (node[p] ??= {}) as Record<string, unknown>;
    node[parts[parts.length - 1]!] = value;
  }
  return event;
}

const admits = (route: RouteConfig, known: ReadonlyMap<string, unknown>): boolean => evaluate(route.when, known, partialEvent(known)) !== false;

// ---- the leaves of a `when` as written (for positions) ----------------------------------------------------

interface Leaf {
  readonly at: readonly (string | number)[];
  readonly field: string;
  readonly op: string;
  readonly values: readonly Scalar[];
  readonly pattern: { readonly kind: 'glob' | 'regex'; readonly text: string } | null;
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function leaves(when: unknown, at: readonly (string | number)[], out: Leaf[]): Leaf[] {
  if (!isMap(when)) return out;
  for (const [key, value] of Object.entries(when)) {
    const here = [...at, key];
    if ((key === 'all' || key === 'any') && Array.isArray(value)) value.forEach((w, i) => leaves(w, [...here, i], out));
    else if (key === 'not') leaves(value, here, out);
    else if (Array.isArray(value)) out.push({ at: here, field: key, op: 'in', values: value as Scalar[], pattern: null });
    else if (isMap(value))
      for (const [op, operand] of Object.entries(value)) {
        if (op === 'glob' || op === 'regex') out.push({ at: here, field: key, op, values: [], pattern: { kind: op, text: String(operand) } });
        else out.push({ at: here, field: key, op, values: Array.isArray(operand) ? (operand as Scalar[]) : [operand as Scalar], pattern: null });
      }
    else if (typeof value === 'string' && value.includes('*'))
      out.push({ at: here, field: key, op: 'glob', values: [], pattern: { kind: 'glob', text: value } });
    else out.push({ at: here, field: key, op: 'eq', values: [value as Scalar], pattern: null });
  }
  return out;
}

function patternTest(p: NonNullable<Leaf['pattern']>): (s: string) => boolean {
  try {
    const re = new RegExp(p.kind === 'glob' ? globToRegexSource(p.text) : anchored(p.text));
    return (s) => re.test(s);
  } catch {
    return () => true; // an invalid regex is reported by the `when` parser
  }
}

/** " (did you mean "x"?)" for a likely typo, else nothing. */
const hint = (name: string, known: readonly string[]) => {
  const near = closest(name, known);
  return near ? ` (did you mean "${near}"?)` : '';
};

// ---- the check ------------------------------------------------------------------------------------------

export function checkAgainstCatalogues(
  rawRoutes: readonly unknown[],
  routes: readonly RouteConfig[],
  sources: Readonly<Record<string, SourceTypes>>,
): CatalogueIssue[] {
  const issues: CatalogueIssue[] = [];
  const sourceNames = Object.keys(sources);
  rawRoutes.forEach((raw, i) => {
    const route = routes[i];
    if (!route || !isMap(raw)) return;
    const all = leaves(raw.when, ['routes', i, 'when'], []);
    const error = (leaf: Leaf, message: string, onKey = false) => issues.push({ path: leaf.at, onKey, message, severity: 'error' });

    // Sources: every name a route tests must be declared.
    for (const leaf of all.filter((l) => canonical(l.field) === 'source')) {
      if (leaf.pattern) {
        const test = patternTest(leaf.pattern);
        if (!sourceNames.some(test))
          error(leaf, `source ${leaf.pattern.kind} "${leaf.pattern.text}" matches no declared source (sources: ${sourceNames.join(', ')})`);
      } else if (['eq', 'ne', 'in', 'not_in'].includes(leaf.op))
        for (const v of leaf.values)
          if (typeof v === 'string' && !sourceNames.includes(v)) error(leaf, `unknown source "${v}"${didYouMean(v, sourceNames, 'sources')}`);
    }

    // The sources the route admits, and what each may send it.
    const admitted = sourceNames.filter((s) =>
      admits(
        route,
        new Map([
          ['source', s],
          ['kind', sources[s]!.kind],
        ]),
      ),
    );
    const typesOf = admitted.map((s) => ({ source: s, types: knownTypes(sources[s]!) }));
    if (admitted.length === 0 || typesOf.some((t) => t.types === null)) return; // a free-form sender: anything goes
    const typeNames = [...new Set(typesOf.flatMap((t) => [...t.types!.keys()]))];
    const from = `${admitted.length === 1 ? `source ${admitted[0]}` : `the sources this route admits (${admitted.join(', ')})`}`;

    for (const leaf of all.filter((l) => canonical(l.field) === 'type')) {
      if (leaf.pattern) {
        const test = patternTest(leaf.pattern);
        if (!typeNames.some(test)) error(leaf, `type ${leaf.pattern.kind} "${leaf.pattern.text}" matches no event type ${from} sends`);
      } else if (['eq', 'ne', 'in', 'not_in'].includes(leaf.op))
        for (const v of leaf.values)
          if (typeof v === 'string' && !typeNames.includes(v))
            error(leaf, `type "${v}" is no event type ${from} sends${hint(v, typeNames)} — add it to the source's extra_types if the vendor sends it anyway`);
    }

    // The (source, type) pairs the route admits, and the fields their events carry.
    const pairs = typesOf.flatMap(({ source, types }) =>
      [...types!]
        .filter(([type]) =>
          admits(
            route,
            new Map<string, unknown>([
              ['source', source],
              ['kind', sources[source]!.kind],
              ['type', type],
            ]),
          ),
        )
        .map(([type, spec]) => ({ source, type, spec })),
    );
    if (pairs.length === 0 || pairs.some((p) => p.spec === null)) return; // a declared type: its fields are free
    const declaredUndocumented = new Set(all.filter((l) => l.op === 'exists').map((l) => canonical(l.field)));
    for (const leaf of all) {
      const parsed = parsePath(leaf.field);
      if (!parsed.ok || parsed.value[0] !== 'data') continue;
      const key = canonical(leaf.field)!;
      if (leaf.op === 'exists' || declaredUndocumented.has(key)) continue;
      const segments = parsed.value.slice(1);
      const carriers = pairs.filter((p) => documentsField(p.spec!, segments));
      if (carriers.length === 0) {
        const fields = [...new Set(pairs.flatMap((p) => p.spec!.fields.filter((f) => !f.endsWith('.*')).map((f) => `data.${f}`)))];
        const written = leaf.field.replace(/^payload\./, 'data.');
        const what = pairs.length <= 3 ? pairs.map((p) => `${p.source} ${p.type}`).join(', ') : `${pairs.length} event types`;
        error(
          leaf,
          `no event this route admits (${what}) has ${leaf.field}${hint(written, fields)} — if the vendor sends it undocumented, test it with { exists: true } in this route`,
          true,
        );
        continue;
      }
      // Documented closed sets: a value outside them is most likely a typo.
      if (!['eq', 'ne', 'in', 'not_in'].includes(leaf.op)) continue;
      const field = segments.filter((s) => typeof s === 'string').join('.');
      const sets = carriers.map((p) => p.spec!.values?.[field]).filter((v): v is readonly string[] => v !== undefined);
      if (sets.length !== carriers.length) continue;
      const allowed = [...new Set(sets.flat())];
      for (const v of leaf.values)
        if (typeof v === 'string' && !allowed.includes(v))
          issues.push({
            path: leaf.at,
            onKey: false,
            severity: 'warning',
            message: `"${v}" is not a documented value of ${leaf.field}${hint(v, allowed) || ` (documented: ${allowed.join(', ')})`}`,
          });
    }
  });
  return issues;
}

// ---- coverage ---------------------------------------------------------------------------------------------

export interface CoverageGap {
  readonly source: string;
  readonly type: string;
  /** The documented values this gap is about (e.g. { reason: 'unknown' }); empty: the whole type. */
  readonly values: Readonly<Record<string, string>>;
  /** `unrouted`: no route takes it; `dropped`: only a route that notifies no one does. */
  readonly gap: 'unrouted' | 'dropped';
}

/** Canonical paths the routes test (coverage only tries the values of fields some route looks at). */
function testedPaths(c: Condition, out: Set<string>): Set<string> {
  if (c.op === 'all' || c.op === 'any') for (const part of c.of) testedPaths(part, out);
  else if (c.op === 'not') testedPaths(c.of, out);
  else {
    const key = canonical(c.path);
    if (key) out.add(key);
  }
  return out;
}

/** Value combinations of a type's closed fields the routes test (at most `cap`; none: one empty combination). */
function combinations(spec: EventTypeSpec | null, tested: ReadonlySet<string>, cap = 64): Record<string, string>[] {
  let out: Record<string, string>[] = [{}];
  for (const [field, values] of Object.entries(spec?.values ?? {})) {
    if (!tested.has(`data.${field}`)) continue;
    out = out.flatMap((c) => values.map((v) => ({ ...c, [field]: v })));
    if (out.length > cap) return [{}];
  }
  return out;
}

/**
 * For every source with known types, the types (and documented values) that no route would notify anyone of.
 * The walk is the router's: in order, the first route that certainly matches stops it unless it continues; a
 * route that only may match (it tests fields not known here) counts as reaching the event.
 */
export function coverage(routes: readonly RouteConfig[], sources: Readonly<Record<string, SourceTypes>>): CoverageGap[] {
  const gaps: CoverageGap[] = [];
  const tested = new Set<string>();
  for (const r of routes) testedPaths(r.when, tested);
  for (const [source, s] of Object.entries(sources)) {
    const types = knownTypes(s);
    if (!types) continue;
    for (const [type, spec] of types)
      for (const values of combinations(spec, tested)) {
        const known = new Map<string, unknown>([
          ['source', source],
          ['kind', s.kind],
          ['type', type],
          ...Object.entries(values).map(([f, v]) => [`data.${f}`, v] as [string, unknown]),
        ]);
        const event = partialEvent(known);
        let notifies = false;
        let dropped = false;
        for (const route of routes) {
          if (route.fallback) continue;
          const v = evaluate(route.when, known, event);
          if (v === false) continue;
          if (route.notify.length > 0) notifies = true;
          else if (v === true) dropped = true;
          if (v === true && !route.continue) break;
        }
        if (!notifies) gaps.push({ source, type, values, gap: dropped ? 'dropped' : 'unrouted' });
      }
  }
  return gaps;
}

/** "prelude transactional.message.failed (reason=unknown)". */
export function gapText(g: CoverageGap): string {
  const v = Object.entries(g.values)
    .map(([f, x]) => `${f}=${x}`)
    .join(', ');
  return `${g.source} ${g.type}${v ? ` (${v})` : ''}`;
}
