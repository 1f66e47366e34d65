// Regex cost per event: JavaScript's regexes backtrack, so a pattern that nests quantifiers (`(a+)+b`) takes
// time exponential in the length of a value that almost matches. The same rule with the nesting removed
// (`a+b`, which matches the same strings) is measured beside it in the same process, on the same values, through
// the real compiled RuleSet; `switchyard check` warns about the first and not the second. Lengths stop at 24
// characters so the run stays short: each extra character doubles the nested pattern's time.
import { compileRuleSet } from '../src/rules/ruleset.ts';
import { hasNestedQuantifier } from '../src/rules/load.ts';
import { routeFixture } from '../test/helpers/routes.ts';

const route = (pattern) => routeFixture({ name: pattern, when: { op: 'all', of: [{ op: 'regex', path: 'data.name', pattern }] } });

function perEventUs(ruleSet, value, budgetMs = 200) {
  const event = {
    source: 's',
    kind: 'standard-webhooks',
    type: 't',
    id: 'i',
    occurredAt: null,
    receivedAt: '',
    correlationId: null,
    meta: {},
    data: { name: value },
  };
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < budgetMs) {
    ruleSet.match(event);
    n++;
  }
  return ((performance.now() - start) * 1000) / n;
}

export async function regexBench({ quick = false } = {}) {
  const nested = compileRuleSet([route('(a+)+b')]);
  const flat = compileRuleSet([route('a+b')]);
  const rows = [];
  for (const length of quick ? [12, 18, 22] : [12, 16, 18, 20, 22, 24]) {
    const value = `${'a'.repeat(length)}c`; // almost matches: the engine tries every split of the a's
    const a = perEventUs(nested, value, quick ? 100 : 200);
    const b = perEventUs(flat, value, quick ? 100 : 200);
    rows.push({ 'value length': length + 1, '(a+)+b µs/event': a.toFixed(1), 'a+b µs/event': b.toFixed(2), ratio: (a / b).toFixed(0) });
  }
  console.log('\nregex cost per event on a value that almost matches (same rule set, same process)');
  console.table(rows);
  console.log(`switchyard check warns on "(a+)+b": ${hasNestedQuantifier('(a+)+b')}; on "a+b": ${hasNestedQuantifier('a+b')}`);
  return rows;
}
