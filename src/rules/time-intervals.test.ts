import { describe, expect, it } from 'vitest';
import { inTimeInterval, localText, nextUnmuted, parseTimeInterval, timeMute, type TimeIntervalInput } from './time-intervals.ts';

const spec = (input: TimeIntervalInput) => {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const parsed = parseTimeInterval(input, problems);
  expect(problems).toEqual([]);
  return parsed;
};
const at = (iso: string) => Date.parse(iso);

describe('time intervals', () => {
  it('reads business hours in the interval’s zone, across a daylight-saving change (New York, 8 March 2026)', () => {
    const ny = spec({ weekdays: ['monday:friday'], times: [{ start: '09:00', end: '17:00' }], location: 'America/New_York' });
    // Friday 6 March, EST (UTC-5): 14:30Z is 09:30 local; 13:30Z is 08:30.
    expect(inTimeInterval(ny, at('2026-03-06T14:30:00Z'))).toBe(true);
    expect(inTimeInterval(ny, at('2026-03-06T13:30:00Z'))).toBe(false);
    // Monday 9 March, EDT (UTC-4): 13:30Z is now 09:30 local; 21:30Z is 17:30.
    expect(inTimeInterval(ny, at('2026-03-09T13:30:00Z'))).toBe(true);
    expect(inTimeInterval(ny, at('2026-03-09T21:30:00Z'))).toBe(false);
    // Saturday.
    expect(inTimeInterval(ny, at('2026-03-07T15:00:00Z'))).toBe(false);
  });

  it('ends at the end time (exclusive) and allows 24:00', () => {
    const day = spec({ times: [{ start: '00:00', end: '24:00' }] });
    expect(inTimeInterval(day, at('2026-11-23T23:59:00Z'))).toBe(true);
    const morning = spec({ times: [{ start: '09:00', end: '12:00' }], location: 'Europe/Paris' });
    expect(inTimeInterval(morning, at('2026-11-23T10:59:00Z'))).toBe(true); // 11:59 Paris (CET)
    expect(inTimeInterval(morning, at('2026-11-23T11:00:00Z'))).toBe(false); // 12:00 Paris
  });

  it('reads days of the month from the end, months by name and years', () => {
    const lastDay = spec({ days_of_month: ['-1'], months: ['february'], years: ['2028'] });
    expect(inTimeInterval(lastDay, at('2028-02-29T12:00:00Z'))).toBe(true); // a leap year
    expect(inTimeInterval(lastDay, at('2028-02-28T12:00:00Z'))).toBe(false);
    expect(inTimeInterval(lastDay, at('2027-02-28T12:00:00Z'))).toBe(false);
    const firstWeek = spec({ days_of_month: ['1:7'], months: ['1:3'] });
    expect(inTimeInterval(firstWeek, at('2026-03-07T12:00:00Z'))).toBe(true);
    expect(inTimeInterval(firstWeek, at('2026-04-02T12:00:00Z'))).toBe(false);
  });

  it('reports every problem with its place', () => {
    const problems: { path: (string | number)[]; message: string }[] = [];
    parseTimeInterval(
      { weekdays: ['friday:monday', 'funday'], times: [{ start: '18:00', end: '09:00' }], days_of_month: ['0'], months: ['13'], location: 'Mars/Olympus' },
      problems,
      ['time_intervals', 'x', 0],
    );
    expect(problems.map((p) => `${p.path.join('.')}: ${p.message}`)).toEqual([
      'time_intervals.x.0.weekdays.0: a weekday range runs forward, e.g. monday:friday',
      'time_intervals.x.0.weekdays.1: "funday" is not a valid weekdays entry',
      'time_intervals.x.0.days_of_month.0: days of the month are 1 to 31, or -1 (the last day) to -31',
      'time_intervals.x.0.months.0: months are january … december or 1 … 12',
      'time_intervals.x.0.times.0: times are {start: "HH:MM", end: "HH:MM"} with end after start (end may be 24:00)',
      'time_intervals.x.0.location: unknown time zone "Mars/Olympus" (an IANA name such as Europe/Paris)',
    ]);
  });

  it('mutes a route inside mute_when and outside active_when', () => {
    const intervals = {
      'business-hours': [spec({ weekdays: ['monday:friday'], times: [{ start: '09:00', end: '18:00' }], location: 'Europe/Paris' })],
      maintenance: [spec({ weekdays: ['sunday'] })],
    };
    expect(timeMute({ activeWhen: ['business-hours'] }, intervals, at('2026-11-23T10:00:00Z'))).toBeNull();
    expect(timeMute({ activeWhen: ['business-hours'] }, intervals, at('2026-11-23T20:00:00Z'))).toBe('muted: outside active_when "business-hours"');
    expect(timeMute({ muteWhen: ['maintenance'] }, intervals, at('2026-11-22T10:00:00Z'))).toBe('muted: inside mute_when "maintenance"');
    expect(timeMute({}, intervals, at('2026-11-22T10:00:00Z'))).toBeNull();
  });
});

describe('when a muted route sends again', () => {
  const paris = spec({ weekdays: ['monday:friday'], times: [{ start: '09:00', end: '18:00' }], location: 'Europe/Paris' });
  const lunch = spec({ times: [{ start: '12:00', end: '13:30' }], location: 'Europe/Paris' });
  const december = spec({ months: ['december'], location: 'UTC' });
  const gone = spec({ years: ['2020'], location: 'UTC' });
  const intervals = { paris: [paris], lunch: [lunch], december: [december], gone: [gone] };

  it('is now when nothing mutes it', () => {
    expect(nextUnmuted({ activeWhen: ['paris'] }, intervals, at('2026-12-03T10:00:00Z'))).toBe(at('2026-12-03T10:00:00Z'));
  });

  it('is the minute the active window opens, or the mute window closes', () => {
    expect(nextUnmuted({ activeWhen: ['paris'] }, intervals, at('2026-12-05T10:00:00Z'))).toBe(at('2026-12-07T08:00:00Z'));
    expect(nextUnmuted({ activeWhen: ['paris'], muteWhen: ['lunch'] }, intervals, at('2026-12-03T11:15:00Z'))).toBe(at('2026-12-03T12:30:00Z'));
    expect(localText(at('2026-12-03T12:30:00Z'), 'Europe/Paris')).toBe('Thu 2026-12-03 13:30 Europe/Paris');
  });

  it('finds a window months away to the minute, and says null for one that never comes again', () => {
    expect(nextUnmuted({ activeWhen: ['december'] }, intervals, at('2026-06-15T10:20:00Z'))).toBe(at('2026-12-01T00:00:00Z'));
    expect(nextUnmuted({ activeWhen: ['gone'] }, intervals, at('2026-06-15T10:20:00Z'))).toBeNull();
  });
});
