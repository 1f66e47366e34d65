// Which local relay `npm run send` and `npm run demo` talk to: `--url`, else SWITCHYARD_URL, else the one
// `npm run dev` is running (its address in .switchyard/dev.json, while its process lives), else localhost:8787.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export function relayUrl(root, given) {
  const pick = given ?? process.env.SWITCHYARD_URL ?? runningDev(root) ?? 'http://localhost:8787';
  return pick.replace(/\/$/, '');
}

function runningDev(root) {
  const file = resolve(root, '.switchyard/dev.json');
  if (!existsSync(file)) return null;
  try {
    const { url, pid } = JSON.parse(readFileSync(file, 'utf8'));
    process.kill(pid, 0); // throws when that `npm run dev` is gone
    return url;
  } catch {
    return null;
  }
}
