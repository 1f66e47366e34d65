// The relay exactly as it deploys: bundled by `wrangler deploy --dry-run`, then served by Miniflare with the
// bindings wrangler.toml declares (Durable Objects, Queues and their consumers), the given secrets, and an
// outbound service standing in for the internet. Used by `npm run load` and the deployed-bundle test.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Miniflare, convertV4MiniflareOptions } from 'miniflare';
import { unstable_getMiniflareWorkerOptions } from 'wrangler';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The Worker script wrangler would upload, built with `rulesFile` (default: rules.yaml or the example). */
export function bundleRelay(rulesFile) {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-bundle-'));
  const env = { ...process.env, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
  if (rulesFile) env.SWITCHYARD_RULES = rulesFile;
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], { cwd: root, stdio: 'pipe', env });
    return readFileSync(join(out, 'index.js'), 'utf8');
  } finally {
    rmSync(out, { recursive: true, force: true });
    // The build step wrote the Worker's rules module: put back the one `npm run dev` and the tests use.
    if (rulesFile) execFileSync(process.execPath, [join(root, 'scripts/build-rules.ts')], { cwd: root, stdio: 'pipe' });
  }
}

/**
 * Serves `script` on 127.0.0.1 (a free port) with wrangler.toml's bindings. `bindings` replace the secrets
 * (nothing from .dev.vars is used); `outboundService` answers every request the Worker makes; `persist` keeps
 * the Durable Objects in that folder across runtimes.
 */
export async function serveRelay(script, { bindings, outboundService, quiet = true, persist = undefined }) {
  // Only the bindings and runtime settings: the script is given whole, so no module rules or paths.
  const {
    modulesRules: _rules,
    rootPath: _root,
    bindings: _vars,
    ...workerOptions
  } = unstable_getMiniflareWorkerOptions(join(root, 'wrangler.toml')).workerOptions;
  const mf = new Miniflare(
    convertV4MiniflareOptions({
      ...workerOptions,
      modules: true,
      script,
      bindings,
      outboundService,
      host: '127.0.0.1',
      port: 0,
      // Durable Objects kept on disk (the crash test restarts the runtime over the same state).
      ...(persist ? { resourcePersistencePath: persist } : {}),
      // The Worker logs one JSON line per decision; a load run would drown in them.
      ...(quiet ? { handleStructuredLogs: () => undefined } : {}),
    }),
  );
  const url = await mf.ready;
  return { mf, url };
}
