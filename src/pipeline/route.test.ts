import { describe, expect, it } from 'vitest';
import type { CanonicalEvent } from '../core/event.ts';
import { loadRules } from '../rules/load.ts';
import { compileRuleSet, type RuleSet } from '../rules/ruleset.ts';
import { routeWith } from './route.ts';
import { prequelEvent } from '../../test/kits/memory-delivery.ts';

const RULES = `version: 1
sources:
  prequel: { kind: prequel, public_keys: ['\${K}'] }
targets:
  oncall: { kind: pagerduty, routing_key: '\${PD}' }
  hook: { kind: http, url: 'https://hook.example.com/' }
routes:
`;
function set(routes: string): RuleSet {
  const r = loadRules(RULES + routes);
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return compileRuleSet(r.value.config.routes);
}
const event: CanonicalEvent = prequelEvent('transfer.error', 'dst-1');
const live = {
  set: set('  - { name: pages, when: { type: transfer.error }, notify: [oncall] }\n'),
  version: { hash: 'aaaaaaaaaaaa', builtAt: '2026-12-01T00:00:00Z' },
};

describe('routing at ingest', () => {
  it('stamps the decision with the live rules’ version', () => {
    expect(routeWith(live)(event)).toEqual({ routes: [{ index: 0, name: 'pages', notify: ['oncall'] }], rules: live.version });
  });

  it('records the shadow’s decision beside the live one, with its own version', () => {
    const shadow = {
      set: set('  - { name: hooks, when: { type: "transfer.*" }, notify: [hook] }\n'),
      version: { hash: 'bbbbbbbbbbbb', builtAt: '2026-12-02T00:00:00Z' },
    };
    const d = routeWith(live, shadow)(event);
    expect(d.routes.map((r) => r.name)).toEqual(['pages']);
    expect(d.shadow).toEqual({ routes: [{ index: 0, name: 'hooks', notify: ['hook'] }], rules: shadow.version });
  });

  it('without shadow rules evaluates nothing more and records nothing more', () => {
    let calls = 0;
    const counting: RuleSet = {
      ...live.set,
      match: (e) => (calls++, live.set.match(e)),
      explain: live.set.explain,
      route: live.set.route,
      size: live.set.size,
    };
    const d = routeWith({ set: counting, version: live.version }, null)(event);
    expect(calls).toBe(1);
    expect('shadow' in d).toBe(false);
  });
});
