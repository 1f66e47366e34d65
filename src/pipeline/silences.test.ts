import { describe, expect, it } from 'vitest';
import { isoOrInvalid, MAX_SILENCE_MS, silencedBy, silenceWindow, storedSilenceProblem } from './silences.ts';
import type { Silence } from '../core/delivery.ts';

const NOW = Date.parse('2026-12-03T12:00:00Z');
const window = (b: Record<string, unknown>) => silenceWindow(b, NOW);

describe('the window a silence asks for', () => {
  it('takes a duration or an end, from now or from a start', () => {
    expect(window({ duration: '2h' })).toEqual({ startsAt: NOW, endsAt: NOW + 7_200_000 });
    expect(window({ starts_at: '2026-12-04T00:00:00Z', ends_at: '2026-12-04T06:00:00Z' })).toEqual({
      startsAt: Date.parse('2026-12-04T00:00:00Z'),
      endsAt: Date.parse('2026-12-04T06:00:00Z'),
    });
    expect(window({ duration: '366d' })).toEqual({ startsAt: NOW, endsAt: NOW + MAX_SILENCE_MS });
  });

  it.each([
    [{ duration: '100000000d' }, 'duration "100000000d" is longer than a silence may last (366d)'],
    [{ duration: 'soon' }, 'duration must be a positive duration such as 30m, 2h or 3d (got "soon")'],
    [{ duration: 7200 }, 'duration must be a positive duration such as 30m, 2h or 3d (got 7200)'],
    [{ duration: '0s' }, 'duration must be a positive duration such as 30m, 2h or 3d (got "0s")'],
    [{ ends_at: 'tomorrow' }, 'ends_at must be an RFC 3339 time such as 2026-12-03T18:00:00Z (got "tomorrow")'],
    [{ ends_at: '+275760-09-13T00:00:00.000Z' }, 'ends_at "+275760-09-13T00:00:00.000Z" is more than a year after the start (a silence lasts at most 366d)'],
    [{ ends_at: '2026-12-01T00:00:00Z' }, 'the silence must end in the future, after it starts'],
    [{ starts_at: '2030-01-01T00:00:00Z', duration: '1h' }, 'starts_at "2030-01-01T00:00:00Z" is more than a year ahead'],
    [{ duration: '1h', ends_at: '2026-12-04T00:00:00Z' }, 'give ends_at or duration, not both'],
    [{}, 'give ends_at (RFC 3339) or duration (e.g. 2h)'],
  ])('refuses %j', (b, problem) => {
    expect(window(b)).toEqual({ problems: [problem] });
  });
});

describe('a stored silence that cannot be applied', () => {
  const base: Silence = { id: 'sil_1', matchers: { targets: ['oncall'] }, startsAt: 0, endsAt: NOW + 3_600_000, createdBy: 'a', comment: 'b', createdAt: 0 };
  const subject = {
    event: { source: 's', kind: 'prequel', type: 't', id: 'i', occurredAt: null, receivedAt: '', correlationId: null, data: {}, meta: {} },
    route: 'r',
    target: 'oncall',
    alertKey: null,
  } as const;

  it('is named broken, and never silences', () => {
    expect(storedSilenceProblem({ ...base, endsAt: 8.64e17 })).toBe('ends_at is not a valid time (864000000000000000)');
    expect(storedSilenceProblem({ ...base, startsAt: NaN })).toBe('starts_at is not a valid time (NaN)');
    expect(storedSilenceProblem({ ...base, matchers: { when: { nope: 1 } } })).toMatch(/^matchers\.when: /);
    expect(silencedBy([base], subject, NOW)).toBe(base);
    expect(silencedBy([{ ...base, broken: 'x' }], subject, NOW)).toBeNull();
    expect(silencedBy([{ ...base, id: 'sil_throws', matchers: { when: { nope: 1 } } }], subject, NOW)).toBeNull();
  });

  it('prints its times without a RangeError', () => {
    expect(isoOrInvalid(8.64e17)).toBe('invalid time (864000000000000000)');
    expect(isoOrInvalid(NOW)).toBe('2026-12-03T12:00:00.000Z');
  });
});

describe('silence matchers as given through the API', () => {
  it('name unknown targets and routes with a did-you-mean, or the list', async () => {
    const { checkMatchers } = await import('./silences.ts');
    const names = { targets: ['oncall', 'data-eng'], routes: ['pages'] };
    expect(checkMatchers({ targets: ['oncal'] }, names)).toEqual(['targets: no target "oncal" in the rules (did you mean "oncall"?)']);
    expect(checkMatchers({ routes: ['zzz'] }, names)).toEqual(['routes: no route "zzz" in the rules (routes: pages)']);
  });
});
