// Runs before `npm run dev` and `npm test` (plain JS: it may run on the system's Node 20 before Node 22 is
// installed). On a fresh clone it installs the dependencies, which bring Node 22 for everything after it.
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const needed = ['node_modules/.bin/node', 'node_modules/.bin/wrangler', 'node_modules/.bin/vitest'];
if (needed.some((p) => !existsSync(resolve(root, p)))) {
  // npm install (not npm ci): it honours the lockfile and tolerates optional platform builds the registry lacks.
  const cmd = 'npm install --no-audit --no-fund';
  console.log(`switchyard: first run, installing dependencies (${cmd})…`);
  execSync(cmd, { cwd: root, stdio: 'inherit' });
}
