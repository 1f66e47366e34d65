/**
 * rules.yaml → validated, normalized `RulesConfig`, or every problem at once, each with its line and column
 * and, for misspelt keys, a "did you mean". Runs at build and check time in Node (YAML never reaches a request).
 */
import { isMap, isPair, isScalar, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { z } from 'zod';
import { err, ok, type Result } from '../core/result.ts';
import type { RulesConfig } from './config.ts';
import { referencedNames } from '../core/interpolate.ts';
import { parseWhen, type Condition, type ConditionProblem } from './conditions.ts';
import { findShadowedRoutes } from './shadow.ts';
import { checkAgainstCatalogues, type SourceTypes } from './catalogue-check.ts';
import { closest } from '../core/suggest.ts';
import { crossCheck, rulesFile, SOURCE_KIND_NAMES, targetKindNames, toRulesConfig } from './schema.ts';

export interface RulesProblem {
  readonly message: string;
  /** Dotted location inside the file, e.g. `sources.prequel.max_age`. */
  readonly path: string;
  readonly line: number;
  readonly col: number;
}

export interface LoadedRules {
  readonly config: RulesConfig;
  /** Every `${NAME}` the file references, so a check can list the secrets a deploy needs. */
  readonly references: readonly string[];
  /** What loads but deserves a second look (a regex that can backtrack for seconds), positioned. */
  readonly warnings: readonly RulesProblem[];
}

/**
 * A group that holds a quantifier and is itself quantified — `(a+)+`, `(\w+\.)*`, `(x{2,})+` — can make
 * a backtracking engine (JavaScript's) take exponential time on a string that almost matches.
 */
const NESTED_QUANTIFIER_RE = /\((?:[^()\\]|\\.)*(?:[+*]|\{\d+,\d*\})(?:[^()\\]|\\.)*\)(?:[+*]|\{\d+,\d*\})/;

export function hasNestedQuantifier(pattern: string): boolean {
  return NESTED_QUANTIFIER_RE.test(pattern);
}

/** Every `regex:` operand in the routes' conditions, with its path in the file. */
function regexOperands(value: unknown, path: (string | number)[], out: { path: (string | number)[]; pattern: string }[]): typeof out {
  if (Array.isArray(value)) value.forEach((v, i) => regexOperands(v, [...path, i], out));
  else if (typeof value === 'object' && value !== null)
    for (const [k, v] of Object.entries(value)) {
      if (k === 'regex' && typeof v === 'string') out.push({ path: [...path, k], pattern: v });
      else regexOperands(v, [...path, k], out);
    }
  return out;
}

export function loadRules(text: string): Result<LoadedRules, RulesProblem[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    const lines = text.split(/\r?\n/);
    return err(
      doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        const source = lines[pos.line - 1] ?? '';
        // Indentation errors point at the line's start: point at its first character instead.
        const col = pos.col === 1 && /^\s+\S/.test(source) ? source.search(/\S/) + 1 : pos.col;
        return { message: `YAML: ${e.message.split('\n')[0]}\n${snippet(lines, pos.line, col)}`, path: '', line: pos.line, col };
      }),
    );
  }
  const data: unknown = doc.toJS() ?? {};
  const parsed = rulesFile().safeParse(data);
  // `when` is checked by parseWhen, whose messages name the operator or field at fault; zod's own union
  // errors there would only repeat them less clearly.
  const zodIssues = parsed.success ? [] : parsed.error.issues.filter((issue) => !isInsideWhen(issue.path));
  const { conditions, problems: whenProblems } = parseRouteConditions(data);
  const problems = [
    ...zodIssues.flatMap((issue) => toProblems(issue, doc, lineCounter, data)),
    ...crossCheck(data).map((i) => ({ message: i.message, path: dotted(i.path), ...nodePosition(doc, lineCounter, i.path) })),
    ...whenProblems.map((p) => ({
      message: p.message,
      path: dotted(p.at),
      ...(p.onKey ? keyPosition(doc, lineCounter, p.at.slice(0, -1), String(p.at[p.at.length - 1])) : nodePosition(doc, lineCounter, p.at)),
    })),
  ];
  if (!parsed.success || problems.length > 0) return err(sortProblems(problems));
  const config = toRulesConfig(parsed.data, conditions);
  // settings.health's route is matched by no event by design.
  const shadowed = findShadowedRoutes(config.routes.filter((r) => !r.health)).map(({ index, by }) =>
    config.routes[index]!.fallback
      ? {
          message: `settings.unrouted can never be used: route "${config.routes[by]!.name}" (routes[${by}]) matches every event and does not continue`,
          path: 'settings.unrouted',
          ...nodePosition(doc, lineCounter, ['settings', 'unrouted']),
        }
      : {
          message: `route "${config.routes[index]!.name}" can never match: route "${config.routes[by]!.name}" (routes[${by}]) matches every event it could and does not continue`,
          path: `routes[${index}]`,
          ...nodePosition(doc, lineCounter, ['routes', index, 'name']),
        },
  );
  if (shadowed.length > 0) return err(shadowed);
  const routes = (data as { routes?: unknown }).routes;
  const catalogueIssues = checkAgainstCatalogues(Array.isArray(routes) ? routes : [], config.routes, sourceTypes(config)).map((i) => ({
    severity: i.severity,
    message: i.message,
    path: dotted(i.path as PathKey[]),
    ...(i.onKey
      ? keyPosition(doc, lineCounter, i.path.slice(0, -1) as PathKey[], String(i.path[i.path.length - 1]))
      : nodePosition(doc, lineCounter, i.path as PathKey[])),
  }));
  const catalogueErrors = catalogueIssues.filter((i) => i.severity === 'error').map(({ severity: _, ...p }) => p);
  if (catalogueErrors.length > 0) return err(sortProblems(catalogueErrors));
  const warnings = [
    ...regexOperands(routes, ['routes'], [])
      .filter((r) => hasNestedQuantifier(r.pattern))
      .map((r) => ({
        message: `regex ${JSON.stringify(r.pattern)} nests a quantifier inside a quantified group: on a long value that almost matches it can take seconds per event; rewrite it without the nesting (e.g. (a+)+ → a+)`,
        path: dotted(r.path),
        ...nodePosition(doc, lineCounter, r.path),
      })),
    ...catalogueIssues.filter((i) => i.severity === 'warning').map(({ severity: _, ...p }) => p),
  ];
  return ok({ config, references: [...new Set(referencedNames(JSON.stringify(data)))], warnings });
}

/** What the catalogue check knows of each source: its kind and the types the file declares for it. */
export function sourceTypes(config: Pick<RulesConfig, 'sources'>): Record<string, SourceTypes> {
  return Object.fromEntries(Object.entries(config.sources).map(([name, s]) => [name, { kind: s.kind, declared: s.declaredTypes ?? null }]));
}

/** The line before, the line at fault and a caret under the column, as compilers show them. */
function snippet(lines: readonly string[], line: number, col: number): string {
  const width = String(line).length;
  const row = (n: number) => `  ${String(n).padStart(width)} | ${lines[n - 1] ?? ''}`;
  return [...(line > 1 ? [row(line - 1)] : []), row(line), `  ${' '.repeat(width)} | ${' '.repeat(Math.max(0, col - 1))}^`].join('\n');
}

function isInsideWhen(path: readonly PropertyKey[]): boolean {
  return path[0] === 'routes' && path[2] === 'when' && path.length > 3;
}

function parseRouteConditions(data: unknown): { conditions: Condition[]; problems: ConditionProblem[] } {
  const problems: ConditionProblem[] = [];
  const routes = (data as { routes?: unknown }).routes;
  const conditions = Array.isArray(routes)
    ? routes.map((r: unknown, i) =>
        parseWhen(typeof r === 'object' && r !== null ? (r as { when?: unknown }).when : undefined, problems, ['routes', i, 'when']),
      )
    : [];
  return { conditions, problems };
}

export function formatProblems(problems: readonly RulesProblem[], fileName: string): string {
  return problems.map((p) => `${fileName}:${p.line}:${p.col}: ${p.path ? `${p.path}: ` : ''}${p.message}`).join('\n');
}

function sortProblems(problems: RulesProblem[]): RulesProblem[] {
  return problems.sort((a, b) => a.line - b.line || a.col - b.col);
}

type PathKey = PropertyKey;

function toProblems(issue: z.core.$ZodIssue, doc: Document, lc: LineCounter, data: unknown): RulesProblem[] {
  const path = issue.path;
  if (issue.code === 'unrecognized_keys') {
    const known = knownKeysAt(rulesFile(), path, data);
    return issue.keys.map((key) => {
      const suggestion = closest(key, known);
      const where = keyPosition(doc, lc, path, key);
      return {
        message: `unknown key "${key}"${suggestion ? ` (did you mean "${suggestion}"?)` : known.length > 0 ? ` (expected one of: ${known.join(', ')})` : ''}`,
        path: dotted(path),
        ...where,
      };
    });
  }
  if (issue.code === 'invalid_key') {
    // A bad record key (e.g. a source name): the key's own message, at the key.
    const key = String(path[path.length - 1]);
    return [{ message: issue.issues[0]?.message ?? issue.message, path: dotted(path), ...keyPosition(doc, lc, path.slice(0, -1), key) }];
  }
  let message = issue.message;
  if (issue.code === 'invalid_union' && 'discriminator' in issue && issue.discriminator) {
    message = `kind must be one of: ${(path[0] === 'targets' ? targetKindNames() : SOURCE_KIND_NAMES).join(', ')}`;
  } else if (issue.code === 'invalid_type' && path[path.length - 1] === 'when' && valueAt(data, path) === null) {
    message = 'when is empty: give its conditions, e.g. `when: { type: transfer.error }`, or leave `when` out to match every event';
  } else if (issue.code === 'invalid_type' && valueAt(data, path) === undefined) {
    message = `required (${issue.expected})`;
  }
  return [{ message, path: dotted(path), ...nodePosition(doc, lc, path) }];
}

function dotted(path: readonly PathKey[]): string {
  return path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

function valueAt(data: unknown, path: readonly PathKey[]): unknown {
  let cur = data;
  for (const k of path) {
    if (typeof cur !== 'object' || cur === null) return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[k];
  }
  return cur;
}

/**
 * Position of the deepest node on the path that exists in the document: a scalar's value, or for a map or
 * list the key that names it (a map's own range starts at its first entry, which would mislead).
 */
function nodePosition(doc: Document, lc: LineCounter, path: readonly PathKey[]): { line: number; col: number } {
  for (let n = path.length; n >= 0; n--) {
    const node = doc.getIn(path.slice(0, n) as unknown[], true) as YamlNode | undefined;
    if (!node || typeof node !== 'object' || !('range' in node) || !node.range) continue;
    if (n > 0 && !isScalar(node) && typeof path[n - 1] === 'string') {
      const parent = n === 1 ? doc.contents : doc.getIn(path.slice(0, n - 1) as unknown[], true);
      const pair = isMap(parent) ? parent.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === path[n - 1]) : undefined;
      if (pair && isScalar(pair.key) && pair.key.range) return lc.linePos(pair.key.range[0]);
    }
    return lc.linePos(node.range[0]);
  }
  return { line: 1, col: 1 };
}

/** Position of a key inside the map at `path`. */
function keyPosition(doc: Document, lc: LineCounter, path: readonly PathKey[], key: string): { line: number; col: number } {
  const map = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (isMap(map)) {
    for (const pair of map.items) {
      if (isPair(pair) && isScalar(pair.key) && pair.key.value === key && pair.key.range) return lc.linePos(pair.key.range[0]);
    }
  }
  return nodePosition(doc, lc, path);
}

type AnySchema = z.core.$ZodType;

/** Walks the schema along a data path (choosing union members by the data's `kind`). */
function schemaAt(schema: AnySchema, path: readonly PathKey[], data: unknown): AnySchema | null {
  let cur: AnySchema | null = unwrap(schema, data);
  let value = data;
  for (const k of path) {
    if (!cur) return null;
    value = typeof value === 'object' && value !== null ? (value as Record<PropertyKey, unknown>)[k] : undefined;
    const def = cur._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'object') cur = (def.shape as Record<string, AnySchema>)[String(k)] ?? null;
    else if (def.type === 'record') cur = def.valueType as AnySchema;
    else if (def.type === 'array') cur = def.element as AnySchema;
    else return null;
    cur = cur && unwrap(cur, value);
  }
  return cur;
}

function unwrap(schema: AnySchema, data: unknown): AnySchema | null {
  let cur: AnySchema = schema;
  for (;;) {
    const def = cur._zod.def as unknown as Record<string, unknown>;
    if (def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') cur = def.innerType as AnySchema;
    else if (def.type === 'pipe') cur = def.in as AnySchema;
    else if (def.type === 'union') {
      const kind = typeof data === 'object' && data !== null ? (data as Record<string, unknown>).kind : undefined;
      const match = (def.options as AnySchema[]).find((o) => {
        const shape = (o._zod.def as unknown as { shape?: Record<string, AnySchema> }).shape;
        const lit = shape?.kind?._zod.def as unknown as { values?: unknown[] } | undefined;
        return lit?.values?.includes(kind);
      });
      if (!match) return null;
      cur = match;
    } else return cur;
  }
}

function knownKeysAt(schema: AnySchema, path: readonly PathKey[], data: unknown): string[] {
  const at = schemaAt(schema, path, data);
  const def = at?._zod.def as unknown as { type?: string; shape?: Record<string, unknown> } | undefined;
  return def?.type === 'object' && def.shape ? Object.keys(def.shape).filter((k) => k !== '$schema') : [];
}
