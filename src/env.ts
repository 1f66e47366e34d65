/**
 * The only place that reads bindings and secrets and builds the dependencies of the flows (DESIGN §2).
 * Per-isolate pieces (the key cache, the loaded rules) are built once and reused.
 */
import { RULES_JSON } from './generated/rules.ts';
import { createConsoleLogger, type Logger } from './core/log.ts';
import type { IngestDeps } from './pipeline/ingest.ts';
import type { BuiltRules } from './rules/config.ts';
import { compileRuleSet, type RuleSet } from './rules/ruleset.ts';
import { createCredentialCache, type CredentialCache } from './sources/credentials.ts';
import { createDurableLedger, type EventLedgerObject } from './state/event-ledger.ts';

export interface Env {
  readonly EVENTS: DurableObjectNamespace<EventLedgerObject>;
  /** Worker secrets and vars referenced from rules.yaml as `${NAME}`. */
  readonly [name: string]: unknown;
}

/** The rules validated at build time by scripts/build-rules.ts from rules.yaml (or rules.example.yaml). */
export const BUILT_RULES = JSON.parse(RULES_JSON) as BuiltRules;

export interface RuntimeOptions {
  readonly rules?: IngestDeps['rules'];
  readonly route?: IngestDeps['route'];
  readonly now?: () => number;
  readonly logger?: Logger;
}

const credentialCaches = new WeakMap<IngestDeps['rules'], CredentialCache>();

/** The rule set of the built rules, compiled once per isolate (routes themselves compile on first use). */
let builtRuleSet: RuleSet | null = null;
export function ruleSet(): RuleSet {
  return (builtRuleSet ??= compileRuleSet(BUILT_RULES.routes));
}

export function routeWith(rules: RuleSet): IngestDeps['route'] {
  return (event) => ({ routes: rules.match(event).map((m) => ({ index: m.index, name: m.route.name, notify: m.route.notify })) });
}

export function ingestDeps(env: Env, options: RuntimeOptions = {}): IngestDeps {
  const rules = options.rules ?? BUILT_RULES;
  let credentials = credentialCaches.get(rules);
  if (!credentials) credentialCaches.set(rules, (credentials = createCredentialCache()));
  return {
    rules,
    env,
    now: options.now ?? Date.now,
    ledger: createDurableLedger(env.EVENTS, rules.settings.dedupRetentionMs),
    credentials,
    log: options.logger ?? createConsoleLogger({ service: 'switchyard' }),
    route: options.route ?? routeWith(ruleSet()),
  };
}
