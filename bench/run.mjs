// `npm run bench`: every benchmark, each as a ratio against a baseline measured in the same run.
//   1. ingest CPU per event inside workerd vs a bare crypto.subtle.verify of the same message (2 KB, 64 KB)
//   2. rule matching on the shared workload vs reference matchers, sift and json-rules-engine
//   3. loading a 1,000-route rules file (build time, and a fresh workerd isolate)
//   4. the Worker's gzipped bundle size (wrangler deploy --dry-run)
//   5. regex cost per event: a nested-quantifier pattern against the same pattern without the nesting
//   6. shadow rules at ingest: the shared workload through the real ingest path, with and without a 500-rule shadow
//   7. listing 10,000 recorded events through GET /admin/events, page by page (the relay as it deploys)
// Options: --quick (fewer iterations), --only=ingest|match|load|bundle|regex|shadow|listing
import { ingestBench } from './ingest-bench.mjs';
import { bundleBench } from './bundle-bench.mjs';
import { loadBench } from './load-bench.mjs';
import { matchBench } from './match-bench.mjs';
import { regexBench } from './regex-bench.mjs';
import { shadowBench } from './shadow-bench.mjs';
import { listingBench } from './listing-bench.mjs';

const args = new Set(process.argv.slice(2));
const only = [...args].find((a) => a.startsWith('--only='))?.slice(7);
const quick = args.has('--quick');

const suites = {
  ingest: () => ingestBench({ quick }),
  match: () => matchBench({ quick }),
  load: () => loadBench({ quick }),
  bundle: () => bundleBench(),
  regex: () => regexBench({ quick }),
  shadow: () => shadowBench({ quick }),
  listing: () => listingBench({ quick }),
};
for (const [name, run] of Object.entries(suites)) {
  if (only && only !== name) continue;
  await run();
}
