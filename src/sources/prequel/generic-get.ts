/**
 * Prequel's `generic_get` delivery method: the event's payload as URL parameters on a GET instead of a JSON
 * body. Prequel documents that it exists and that every payload is signed (X-Prequel-Webhook-Signature), not how
 * the payload is flattened nor which bytes are signed. So, deliberately lenient where it loses nothing and
 * strict where it could be fooled:
 *
 *   Parameters read  `type`, `api_version` (or `version`), `created_at`, and `data` — either one parameter
 *                    holding the data as JSON (`data={"destination_id":…}`) or flattened, dotted or bracketed
 *                    (`data.destination_id=…`, `data[current_resource][name]=…`, numeric segments are array
 *                    indexes). Flattened values arrive as text: `true`, `false`, `null` and JSON numbers are
 *                    read as such, everything else stays a string. Other top-level parameters are kept on the
 *                    envelope (and ignored by normalization), so a parameter Prequel adds later loses nothing.
 *   Refused (400)    no `type`; no data; a parameter given twice; `data` both whole and flattened; `data` that
 *                    is not a JSON object; a path that is both a value and a container; nesting past 64.
 *   Signed bytes     `<timestamp>.<query>` where <query> is the query string exactly as received (after `?`),
 *                    or its canonical form (parameters sorted by name, RFC 3986 percent-encoding) — whichever
 *                    verifies. A source with `token:` authenticates as it does for POST (bearer or path token).
 *   Event id         `pq_` + SHA-256 of the canonical query, so a re-send of the same parameters in another
 *                    order, with a new timestamp and signature, is still a duplicate.
 * Pure.
 */
import { err, ok, type Result } from '../../core/result.ts';
import type { IngestError } from '../../core/errors.ts';
import { MAX_JSON_DEPTH } from '../../core/limits.ts';

const bad = (detail: string): Result<never, IngestError> => err({ reason: 'malformed_query', detail });

/** The query's parameters sorted by name (then value), each RFC 3986 percent-encoded: one text per payload. */
export function canonicalQuery(params: URLSearchParams): string {
  const enc = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return [...params]
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${enc(k)}=${enc(v)}`)
    .join('&');
}

/** The forms of the query a signature may cover: as received, and canonical (deduplicated). */
export function signedQueryForms(rawQuery: string, params: URLSearchParams): string[] {
  return [...new Set([rawQuery, canonicalQuery(params)])];
}

/** `data.a.b`, `data[a][b]`, `data[a].b` → ['a', 'b']; null when the key is not under data. */
function dataPath(key: string): string[] | null | 'malformed' {
  if (key === 'data') return [];
  if (!key.startsWith('data.') && !key.startsWith('data[')) return null;
  const rest = key.slice(4);
  const segments: string[] = [];
  const re = /\.([^.[\]]+)|\[([^[\]]*)\]/y;
  let at = 0;
  while (at < rest.length) {
    re.lastIndex = at;
    const m = re.exec(rest);
    if (!m) return 'malformed';
    const segment = m[1] ?? m[2]!;
    if (segment === '') return 'malformed';
    segments.push(segment);
    at = re.lastIndex;
  }
  return segments;
}

/** Flattened text as the JSON value it most plausibly was. */
function typed(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (text === 'null') return null;
  if (/^-?(?:0|[1-9]\d{0,15})(?:\.\d+)?(?:[eE][+-]?\d+)?$/.test(text)) return Number(text);
  return text;
}

/** The envelope Prequel would have POSTed, rebuilt from the GET's parameters (see the header). */
export function envelopeFromQuery(params: URLSearchParams): Result<Record<string, unknown>, IngestError> {
  const seen = new Set<string>();
  const envelope: Record<string, unknown> = {};
  let whole: unknown;
  const flat: [string[], string][] = [];
  for (const [key, value] of params) {
    if (seen.has(key)) return bad(`parameter "${key.slice(0, 64)}" is given twice`);
    seen.add(key);
    const path = dataPath(key);
    if (path === 'malformed') return bad(`parameter "${key.slice(0, 64)}" is not data.<field> or data[<field>]…`);
    if (path === null) {
      envelope[key] = value;
      continue;
    }
    if (path.length === 0) {
      try {
        whole = JSON.parse(value);
      } catch {
        return bad('"data" is not JSON (give the data as JSON in one parameter, or flattened: data.<field>=…)');
      }
      if (typeof whole !== 'object' || whole === null || Array.isArray(whole)) return bad('"data" is not a JSON object');
    } else {
      if (path.length > MAX_JSON_DEPTH) return bad(`parameter "${key.slice(0, 64)}" nests deeper than ${MAX_JSON_DEPTH} levels`);
      flat.push([path, value]);
    }
  }
  if (typeof envelope.type !== 'string' || envelope.type === '') return bad('no "type" parameter (e.g. type=transfer.error)');
  if (whole !== undefined && flat.length > 0) return bad('"data" is given both as JSON and flattened');
  if (whole === undefined && flat.length === 0) return bad('no data: give data={…} or data.<field>=… parameters');
  if (whole !== undefined) return ok({ ...envelope, data: whole });
  const data: Record<string, unknown> = {};
  for (const [path, value] of flat) {
    const placed = place(data, path, typed(value));
    if (!placed.ok) return placed;
  }
  return ok({ ...envelope, data });
}

function place(root: Record<string, unknown>, path: readonly string[], value: unknown): Result<void, IngestError> {
  let node: Record<string, unknown> | unknown[] = root;
  for (const [i, segment] of path.entries()) {
    const last = i === path.length - 1;
    const index = Array.isArray(node) ? Number(segment) : NaN;
    if (Array.isArray(node) && !(Number.isInteger(index) && index >= 0 && index < 1000)) return bad(`"${path.join('.')}": "${segment}" is not an array index`);
    const container = node as Record<string, unknown>;
    const key = Array.isArray(node) ? index : segment;
    if (key === '__proto__' || key === 'constructor' || key === 'prototype') return bad(`"${path.join('.')}": field "${segment}" is not allowed`);
    const existing = container[key as string];
    if (last) {
      if (existing !== undefined) return bad(`"data.${path.join('.')}" is both a value and a container`);
      container[key as string] = value;
      return ok(undefined);
    }
    if (existing === undefined) {
      const child: Record<string, unknown> | unknown[] = /^\d+$/.test(path[i + 1]!) ? [] : {};
      container[key as string] = child;
      node = child;
    } else if (typeof existing === 'object' && existing !== null) {
      node = existing as Record<string, unknown> | unknown[];
    } else {
      return bad(`"data.${path.slice(0, i + 1).join('.')}" is both a value and a container`);
    }
  }
  return ok(undefined);
}
