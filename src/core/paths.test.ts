import { describe, expect, it } from 'vitest';
import { ANY, parsePath } from './paths.ts';

describe('paths', () => {
  it.each([
    ['type', ['type']],
    ['data.transfer_blamed_party', ['data', 'transfer_blamed_party']],
    ['payload.metadata.correlation_id', ['data', 'metadata', 'correlation_id']],
    ['data.models[0]', ['data', 'models', 0]],
    ['data.attempts[*].code', ['data', 'attempts', ANY, 'code']],
    ['correlation_id', ['correlationId']],
    ['app_id', ['meta', 'appId']],
  ])('parses %s', (text, segments) => expect(parsePath(text)).toEqual({ ok: true, value: segments }));

  it.each([
    ['', 'empty path'],
    ['tpye', 'unknown field "tpye"'],
    ['type.x', '"type" has no fields'],
    ['data..x', 'empty name at 6 (two dots, or a dot at the end)'],
    ['data.', 'empty name at 6 (two dots, or a dot at the end)'],
    ['data[x]', 'cannot read "[x]"'],
    ['data.a]', 'unexpected "]" at 7'],
  ])('rejects %j', (text, error) => expect(parsePath(text)).toEqual({ ok: false, error }));
});
