// `npm run bench`: every benchmark, each as a ratio against a baseline measured in the same run.
//   1. ingest CPU per event inside workerd vs a bare crypto.subtle.verify of the same message (2 KB, 64 KB)
//   2. rule matching on the shared workload vs reference matchers, sift and json-rules-engine
//   3. loading a 1,000-route rules file (build time, and a fresh workerd isolate)
//   4. the Worker's gzipped bundle size (wrangler deploy --dry-run)
// Options: --quick (fewer iterations), --only=ingest|match|load|bundle
import { ingestBench } from './ingest-bench.mjs';
import { bundleBench } from './bundle-bench.mjs';
import { loadBench } from './load-bench.mjs';
import { matchBench } from './match-bench.mjs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
const quick = args.has('--quick');

const suites = { ingest: () => ingestBench({ quick }), match: () => matchBench({ quick }), load: () => loadBench({ quick }), bundle: () => bundleBench() };
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  await run();
}
