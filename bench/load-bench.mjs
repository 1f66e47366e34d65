// Loading a large rules file. YAML is parsed and validated at build time (Node; reported for information);
// the Worker imports the packed JSON the build writes. Cold figures: CPU time of the first request in a fresh
// workerd process with the routes, minus the same with no routes (median over fresh processes), for the load
// alone and for the load plus the first event's matching. Warm: parse + compile + first match per iteration.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorker, cpuMs, median, startWorker, workerdPids } from './workerd.mjs';
import { stringify } from 'yaml';

const here = dirname(fileURLToPath(import.meta.url));
const shared = resolve(here, '../../shared/bench');
const generated = resolve(here, '.generated');

/** The shared workload's 500 neutral rules, twice, as a rules.yaml in Switchyard's own format. */
function rulesYaml(count) {
  const neutral = JSON.parse(readFileSync(resolve(shared, 'rules.json'), 'utf8'));
  const targetName = (t) =>
    t
      .replace(/^(\w+):/, '$1-')
      .replace(/[^A-Za-z0-9_.-]+/g, '-')
      .replace(/^-+|-+$/g, '');
  const targets = {};
  for (const r of neutral) {
    for (const t of r.targets) {
      const [kind, rest] = t.split(/:(.*)/);
      targets[targetName(t)] =
        kind === 'slack'
          ? { kind: 'slack', token: '${SLACK_BOT_TOKEN}', channel: rest }
          : kind === 'pagerduty'
            ? { kind: 'pagerduty', routing_key: '${PD_KEY}' }
            : { kind: 'http', url: rest };
    }
  }
  const path = (p) => p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
  const condition = (c) =>
    c.op === 'eq'
      ? c.value
      : c.op === 'in'
        ? c.value
        : c.op === 'gt'
          ? { gt: c.value }
          : c.op === 'glob'
            ? { glob: c.value }
            : { regex: `[\\s\\S]*?(?:${c.value})[\\s\\S]*` };
  const routes = [];
  for (let i = 0; routes.length < count; i++) {
    const r = neutral[i % neutral.length];
    routes.push({
      name: `${r.id}-${Math.floor(i / neutral.length)}`,
      when: { source: r.source, ...Object.fromEntries(r.all.map((c) => [path(c.path), condition(c)])) },
      notify: r.targets.map(targetName),
      continue: true,
      severity: 'error',
    });
  }
  const doc = {
    version: 1,
    sources: {
      prequel: { kind: 'prequel', public_keys: ['${PREQUEL_WEBHOOK_PUBLIC_KEY}'] },
      prelude: { kind: 'prelude', public_keys: ['${PRELUDE_WEBHOOK_PUBLIC_KEY}'] },
    },
    targets,
    routes,
  };
  return stringify(doc, { lineWidth: 0 });
}

function buildRules(file, out) {
  const t0 = performance.now();
  execFileSync(process.execPath, [resolve(here, '../scripts/build-rules.ts'), file, '--out', out], { stdio: 'pipe' });
  return performance.now() - t0;
}

async function bundleWith(rulesJson) {
  return bundleWorker(resolve(here, 'load.worker.ts'), { 'virtual:bench-rules': `export const RULES_JSON = ${JSON.stringify(rulesJson)};\n` });
}

async function firstRequestCpu(script, stage = 'match') {
  const mf = await startWorker(script);
  const pids = workerdPids();
  const c0 = cpuMs(pids);
  const res = await mf.dispatchFetch(`http://bench/?stage=${stage}`);
  const body = await res.json();
  const ms = cpuMs(pids) - c0;
  await mf.dispose();
  return { ms, body };
}

export async function loadBench({ quick = false } = {}) {
  if (!existsSync(resolve(shared, 'rules.json'))) {
    console.log(`\nload bench skipped: ${shared} not found`);
    return null;
  }
  mkdirSync(generated, { recursive: true });
  const rows = [];
  let cold1000 = 0;
  for (const count of [100, 1000]) {
    const yamlFile = resolve(generated, `rules-${count}.yaml`);
    writeFileSync(yamlFile, rulesYaml(count));
    const built = resolve(generated, `rules-${count}.ts`);
    const buildMs = buildRules(yamlFile, built);
    // The generated module holds RULES_JSON as a JS string literal: read the text back out of it.
    const full = JSON.parse(/RULES_JSON = (".*");\s*$/s.exec(readFileSync(built, 'utf8'))[1]);
    const empty = JSON.stringify({ ...JSON.parse(full), routes: { keys: [], routes: [] } });
    const withRules = await bundleWith(full);
    const withoutRules = await bundleWith(empty);
    const samples = quick ? 3 : 9;
    const coldOf = async (stage) => {
      const a = [];
      const b = [];
      for (let i = 0; i < samples; i++) {
        a.push((await firstRequestCpu(withRules, stage)).ms);
        b.push((await firstRequestCpu(withoutRules, stage)).ms);
      }
      return median(a) - median(b);
    };
    const coldLoad = await coldOf('load');
    const cold = await coldOf('match');
    if (count === 1000) cold1000 = coldLoad;

    const mf = await startWorker(withRules);
    const pids = workerdPids();
    const run = async (n) => {
      const c0 = cpuMs(pids);
      await (await mf.dispatchFetch(`http://bench/?mode=warm&n=${n}`)).json();
      return cpuMs(pids) - c0;
    };
    await run(5);
    const warm = [];
    for (let i = 0; i < (quick ? 3 : 5); i++) warm.push(((await run(40)) - (await run(10))) / 30);
    await mf.dispose();
    rows.push({
      routes: count,
      'YAML KiB': (readFileSync(yamlFile).length / 1024).toFixed(0),
      'build (Node, whole process) ms': buildMs.toFixed(0),
      'fresh isolate: load, ms': coldLoad.toFixed(2),
      'fresh isolate: load + first match, ms': cold.toFixed(2),
      'warm isolate: parse + compile + first match, ms': median(warm).toFixed(2),
    });
  }
  console.log('\nloading rules (YAML parsed and validated at build time; the Worker parses the packed JSON)');
  console.table(rows);
  console.log(`goal: loading a 1,000-route file under 10 ms in a fresh isolate (ratio ${(cold1000 / 10).toFixed(2)} of the goal)`);
  console.log('load = module evaluation + JSON.parse of the packed rules + index; first match = parsing and compiling the routes one event can match');
  return rows;
}
