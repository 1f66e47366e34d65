import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'switchyard-build-'));
const script = new URL('./build-rules.ts', import.meta.url).pathname;

function run(file: string, out: string, env: Record<string, string> = {}): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [script, file, '--out', out], { encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

describe('the build step (wrangler [build] command)', () => {
  it('writes the normalized rules for a valid file and lists the secrets it needs', () => {
    const out = join(dir, 'ok.json');
    const r = run(new URL('../rules.example.yaml', import.meta.url).pathname, out);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('OK (3 sources, 7 targets, 21 routes; secrets referenced: PREQUEL_WEBHOOK_PUBLIC_KEY, PRELUDE_WEBHOOK_PUBLIC_KEY, ');
    expect(JSON.parse(readFileSync(out, 'utf8'))).toMatchObject({ version: 1, sources: { prequel: { kind: 'prequel' } } });
  });

  it('writes the packed module the Worker imports, which compiles to the same routing', async () => {
    const out = join(dir, 'rules.ts');
    expect(run(new URL('../rules.example.yaml', import.meta.url).pathname, out).code).toBe(0);
    const { RULES_JSON } = (await import(out)) as { RULES_JSON: string };
    const built = JSON.parse(RULES_JSON) as { routes: { keys: unknown[]; routes: string[] } };
    expect(built.routes.routes).toHaveLength(21); // the example's 19, settings.unrouted's and settings.health's
    expect(built.routes.keys[1]).toEqual({ types: ['transfer.error'], sources: ['prequel'], pair: [] });
  });

  it('fails with every problem, positioned, and writes nothing', () => {
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'version: 2\nsources:\n  pq: { kind: prequel, public_keys: ["-----BEGIN PUBLIC KEY-----"] }\n');
    const out = join(dir, 'bad.json');
    const r = run(bad, out);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('has 2 problems');
    expect(r.stderr).toContain('bad.yaml:1:10: version: version must be 1');
    expect(r.stderr).toContain('bad.yaml:3:38: sources.pq.public_keys[0]: public_keys entry must be a reference to a Worker secret');
    expect(() => readFileSync(out)).toThrow();
  });
});

describe('shadow rules (rules.shadow.yaml)', () => {
  const example = new URL('../rules.example.yaml', import.meta.url).pathname;
  const build = (args: string[], out: string) => spawnSync(process.execPath, [script, example, '--out', out, ...args], { encoding: 'utf8', env: process.env });

  it('compiles a valid shadow file beside the live rules, each with its version', async () => {
    const shadow = join(dir, 'shadow.yaml');
    writeFileSync(
      shadow,
      'version: 1\nsources:\n  prequel: { kind: prequel, public_keys: ["${K}"] }\ntargets:\n  hook: { kind: http, url: "https://hook.example.com/" }\nroutes:\n  - { name: all, when: { source: prequel }, notify: [hook] }\n',
    );
    const out = join(dir, 'with-shadow.ts');
    const r = build(['--shadow', shadow], out);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('shadow rules');
    const m = (await import(out)) as { SHADOW_JSON: string | null; SHADOW_VERSION: { hash: string } | null; RULES_VERSION: { hash: string } };
    expect(JSON.parse(m.SHADOW_JSON!)).toMatchObject({ targets: { hook: { kind: 'http' } } });
    expect(m.SHADOW_VERSION!.hash).toMatch(/^[0-9a-f]{12}$/);
    expect(m.SHADOW_VERSION!.hash).not.toBe(m.RULES_VERSION.hash);
  });

  it('writes none without one, and refuses a broken one with its problems', async () => {
    const out = join(dir, 'no-shadow.ts');
    expect(build(['--no-shadow'], out).status).toBe(0);
    expect(((await import(out)) as { SHADOW_JSON: string | null }).SHADOW_JSON).toBeNull();
    const broken = join(dir, 'broken-shadow.yaml');
    writeFileSync(broken, 'version: 1\nroutes:\n  - { name: r, notify: [pager] }\n');
    const r = build(['--shadow', broken], join(dir, 'broken-shadow.ts'));
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/shadow rules .*broken-shadow\.yaml have \d+ problems?/);
  });

  it('keeps the version (and the module) unchanged when the rules are unchanged', () => {
    const out = join(dir, 'stable.ts');
    build(['--no-shadow'], out);
    const first = readFileSync(out, 'utf8');
    build(['--no-shadow'], out);
    expect(readFileSync(out, 'utf8')).toBe(first);
  });
});

describe('wrangler refuses to deploy a broken rules file', () => {
  it('fails `wrangler deploy --dry-run` with the positioned problems', () => {
    const bad = join(dir, 'broken.yaml');
    writeFileSync(bad, 'version: 1\nsources:\n  pq: { kind: prequel, public_keys: ["${K}"] }\nroutes:\n  - { name: r, notify: [pager] }\n');
    const root = new URL('..', import.meta.url).pathname;
    let output = '';
    let code = 0;
    try {
      execFileSync('npx', ['wrangler', 'deploy', '--dry-run', '--outdir', join(dir, 'dist')], {
        cwd: root,
        encoding: 'utf8',
        stdio: 'pipe',
        env: { ...process.env, SWITCHYARD_RULES: bad, WRANGLER_SEND_METRICS: 'false', CLOUDFLARE_CF_FETCH_ENABLED: 'false' },
      });
    } catch (e) {
      const x = e as { status: number; stdout: string; stderr: string };
      code = x.status;
      output = x.stdout + x.stderr;
    }
    expect(code).not.toBe(0);
    expect(output).toContain('broken.yaml:5:25: routes[0].notify[0]: unknown target "pager" (no targets are declared)');
    expect(output).toContain('[custom build]');
  }, 60_000);

  it('in dev mode, a broken file keeps the last good rules serving and reports its problems; fixing it resumes', async () => {
    const rules = join(dir, 'dev-rules.yaml');
    const out = join(dir, 'dev-rules.ts');
    const example = readFileSync(new URL('../rules.example.yaml', import.meta.url), 'utf8');
    writeFileSync(rules, example);
    expect(run(rules, out, { SWITCHYARD_DEV: '1' }).code).toBe(0);
    const good = readFileSync(out, 'utf8');

    writeFileSync(rules, example.replace('routes:', 'routes:\n  - name: broken\n    notify: [nobody]'));
    const r = run(rules, out, { SWITCHYARD_DEV: '1' });
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/dev-rules\.yaml has 1 problem — still serving the last good \S*dev-rules\.yaml until it is fixed/);
    expect(r.stderr).toMatch(/dev-rules\.yaml:\d+:\d+: routes\[0\]\.notify\[0\]: unknown target "nobody"/);
    const kept = readFileSync(out, 'utf8');
    expect(kept.split('\n')[1]).toBe(good.split('\n')[1]); // the same RULES_JSON
    const { RULES_STATUS } = (await import(`${out}?broken`)) as { RULES_STATUS: { ok: boolean; serving: string; problems: string[] } };
    expect(RULES_STATUS).toMatchObject({ ok: false, serving: expect.stringMatching(/^the last good \S*dev-rules\.yaml$/) });
    expect(RULES_STATUS.problems[0]).toContain('unknown target "nobody"');
    // Run again on the same broken file: nothing changes (wrangler's watcher is not re-triggered).
    run(rules, out, { SWITCHYARD_DEV: '1' });
    expect(readFileSync(out, 'utf8')).toBe(kept);

    writeFileSync(rules, example);
    expect(run(rules, out, { SWITCHYARD_DEV: '1' }).code).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe(good);
    // Outside dev mode the same broken file fails the build.
    writeFileSync(rules, 'version: 2\n');
    expect(run(rules, out).code).toBe(1);
  });

  it('in dev mode with no last good rules, serves the example until the file is fixed', async () => {
    const rules = join(dir, 'first.yaml');
    const out = join(dir, 'first.ts');
    writeFileSync(rules, 'version: 1\nroutes: [ { name: x, notify: [] }\n');
    const r = run(rules, out, { SWITCHYARD_DEV: '1' });
    expect(r.code).toBe(0);
    const { RULES_STATUS, RULES_JSON } = (await import(out)) as { RULES_STATUS: { serving: string }; RULES_JSON: string };
    expect(RULES_STATUS.serving).toBe('rules.example.yaml');
    expect(Object.keys((JSON.parse(RULES_JSON) as { sources: object }).sources)).toEqual(['prequel', 'prelude', 'billing']);
  });
});
