import { readFileSync } from 'node:fs';
import Ajv2020 from 'ajv/dist/2020.js';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { rulesJsonSchema } from './json-schema.ts';

const committed = JSON.parse(readFileSync(new URL('../../schema/rules.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

describe('schema/rules.schema.json', () => {
  it('is exactly what the validator definitions generate (run node scripts/build-schema.ts after changing them)', () => {
    expect(committed).toEqual(JSON.parse(JSON.stringify(rulesJsonSchema())));
  });

  const ajv = new Ajv2020({ strict: false, allErrors: true });
  const validate = ajv.compile(committed);

  it('accepts rules.example.yaml', () => {
    const ok = validate(parse(readFileSync(new URL('../../rules.example.yaml', import.meta.url), 'utf8')));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it.each([
    ['an unknown top-level key', { version: 1, sources: {}, sourcse: {} }],
    ['an unknown target kind', { version: 1, sources: {}, targets: { t: { kind: 'smtp' } } }],
    ['an unknown operator', { version: 1, sources: {}, routes: [{ name: 'r', notify: [], when: { type: { gtt: 1 } } }] }],
    ['a wrong operand', { version: 1, sources: {}, routes: [{ name: 'r', notify: [], when: { 'data.n': { gt: 'five' } } }] }],
    ['a route without notify', { version: 1, sources: {}, routes: [{ name: 'r' }] }],
  ])('rejects %s, as an editor would flag it', (_, doc) => {
    expect(validate(doc)).toBe(false);
  });
});
