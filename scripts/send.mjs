// Signs a payload with the local dev keys (.dev-keys/, .dev.vars) and sends it to the running local relay,
// exactly as the vendor would: `npm run send -- test/fixtures/prequel/transfer.error.json`.
// The relay: --url, else SWITCHYARD_URL, else the one `npm run dev` runs (whatever its port), else :8787.
// The dev keys cover the example's sources (prequel, prelude, billing). For a deployed relay, `--to <URL>` with
// `--key <private key PEM>` (Prequel, Prelude) or `--secret-env <VAR>` (Standard Webhooks) signs with keys you
// provide: see the README, "Check it end to end".
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDevContext } from './dev-signing.mjs';
import { relayUrl } from './relay-url.mjs';

const USAGE = `usage: npm run send -- <payload.json> [--source <source name>] [--url <relay URL>]
       npm run send -- <payload.json> --to <deployed relay URL> (--key <private.pem> | --secret-env <VAR>) [--source <name>]

Signs the payload as its vendor would and sends it: to the local relay with the dev keys, or to a deployed relay
with keys you provide.
  --source       the source in rules.yaml (default: guessed from the payload's shape)
  --url          the relay (default: SWITCHYARD_URL, else the running \`npm run dev\`, else http://localhost:8787)
  --to           a deployed relay, e.g. https://switchyard.<you>.workers.dev (implies your own keys)
  --key          Prequel/Prelude: a PEM private key whose public half the relay has beside the vendor's
  --secret-env   Standard Webhooks: the name of an environment variable holding the whsec_ secret (never an argument)
Exit codes: 0 accepted, 1 refused by the relay, 2 usage or setup error.`;

const fail = (message, code = 2) => {
  console.error(`send: ${message}`);
  process.exit(code);
};

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let parsed;
try {
  parsed = parseArgs({
    allowPositionals: true,
    options: {
      source: { type: 'string' },
      url: { type: 'string' },
      to: { type: 'string' },
      key: { type: 'string' },
      'secret-env': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (e) {
  fail(`${e instanceof Error ? e.message.split('\n')[0] : e}\n${USAGE}`);
}
const { values, positionals } = parsed;
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}
if (positionals.length !== 1) fail(`name one payload file\n${USAGE}`);
const file = resolve(process.cwd(), positionals[0]);
if (!existsSync(file)) fail(`${positionals[0]} not found (the seed payloads are in test/fixtures/prequel, prelude and standard-webhooks)`);
const body = readFileSync(file, 'utf8');
let payload;
try {
  payload = JSON.parse(body);
} catch (e) {
  fail(`${positionals[0]} is not JSON (${e instanceof Error ? e.message.split('\n')[0] : e})`);
}
const keys = {};
if (values.key !== undefined) {
  if (!existsSync(resolve(process.cwd(), values.key))) fail(`${values.key} not found (a PEM private key)`);
  keys.privateKeyPem = readFileSync(resolve(process.cwd(), values.key), 'utf8');
}
if (values['secret-env'] !== undefined) {
  keys.secret = process.env[values['secret-env']];
  if (!keys.secret) fail(`the environment variable ${values['secret-env']} is not set (it should hold the whsec_ secret)`);
}
if (values.to !== undefined && !keys.privateKeyPem && !keys.secret)
  fail('--to signs with your own keys: give --key <private.pem> (Prequel, Prelude) or --secret-env <VAR> (Standard Webhooks)');
if (values.to !== undefined && values.url !== undefined) fail('give --to or --url, not both');
let dev;
try {
  dev = loadDevContext(root, keys);
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
const source = values.source ?? dev.sourceFor(payload);
if (!source) fail('cannot tell which source sent this payload: name it with --source');
const url = relayUrl(root, values.to ?? values.url);
let response;
try {
  response = await fetch(`${url}/hooks/${encodeURIComponent(source)}`, { method: 'POST', headers: dev.headersFor(source, body), body });
} catch {
  fail(values.to ? `no answer from ${url}` : `no relay answers at ${url}: start it with \`npm run dev\` (or pass --url / set SWITCHYARD_URL)`);
}
console.log(`${response.status} ${await response.text()}`);
process.exitCode = response.ok ? 0 : 1;
