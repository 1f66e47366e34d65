/**
 * Benchmark Worker for loading rules: the built rules are bundled as the real Worker bundles them (a JSON
 * module), compiled into the RuleSet on the first request, and one event is matched (`?stage=load`: not
 * matched). `?mode=warm&n=` repeats parse + compile + first match n times in a warm isolate.
 */
import { RULES_JSON } from 'virtual:bench-rules';
import type { BuiltRules } from '../src/rules/config.ts';
import { compileRuleSet, type RuleSet } from '../src/rules/ruleset.ts';

const EVENT = {
  source: 'prequel',
  kind: 'prequel',
  type: 'transfer.error',
  id: 'x',
  occurredAt: null,
  receivedAt: '',
  correlationId: null,
  meta: {},
  data: { rows_failed: 5000, duration_seconds: 900, transfer_blamed_party: 'third_party', destination: { vendor: 'snowflake' } },
} as const;
let ruleSet: RuleSet | null = null;

export default {
  async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    if (url.searchParams.get('mode') === 'warm') {
      const text = RULES_JSON;
      const n = Number(url.searchParams.get('n'));
      let matched = 0;
      for (let i = 0; i < n; i++) matched += compileRuleSet((JSON.parse(text) as BuiltRules).routes).match(EVENT).length;
      return Response.json({ matched });
    }
    ruleSet ??= compileRuleSet((JSON.parse(RULES_JSON) as BuiltRules).routes);
    if (url.searchParams.get('stage') === 'load') return Response.json({ routes: ruleSet.size });
    return Response.json({ routes: ruleSet.size, matched: ruleSet.match(EVENT).length });
  },
};
