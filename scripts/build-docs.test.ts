import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
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
