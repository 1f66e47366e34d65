/**
 * A route as the compiled rules hold it, matching every event and notifying no one, for tests and benchmarks
 * that render or match without a rules file; `extra` overrides any field.
 */
import type { RouteConfig } from '../../src/rules/config.ts';

export function routeFixture(extra: Partial<RouteConfig> = {}): RouteConfig {
  return { name: 'r', when: { op: 'all', of: [] }, notify: [], continue: false, severity: null, alertKey: null, action: null, templates: {}, ...extra };
}
