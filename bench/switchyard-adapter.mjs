// Adapter for ../shared/bench/match-bench.mjs: translates the neutral rule form into Switchyard routes and
// matches with the real compiled RuleSet. Every neutral rule becomes a route with `continue: true` (the
// workload asks for every matching rule, not the first). Regexes there are unanchored; ours are anchored, so
// an unanchored pattern P is written as `[\s\S]*?(?:P)[\s\S]*`, which matches exactly where P would.
import { compileRuleSet } from '../src/rules/ruleset.ts';

const pathText = (path) => path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');

function toCondition(c) {
  const path = pathText(c.path);
  switch (c.op) {
    case 'eq':
      return { op: 'eq', path, value: c.value };
    case 'in':
      return { op: 'in', path, values: c.value };
    case 'gt':
      return { op: 'gt', path, value: c.value };
    case 'glob':
      return { op: 'glob', path, pattern: c.value };
    case 'regex':
      return { op: 'regex', path, pattern: `[\\s\\S]*?(?:${c.value})[\\s\\S]*` };
    default:
      throw new Error(`op ${c.op}`);
  }
}

export function toRoutes(rules) {
  return rules.map((r) => ({
    name: r.id,
    when: { op: 'all', of: r.all.map(toCondition) },
    notify: [],
    continue: true,
    severity: null,
    alertKey: null,
    action: null,
    templates: {},
  }));
}

export default {
  name: 'switchyard RuleSet',
  build(rules) {
    const ruleSet = compileRuleSet(toRoutes(rules));
    // The workload's events are raw vendor bodies; the relay matches canonical events (Prelude's payload is
    // `data`). Wrapping is part of the measured cost.
    return (raw) => {
      const event = { source: '', type: raw.type, data: raw.data ?? raw.payload };
      const matches = ruleSet.match(event);
      const ids = new Array(matches.length);
      for (let i = 0; i < matches.length; i++) ids[i] = matches[i].route.name;
      return ids;
    };
  },
};
