/**
 * The replay window shared by timestamped schemes: too old or too far ahead is rejected. Pure.
 */
import type { IngestError } from '../core/errors.ts';
import { err, ok, type Result } from '../core/result.ts';

export function checkWindow(sentAt: number, now: number, maxAgeMs: number, maxFutureMs: number): Result<void, IngestError> {
  const age = now - sentAt;
  if (age > maxAgeMs) return err({ reason: 'timestamp_too_old', detail: `sent ${Math.round(age / 1000)}s ago; window is ${maxAgeMs / 1000}s` });
  if (-age > maxFutureMs) return err({ reason: 'timestamp_in_future', detail: `sent ${Math.round(-age / 1000)}s ahead; allowed ${maxFutureMs / 1000}s` });
  return ok(undefined);
}

/** RFC 3339 date-time (with `T` or space, optional fraction, `Z` or an offset). */
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$/;

export function parseRfc3339(text: string): number | null {
  if (!RFC3339_RE.test(text)) return null;
  const ms = Date.parse(text.replace(' ', 'T'));
  return Number.isNaN(ms) ? null : ms;
}
