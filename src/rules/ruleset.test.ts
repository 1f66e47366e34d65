import { describe as group, expect, it } from 'vitest';
import type { CanonicalEvent } from '../core/event.ts';
import { parseWhen, type ConditionProblem } from './conditions.ts';
import type { RouteConfig } from './config.ts';
import { compileRuleSet, packRoutes } from './ruleset.ts';

function route(name: string, when: unknown, extra: Partial<RouteConfig> = {}): RouteConfig {
  const problems: ConditionProblem[] = [];
  const condition = parseWhen(when, problems);
  if (problems.length > 0) throw new Error(JSON.stringify(problems));
  return { name, when: condition, notify: [name], continue: false, severity: null, alertKey: null, action: null, templates: {}, ...extra };
}

function event(type: string, data: unknown, source = 'prequel', extra: Partial<CanonicalEvent> = {}): CanonicalEvent {
  return {
    source,
    kind: 'prequel',
    type,
    id: 'evt_1',
    occurredAt: '2026-01-01T00:00:00Z',
    receivedAt: '2026-01-01T00:00:01Z',
    correlationId: 'corr-1',
    data,
    meta: { apiVersion: '2023-10-15' },
    ...extra,
  };
}

/** Does a single-condition route match? Both through the plain and the packed (build-time) form. */
function holds(when: unknown, e: CanonicalEvent): boolean {
  const routes = [route('r', when)];
  const a = compileRuleSet(routes).match(e).length === 1;
  const b = compileRuleSet(JSON.parse(JSON.stringify(packRoutes(routes)))).match(e).length === 1;
  expect(b, 'packed and plain rule sets agree').toBe(a);
  return a;
}

const transferError = event('transfer.error', {
  transfer_blamed_party: 'third_party',
  rows_failed: 1500,
  models: ['users', 'orders'],
  destination: { vendor: 'snowflake', name: 'Foo Bar' },
  log: 'Job aborted due to stage failure',
  attempts: [{ code: 500 }, { code: 503 }],
  nothing: null,
});

group('operators', () => {
  it.each([
    ['equality', { type: 'transfer.error' }, true],
    ['equality fails', { type: 'transfer.success' }, false],
    ['equality is strict (number vs string)', { 'data.rows_failed': '1500' }, false],
    ['number equality', { 'data.rows_failed': 1500 }, true],
    ['boolean equality on a missing field', { 'data.is_enabled': false }, false],
    ['null equality', { 'data.nothing': null }, true],
    ['glob shorthand', { type: 'transfer.*' }, true],
    ['glob in the middle', { type: '*.err*' }, true],
    ['glob is anchored', { type: 'transfer' }, false],
    ['glob operator', { 'data.destination.name': { glob: 'Foo *' } }, true],
    ['list means in', { 'data.transfer_blamed_party': ['first_party', 'third_party'] }, true],
    ['in', { 'data.transfer_blamed_party': { in: ['prequel'] } }, false],
    ['not_in', { 'data.transfer_blamed_party': { not_in: ['prequel'] } }, true],
    ['not_in holds for a missing field', { 'data.missing': { not_in: ['x'] } }, true],
    ['ne', { 'data.transfer_blamed_party': { ne: 'prequel' } }, true],
    ['ne holds for a missing field', { 'data.missing': { ne: 'x' } }, true],
    ['regex is anchored', { 'data.log': { regex: 'stage failure' } }, false],
    ['regex matching the whole value', { 'data.log': { regex: '.*stage failure' } }, true],
    ['regex on a number never holds', { 'data.rows_failed': { regex: '1500' } }, false],
    ['gt', { 'data.rows_failed': { gt: 1000 } }, true],
    ['gt boundary', { 'data.rows_failed': { gt: 1500 } }, false],
    ['gte boundary', { 'data.rows_failed': { gte: 1500 } }, true],
    ['lt', { 'data.rows_failed': { lt: 1000 } }, false],
    ['lte boundary', { 'data.rows_failed': { lte: 1500 } }, true],
    ['range (two operators, both must hold)', { 'data.rows_failed': { gt: 1000, lt: 2000 } }, true],
    ['range failing one side', { 'data.rows_failed': { gt: 1000, lt: 1200 } }, false],
    ['comparisons need numbers', { 'data.destination.name': { gt: 0 } }, false],
    ['exists', { 'data.destination.vendor': { exists: true } }, true],
    ['exists is false for null', { 'data.nothing': { exists: true } }, false],
    ['absent', { 'data.missing': { exists: false } }, true],
    ['contains on an array', { 'data.models': { contains: 'orders' } }, true],
    ['contains on a string', { 'data.log': { contains: 'stage' } }, true],
    ['contains fails', { 'data.models': { contains: 'invoices' } }, false],
    ['array index', { 'data.models[1]': 'orders' }, true],
    ['array index out of range', { 'data.models[5]': { exists: true } }, false],
    ['any element', { 'data.attempts[*].code': { gte: 503 } }, true],
    ['any element, none qualifies', { 'data.attempts[*].code': { gt: 503 } }, false],
    ['any element of a missing array', { 'data.missing[*].code': { exists: false } }, false],
    ['payload is an alias of data', { 'payload.destination.vendor': 'snowflake' }, true],
    ['correlation_id', { correlation_id: 'corr-1' }, true],
    ['api_version from meta', { api_version: '2023-10-15' }, true],
    ['inherited names are not fields', { 'data.constructor': { exists: true } }, false],
    ['inherited names as values: toString', { 'data.toString': { exists: false } }, true],
  ])('%s', (_, when, expected) => expect(holds(when, transferError)).toBe(expected));
});

group('combinators', () => {
  it.each([
    ['all', { all: [{ type: 'transfer.error' }, { 'data.rows_failed': { gt: 1 } }] }, true],
    ['all failing', { all: [{ type: 'transfer.error' }, { 'data.rows_failed': { gt: 9999 } }] }, false],
    ['any', { any: [{ type: 'x' }, { 'data.destination.vendor': 'snowflake' }] }, true],
    ['any failing', { any: [{ type: 'x' }, { type: 'y' }] }, false],
    ['not', { not: { 'data.transfer_blamed_party': 'third_party' } }, false],
    ['not of a failing condition', { not: { type: 'transfer.success' } }, true],
    ['nested', { type: 'transfer.*', any: [{ not: { 'data.models': { contains: 'users' } } }, { 'data.rows_failed': { gte: 1500 } }] }, true],
    ['an empty when matches everything', {}, true],
    ['an absent when matches everything', undefined, true],
  ])('%s', (_, when, expected) => expect(holds(when, transferError)).toBe(expected));
});

group('ordering and continue', () => {
  const routes = [
    route('audit', { source: 'prequel' }, { continue: true }),
    route('third-party', { type: 'transfer.error', 'data.transfer_blamed_party': 'third_party' }),
    route('page', { type: 'transfer.error' }),
    route('catch-all', undefined),
  ];
  const rs = compileRuleSet(routes);
  const names = (e: CanonicalEvent) => rs.match(e).map((m) => m.route.name);

  it('stops at the first match without continue, after a continuing one', () => {
    expect(names(transferError)).toEqual(['audit', 'third-party']);
  });
  it('falls through to the next route when the first does not match', () => {
    expect(names(event('transfer.error', { transfer_blamed_party: 'prequel' }))).toEqual(['audit', 'page']);
  });
  it('reaches the catch-all only when nothing before stopped', () => {
    expect(names(event('user.created', {}, 'prelude'))).toEqual(['catch-all']);
  });
  it('indexes by source and type without changing the answer for unseen types', () => {
    for (let i = 0; i < 50; i++) expect(names(event(`type.${i}`, {}, i % 2 ? 'prequel' : 'prelude'))).toEqual(i % 2 ? ['audit', 'catch-all'] : ['catch-all']);
  });
  it('keeps matching correct across many (source, type) pairs (index cache eviction)', () => {
    for (let i = 0; i < 5000; i++) names(event(`t.${i}`, {}, 'x'));
    expect(names(transferError)).toEqual(['audit', 'third-party']);
  });

  it('explains every route: the deciding condition, its value, and what the walk skipped', () => {
    const explained = rs.explain(event('transfer.error', { transfer_blamed_party: 'prequel' }));
    expect(explained).toEqual([
      { index: 0, name: 'audit', matched: true, skipped: false, reason: 'held: source = "prequel"', notify: ['audit'] },
      {
        index: 1,
        name: 'third-party',
        matched: false,
        skipped: false,
        reason: 'data.transfer_blamed_party = "third_party" failed: data.transfer_blamed_party is "prequel"',
        notify: [],
      },
      { index: 2, name: 'page', matched: true, skipped: false, reason: 'held: type = "transfer.error"', notify: ['page'] },
      { index: 3, name: 'catch-all', matched: false, skipped: true, reason: 'not evaluated: route "page" matched and does not continue', notify: [] },
    ]);
  });

  it('explains missing values, lists and combinators', () => {
    const rs2 = compileRuleSet([route('r', { any: [{ 'data.attempts[*].code': 404 }, { not: { 'data.missing': { exists: false } } }] })]);
    expect(rs2.explain(transferError)[0]!.reason).toBe(
      'none of: data.attempts[*].code = 404 failed: data.attempts[*].code is [500, 503]; not (data.missing is absent held: data.missing is missing)',
    );
  });
});

group('settings.unrouted: the fallback route', () => {
  const routes = [
    route('audit', { source: 'prequel', type: { glob: 'export_*' } }, { continue: true }),
    route('pages', { source: 'prequel', type: 'transfer.error' }),
    route('Unrouted events (settings.unrouted)', {}, { notify: ['notices'], fallback: true }),
  ];
  for (const [form, rules] of [
    ['plain', compileRuleSet(routes)],
    ['packed', compileRuleSet(JSON.parse(JSON.stringify(packRoutes(routes))))],
  ] as const) {
    it(`takes only what no other route matched (${form})`, () => {
      const names = (e: CanonicalEvent) => rules.match(e).map((m) => m.route.name);
      expect(names(event('transfer.error', {}))).toEqual(['pages']);
      expect(names(event('export_source.created', {}))).toEqual(['audit']); // a continuing route is a match too
      expect(names(event('transfer.success', {}))).toEqual(['Unrouted events (settings.unrouted)']);
      // The relay's own events are never routed by the rules, the fallback included.
      expect(names(event('group.notification', {}, 'switchyard'))).toEqual([]);
    });
  }

  it('explains itself: taken when nothing above matched, else not', () => {
    const rules = compileRuleSet(routes);
    expect(rules.explain(event('transfer.success', {})).at(-1)).toMatchObject({
      matched: true,
      reason: 'no route matched: settings.unrouted tells notices',
      notify: ['notices'],
    });
    expect(rules.explain(event('export_source.created', {})).at(-1)).toMatchObject({ matched: false, notify: [] });
  });
});
