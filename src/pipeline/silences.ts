/**
 * Silences (Alertmanager's): created at run time through the admin API, stored in the control Durable Object,
 * each with matchers, a start, an end, an author and a comment. A silence matches a delivery when every part
 * it gives holds: `when` (the rules' own condition language, on the event), `targets`, `routes`, and
 * `alert_key` (a glob). Resolves are never silenced. Pure: parsing and matching only.
 */
import type { CanonicalEvent } from '../core/event.ts';
import { compileCondition, type Predicate } from '../rules/compile.ts';
import { globToRegexSource, parseWhen, type ConditionProblem } from '../rules/conditions.ts';
import { closest } from '../core/suggest.ts';
import { parseDuration } from '../core/units.ts';
import type { Silence } from '../core/delivery.ts';

/** The longest a silence may last, and how far ahead it may start: a year. */
export const MAX_SILENCE_MS = 366 * 86_400_000;
/** The largest time a Date can hold (±8.64e15 ms, ECMA-262 §21.4.1.1). */
const MAX_TIME_MS = 8.64e15;

/** A time as RFC 3339, or a placeholder when it is outside what a Date can hold (never a RangeError). */
export function isoOrInvalid(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) <= MAX_TIME_MS ? new Date(ms).toISOString() : `invalid time (${String(ms)})`;
}

/**
 * The window a silence asked for through the API, checked: an RFC 3339 start (default now), then `ends_at`
 * or a `duration`, within what makes sense (ends after now and after it starts, lasts at most a year,
 * starts at most a year ahead). Every problem quotes the value it got.
 */
export function silenceWindow(
  b: { starts_at?: unknown; ends_at?: unknown; duration?: unknown },
  now: number,
): { startsAt: number; endsAt: number } | { problems: string[] } {
  const problems: string[] = [];
  const quote = (v: unknown): string => JSON.stringify(typeof v === 'string' ? v.slice(0, 40) : v) ?? String(v);
  let startsAt = now;
  if (b.starts_at !== undefined) {
    startsAt = typeof b.starts_at === 'string' ? Date.parse(b.starts_at) : NaN;
    if (Number.isNaN(startsAt)) problems.push(`starts_at must be an RFC 3339 time such as 2026-12-03T14:00:00Z (got ${quote(b.starts_at)})`);
    else if (startsAt > now + MAX_SILENCE_MS) problems.push(`starts_at ${quote(b.starts_at)} is more than a year ahead`);
  }
  let endsAt = NaN;
  if (b.ends_at !== undefined && b.duration !== undefined) problems.push('give ends_at or duration, not both');
  else if (b.ends_at !== undefined) {
    endsAt = typeof b.ends_at === 'string' ? Date.parse(b.ends_at) : NaN;
    if (Number.isNaN(endsAt)) problems.push(`ends_at must be an RFC 3339 time such as 2026-12-03T18:00:00Z (got ${quote(b.ends_at)})`);
  } else if (b.duration !== undefined) {
    const ms = typeof b.duration === 'string' ? parseDuration(b.duration) : null;
    if (ms === null || ms <= 0) problems.push(`duration must be a positive duration such as 30m, 2h or 3d (got ${quote(b.duration)})`);
    else if (ms > MAX_SILENCE_MS) problems.push(`duration ${quote(b.duration)} is longer than a silence may last (366d)`);
    else endsAt = startsAt + ms;
  } else problems.push('give ends_at (RFC 3339) or duration (e.g. 2h)');
  if (problems.length === 0) {
    if (endsAt <= Math.max(now, startsAt)) problems.push('the silence must end in the future, after it starts');
    else if (endsAt - startsAt > MAX_SILENCE_MS)
      problems.push(`ends_at ${quote(b.ends_at)} is more than a year after the start (a silence lasts at most 366d)`);
  }
  return problems.length > 0 ? { problems } : { startsAt, endsAt };
}

/** Why a stored silence cannot be applied (times out of range, matchers that do not compile), or null. */
export function storedSilenceProblem(s: Pick<Silence, 'startsAt' | 'endsAt' | 'matchers'>): string | null {
  for (const [name, v] of [
    ['starts_at', s.startsAt],
    ['ends_at', s.endsAt],
  ] as const)
    if (!Number.isFinite(v) || Math.abs(v) > MAX_TIME_MS) return `${name} is not a valid time (${String(v)})`;
  if (typeof s.matchers !== 'object' || s.matchers === null) return 'matchers are unreadable';
  if (s.matchers.when !== undefined) {
    const found: ConditionProblem[] = [];
    parseWhen(s.matchers.when, found, ['when']);
    if (found.length > 0) return `matchers.when: ${found[0]!.message}`;
  }
  return null;
}

export interface SilenceSubject {
  readonly event: CanonicalEvent;
  readonly route: string;
  readonly target: string;
  readonly alertKey: string | null;
}

/** Checks matchers as given through the API; returns every problem, named. */
export function checkMatchers(m: unknown, names: { targets: readonly string[]; routes: readonly string[] }): string[] {
  if (typeof m !== 'object' || m === null || Array.isArray(m))
    return ['matchers must be an object: {"when": …, "targets": […], "routes": […], "alert_key": "…"}'];
  const matchers = m as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(matchers))
    if (!['when', 'targets', 'routes', 'alert_key'].includes(key)) problems.push(`unknown matcher "${key}" (when, targets, routes, alert_key)`);
  if (matchers.when === undefined && matchers.targets === undefined && matchers.routes === undefined && matchers.alert_key === undefined)
    problems.push('a silence needs at least one matcher: when, targets, routes or alert_key (silencing everything is not allowed)');
  if (matchers.when !== undefined) {
    const found: ConditionProblem[] = [];
    parseWhen(matchers.when, found, ['when']);
    for (const p of found) problems.push(`${p.at.join('.')}: ${p.message}`);
  }
  for (const [key, known] of [
    ['targets', names.targets],
    ['routes', names.routes],
  ] as const) {
    const list = matchers[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0 || list.some((x) => typeof x !== 'string')) {
      problems.push(`${key} must be a non-empty list of names`);
      continue;
    }
    for (const name of list as string[]) {
      if (known.includes(name)) continue;
      const near = closest(name, known);
      problems.push(`${key}: no ${key.slice(0, -1)} "${name}" in the rules${near ? ` (did you mean "${near}"?)` : ` (${key}: ${known.join(', ')})`}`);
    }
  }
  if (matchers.alert_key !== undefined && (typeof matchers.alert_key !== 'string' || matchers.alert_key === ''))
    problems.push('alert_key must be a non-empty string (a glob)');
  return problems;
}

const compiled = new Map<string, (s: SilenceSubject) => boolean>();

/** The matcher of a silence, compiled once per isolate. */
export function silenceMatcher(silence: Silence): (s: SilenceSubject) => boolean {
  let match = compiled.get(silence.id);
  if (match) return match;
  // A silence that cannot be applied as stored silences nothing (fail safe: the page goes out).
  if (storedSilenceProblem(silence) !== null) {
    compiled.set(silence.id, (match = () => false));
    return match;
  }
  const m = silence.matchers;
  const when: Predicate | null = m.when === undefined ? null : compileCondition(parseWhen(m.when, []));
  const key = m.alert_key === undefined ? null : new RegExp(globToRegexSource(m.alert_key));
  match = (s) =>
    (!m.targets || m.targets.includes(s.target)) &&
    (!m.routes || m.routes.includes(s.route)) &&
    (!key || (s.alertKey !== null && key.test(s.alertKey))) &&
    (!when || when(s.event));
  compiled.set(silence.id, match);
  return match;
}

/**
 * The first active silence that matches, or null. Fails safe: a broken silence, or one whose matcher throws,
 * silences nothing (the page goes out; the silence is reported broken where silences are listed).
 */
export function silencedBy(silences: readonly Silence[], subject: SilenceSubject, now: number): Silence | null {
  return (
    silences.find((s) => {
      if (s.broken || !(s.startsAt <= now && now < s.endsAt)) return false;
      try {
        return silenceMatcher(s)(subject);
      } catch {
        return false;
      }
    }) ?? null
  );
}

export function silenceNote(s: Silence): string {
  return `silenced by ${s.id} until ${isoOrInvalid(s.endsAt)} (${s.createdBy}: ${s.comment.slice(0, 120)})`;
}
