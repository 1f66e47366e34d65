/**
 * `switchyard check [rules.yaml]`, `switchyard explain <event.json>`, `switchyard test [rules.test.yaml]`:
 * the rules file checked, explained and tested offline, with exit codes for CI (0 ok, 1 problems or failed
 * cases, 2 usage or unreadable input).
 */
import { existsSync, readFileSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { formatProblems, loadRules, sourceTypes, type LoadedRules } from '../rules/load.ts';
import { coverage, gapText } from '../rules/catalogue-check.ts';
import { catalogueOf } from '../core/catalogue.ts';
import type { RouteConfig, RulesConfig } from '../rules/config.ts';
import { compileRuleSet } from '../rules/ruleset.ts';
import { kindOf, renderNotification, type Notification } from '../targets/registry.ts';
import { groupKeyText, groupLabels } from '../pipeline/group-key.ts';
import { durationText, parseInstant } from '../core/units.ts';
import { localText, nextUnmuted, timeMute, windowZone } from '../rules/time-intervals.ts';
import { payloadToEvents } from './events.ts';
import { runRulesTests } from './rules-tests.ts';
import { exportEvents, replayDiff } from './replay.ts';
import type { Fetch } from './recorded.ts';

const COMMANDS = {
  check: `switchyard check [rules.yaml]
  Validates the rules file (default: rules.yaml, else rules.example.yaml): every problem with its line and
  column, warnings for risky regexes, and the secrets a deploy needs (wrangler secret put NAME).
  Exit codes: 0 valid, 1 problems, 2 file not found.`,
  explain: `switchyard explain <event.json> [--rules file] [--source name] [--at time] [--json]
  Shows each route's decision for a raw vendor payload (as saved from a webhook), and what every target
  would receive. Time windows (active_when / mute_when) are read at --at (RFC 3339, e.g.
  2026-12-06T03:00:00+01:00; default: now): a muted route says which window decided and when it sends
  again. --source names the source when the payload's shape does not tell; --json prints the full payloads.
  Exit codes: 0 explained, 1 rules problems, 2 usage or unreadable input.`,
  test: `switchyard test [rules.test.yaml] [--rules file]
  Runs routing test cases against the file the relay deploys (rules.yaml, else rules.example.yaml), or the one
  --rules names, and says which. Exit codes: 0 all passed, 1 a case failed or the rules have problems, 2 usage.`,
  events: `switchyard events export --from <relay URL> [--since 7d] [--until time] [--source name] [--type type] [--token-env NAME]
  Prints the relay's recorded events, newest first, one JSON object a line (key, accepted_at, event, routing):
  switchyard events export --from https://relay.example.com --since 7d > events.jsonl
  The admin token is read from SWITCHYARD_ADMIN_TOKEN (or the variable --token-env names), never an argument.
  Exit codes: 0 exported, 2 usage, unreachable relay or refused token.`,
  diff: `switchyard diff --rules candidate.yaml [--current rules.yaml] (--from <relay URL> [--since 7d] | --events events.jsonl | <payload files…>) [--at-recorded-times] [--json]
  Replays the same events through the current rules (rules.yaml, else rules.example.yaml, or --current) and the
  candidate, and prints what changes: per route and per target, the events that would now page / post / call
  or no longer, with example ids; grouping and paging-budget changes on the routes they touch. Time windows
  are read at each event's recorded time with --at-recorded-times (else now). Events come from a running relay
  (--from, token as for events export), an export file (--events), or raw vendor payloads.
  Exit codes: 0 no change, 1 changes, 2 usage, unreadable input or rules with problems.`,
} as const;

const USAGE = `usage:
  switchyard check [rules.yaml]                          validate the rules file (default: rules.yaml, else rules.example.yaml)
  switchyard explain <event.json> [--rules file] [--source name] [--at time] [--json]
                                                         show each route's decision for a raw vendor payload
  switchyard test [rules.test.yaml] [--rules file]       run routing test cases
  switchyard events export --from <relay URL> [--since 7d]
                                                         print recorded events (JSON Lines) from a relay
  switchyard diff --rules candidate.yaml (--from <relay URL> [--since 7d] | --events file | <payloads…>) [--at-recorded-times]
                                                         what a candidate rules file would change on real events
  switchyard <command> --help                            more about one command`;

export interface Io {
  readonly out: (line: string) => void;
  readonly err: (line: string) => void;
  readonly cwd: string;
  /** Environment variables (the admin token); process.env by default. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** The network (tests answer it); the runtime's fetch by default. */
  readonly fetch?: Fetch;
  readonly now?: () => number;
}

const defaultIo: Io = { out: (l) => console.log(l), err: (l) => console.error(l), cwd: process.cwd() };

export function defaultRulesFile(cwd: string): string {
  return existsSync(resolve(cwd, 'rules.yaml')) ? 'rules.yaml' : 'rules.example.yaml';
}

/**
 * Loads and validates a rules file, printing its problems (then their count) when it cannot be used; the
 * failure carries the exit code: 2 for a missing file, 1 for problems.
 */
export function loadRulesFile(file: string, io: Io): { ok: true; value: LoadedRules } | { ok: false; exit: 1 | 2 } {
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) {
    io.err(`switchyard: ${file} not found`);
    return { ok: false, exit: 2 };
  }
  const loaded = loadRules(readFileSync(path, 'utf8'));
  if (!loaded.ok) {
    io.err(formatProblems(loaded.error, relative(io.cwd, path) || file));
    io.err(`${file}: ${loaded.error.length} problem${loaded.error.length > 1 ? 's' : ''}`);
    return { ok: false, exit: 1 };
  }
  return loaded;
}

export async function main(argv: readonly string[], io: Io = defaultIo): Promise<number> {
  const [command, ...rest] = argv;
  const usage = command !== undefined && Object.hasOwn(COMMANDS, command) ? `usage: ${COMMANDS[command as keyof typeof COMMANDS]}` : USAGE;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        rules: { type: 'string' },
        source: { type: 'string' },
        at: { type: 'string' },
        json: { type: 'boolean' },
        current: { type: 'string' },
        from: { type: 'string' },
        since: { type: 'string' },
        until: { type: 'string' },
        type: { type: 'string' },
        events: { type: 'string' },
        'at-recorded-times': { type: 'boolean' },
        'token-env': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    // parseArgs explains at length; one line is enough.
    const first = (e instanceof Error ? e.message : String(e)).split('. ')[0]!.replace(/\.$/, '');
    io.err(`switchyard: ${first}\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    io.out(usage);
    return 0;
  }
  switch (command) {
    case 'check':
      return check(positionals[0] ?? values.rules ?? defaultRulesFile(io.cwd), io);
    case 'explain': {
      if (positionals.length !== 1) break;
      const at = values.at === undefined ? Date.now() : parseInstant(values.at);
      if (at === null) {
        io.err(`switchyard: --at takes an RFC 3339 time with its offset, e.g. 2026-12-06T03:00:00+01:00 (got ${JSON.stringify(values.at)})`);
        return 2;
      }
      return explain(positionals[0]!, { rules: values.rules ?? defaultRulesFile(io.cwd), source: values.source ?? null, json: values.json ?? false, at }, io);
    }
    case 'test':
      return runRulesTests(positionals[0] ?? 'rules.test.yaml', values.rules ?? null, io);
    case 'events':
      if (positionals[0] !== 'export' || positionals.length !== 1) break;
      return exportEvents(values, io);
    case 'diff':
      return replayDiff(values, positionals, io);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.out(USAGE);
      return command === undefined ? 2 : 0;
  }
  const why =
    command === 'explain' ? 'explain takes one event file' : command === 'events' ? 'events takes one subcommand: export' : `unknown command "${command}"`;
  io.err(`switchyard: ${why}\n${usage}`);
  return 2;
}

/** One line saying what a notification would show (the full payloads come with --json). */
function preview(n: Notification): string {
  return kindOf(n.kind).preview(n.payload);
}

function check(file: string, io: Io): number {
  const loaded = loadRulesFile(file, io);
  if (!loaded.ok) return loaded.exit;
  const c = loaded.value.config;
  const own = c.routes.filter((r) => !r.fallback && !r.health).length;
  io.out(
    `${file}: OK — ${Object.keys(c.sources).length} sources, ${Object.keys(c.targets).length} targets, ${own} routes${c.settings.unrouted ? ` (+ unrouted events to ${c.settings.unrouted})` : ''}${c.settings.health ? `; health notices to ${c.settings.health.notify.join(', ')}` : ''}`,
  );
  // ADMIN_TOKEN is the relay's own: the admin API and the inbox are off without it.
  const secrets = [...loaded.value.references.filter((n) => n !== 'ADMIN_TOKEN'), 'ADMIN_TOKEN (the admin API)'];
  io.out(`secrets and variables it needs (wrangler secret put NAME): ${secrets.join(', ')}`);
  for (const line of coverageReport(c)) io.out(line);
  for (const w of loaded.value.warnings) io.out(`${file}:${w.line}:${w.col}: warning: ${w.message} (${w.path})`);
  return 0;
}

/** Per source with known event types: those that reach no route, and those only a deliberate drop takes. */
function coverageReport(c: RulesConfig): string[] {
  const types = sourceTypes(c);
  const gaps = coverage(c.routes, types);
  const checked = Object.entries(types).filter(([, s]) => catalogueOf(s.kind) || s.declared);
  const free = Object.keys(types).filter((n) => !checked.some(([m]) => m === n));
  const freeNote = free.length > 0 ? `; ${free.join(', ')}: free-form (declare types: to check them)` : '';
  const unrouted = gaps.filter((g) => g.gap === 'unrouted');
  const dropped = gaps.filter((g) => g.gap === 'dropped');
  const lines = [
    unrouted.length === 0
      ? `coverage: every known event type of ${checked.map(([n]) => n).join(', ') || 'no source'} reaches a route${freeNote}`
      : `coverage: ${unrouted.length} known event type(s) reach no route${c.settings.unrouted ? ` (only settings.unrouted would hear of them)` : ' (they would be dropped, logged and counted)'}${freeNote}:`,
    ...unrouted.map((g) => `  ✗ ${gapText(g)}`),
  ];
  if (dropped.length > 0) lines.push(`deliberately dropped (a route that notifies no one): ${dropped.map(gapText).join('; ')}`);
  return lines;
}

/** A route's time windows read at `at`: muted or not, which window decided, when it sends again. */
export function windowVerdict(
  route: RouteConfig,
  rules: RulesConfig,
  at: number,
): { readonly muted: string | null; readonly next: number | null; readonly zone: string } | null {
  if (!route.activeWhen?.length && !route.muteWhen?.length) return null;
  const intervals = rules.timeIntervals ?? {};
  const muted = timeMute(route, intervals, at);
  return { muted, next: muted ? nextUnmuted(route, intervals, at) : null, zone: windowZone(route, intervals) };
}

function explain(eventFile: string, opts: { rules: string; source: string | null; json: boolean; at: number }, io: Io): number {
  const { source, json, at } = opts;
  const loaded = loadRulesFile(opts.rules, io);
  if (!loaded.ok) return loaded.exit;
  const rules = loaded.value.config;
  const path = resolve(io.cwd, eventFile);
  if (!existsSync(path)) {
    io.err(`switchyard: ${eventFile} not found`);
    return 2;
  }
  const converted = payloadToEvents(readFileSync(path, 'utf8'), rules, source);
  if (!converted.ok) {
    io.err(`switchyard: ${converted.error}`);
    return 2;
  }
  const ruleSet = compileRuleSet(rules.routes);
  const report = converted.events.map((event) => {
    const routes = ruleSet.explain(event);
    // What each matched route would send, rendered exactly as the Worker renders it.
    const notifications = routes
      .filter((r) => r.matched)
      .flatMap((r) =>
        r.notify.map((target) => {
          const config = rules.targets[target]!;
          const rendered = renderNotification(config, { event, route: rules.routes[r.index]!, targetName: target });
          return { route: r.name, target, kind: config.kind, ...rendered };
        }),
      );
    // The group each matched grouping route puts it in (its notifications then go out for the group).
    const groups = routes
      .filter((r) => r.matched && rules.routes[r.index]!.group && (rules.routes[r.index]!.action ?? 'trigger') === 'trigger')
      .map((r) => {
        const g = rules.routes[r.index]!.group!;
        return { route: r.name, key: groupKeyText(r.name, groupLabels(g.by, event)), waitMs: g.waitMs, intervalMs: g.intervalMs };
      });
    // Time windows, read at `at`: a muted route still matches, but sends nothing then.
    const windows = routes
      .filter((r) => r.matched)
      .flatMap((r) => {
        const v = windowVerdict(rules.routes[r.index]!, rules, at);
        return v ? [{ route: r.name, index: r.index, ...v, notify: r.notify }] : [];
      });
    return { event: { source: event.source, type: event.type, id: event.id }, at: new Date(at).toISOString(), routes, windows, groups, notifications };
  });
  if (json) {
    io.out(JSON.stringify(report, null, 2));
    return 0;
  }
  for (const { event, routes, windows, groups, notifications } of report) {
    io.out(`event ${event.type} from ${event.source} (${event.id})`);
    for (const r of routes) {
      if (r.skipped) {
        const last = routes[routes.length - 1]!;
        io.out(`  – [${r.index}]${last.index > r.index ? `…[${last.index}]` : ''} not evaluated: ${r.reason.replace(/^not evaluated: /, '')}`);
        break;
      }
      io.out(`  ${r.matched ? '✓' : '✗'} [${r.index}] ${r.name}`);
      io.out(`      ${r.reason}`);
      if (r.matched) io.out(`      → ${r.notify.length > 0 ? r.notify.join(', ') : 'no one (a deliberate drop)'}`);
      const w = windows.find((x) => x.index === r.index);
      if (w) {
        const when = localText(at, w.zone);
        const route = rules.routes[r.index]!;
        const allowedBy = route.activeWhen?.length ? `inside active_when ${route.activeWhen.map((n) => `"${n}"`).join(', ')}` : 'its time windows allow it';
        if (!w.muted)
          io.out(
            `      ⏵ sends at ${when}: ${route.muteWhen?.length ? `${allowedBy}, outside mute_when ${route.muteWhen.map((n) => `"${n}"`).join(', ')}` : allowedBy}`,
          );
        else
          io.out(
            `      ⏸ ${w.muted} at ${when}; ${w.next === null ? 'no unmuted time within a year' : `sends again from ${localText(w.next, w.zone)} (${new Date(w.next).toISOString()})`}`,
          );
      }
    }
    const mutedTargets = new Set(windows.filter((w) => w.muted).flatMap((w) => w.notify));
    const notified = [...new Set(routes.flatMap((r) => r.notify))];
    const sending = notified.filter(
      (t) => !mutedTargets.has(t) || routes.some((r) => r.matched && r.notify.includes(t) && !windows.some((w) => w.index === r.index && w.muted)),
    );
    const heldBack = notified.filter((t) => !sending.includes(t));
    io.out(
      `  notifies: ${sending.length > 0 ? sending.join(', ') : notified.length > 0 ? 'no one' : routes.some((r) => r.matched) ? 'no one (matched a drop route)' : 'no one: unrouted (no route matched; the relay logs and counts it — settings.unrouted would tell a target)'}${heldBack.length > 0 ? ` (muted at that time: ${heldBack.join(', ')})` : ''}`,
    );
    for (const g of groups)
      io.out(`  grouped: ${g.key} — notified with its group (first after ${durationText(g.waitMs)}, then at most every ${durationText(g.intervalMs)})`);
    for (const n of notifications) {
      io.out(`  ${n.target} (${n.kind}): ${preview(n.notification)}`);
      for (const note of n.notes) io.out(`      ⚠ ${note}`);
    }
  }
  return 0;
}
