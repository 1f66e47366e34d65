// Rule matching on the shared workload (../shared/bench: 500 rules, 1,000 events): Switchyard's RuleSet
// (through bench/switchyard-adapter.mjs) side by side with the reference matchers, sift and
// json-rules-engine, in the same process, answers cross-checked against the reference (mismatches must be 0).
// Three processes, engine order rotated between them (JIT warm-up favours later engines otherwise); the
// ratio is taken within each process, then the median reported.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../shared/bench');

export async function matchBench({ quick = false } = {}) {
  if (!existsSync(resolve(shared, 'match-bench.mjs'))) {
    console.log(`\nmatch bench skipped: ${shared} not found (the shared workload sits beside the project)`);
    return null;
  }
  const orders = quick
    ? [['adapter', 'closuresIndexed', 'sift']]
    : [
        ['adapter', 'closuresIndexed', 'closures', 'interp', 'sift', 'jreDotPath'],
        ['closuresIndexed', 'sift', 'adapter', 'interp', 'closures', 'jreDotPath'],
        ['interp', 'closures', 'closuresIndexed', 'adapter', 'sift', 'jreDotPath'],
      ];
  const runs = [];
  for (const order of orders) {
    const out = execFileSync(
      process.execPath,
      [resolve(shared, 'match-bench.mjs'), quick ? '3' : '5', order.join(','), '--adapter', resolve(here, 'switchyard-adapter.mjs')],
      {
        cwd: resolve(here, '..'),
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: resolve(here, '../node_modules') },
      },
    );
    const summary = JSON.parse(
      out
        .split('\n')
        .find((l) => l.startsWith('SUMMARY '))
        .slice(8),
    );
    runs.push(Object.fromEntries(summary.results.map((r) => [r.key, r])));
  }
  const keys = Object.keys(runs[0]);
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const rows = keys.map((key) => ({
    engine: runs[0][key].engine,
    'µs/event (median of processes)': median(runs.map((r) => r[key].us_per_event_500_rules)),
    'ratio to type-indexed closures': median(runs.map((r) => r[key].us_per_event_500_rules / r.closuresIndexed.us_per_event_500_rules)).toFixed(2),
    mismatches: Math.max(...runs.map((r) => r[key].mismatches_vs_reference)),
    'build ms': median(runs.map((r) => r[key].build_ms)),
  }));
  console.log(`\nrule matching, shared workload (500 rules × 1,000 events), ${runs.length} process(es)`);
  console.table(rows);
  console.log('goal: switchyard RuleSet ratio ≤ 1.2 against compiled closures + type index; 0 mismatches');
  return rows;
}
