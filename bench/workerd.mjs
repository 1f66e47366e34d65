// Shared by the workerd benchmarks: bundling a benchmark Worker, starting it in Miniflare's workerd, and
// reading the CPU time workerd spends (all its threads, from the scheduler's nanosecond counters), which is
// steadier than wall time on a shared machine and the only clock that moves during pure computation there.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { build } from 'esbuild';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';

export const COMPATIBILITY_DATE = '2026-11-01';

export const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Bundles a benchmark Worker; `virtualModules` maps import specifiers to generated source text. */
export async function bundleWorker(entry, virtualModules = {}) {
  const plugins = [
    {
      name: 'virtual-modules',
      setup(b) {
        b.onResolve({ filter: /^virtual:/ }, (args) => ({ path: args.path, namespace: 'virtual' }));
        b.onLoad({ filter: /.*/, namespace: 'virtual' }, (args) => ({ contents: virtualModules[args.path], loader: 'ts' }));
      },
    },
  ];
  const out = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    plugins,
  });
  return out.outputFiles[0].text;
}

export async function startWorker(script, options = {}) {
  const mf = new Miniflare(convertV4MiniflareOptions({ modules: true, script, compatibilityDate: COMPATIBILITY_DATE, ...options }));
  await mf.ready;
  return mf;
}

/** workerd processes started by this Node process (Miniflare's children). */
export function workerdPids() {
  const out = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  const pids = out
    .split('\n')
    .filter((l) => /workerd/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
  if (pids.length === 0) throw new Error('workerd process not found');
  return pids;
}

/** CPU time of all threads of the given processes, in ms. */
export function cpuMs(pids) {
  let ns = 0;
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
      } catch {
        // a thread that ended between listing and reading
      }
    }
  }
  return ns / 1e6;
}
