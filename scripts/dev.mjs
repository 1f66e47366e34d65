// `npm run dev`: first-run setup (scripts/dev-setup.mjs), then `wrangler dev` with Switchyard's banner on the
// address wrangler really took (another port when 8787 is busy, or `npm run dev -- --port N`). The address is
// written to .switchyard/dev.json so that `npm run send` and `npm run demo` find this relay. The build runs in dev
// mode (SWITCHYARD_DEV=1): a broken rules.yaml saved while it runs keeps the last good rules serving, with the
// problems on /healthz and in this terminal, instead of failing the rebuild. Arguments go to wrangler dev.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
if (args.includes('--help') || args.includes('-h')) {
  console.log(`usage: npm run dev [-- --port N] [other wrangler dev options]

Runs the relay locally on the example rules (or your rules.yaml), with dev keys and secrets generated into
.dev.vars on the first run, Miniflare's Queues and Durable Objects, and the local inbox at /inbox.
Then, in another terminal: npm run demo (every seed event) or npm run send -- <payload.json>.`);
  process.exit(0);
}

execFileSync(process.execPath, [resolve(root, 'scripts/dev-setup.mjs')], { stdio: 'inherit', cwd: root });

const stateFile = resolve(root, '.switchyard/dev.json');
const env = { ...process.env, SWITCHYARD_DEV: '1', WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' };
const wrangler = spawn(resolve(root, 'node_modules/.bin/wrangler'), ['dev', ...args], { cwd: root, env, stdio: ['inherit', 'pipe', 'pipe'] });

let announced = false;
const RELOAD_NOISE = /^(env\.[A-Z0-9_]+ |Binding\s+Resource|Your Worker has access to the following bindings:)/;
const relay = (stream, out) => {
  let pending = '';
  stream.on('data', (chunk) => {
    pending += chunk;
    const lines = pending.split('\n');
    pending = lines.pop();
    for (const line of lines) {
      // After the first start, wrangler repeats its bindings table on every reload: once is enough.
      if (announced && RELOAD_NOISE.test(line)) continue;
      out.write(`${line}\n`);
      // eslint-disable-next-line no-control-regex
      const ready = /Ready on (https?:\/\/[^\s\u001b]+)/.exec(line);
      if (ready && !announced) announce(ready[1].replace(/\/$/, ''));
    }
  });
};
relay(wrangler.stdout, process.stdout);
relay(wrangler.stderr, process.stderr);

function announce(url) {
  announced = true;
  mkdirSync(dirname(stateFile), { recursive: true });
  writeFileSync(stateFile, `${JSON.stringify({ url, pid: process.pid })}\n`);
  console.log(`
switchyard: the relay is running at ${url}
  inbox     ${url}/inbox        (sign in with ADMIN_TOKEN from .dev.vars)
  health    ${url}/healthz      (says which rules are served, and their problems)
  try it    in another terminal: npm run demo   (or npm run send -- test/fixtures/prequel/transfer.error.json)
`);
}

const stop = (signal) => {
  rmSync(stateFile, { force: true });
  wrangler.kill(signal);
};
process.on('SIGINT', () => stop('SIGINT'));
process.on('SIGTERM', () => stop('SIGTERM'));
wrangler.on('exit', (code, signal) => {
  rmSync(stateFile, { force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
