// The Worker's bundle as Cloudflare would receive it (wrangler deploy --dry-run), gzipped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_KB = 150;

export async function bundleBench() {
  const out = mkdtempSync(join(tmpdir(), 'switchyard-bundle-'));
  try {
    execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', out], {
      cwd: root,
      stdio: 'pipe',
      env: { ...process.env, WRANGLER_SEND_METRICS: 'false' },
    });
    let raw = 0;
    let gz = 0;
    for (const f of readdirSync(out).filter((f) => f.endsWith('.js'))) {
      const bytes = readFileSync(join(out, f));
      raw += bytes.length;
      gz += gzipSync(bytes, { level: 9 }).length;
    }
    console.log(
      `\nWorker bundle: ${(raw / 1024).toFixed(1)} KiB raw, ${(gz / 1024).toFixed(1)} KiB gzipped (goal < ${GOAL_KB} KiB gzipped; ratio ${(gz / 1024 / GOAL_KB).toFixed(2)} of the goal)`,
    );
    return { raw, gz };
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}
