import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoFromMs, parseDuration, parseSize } from './units.ts';

describe('units', () => {
  it.each([
    ['90s', 90_000],
    ['5m', 300_000],
    ['1h30m', 5_400_000],
    ['15d', 1_296_000_000],
    ['250ms', 250],
    ['0s', 0],
  ])('parses duration %s', (text, ms) => expect(parseDuration(text)).toBe(ms));

  it.each([[''], ['5'], ['m'], ['5 minutes'], ['-5m'], ['5m1h']])('rejects duration %j', (text) => expect(parseDuration(text)).toBeNull());

  it.each([
    ['256KB', 262_144],
    ['1MB', 1_048_576],
    ['512', 512],
    ['64 KiB', 65_536],
  ])('parses size %s', (text, bytes) => expect(parseSize(text)).toBe(bytes));

  it.each([['1GB'], ['KB'], ['1.5MB'], ['-1KB']])('rejects size %j', (text) => expect(parseSize(text)).toBeNull());

  it('formats epoch milliseconds exactly as Date#toISOString does', () => {
    for (const ms of [0, 951_782_400_000, 1_709_164_799_999, 4_102_444_800_000, Date.parse('2026-11-23T12:00:00.007Z')])
      expect(isoFromMs(ms)).toBe(new Date(ms).toISOString());
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), (ms) => isoFromMs(ms) === new Date(ms).toISOString()),
      { numRuns: 20_000 },
    );
  });
});
