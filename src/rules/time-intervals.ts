/**
 * Named time intervals (Alertmanager's `time_intervals`): weekdays, times of day, days of the month, months
 * and years, read in an IANA time zone, so "business hours in Paris" stays right across daylight-saving
 * changes. Routes use them as `active_when` (send only inside) and `mute_when` (never send inside). Pure: the
 * instant is passed in; the zone arithmetic is the runtime's Intl (ICU), never a hand-made offset table.
 */

export interface TimeIntervalSpec {
  /** Inclusive ranges of weekdays, 0 = Sunday … 6 = Saturday. */
  readonly weekdays: readonly (readonly [number, number])[] | null;
  /** Minutes of the day, [start, end). */
  readonly times: readonly (readonly [number, number])[] | null;
  /** Inclusive ranges of days; negative counts from the month's end (-1 = its last day). */
  readonly daysOfMonth: readonly (readonly [number, number])[] | null;
  readonly months: readonly (readonly [number, number])[] | null;
  readonly years: readonly (readonly [number, number])[] | null;
  /** IANA time zone, e.g. Europe/Paris (default UTC). */
  readonly location: string;
}

/** The raw form in rules.yaml. */
export interface TimeIntervalInput {
  readonly weekdays?: readonly string[];
  readonly times?: readonly { readonly start: string; readonly end: string }[];
  readonly days_of_month?: readonly string[];
  readonly months?: readonly string[];
  readonly years?: readonly string[];
  readonly location?: string;
}

const WEEKDAYS = ['sunday', 'monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday'];
const MONTHS = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'];

type Problem = { readonly path: (string | number)[]; readonly message: string };

/** Parses one interval, pushing every problem (with its path) instead of stopping at the first. */
export function parseTimeInterval(input: TimeIntervalInput, problems: Problem[], at: (string | number)[] = []): TimeIntervalSpec {
  const ranges = (
    key: 'weekdays' | 'days_of_month' | 'months' | 'years',
    item: (s: string) => number | null,
    check: (a: number, b: number) => string | null,
  ): [number, number][] | null => {
    const list = input[key];
    if (!list) return null;
    return list.map((text, i) => {
      const parts = String(text).split(':');
      const a = parts[0] ?? '';
      const b = parts.length > 1 ? parts[1]! : a;
      const lo = item(a.trim().toLowerCase());
      const hi = item(b.trim().toLowerCase());
      const problem = lo === null || hi === null ? `"${text}" is not a valid ${key.replace(/_/g, ' ')} entry` : check(lo, hi);
      if (problem) problems.push({ path: [...at, key, i], message: problem });
      return [lo ?? 0, hi ?? 0];
    });
  };
  const integer = (s: string): number | null => (/^-?\d+$/.test(s) ? Number(s) : null);
  const weekdays = ranges(
    'weekdays',
    (s) => (WEEKDAYS.includes(s) ? WEEKDAYS.indexOf(s) : null),
    (a, b) => (a > b ? 'a weekday range runs forward, e.g. monday:friday' : null),
  );
  const daysOfMonth = ranges('days_of_month', integer, (a, b) =>
    a === 0 || b === 0 || Math.abs(a) > 31 || Math.abs(b) > 31
      ? 'days of the month are 1 to 31, or -1 (the last day) to -31'
      : Math.sign(a) === Math.sign(b) && a > b
        ? 'a day range runs forward, e.g. 1:7 or -7:-1'
        : null,
  );
  const months = ranges(
    'months',
    (s) => (MONTHS.includes(s) ? MONTHS.indexOf(s) + 1 : (integer(s) ?? null)),
    (a, b) => (a < 1 || b > 12 ? 'months are january … december or 1 … 12' : a > b ? 'a month range runs forward, e.g. march:may' : null),
  );
  const years = ranges('years', integer, (a, b) => (a < 1970 || a > b ? 'a year range such as 2026 or 2026:2027' : null));
  const times = input.times
    ? input.times.map((t, i) => {
        const start = minutesOf(t.start);
        const end = minutesOf(t.end);
        if (start === null || end === null || end <= start)
          problems.push({ path: [...at, 'times', i], message: 'times are {start: "HH:MM", end: "HH:MM"} with end after start (end may be 24:00)' });
        return [start ?? 0, end ?? 0] as [number, number];
      })
    : null;
  const location = input.location ?? 'UTC';
  if (!isTimeZone(location)) problems.push({ path: [...at, 'location'], message: `unknown time zone "${location}" (an IANA name such as Europe/Paris)` });
  return { weekdays, times, daysOfMonth, months, years, location };
}

function minutesOf(text: string): number | null {
  const m = /^(\d\d):(\d\d)$/.exec(text);
  if (!m) return null;
  const h = Number(m[1]);
  const min = Number(m[2]);
  if (min > 59 || h > 24 || (h === 24 && min !== 0)) return null;
  return h * 60 + min;
}

export function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}

interface LocalTime {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly weekday: number;
  readonly minutes: number;
}

const formats = new Map<string, Intl.DateTimeFormat>();
const SHORT_WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];

/** The wall-clock reading of an instant in a zone. */
export function localTime(ms: number, location: string): LocalTime {
  let f = formats.get(location);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: location,
      hourCycle: 'h23',
      weekday: 'short',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
    });
    formats.set(location, f);
  }
  const parts: Record<string, string> = {};
  for (const p of f.formatToParts(ms)) parts[p.type] = p.value;
  return {
    year: Number(parts.year),
    month: Number(parts.month),
    day: Number(parts.day),
    weekday: SHORT_WEEKDAYS.indexOf(parts.weekday!),
    minutes: Number(parts.hour) * 60 + Number(parts.minute),
  };
}

const within = (ranges: readonly (readonly [number, number])[] | null, v: number): boolean => !ranges || ranges.some(([a, b]) => v >= a && v <= b);

/** True when the instant falls inside the interval (every given part must hold; absent parts always do). */
export function inTimeInterval(spec: TimeIntervalSpec, ms: number): boolean {
  const t = localTime(ms, spec.location);
  if (!within(spec.weekdays, t.weekday) || !within(spec.months, t.month) || !within(spec.years, t.year)) return false;
  if (spec.daysOfMonth) {
    const daysInMonth = new Date(Date.UTC(t.year, t.month, 0)).getUTCDate();
    const ok = spec.daysOfMonth.some(([a, b]) => {
      const from = a < 0 ? daysInMonth + a + 1 : a;
      const to = b < 0 ? daysInMonth + b + 1 : b;
      return t.day >= from && t.day <= to;
    });
    if (!ok) return false;
  }
  return !spec.times || spec.times.some(([a, b]) => t.minutes >= a && t.minutes < b);
}

/** A named interval is a list of specs: the instant is inside when any of them holds. */
export function inAnyInterval(specs: readonly TimeIntervalSpec[], ms: number): boolean {
  return specs.some((s) => inTimeInterval(s, ms));
}

/** Why a route should not send now, or null: outside every `active_when`, or inside a `mute_when`. */
export function timeMute(
  route: { readonly activeWhen?: readonly string[]; readonly muteWhen?: readonly string[] },
  intervals: Readonly<Record<string, readonly TimeIntervalSpec[]>>,
  ms: number,
): string | null {
  for (const name of route.muteWhen ?? []) if (intervals[name] && inAnyInterval(intervals[name], ms)) return `muted: inside mute_when "${name}"`;
  const active = route.activeWhen ?? [];
  if (active.length > 0 && !active.some((name) => intervals[name] && inAnyInterval(intervals[name], ms)))
    return `muted: outside active_when ${active.map((n) => `"${n}"`).join(', ')}`;
  return null;
}

const MINUTE = 60_000;

/**
 * The first instant at or after `ms` when the route's windows let it send, or null if none within a year.
 * A scan, since intervals are wall-clock rules in their own zones (DST included): minute by minute for the
 * first 8 days, every 5 minutes to day 35, hourly to a year — each later step refined back to the minute. A
 * window shorter than the step it falls in (a 3-minute window a month away) can be stepped over.
 */
export function nextUnmuted(
  route: { readonly activeWhen?: readonly string[]; readonly muteWhen?: readonly string[] },
  intervals: Readonly<Record<string, readonly TimeIntervalSpec[]>>,
  ms: number,
): number | null {
  const muted = (t: number) => timeMute(route, intervals, t) !== null;
  if (!muted(ms)) return ms;
  const start = Math.ceil(ms / MINUTE) * MINUTE;
  const phases: [number, number][] = [
    [8 * 1440 * MINUTE, MINUTE],
    [35 * 1440 * MINUTE, 5 * MINUTE],
    [366 * 1440 * MINUTE, 60 * MINUTE],
  ];
  let t = start;
  for (const [until, step] of phases) {
    for (; t <= start + until; t += step) {
      if (muted(t)) continue;
      // Refine back to the first free minute after the last muted sample.
      let first = t;
      while (first - MINUTE > t - step && first - MINUTE >= start && !muted(first - MINUTE)) first -= MINUTE;
      return first;
    }
  }
  return null;
}

/** "Mon 2026-12-07 09:00 Europe/Paris". */
export function localText(ms: number, location: string): string {
  const t = localTime(ms, location);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${SHORT_WEEKDAYS[t.weekday]} ${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(Math.floor(t.minutes / 60))}:${pad(t.minutes % 60)} ${location}`;
}

/** The zone a route's windows are read in (its first named interval's), for showing times; UTC if none. */
export function windowZone(
  route: { readonly activeWhen?: readonly string[]; readonly muteWhen?: readonly string[] },
  intervals: Readonly<Record<string, readonly TimeIntervalSpec[]>>,
): string {
  const name = [...(route.muteWhen ?? []), ...(route.activeWhen ?? [])].find((n) => intervals[n]?.length);
  return name ? intervals[name]![0]!.location : 'UTC';
}
