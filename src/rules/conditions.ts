/**
 * The `when:` language: its operators (one table, from which the validator, the JSON Schema and the
 * compiler all derive), the condition tree stored in the built rules, and `parseWhen`, which turns what a
 * user wrote into that tree or into positioned problems. Pure: no I/O.
 *
 *   when:
 *     source: prequel                     equality (a string with `*` is a glob)
 *     type: "transfer.*"                  glob: `*` is any run of characters, anchored at both ends
 *     data.transfer_blamed_party: [first_party, prequel]     a list means `in`
 *     data.rows_failed: { gt: 1000 }      operator object (several operators: all must hold)
 *     any: [ {...}, {...} ]   all: [...]   not: {...}
 */
import { parsePath, ROOT_FIELDS as ROOT_NAMES } from '../core/paths.ts';
import { closest as nearest } from '../core/suggest.ts';

export type Scalar = string | number | boolean | null;

export type Condition =
  | { readonly op: 'all'; readonly of: readonly Condition[] }
  | { readonly op: 'any'; readonly of: readonly Condition[] }
  | { readonly op: 'not'; readonly of: Condition }
  | { readonly op: 'eq' | 'ne' | 'contains'; readonly path: string; readonly value: Scalar }
  | { readonly op: 'in' | 'not_in'; readonly path: string; readonly values: readonly Scalar[] }
  | { readonly op: 'glob' | 'regex'; readonly path: string; readonly pattern: string }
  | { readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly path: string; readonly value: number }
  | { readonly op: 'exists'; readonly path: string; readonly value: boolean };

export type FieldCondition = Exclude<Condition, { op: 'all' | 'any' | 'not' }>;
export type FieldOp = FieldCondition['op'];

type OperandKind = 'scalar' | 'list' | 'string' | 'number' | 'boolean';

/** The operators a field may be tested with: operand kind and a one-line meaning (shown in errors and docs). */
export const FIELD_OPERATORS: Readonly<Record<FieldOp, { readonly operand: OperandKind; readonly meaning: string }>> = {
  eq: { operand: 'scalar', meaning: 'equals the value (strictly: 500 and "500" differ)' },
  ne: { operand: 'scalar', meaning: 'differs from the value (a missing field differs)' },
  in: { operand: 'list', meaning: 'equals one of the values' },
  not_in: { operand: 'list', meaning: 'equals none of the values (a missing field qualifies)' },
  glob: { operand: 'string', meaning: 'is a string matching the pattern; * is any run of characters, anchored at both ends' },
  regex: { operand: 'string', meaning: 'is a string matching the regular expression, anchored at both ends' },
  gt: { operand: 'number', meaning: 'is a number greater than the value' },
  gte: { operand: 'number', meaning: 'is a number greater than or equal to the value' },
  lt: { operand: 'number', meaning: 'is a number less than the value' },
  lte: { operand: 'number', meaning: 'is a number less than or equal to the value' },
  exists: { operand: 'boolean', meaning: 'is present and not null (true), or absent or null (false)' },
  contains: { operand: 'scalar', meaning: 'is an array holding the value, or a string containing it' },
};

export const COMBINATORS = ['all', 'any', 'not'] as const;

export interface ConditionProblem {
  /** Path inside the `when` object (for positions). */
  readonly at: readonly (string | number)[];
  readonly message: string;
  /** Whether the problem is about the key at `at` rather than its value. */
  readonly onKey?: boolean;
}

const isScalar = (v: unknown): v is Scalar => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Anchored regex source, as compiled everywhere (`^(?:…)$`). */
export function anchored(pattern: string): string {
  return `^(?:${pattern})$`;
}

export function globToRegexSource(pattern: string): string {
  return anchored(
    pattern
      .split('*')
      .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('[\\s\\S]*'),
  );
}

/** Parses a `when` value (absent → match everything). Problems are collected, never thrown. */
export function parseWhen(when: unknown, problems: ConditionProblem[], at: (string | number)[] = []): Condition {
  if (when === undefined || when === null) return { op: 'all', of: [] };
  if (!isPlainObject(when)) {
    problems.push({ at, message: 'must be a map of field: condition (or all / any / not)' });
    return { op: 'all', of: [] };
  }
  const parts: Condition[] = [];
  for (const [key, value] of Object.entries(when)) {
    const here = [...at, key];
    if (key === 'all' || key === 'any') {
      if (!Array.isArray(value) || value.length === 0) {
        problems.push({ at: here, message: `${key} takes a non-empty list of conditions` });
        continue;
      }
      const of = value.map((v, i) => parseWhen(v, problems, [...here, i]));
      parts.push(key === 'all' ? { op: 'all', of } : { op: 'any', of });
    } else if (key === 'not') {
      parts.push({ op: 'not', of: parseWhen(value, problems, here) });
    } else {
      parts.push(...parseField(key, value, problems, here));
    }
  }
  return parts.length === 1 && at.length > 0 ? parts[0]! : { op: 'all', of: parts };
}

function parseField(path: string, value: unknown, problems: ConditionProblem[], at: (string | number)[]): FieldCondition[] {
  const parsed = parsePath(path);
  if (!parsed.ok) {
    problems.push({ at, onKey: true, message: `${parsed.error}${parsed.error.startsWith('unknown field') ? fieldHint(path) : ''}` });
    return [];
  }
  if (isScalar(value)) return [scalarCondition(path, value)];
  if (Array.isArray(value)) {
    const bad = value.findIndex((v) => !isScalar(v));
    if (bad >= 0) {
      problems.push({ at: [...at, bad], message: 'list values must be strings, numbers, booleans or null' });
      return [];
    }
    return [{ op: 'in', path, values: value as Scalar[] }];
  }
  if (!isPlainObject(value)) {
    problems.push({ at, message: 'must be a value, a list of values, or an operator map such as { gt: 5 }' });
    return [];
  }
  const out: FieldCondition[] = [];
  for (const [op, operand] of Object.entries(value)) {
    const spec = FIELD_OPERATORS[op as FieldOp];
    if (!Object.hasOwn(FIELD_OPERATORS, op) || !spec) {
      problems.push({ at: [...at, op], onKey: true, message: `unknown operator "${op}"${operatorHint(op)}` });
      continue;
    }
    const condition = operatorCondition(op as FieldOp, path, operand);
    if (typeof condition === 'string') problems.push({ at: [...at, op], message: condition });
    else out.push(condition);
  }
  if (Object.keys(value).length === 0) problems.push({ at, message: 'an operator map needs at least one operator' });
  return out;
}

function scalarCondition(path: string, value: Scalar): FieldCondition {
  return typeof value === 'string' && value.includes('*') ? { op: 'glob', path, pattern: value } : { op: 'eq', path, value };
}

/** Builds one operator condition, or says what is wrong with its operand. */
function operatorCondition(op: FieldOp, path: string, operand: unknown): FieldCondition | string {
  const { operand: kind } = FIELD_OPERATORS[op];
  switch (kind) {
    case 'scalar':
      return isScalar(operand) ? ({ op, path, value: operand } as FieldCondition) : `${op} takes a single value`;
    case 'list':
      return Array.isArray(operand) && operand.every(isScalar) ? ({ op, path, values: operand } as FieldCondition) : `${op} takes a list of values`;
    case 'number':
      return typeof operand === 'number' && Number.isFinite(operand) ? ({ op, path, value: operand } as FieldCondition) : `${op} takes a number`;
    case 'boolean':
      return typeof operand === 'boolean' ? ({ op, path, value: operand } as FieldCondition) : `${op} takes true or false`;
    case 'string': {
      if (typeof operand !== 'string' || operand === '') return `${op} takes a non-empty string`;
      if (op === 'regex') {
        try {
          new RegExp(anchored(operand));
        } catch (e) {
          return `invalid regular expression: ${e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e)}`;
        }
      }
      return { op, path, pattern: operand } as FieldCondition;
    }
  }
}

function fieldHint(path: string): string {
  const root = path.split(/[.[]/, 1)[0]!;
  const near = nearest(root, Object.keys(ROOT_NAMES));
  return near ? ` (did you mean "${near}"?)` : ` (fields: ${Object.keys(ROOT_NAMES).join(', ')})`;
}

/** Operators as other tools spell them, and ours. */
const OPERATOR_ALIASES: Readonly<Record<string, string>> = {
  equals: 'eq',
  equal: 'eq',
  '=': 'eq',
  '==': 'eq',
  is: 'eq',
  not_equals: 'ne',
  neq: 'ne',
  '!=': 'ne',
  one_of: 'in',
  not_one_of: 'not_in',
  nin: 'not_in',
  matches: 'regex',
  match: 'regex',
  '=~': 'regex',
  like: 'glob',
  has: 'exists',
  includes: 'contains',
  '>': 'gt',
  '>=': 'gte',
  '<': 'lt',
  '<=': 'lte',
  and: 'all',
  or: 'any',
};

function operatorHint(op: string): string {
  const alias = Object.hasOwn(OPERATOR_ALIASES, op.toLowerCase()) ? OPERATOR_ALIASES[op.toLowerCase()] : undefined;
  if (alias) return ` (did you mean "${alias}"?)`;
  const near = nearest(op, [...Object.keys(FIELD_OPERATORS), ...COMBINATORS]);
  return near ? ` (did you mean "${near}"?)` : ` (operators: ${Object.keys(FIELD_OPERATORS).join(', ')})`;
}
