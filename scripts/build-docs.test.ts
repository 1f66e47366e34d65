import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { formatProblems, loadRules } from '../src/rules/load.ts';
import { buildDocs } from './build-docs.ts';

describe('docs/', () => {
  it('is what the schema definitions generate (run node scripts/build-docs.ts after changing them)', () => {
    for (const [path, text] of buildDocs()) expect([path, readFileSync(new URL(`../${path}`, import.meta.url), 'utf8')]).toEqual([path, text]);
  });

  it('has a page per source and target kind, each with its fields', () => {
    const pages = buildDocs();
    expect([...pages.keys()].sort()).toEqual([
      'docs/README.md',
      'docs/sources/prelude.md',
      'docs/sources/prequel.md',
      'docs/sources/standard-webhooks.md',
      'docs/targets/http.md',
      'docs/targets/pagerduty.md',
      'docs/targets/slack.md',
    ]);
    expect(pages.get('docs/targets/slack.md')).toContain('| `channel` |');
    expect(pages.get('docs/targets/pagerduty.md')).toContain('| `routing_key` | string | yes |');
    expect(pages.get('docs/sources/prequel.md')).toContain('| `max_age` | string |  | `"5m"` |');
  });
});

describe('README recipes', () => {
  it('are valid routes against the example’s sources, targets and time intervals', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const block = readme.split('### Recipes')[1]!.split('```yaml')[1]!.split('```')[0]!;
    const example = parse(readFileSync(new URL('../rules.example.yaml', import.meta.url), 'utf8')) as Record<string, unknown>;
    const loaded = loadRules(stringify({ ...example, routes: parse(block) as unknown[] }));
    expect(loaded.ok ? 'ok' : formatProblems(loaded.error, 'README recipes')).toBe('ok');
  });
});
