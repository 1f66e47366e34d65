import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { targetKinds } from '../targets/registry.ts';
import { inboxPage } from './page.ts';

const INBOX_HTML = inboxPage('', 0, targetKinds());

describe('the inbox page', () => {
  it('holds one script that compiles (the page is a template literal: a stray escape breaks it silently)', () => {
    const scripts = [...INBOX_HTML.matchAll(/<script>([\s\S]*?)<\/script>/g)].map((m) => m[1]!);
    expect(scripts).toHaveLength(1);
    expect(() => new Script(scripts[0]!, { filename: 'inbox-page.js' })).not.toThrow();
    // eslint-disable-next-line no-control-regex
    expect(scripts[0]).not.toMatch(/[\u0000-\u0008]/);
  });
});
