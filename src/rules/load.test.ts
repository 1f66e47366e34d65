import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closest, formatProblems, loadRules } from './load.ts';

const problems = (yaml: string): string => {
  const r = loadRules(yaml);
  if (r.ok) throw new Error('expected problems');
  return formatProblems(r.error, 'rules.yaml');
};

describe('loading rules.yaml', () => {
  it('loads rules.example.yaml into the runtime form with defaults and units resolved', () => {
    const r = loadRules(readFileSync(new URL('../../rules.example.yaml', import.meta.url), 'utf8'));
    expect(r.ok && r.value.config).toEqual({
      version: 1,
      settings: { maxBodyBytes: 262_144, dedupRetentionMs: 15 * 86_400_000 },
      sources: {
        prequel: {
          kind: 'prequel',
          auth: { type: 'signature', keys: ['${PREQUEL_WEBHOOK_PUBLIC_KEY}'] },
          maxBodyBytes: 262_144,
          maxAgeMs: 300_000,
          maxFutureMs: 60_000,
        },
        prelude: {
          kind: 'prelude',
          auth: { type: 'signature', keys: ['${PRELUDE_WEBHOOK_PUBLIC_KEY}'] },
          maxBodyBytes: 262_144,
          activation: { verificationToken: '${PRELUDE_VERIFICATION_TOKEN}', appIds: [] },
        },
        billing: { kind: 'standard-webhooks', auth: { type: 'signature', keys: ['${BILLING_WEBHOOK_SECRET}'] }, maxBodyBytes: 262_144, toleranceMs: 300_000 },
      },
    });
    expect(r.ok && r.value.references).toEqual([
      'PREQUEL_WEBHOOK_PUBLIC_KEY',
      'PRELUDE_WEBHOOK_PUBLIC_KEY',
      'PRELUDE_VERIFICATION_TOKEN',
      'BILLING_WEBHOOK_SECRET',
    ]);
  });

  it('applies per-source overrides and token authentication', () => {
    const r = loadRules(`version: 1
sources:
  pq: { kind: prequel, token: "\${PQ_TOKEN}", max_age: 90s, max_future: 0s, max_body: 1MB }
`);
    expect(r.ok && r.value.config.sources.pq).toEqual({
      kind: 'prequel',
      auth: { type: 'token', token: '${PQ_TOKEN}' },
      maxBodyBytes: 1_048_576,
      maxAgeMs: 90_000,
      maxFutureMs: 0,
    });
  });

  it('reports every problem at once, each with line and column', () => {
    const text = `version: 1
settings:
  max_bdy: 1MB
  dedup_retention: 3d
sources:
  prequel:
    kind: prequel
    public_keys: ["-----BEGIN PUBLIC KEY-----MIIB..."]
    max_age: five minutes
  Prelude:
    kind: prelude
  billing:
    kind: standard-webhooks
    secrets: ["\${A}"]
    token: "\${B}"
  other:
    kind: stripe
`;
    expect(problems(text)).toBe(
      [
        'rules.yaml:3:3: settings: unknown key "max_bdy" (did you mean "max_body"?)',
        'rules.yaml:4:20: settings.dedup_retention: dedup_retention must be at least 14d: Prelude retries for two weeks',
        'rules.yaml:8:19: sources.prequel.public_keys[0]: public_keys entry must be a reference to a Worker secret such as "${MY_SECRET}", never the value itself',
        'rules.yaml:9:14: sources.prequel.max_age: max_age must be a duration such as 90s, 5m, 1h or 15d',
        'rules.yaml:10:3: sources.Prelude: source names are lower case letters, digits, - and _ (they become /hooks/<name>)',
        'rules.yaml:10:3: sources.Prelude: needs public_keys (signature verification) or token; a source is never left unauthenticated',
        'rules.yaml:15:12: sources.billing.token: give either secrets or token, not both',
        'rules.yaml:17:11: sources.other.kind: kind must be one of: prequel, prelude, standard-webhooks',
      ].join('\n'),
    );
  });

  it('suggests the nearest key for misspellings inside a source', () => {
    expect(problems(`version: 1\nsources:\n  pq:\n    kind: prequel\n    public_key: ["\${K}"]\n`)).toBe(
      [
        'rules.yaml:3:3: sources.pq: needs public_keys (signature verification) or token; a source is never left unauthenticated',
        'rules.yaml:5:5: sources.pq: unknown key "public_key" (did you mean "public_keys"?)',
      ].join('\n'),
    );
  });

  it('refuses an unauthenticated source', () => {
    expect(problems('version: 1\nsources:\n  hook: { kind: standard-webhooks }\n')).toBe(
      'rules.yaml:3:3: sources.hook: needs secrets (signature verification) or token; a source is never left unauthenticated',
    );
  });

  it('reports YAML syntax errors with their position', () => {
    expect(problems('version: 1\nsources:\n  a: [unclosed\n')).toMatch(/^rules\.yaml:4:1: YAML: Flow sequence/);
  });

  it('reports duplicate keys', () => {
    expect(problems('version: 1\nversion: 1\nsources: {}\n')).toMatch(/^rules\.yaml:2:1: YAML: Map keys must be unique/);
  });

  it('requires a version and at least one source', () => {
    expect(problems('sources: {}\n')).toBe(['rules.yaml:1:1: version: version must be 1', 'rules.yaml:1:1: sources: declare at least one source'].join('\n'));
  });

  it('treats an empty file as missing everything', () => {
    expect(problems('')).toContain('version: version must be 1');
  });
});

describe('did-you-mean', () => {
  it('finds close keys and ignores far ones', () => {
    expect(closest('max_bdy', ['max_body', 'dedup_retention'])).toBe('max_body');
    expect(closest('tolerence', ['tolerance', 'secrets'])).toBe('tolerance');
    expect(closest('zzzz', ['max_body', 'dedup_retention'])).toBeNull();
  });
});
