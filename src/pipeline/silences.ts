/**
 * Silences (Alertmanager's): created at run time through the admin API, stored in the control Durable Object,
 * each with matchers, a start, an end, an author and a comment. A silence matches a delivery when every part
 * it gives holds: `when` (the rules' own condition language, on the event), `targets`, `routes`, and
 * `alert_key` (a glob). Resolves are never silenced. Pure: parsing and matching only.
 */
import type { CanonicalEvent } from '../core/event.ts';
import { compileCondition, type Predicate } from '../rules/compile.ts';
import { globToRegexSource, parseWhen, type ConditionProblem } from '../rules/conditions.ts';

export interface SilenceMatchers {
  readonly when?: unknown;
  readonly targets?: readonly string[];
  readonly routes?: readonly string[];
  readonly alert_key?: string;
}

export interface Silence {
  readonly id: string;
  readonly matchers: SilenceMatchers;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdAt: number;
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
    for (const name of list as string[]) if (!known.includes(name)) problems.push(`${key}: no ${key.slice(0, -1)} "${name}" in the rules`);
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

/** The first active silence that matches, or null. */
export function silencedBy(silences: readonly Silence[], subject: SilenceSubject, now: number): Silence | null {
  return silences.find((s) => s.startsAt <= now && now < s.endsAt && silenceMatcher(s)(subject)) ?? null;
}

export function silenceNote(s: Silence): string {
  return `silenced by ${s.id} until ${new Date(s.endsAt).toISOString()} (${s.createdBy}: ${s.comment.slice(0, 120)})`;
}
