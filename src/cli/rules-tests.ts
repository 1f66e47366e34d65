/**
 * `switchyard test`: routing test cases a team keeps beside rules.yaml and runs in its own CI.
 *
 *   rules: rules.yaml                 # optional; default rules.yaml, else rules.example.yaml
 *   cases:
 *     - name: third-party failures go to customer success only
 *       event: test/fixtures/prequel/transfer.error.json    # a raw vendor payload: a file, or inline
 *       source: prequel                                      # optional; guessed from the payload
 *       set: { data.transfer_blamed_party: first_party }     # optional edits to the payload first
 *       at: 2026-12-06T03:00:00+01:00                        # optional: read time windows then (a muted
 *                                                            #   route's targets are not notified)
 *       expect:
 *         notify: [oncall, data-eng]                         # the targets, in any order ([] = no one)
 *         routes: [Every other transfer failure pages…]      # optional: the matched routes, in order
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { isMap, isSeq, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { compileRuleSet } from '../rules/ruleset.ts';
import { payloadToEvents } from './events.ts';
import { defaultRulesFile, loadRulesFile, windowVerdict, type Io } from './main.ts';
import { parseInstant } from '../core/units.ts';
import { localText } from '../rules/time-intervals.ts';
import type { RulesConfig } from '../rules/config.ts';
import { groupKeyText, groupLabels } from '../pipeline/group-key.ts';

const Case = z.strictObject({
  name: z.string().min(1),
  event: z.union([z.string().min(1), z.record(z.string(), z.unknown())]),
  source: z.string().optional(),
  set: z.record(z.string(), z.unknown()).optional(),
  at: z
    .string()
    .refine((t) => parseInstant(t) !== null, { message: 'at takes an RFC 3339 time with its offset, e.g. 2026-12-06T03:00:00+01:00' })
    .optional()
    .describe("When the event arrives: the routes' time windows are read then"),
  expect: z
    .strictObject({
      notify: z.array(z.string()).optional(),
      routes: z.array(z.string()).optional(),
      group: z.string().optional().describe('The group the event lands in, as `switchyard explain` shows it'),
    })
    .refine((e) => e.notify || e.routes || e.group, { message: 'expect needs notify, routes or group' }),
});

export const RulesTestFile = z.strictObject({ rules: z.string().optional(), cases: z.array(Case).min(1) });

/** Sets `a.b[0].c` inside a parsed payload, creating objects on the way. */
export function setPath(target: unknown, path: string, value: unknown): void {
  const keys = path.split(/\.|\[(\d+)\]/).filter((k) => k !== undefined && k !== '');
  let cur = target as Record<string, unknown>;
  keys.forEach((k, i) => {
    if (i === keys.length - 1) cur[k] = value;
    else {
      if (typeof cur[k] !== 'object' || cur[k] === null) cur[k] = /^\d+$/.test(keys[i + 1]!) ? [] : {};
      cur = cur[k] as Record<string, unknown>;
    }
  });
}

export function runRulesTests(file: string, rulesOverride: string | null, io: Io): number {
  const path = resolve(io.cwd, file);
  if (!existsSync(path)) {
    io.err(`switchyard: ${file} not found`);
    return 2;
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(readFileSync(path, 'utf8'), { lineCounter });
  if (doc.errors.length > 0) {
    io.err(`${file}: ${doc.errors[0]!.message.split('\n')[0]}`);
    return 2;
  }
  const parsed = RulesTestFile.safeParse(doc.toJS());
  if (!parsed.success) {
    for (const issue of parsed.error.issues) io.err(`${file}: ${issue.path.join('.')}: ${issue.message}`);
    return 2;
  }
  const base = dirname(path);
  // The file the relay deploys (rules.yaml, else the example), unless --rules or the test file names another.
  const deployed = defaultRulesFile(io.cwd);
  const rulesFile = rulesOverride ?? (parsed.data.rules ? relative(io.cwd, resolve(base, parsed.data.rules)) : deployed);
  const why = rulesOverride ? 'named by --rules' : parsed.data.rules ? `pinned by ${file}'s rules:` : 'the file the relay deploys';
  io.out(`testing ${rulesFile} (${why}) with ${file}`);
  if (rulesFile !== deployed) io.out(`  note: the relay deploys ${deployed}, not ${rulesFile}`);
  const loaded = loadRulesFile(rulesFile, io);
  if (!loaded.ok) return loaded.exit;
  const rules = loaded.value.config;
  const ruleSet = compileRuleSet(rules.routes);
  const cases = doc.get('cases', true);
  let passed = 0;
  let failed = 0;
  parsed.data.cases.forEach((c, i) => {
    const node = isSeq(cases) ? cases.items[i] : undefined;
    const line = isMap(node) && node.range ? lineCounter.linePos(node.range[0]).line : 0;
    const { failures, groups } = runCase(c, base, rules, ruleSet);
    if (failures.length === 0) {
      passed++;
      io.out(`  ✓ ${c.name}${groups.length > 0 ? ` — group ${groups.join('; ')}` : ''}`);
    } else {
      failed++;
      io.out(`  ✗ ${c.name} (${file}:${line})`);
      for (const f of failures) io.out(`      ${f}`);
    }
  });
  io.out(`${passed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}

function runCase(
  c: z.output<typeof Case>,
  base: string,
  rules: RulesConfig,
  ruleSet: ReturnType<typeof compileRuleSet>,
): { failures: string[]; groups: string[] } {
  let payload: unknown;
  if (typeof c.event === 'string') {
    const eventPath = resolve(base, c.event);
    if (!existsSync(eventPath)) return { failures: [`event file ${c.event} not found`], groups: [] };
    try {
      payload = JSON.parse(readFileSync(eventPath, 'utf8'));
    } catch (e) {
      return { failures: [`event file ${c.event} is not JSON: ${e instanceof Error ? e.message : String(e)}`], groups: [] };
    }
  } else payload = structuredClone(c.event);
  for (const [p, v] of Object.entries(c.set ?? {})) setPath(payload, p, v);
  const converted = payloadToEvents(JSON.stringify(payload), rules, c.source ?? null);
  if (!converted.ok) return { failures: [converted.error], groups: [] };
  const matched = converted.events.flatMap((e) => ruleSet.match(e).map((m) => ({ ...m, event: e })));
  const matches = matched;
  // With `at`, a route its time windows mute then notifies no one (it still matched).
  const at = c.at === undefined ? null : parseInstant(c.at)!;
  const mutedBy = new Map(
    at === null
      ? []
      : matched.flatMap((m) => {
          const v = windowVerdict(m.route, rules as RulesConfig, at);
          return v?.muted ? [[m.index, `${v.muted} at ${localText(at, v.zone)}`] as const] : [];
        }),
  );
  const groups = [
    ...new Set(
      matched
        .filter((m) => m.route.group && (m.route.action ?? 'trigger') === 'trigger')
        .map((m) => groupKeyText(m.route.name, groupLabels(m.route.group!.by, m.event))),
    ),
  ];
  const failures: string[] = [];
  if (c.expect.notify) {
    const got = [...new Set(matches.filter((m) => !mutedBy.has(m.index)).flatMap((m) => m.route.notify))].sort();
    const want = [...new Set(c.expect.notify)].sort();
    if (got.join('\u0000') !== want.join('\u0000')) {
      failures.push(`notify: expected [${want.join(', ')}], got [${got.join(', ')}]`);
      for (const [index, why] of mutedBy) failures.push(`muted: [${index}] ${rules.routes[index]?.name ?? ''} — ${why}`);
    }
  }
  if (c.expect.routes) {
    const got = matches.map((m) => m.route.name);
    if (got.join('\u0000') !== c.expect.routes.join('\u0000')) failures.push(`routes: expected ${JSON.stringify(c.expect.routes)}, got ${JSON.stringify(got)}`);
  }
  if (c.expect.group !== undefined && !groups.includes(c.expect.group))
    failures.push(`group: expected ${JSON.stringify(c.expect.group)}, got ${groups.length > 0 ? groups.map((g) => JSON.stringify(g)).join(', ') : 'no group'}`);
  if (failures.length > 0 && matches.length > 0) failures.push(`matched: ${matches.map((m) => `[${m.index}] ${m.route.name}`).join('; ')}`);
  return { failures, groups };
}
