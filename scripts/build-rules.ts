/**
 * Build step (wrangler's [build] command, and before tests): validates rules.yaml — or rules.example.yaml on a
 * fresh clone — and writes the normalized rules the Worker imports. An invalid file fails the build, so
 * `wrangler deploy` and `wrangler dev` refuse it with every problem listed.
 *   node scripts/build-rules.ts [file] [--out path]      (SWITCHYARD_RULES=path also selects the file)
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatProblems, loadRules } from '../src/rules/load.ts';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const outIndex = args.indexOf('--out');
const outArg = outIndex >= 0 ? args.splice(outIndex, 2)[1] : undefined;
const chosen = args[0] ?? process.env.SWITCHYARD_RULES ?? (existsSync(resolve(root, 'rules.yaml')) ? 'rules.yaml' : 'rules.example.yaml');
const file = resolve(root, chosen);
const shown = relative(process.cwd(), file) || file;

if (!existsSync(file)) {
  console.error(`switchyard: ${shown} not found`);
  process.exit(1);
}
const result = loadRules(readFileSync(file, 'utf8'));
if (result.ok) {
  const out = outArg ? resolve(process.cwd(), outArg) : resolve(root, 'src/generated/rules.json');
  const json = `${JSON.stringify(result.value.config, null, 2)}\n`;
  mkdirSync(dirname(out), { recursive: true });
  // Write only on change: wrangler dev watches src/ and would otherwise rebuild forever.
  if (!existsSync(out) || readFileSync(out, 'utf8') !== json) writeFileSync(out, json);
  console.log(
    `switchyard: ${shown} OK (${Object.keys(result.value.config.sources).length} sources; secrets referenced: ${result.value.references.join(', ') || 'none'})`,
  );
} else {
  console.error(`switchyard: ${shown} has ${result.error.length} problem${result.error.length > 1 ? 's' : ''}:\n${formatProblems(result.error, shown)}`);
  process.exitCode = 1;
}
