import { describe, expect, it } from 'vitest';
import { eventProblem, jsonDepth as depthOfBytes, MAX_JSON_DEPTH, preview } from './limits.ts';

const jsonDepth = (text: string): number => depthOfBytes(new TextEncoder().encode(text));

describe('JSON depth, counted before parsing', () => {
  it.each([
    ['a scalar', '"x"', 0],
    ['an object', '{"a":1}', 1],
    ['nested arrays in an object', '{"a":[[1],[2,[3]]]}', 4],
    ['brackets inside strings', '{"a":"[[[{{{","b":"\\\\\\"[["}', 1],
    ['an escaped quote before a bracket', '["\\"", [1]]', 2],
    ['multi-byte text around brackets', '{"é":["ü",{"😀":"[{"}]}', 3],
  ])('%s', (_, text, depth) => {
    expect(jsonDepth(text)).toBe(depth);
    expect(() => JSON.parse(text)).not.toThrow();
  });

  it('stops counting past the limit, on 5,000 levels as fast as on 65', () => {
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    expect(jsonDepth(deep)).toBe(MAX_JSON_DEPTH + 1);
    expect(jsonDepth('['.repeat(64) + ']'.repeat(64))).toBe(64);
  });
});

describe('event ids and types', () => {
  it('accepts ordinary ids and types, including non-ASCII text', () => {
    expect(eventProblem({ id: 'evt_01js0user000000000000001', type: 'transfer.error' })).toBeNull();
    expect(eventProblem({ id: 'évé', type: 'ünïcode.type' })).toBeNull();
  });

  it.each([
    ['an empty id', { id: '', type: 't' }, 'event id is empty'],
    ['a 257-character id', { id: 'a'.repeat(257), type: 't' }, 'event id is 257 characters long (at most 256)'],
    ['CR/LF in an id', { id: 'a\r\nb', type: 't' }, 'event id contains a control character (CR, LF, tab, …)'],
    ['a tab in a type', { id: 'a', type: 'x\ty' }, 'event type contains a control character (CR, LF, tab, …)'],
    ['U+2028 in a type', { id: 'a', type: 'x\u2028y' }, 'event type contains a control character (CR, LF, tab, …)'],
    ['DEL in an id', { id: 'a\u007f', type: 't' }, 'event id contains a control character (CR, LF, tab, …)'],
  ])('refuses %s', (_, event, problem) => {
    expect(eventProblem(event)).toBe(problem);
  });

  it('previews ids safely for logs and errors', () => {
    expect(preview('a\r\nb')).toBe('a\uFFFD\uFFFDb');
    expect(preview('x'.repeat(100))).toBe(`${'x'.repeat(40)}…`);
  });
});
