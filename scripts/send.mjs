// Signs a payload with the local dev keys (.dev-keys/, .dev.vars) and sends it to the running local relay,
// exactly as the vendor would: `npm run send -- test/fixtures/prequel/transfer.error.json`.
//   --source <name in rules.yaml>   (default: guessed from the payload)   --url http://localhost:8787
// The dev keys cover the example's sources (prequel, prelude, billing).
import { constants, createHmac, randomUUID, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { guessKind } from '../src/cli/events.ts';
import { loadRules } from '../src/rules/load.ts';

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
const parsed = JSON.parse(body);
// The same guess `switchyard explain` makes: the first source in the rules whose kind fits the payload.
const rulesFile = existsSync(resolve(root, 'rules.yaml')) ? 'rules.yaml' : 'rules.example.yaml';
const rules = loadRules(readFileSync(resolve(root, rulesFile), 'utf8'));
if (!rules.ok) throw new Error(`${rulesFile} has problems: run npx switchyard check`);
const kind = guessKind(parsed);
const source = values.source ?? Object.entries(rules.value.config.sources).find(([, s]) => s.kind === kind)?.[0];
if (!source) throw new Error('cannot tell which source sent this payload: name it with --source');
const sourceKind = rules.value.config.sources[source]?.kind;

const vars = existsSync(resolve(root, '.dev.vars')) ? readFileSync(resolve(root, '.dev.vars'), 'utf8') : '';
const devVars = Object.fromEntries([...vars.matchAll(/^([A-Z0-9_]+)="?(.*?)"?$/gm)].map((m) => [m[1], m[2]]));
const devVar = (name) => devVars[name];
const privateKey = (file) => readFileSync(resolve(root, '.dev-keys', file), 'utf8');

const headers = { 'content-type': 'application/json' };
if (sourceKind === 'prequel') {
  const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  headers['x-prequel-webhook-timestamp'] = ts;
  headers['x-prequel-webhook-signature'] = sign('sha256', Buffer.from(`${ts}.${body}`), {
    key: privateKey('prequel.private.pem'),
    padding: constants.RSA_PKCS1_PADDING,
  }).toString('hex');
} else if (sourceKind === 'prelude') {
  const sig = sign('sha256', Buffer.from(body), { key: privateKey('prelude.private.pem'), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
  headers['x-webhook-signature'] = `rsassa-pss-sha256=${sig.toString('base64')}`;
} else if (sourceKind === 'standard-webhooks') {
  const secret = devVar('BILLING_WEBHOOK_SECRET');
  if (!secret) throw new Error('BILLING_WEBHOOK_SECRET is not in .dev.vars: run npm run dev once first');
  const id = `msg_${randomUUID()}`;
  const ts = Math.floor(Date.now() / 1000);
  headers['webhook-id'] = id;
  headers['webhook-timestamp'] = String(ts);
  headers['webhook-signature'] = `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
    .update(`${id}.${ts}.${body}`)
    .digest('base64')}`;
}
const response = await fetch(`${values.url}/hooks/${source}`, { method: 'POST', headers, body });
console.log(`${response.status} ${await response.text()}`);
process.exitCode = response.ok ? 0 : 1;
