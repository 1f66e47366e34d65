/**
 * Every command a newcomer types has --help and answers a mistake with one clear line and an exit code, never a
 * stack trace: `switchyard check|explain|test`, `npm run send`, `npm run demo`, `npm run dev -- --help`.
 */
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');

function node(script: string, args: string[], env: Record<string, string> = {}): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, [resolve(root, script), ...args], { cwd: root, encoding: 'utf8', env: { ...process.env, SWITCHYARD_URL: '', ...env } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** A port where nothing listens (taken, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  await new Promise((r) => server.close(r));
  return port;
}

const noStack = (text: string): void => expect(text).not.toMatch(/\n\s+at .+:\d+:\d+/);

describe('--help on every entry', () => {
  it.each([
    ['bin/switchyard.mjs', ['--help'], /^usage:\n {2}switchyard check/],
    ['bin/switchyard.mjs', ['check', '--help'], /^usage: switchyard check \[rules\.yaml\]\n {2}Validates/],
    ['bin/switchyard.mjs', ['explain', '--help'], /^usage: switchyard explain <event\.json>/],
    ['bin/switchyard.mjs', ['test', '-h'], /^usage: switchyard test \[rules\.test\.yaml\]/],
    ['scripts/send.mjs', ['--help'], /^usage: npm run send -- <payload\.json>/],
    ['scripts/demo.mjs', ['--help'], /^usage: npm run demo/],
    ['scripts/dev.mjs', ['--help'], /^usage: npm run dev/],
  ])('%s %s', (script, args, expected) => {
    const r = node(script, args);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(expected);
  });
});

describe('one-line errors with exit codes', () => {
  it('switchyard: an unknown option, a missing file', () => {
    const option = node('bin/switchyard.mjs', ['explain', '--bogus', 'x.json']);
    expect([option.code, option.err.split('\n')[0]]).toEqual([2, "switchyard: Unknown option '--bogus'"]);
    const missing = node('bin/switchyard.mjs', ['explain', 'nope.json']);
    expect([missing.code, missing.err.trim()]).toEqual([2, 'switchyard: nope.json not found']);
    noStack(option.err + missing.err);
  });

  it('send: a missing payload file, no payload, an unknown option', () => {
    const missing = node('scripts/send.mjs', ['nope.json']);
    expect(missing.code).toBe(2);
    expect(missing.err.trim()).toBe('send: nope.json not found (the seed payloads are in test/fixtures/prequel, prelude and standard-webhooks)');
    const none = node('scripts/send.mjs', []);
    expect([none.code, none.err.split('\n')[0]]).toEqual([2, 'send: name one payload file']);
    const option = node('scripts/send.mjs', ['--nope']);
    expect(option.code).toBe(2);
    noStack(missing.err + none.err + option.err);
  });

  it('send and demo with no relay running: say so, and how to start one', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    // A key of its own, so the answer does not depend on whether this clone has dev keys yet.
    const dir = mkdtempSync(join(tmpdir(), 'switchyard-cli-'));
    writeFileSync(join(dir, 'key.pem'), generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const send = node('scripts/send.mjs', ['test/fixtures/prequel/transfer.error.json', '--url', url, '--key', join(dir, 'key.pem')]);
    expect(send.code).toBe(2);
    expect(send.err.trim()).toBe(`send: no relay answers at ${url}: start it with \`npm run dev\` (or pass --url / set SWITCHYARD_URL)`);
    const deployed = node('scripts/send.mjs', ['test/fixtures/prequel/transfer.error.json', '--to', url, '--key', join(dir, 'key.pem')]);
    expect([deployed.code, deployed.err.trim()]).toEqual([2, `send: no answer from ${url}`]);
    const demo = node('scripts/demo.mjs', [], { SWITCHYARD_URL: url });
    expect(demo.code).toBe(1);
    expect(demo.err.trim()).toBe(`demo: no relay answers at ${url}. Start it in another terminal with: npm run dev (or pass --url / set SWITCHYARD_URL)`);
    noStack(send.err + deployed.err + demo.err);
  });
});
