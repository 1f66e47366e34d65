// Signs a payload with the local dev keys (.dev-keys/, .dev.vars) and sends it to the running local relay,
// exactly as the vendor would: `npm run send -- test/fixtures/prequel/transfer.error.json`.
//   --source <name in rules.yaml>   (default: guessed from the payload)   --url http://localhost:8787
// The dev keys cover the example's sources (prequel, prelude, billing).
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDevContext } from './dev-signing.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { source: { type: 'string' }, url: { type: 'string', default: 'http://localhost:8787' } },
});
if (positionals.length !== 1) {
  console.error('usage: npm run send -- <payload.json> [--source <source name>] [--url http://localhost:8787]');
  process.exit(2);
}
const body = readFileSync(resolve(process.cwd(), positionals[0]), 'utf8');
const dev = loadDevContext(root);
const source = values.source ?? dev.sourceFor(JSON.parse(body));
if (!source) throw new Error('cannot tell which source sent this payload: name it with --source');
const response = await fetch(`${values.url}/hooks/${source}`, { method: 'POST', headers: dev.headersFor(source, body), body });
console.log(`${response.status} ${await response.text()}`);
process.exitCode = response.ok ? 0 : 1;
