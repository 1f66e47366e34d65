// Signing deliveries with the local dev keys (.dev-keys/, .dev.vars), exactly as each vendor signs them. Shared
// by `npm run send` and `npm run demo`; the dev keys cover the example's sources (prequel, prelude, billing).
import { constants, createHmac, randomUUID, sign } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { guessKind } from '../src/cli/events.ts';
import { loadRules } from '../src/rules/load.ts';

/**
 * `keys` overrides the dev keys, to sign for a deployed relay with keys its owner provides: `privateKeyPem`
 * (Prequel/Prelude sources: a test key pair whose public half is configured beside the vendor's, as in a key
 * rotation) or `secret` (a Standard Webhooks `whsec_` secret).
 */
export function loadDevContext(root, keys = {}) {
  // The sources of rules.yaml (else the example) say how each one signs. A rules.yaml saved broken while
  // `npm run dev` runs keeps the last good rules serving there, so signing falls back to the example's sources.
  let rulesFile = existsSync(resolve(root, 'rules.yaml')) ? 'rules.yaml' : 'rules.example.yaml';
  let rules = loadRules(readFileSync(resolve(root, rulesFile), 'utf8'));
  if (!rules.ok && rulesFile === 'rules.yaml') {
    console.error("note: rules.yaml has problems (npx switchyard check lists them); signing with rules.example.yaml's sources");
    rulesFile = 'rules.example.yaml';
    rules = loadRules(readFileSync(resolve(root, rulesFile), 'utf8'));
  }
  if (!rules.ok) throw new Error(`${rulesFile} has problems: run npx switchyard check`);
  const vars = existsSync(resolve(root, '.dev.vars')) ? readFileSync(resolve(root, '.dev.vars'), 'utf8') : '';
  const devVars = Object.fromEntries([...vars.matchAll(/^([A-Z0-9_]+)="?(.*?)"?$/gm)].map((m) => [m[1], m[2]]));
  const privateKey = (file) => {
    if (keys.privateKeyPem) return keys.privateKeyPem;
    const path = resolve(root, '.dev-keys', file);
    if (!existsSync(path)) throw new Error(`${file} is not in .dev-keys/: run npm run dev once first`);
    return readFileSync(path, 'utf8');
  };
  const sources = rules.value.config.sources;

  /** The source that sent a payload: the first in the rules whose kind fits (as `switchyard explain` guesses). */
  const sourceFor = (payload) => Object.entries(sources).find(([, s]) => s.kind === guessKind(payload))?.[0];

  /** The headers the source's vendor would send with `body`. */
  const headersFor = (source, body) => {
    const kind = sources[source]?.kind;
    const headers = { 'content-type': 'application/json' };
    if (kind === 'prequel') {
      const ts = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
      headers['x-prequel-webhook-timestamp'] = ts;
      headers['x-prequel-webhook-signature'] = sign('sha256', Buffer.from(`${ts}.${body}`), {
        key: privateKey('prequel.private.pem'),
        padding: constants.RSA_PKCS1_PADDING,
      }).toString('hex');
    } else if (kind === 'prelude') {
      const sig = sign('sha256', Buffer.from(body), { key: privateKey('prelude.private.pem'), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 });
      headers['x-webhook-signature'] = `rsassa-pss-sha256=${sig.toString('base64')}`;
    } else if (kind === 'standard-webhooks') {
      const secret = keys.secret ?? devVars.BILLING_WEBHOOK_SECRET;
      if (!secret) throw new Error('BILLING_WEBHOOK_SECRET is not in .dev.vars: run npm run dev once first (or give --secret-env)');
      const id = `msg_${randomUUID()}`;
      const ts = Math.floor(Date.now() / 1000);
      headers['webhook-id'] = id;
      headers['webhook-timestamp'] = String(ts);
      headers['webhook-signature'] = `v1,${createHmac('sha256', Buffer.from(secret.replace(/^whsec_/, ''), 'base64'))
        .update(`${id}.${ts}.${body}`)
        .digest('base64')}`;
    } else throw new Error(`no dev signing for source "${source}" (kind ${kind})`);
    return headers;
  };

  return { rules: rules.value.config, devVars, sourceFor, headersFor };
}
