/**
 * Paths into the canonical event as rules write them: `type`, `data.transfer_blamed_party`,
 * `data.models[0]`, `payload.metadata.correlation_id`, `data.models[*]` (any element). Parsed once; the
 * resulting getter is a closure. Pure: no I/O.
 */
import { err, ok, type Result } from './result.ts';

/** Top-level fields a rule may start from, with vendor-native aliases (Prelude calls its data `payload`). */
export const ROOT_FIELDS: Readonly<Record<string, readonly string[]>> = {
  source: ['source'],
  kind: ['kind'],
  type: ['type'],
  id: ['id'],
  data: ['data'],
  payload: ['data'],
  occurred_at: ['occurredAt'],
  received_at: ['receivedAt'],
  correlation_id: ['correlationId'],
  meta: ['meta'],
  app_id: ['meta', 'appId'],
  api_version: ['meta', 'apiVersion'],
};

export type Segment = string | number | typeof ANY;
/** `[*]`: the condition holds when it holds for some element of the array. */
export const ANY = Symbol('any element');

const SEGMENT_RE = /([^.[\]]+)|\[(\d+|\*)\]/gy;

/** Parses `a.b[0].c[*]` into segments, resolving the root alias. */
export function parsePath(text: string): Result<Segment[], string> {
  if (text === '') return err('empty path');
  const out: Segment[] = [];
  SEGMENT_RE.lastIndex = 0;
  let pos = 0;
  let expectDot = false;
  while (pos < text.length) {
    if (expectDot) {
      if (text[pos] === '.') pos++;
      else if (text[pos] !== '[') return err(`unexpected "${text[pos]}" at ${pos + 1}`);
      if (text[pos - 1] === '.' && (pos === text.length || text[pos] === '.')) return err(`empty name at ${pos + 1} (two dots, or a dot at the end)`);
    }
    SEGMENT_RE.lastIndex = pos;
    const m = SEGMENT_RE.exec(text);
    if (!m) return err(`cannot read "${text.slice(pos)}"`);
    if (m[1] !== undefined) out.push(m[1]);
    else out.push(m[2] === '*' ? ANY : Number(m[2]));
    pos = SEGMENT_RE.lastIndex;
    expectDot = true;
  }
  const root = out[0];
  if (typeof root !== 'string' || !Object.hasOwn(ROOT_FIELDS, root)) return err(`unknown field "${String(root)}"`);
  if (out.length > 1 && !['data', 'payload', 'meta'].includes(root)) return err(`"${root}" has no fields`);
  return ok([...ROOT_FIELDS[root]!, ...out.slice(1)]);
}

/** Reads a value at plain segments (no `[*]`); undefined when any step is missing. */
export function readPath(value: unknown, segments: readonly (string | number)[]): unknown {
  let cur = value;
  for (const s of segments) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[s];
  }
  return cur;
}

export type Getter = (event: unknown) => unknown;

/**
 * A specialised reader for segments without `[*]` (the common, fast case). Plain property reads, except
 * for names that objects inherit (`constructor`, `toString`, …), which are read as own properties only, so
 * `data.constructor` is missing unless the event really has it.
 */
export function compileGetter(segments: readonly (string | number)[]): Getter {
  if (segments.some((s) => typeof s === 'string' && s in Object.prototype)) {
    return (e) => {
      let cur = e;
      for (const s of segments)
        cur = cur !== null && typeof cur === 'object' && Object.hasOwn(cur, s) ? (cur as Record<string | number, unknown>)[s] : undefined;
      return cur;
    };
  }
  type Rec = Record<string | number, unknown> | null | undefined;
  switch (segments.length) {
    case 1: {
      const [a] = segments as [string];
      return (e) => (e as Rec)?.[a];
    }
    case 2: {
      const [a, b] = segments as [string, string];
      return (e) => ((e as Rec)?.[a] as Rec)?.[b];
    }
    case 3: {
      const [a, b, c] = segments as [string, string, string];
      return (e) => (((e as Rec)?.[a] as Rec)?.[b] as Rec)?.[c];
    }
    default:
      return (e) => {
        let cur = e;
        for (const s of segments) cur = (cur as Rec)?.[s];
        return cur;
      };
  }
}

/**
 * A predicate over a path: with `[*]` segments the test holds when it holds for some element reached
 * through them (and never for a missing array).
 */
export function compilePathTest(segments: readonly Segment[], test: (value: unknown) => boolean): (event: unknown) => boolean {
  const star = segments.indexOf(ANY);
  if (star < 0) {
    const get = compileGetter(segments as (string | number)[]);
    return (e) => test(get(e));
  }
  const head = compileGetter(segments.slice(0, star) as (string | number)[]);
  const rest = compilePathTest(segments.slice(star + 1), test);
  return (e) => {
    const list = head(e);
    return Array.isArray(list) && list.some((item) => rest(item));
  };
}

/** Every value reachable at a path (expanding `[*]`), for explanations. */
export function valuesAt(event: unknown, segments: readonly Segment[]): unknown[] {
  const star = segments.indexOf(ANY);
  if (star < 0) return [readPath(event, segments as (string | number)[])];
  const list = readPath(event, segments.slice(0, star) as (string | number)[]);
  return Array.isArray(list) ? list.flatMap((item) => valuesAt(item, segments.slice(star + 1))) : [];
}
