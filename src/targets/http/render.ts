/**
 * A generic HTTP request for one notification: POST/PUT/PATCH with a JSON body (the canonical event, or the
 * route's `body` template), or GET with the payload flattened into query parameters (dotted keys, like
 * Prequel's own `generic_get`). URL and header values keep their `${NAME}` references until send time.
 * Pure: no I/O.
 */
import { prepare } from '../../render/overrides.ts';
import type { HttpTargetConfig } from './config.ts';
import type { Rendered, RenderInput } from '../../render/overrides.ts';

/** Query strings past ~8 KB are refused by many servers and proxies. */
export const HTTP_GET_QUERY_MAX = 8 * 1024;

export interface HttpRequestSpec {
  readonly method: HttpTargetConfig['method'];
  /** Extra query parameters (GET). */
  readonly query: readonly (readonly [string, string])[];
  readonly body: string | null;
  readonly contentType: string | null;
  /** Facts about the notification, sent as X-Switchyard-* headers. */
  readonly meta: { readonly route: string; readonly severity: string; readonly eventId: string; readonly eventType: string };
}

/** `{a: {b: [1, 2]}}` → `a.b.0=1`, `a.b.1=2`. */
export function flatten(value: unknown, prefix = '', out: [string, string][] = []): [string, string][] {
  if (value === null || value === undefined) {
    if (prefix) out.push([prefix, '']);
  } else if (Array.isArray(value)) value.forEach((v, i) => flatten(v, prefix ? `${prefix}.${i}` : String(i), out));
  else if (typeof value === 'object') for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  else out.push([prefix, String(value)]);
  return out;
}

/** The parameter names a target's URL sets literally (its `${NAME}` references are not resolved here). */
export function fixedQueryKeys(url: string): Set<string> {
  const q = url.indexOf('?');
  if (q < 0) return new Set();
  return new Set(new URLSearchParams(url.slice(q + 1).split('#')[0]).keys());
}

export function renderHttp(input: RenderInput, config: HttpTargetConfig): Rendered<HttpRequestSpec> {
  const p = prepare(input);
  const meta = { route: input.route.name, severity: p.severity, eventId: input.event.id, eventType: input.event.type };
  const bodyText = p.part('body', JSON.stringify(input.event));
  return { payload: packRequest(config, bodyText, meta, p.notes), notes: p.notes };
}

/** A body as the target's method sends it: JSON (or text) for POST/PUT/PATCH, query parameters for GET. */
export function packRequest(config: HttpTargetConfig, bodyText: string, meta: HttpRequestSpec['meta'], notes: string[]): HttpRequestSpec {
  if (config.method === 'GET') {
    let pairs: [string, string][];
    try {
      pairs = flatten(JSON.parse(bodyText));
    } catch {
      pairs = [['body', bodyText]];
    }
    // Parameters the target's URL sets itself stay as the URL has them (an api_key is never overridden).
    const fixed = fixedQueryKeys(config.url);
    const clashing = pairs.filter(([k]) => fixed.has(k)).map(([k]) => k);
    if (clashing.length > 0) {
      pairs = pairs.filter(([k]) => !fixed.has(k));
      notes.push(
        `query parameter${clashing.length > 1 ? 's' : ''} ${[...new Set(clashing)].join(', ')} left out: the target's url sets ${clashing.length > 1 ? 'them' : 'it'}`,
      );
    }
    // Longest values go first when the URL would be too long; the receiver is told.
    let size = pairs.reduce((n, [k, v]) => n + k.length + v.length + 2, 0);
    if (size > HTTP_GET_QUERY_MAX) {
      const byLength = [...pairs].sort((a, b) => b[1].length - a[1].length);
      const dropped = new Set<string>();
      for (const [k, v] of byLength) {
        if (size <= HTTP_GET_QUERY_MAX - 32) break;
        dropped.add(k);
        size -= encodeURIComponent(v).length;
      }
      pairs = [...pairs.filter(([k]) => !dropped.has(k)), ['_truncated', [...dropped].join(',')]];
    }
    return { method: 'GET', query: pairs, body: null, contentType: null, meta };
  }
  let contentType = 'application/json';
  try {
    JSON.parse(bodyText);
  } catch {
    contentType = 'text/plain; charset=utf-8';
  }
  return { method: config.method, query: [], body: bodyText, contentType, meta };
}
