/**
 * Routes checked against the vendors' catalogues: the typos a new user makes fail `check` with a position and
 * a suggestion; what the vendors have not documented yet has its allowances; coverage lists what reaches no
 * route. And the catalogue agrees with every seed payload.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRELUDE_EVENTS, PREQUEL_EVENTS, documentsField } from '../core/catalogue.ts';
import { parsePath } from '../core/paths.ts';
import { PREQUEL_FIXTURES, PRELUDE_FIXTURES } from '../../test/helpers/fixtures.ts';
import { payloadToEvents } from '../cli/events.ts';
import { loadRules, sourceTypes } from './load.ts';
import { coverage, gapText } from './catalogue-check.ts';

const HEAD = `version: 1
sources:
  prequel: { kind: prequel, public_keys: ['\${K}'] }
  prelude: { kind: prelude, public_keys: ['\${K}'] }
  billing: { kind: standard-webhooks, secrets: ['\${S}'] }
targets:
  t: { kind: slack, token: '\${T}', channel: '#c' }
routes:
`;

const problems = (routes: string, head = HEAD) => {
  const r = loadRules(head + routes);
  return r.ok ? [] : r.error.map((p) => `${p.line}:${p.col} ${p.message}`);
};

describe('check: what the vendors send', () => {
  it.each([
    ['a misspelt source', '{ source: prequl, type: transfer.error }', '10:21 unknown source "prequl" (did you mean "prequel"?)'],
    [
      'a misspelt type',
      '{ source: prequel, type: transfer.eror }',
      '10:36 type "transfer.eror" is no event type source prequel sends (did you mean "transfer.error"?) — add it to the source\'s extra_types if the vendor sends it anyway',
    ],
    [
      'a misspelt field',
      '{ source: prequel, type: transfer.error, data.transfer_blamed_pary: first_party }',
      '10:52 no event this route admits (prequel transfer.error) has data.transfer_blamed_pary (did you mean "data.transfer_blamed_party"?) — if the vendor sends it undocumented, test it with { exists: true } in this route',
    ],
    [
      'a glob that matches no type',
      "{ source: prelude, type: 'transactional.mesage.*' }",
      '10:36 type glob "transactional.mesage.*" matches no event type source prelude sends',
    ],
    ['a source glob that matches none', "{ source: 'pre*x' }", '10:21 source glob "pre*x" matches no declared source (sources: prequel, prelude, billing)'],
    [
      'a typo inside any / not',
      '{ source: prelude, any: [{ type: migration.hook_failed }, { not: { type: step_up.hook_faild } }] }',
      expect.stringMatching(/did you mean "step_up\.hook_failed"\?/),
    ],
    [
      'a field of another type',
      '{ source: prequel, type: transfer.success, data.transfer_blamed_party: first_party }',
      expect.stringMatching(/no event this route admits \(prequel transfer\.success\) has data\.transfer_blamed_party/),
    ],
  ])('%s is an error with a position and a suggestion', (_, when, message) => {
    expect(problems(`  - name: r\n    when: ${when}\n    notify: [t]\n`)).toEqual([message]);
  });

  it('reads the admitted sources and types from the route itself: a field of any admitted type passes', () => {
    // No source condition: every source is admitted, and billing is free-form, so nothing can be said.
    expect(problems(`  - name: r\n    when: { data.anything: 1 }\n    notify: [t]\n`)).toEqual([]);
    // Several types: a field one of them carries passes.
    expect(problems(`  - name: r\n    when: { source: prequel, type: 'transfer.*', data.transfer_blamed_party: prequel }\n    notify: [t]\n`)).toEqual([]);
    // Prelude's own vocabulary: payload is data.
    expect(
      problems(`  - name: r\n    when: { source: prelude, type: transactional.message.failed, payload.reason: insufficient_balance }\n    notify: [t]\n`),
    ).toEqual([]);
    // Vendor- or user-defined objects are open.
    expect(
      problems(
        `  - name: r\n    when: { source: prelude, type: transactional.message.failed, data.variables.order_id: x, data.metadata.team: y }\n    notify: [t]\n`,
      ),
    ).toEqual([]);
  });

  it('has allowances for what the vendors have not documented: extra_types, exists, a declared Standard Webhooks list', () => {
    const extra = HEAD.replace(
      "prequel: { kind: prequel, public_keys: ['${K}'] }",
      "prequel: { kind: prequel, public_keys: ['${K}'], extra_types: [transfer.retried] }",
    );
    expect(problems(`  - name: r\n    when: { source: prequel, type: transfer.retried, data.attempt: 2 }\n    notify: [t]\n`, extra)).toEqual([]);
    expect(
      problems(
        `  - name: r\n    when: { source: prequel, type: transfer.error, all: [{ data.retry_of: { exists: true } }, { data.retry_of: { ne: null } }] }\n    notify: [t]\n`,
      ),
    ).toEqual([]);
    const declared = HEAD.replace(
      "billing: { kind: standard-webhooks, secrets: ['${S}'] }",
      "billing: { kind: standard-webhooks, secrets: ['${S}'], types: [invoice.paid, invoice.payment_failed] }",
    );
    expect(problems(`  - name: r\n    when: { source: billing, type: invoice.payment_faild }\n    notify: [t]\n`, declared)).toEqual([
      expect.stringMatching(/type "invoice\.payment_faild" is no event type source billing sends \(did you mean "invoice\.payment_failed"\?\)/),
    ]);
    expect(problems(`  - name: r\n    when: { source: billing, type: invoice.anything }\n    notify: [t]\n`)).toEqual([]); // free-form without types
  });

  it('warns of a value outside a documented closed set, with a suggestion', () => {
    const r = loadRules(
      `${HEAD}  - name: r\n    when: { source: prequel, type: transfer.error, data.transfer_blamed_party: [thrid_party, prequel] }\n    notify: [t]\n`,
    );
    expect(r.ok && r.value.warnings.map((w) => [w.line, w.message])).toEqual([
      [10, '"thrid_party" is not a documented value of data.transfer_blamed_party (did you mean "third_party"?)'],
    ]);
  });
});

describe('coverage', () => {
  it('lists the known types no route takes, and those only a deliberate drop takes, by documented value where a route looks', () => {
    const r = loadRules(
      `${HEAD}  - name: balance
    when: { source: prelude, type: transactional.message.failed, data.reason: insufficient_balance }
    notify: [t]
  - name: temporary
    when: { source: prelude, type: transactional.message.failed, data.reason: [unavailable, network, generic] }
    notify: []
  - name: everything from prequel
    when: { source: prequel }
    notify: [t]
`,
    );
    if (!r.ok) throw new Error(JSON.stringify(r.error));
    const gaps = coverage(r.value.config.routes, sourceTypes(r.value.config));
    const unrouted = gaps.filter((g) => g.gap === 'unrouted').map(gapText);
    expect(unrouted).toContain('prelude transactional.message.failed (reason=unknown)');
    expect(unrouted).toContain('prelude transactional.message.failed (reason=carrier_rejected)');
    expect(unrouted).toContain('prelude verify.attempt');
    expect(unrouted.some((g) => g.startsWith('prequel'))).toBe(false);
    expect(unrouted.some((g) => g.startsWith('billing'))).toBe(false); // free-form: nothing known to miss
    expect(unrouted.some((g) => g.includes('status='))).toBe(false); // no route looks at status
    expect(gaps.filter((g) => g.gap === 'dropped').map(gapText)).toEqual([
      'prelude transactional.message.failed (reason=unavailable)',
      'prelude transactional.message.failed (reason=generic)',
      'prelude transactional.message.failed (reason=network)',
    ]);
  });

  it('finds no known type of the example that reaches no route', () => {
    const r = loadRules(readFileSync('rules.example.yaml', 'utf8'));
    if (!r.ok) throw new Error('the example must load');
    expect(coverage(r.value.config.routes, sourceTypes(r.value.config)).filter((g) => g.gap === 'unrouted')).toEqual([]);
  });
});

describe('the catalogue agrees with the vendors’ own examples', () => {
  const rules = { sources: { prequel: { kind: 'prequel' }, prelude: { kind: 'prelude' } } } as never;
  const fixtures = [
    ...PREQUEL_FIXTURES.map((f) => ({ ...f, catalogue: PREQUEL_EVENTS })),
    ...PRELUDE_FIXTURES.map((f) => ({ ...f, catalogue: PRELUDE_EVENTS })),
  ];
  it.each(fixtures.map((f) => [f.name, f] as const))('%s: its type is known and every field is documented', (_, f) => {
    const converted = payloadToEvents(f.body, rules, null, '2026-12-03T12:00:00Z');
    if (!converted.ok) throw new Error(converted.error);
    for (const event of converted.events) {
      const spec = f.catalogue[event.type];
      expect(spec, event.type).toBeDefined();
      const paths: string[] = [];
      const walk = (v: unknown, at: string) => {
        if (typeof v !== 'object' || v === null || Array.isArray(v)) return;
        for (const [k, x] of Object.entries(v)) {
          paths.push(`${at}.${k}`);
          walk(x, `${at}.${k}`);
        }
      };
      walk(event.data, 'data');
      const undocumented = paths.filter((p) => {
        const parsed = parsePath(p);
        return !parsed.ok || !documentsField(spec!, parsed.value.slice(1));
      });
      expect([event.type, undocumented]).toEqual([event.type, []]);
    }
  });

  it('lists every Prequel event type the vendor documents, and every Prelude type named in PROTOCOLS.md', () => {
    expect(Object.keys(PREQUEL_EVENTS)).toHaveLength(14);
    expect(Object.keys(PRELUDE_EVENTS).sort()).toEqual(
      [
        ...['created', 'submitted', 'pending_delivery', 'delivered', 'failed', 'unknown'].map((s) => `transactional.message.${s}`),
        ...['authentication', 'attempt', 'delivery_status'].map((s) => `verify.${s}`),
        'marketing.subscription.stop',
        ...['created', 'deleted', 'profile.updated', 'identifier.created', 'identifier.deleted', 'session.created', 'session.revoked'].map((s) => `user.${s}`),
        'migration.hook_failed',
        'step_up.hook_failed',
      ].sort(),
    );
  });
});
