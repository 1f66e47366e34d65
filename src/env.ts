/**
 * The only place that reads bindings and secrets and builds the dependencies of the flows (DESIGN §2).
 * Per-isolate pieces (the key cache, the loaded rules) are built once and reused.
 */
import rulesJson from './generated/rules.json';
import { createConsoleLogger, type Logger } from './core/log.ts';
import type { IngestDeps } from './pipeline/ingest.ts';
import type { RulesConfig } from './rules/config.ts';
import { createCredentialCache, type CredentialCache } from './sources/credentials.ts';
import { createDurableLedger, type EventLedgerObject } from './state/event-ledger.ts';

export interface Env {
  readonly EVENTS: DurableObjectNamespace<EventLedgerObject>;
  /** Worker secrets and vars referenced from rules.yaml as `${NAME}`. */
  readonly [name: string]: unknown;
}

/** The rules compiled at build time by scripts/build-rules.ts from rules.yaml (or rules.example.yaml). */
export const BUILT_RULES = rulesJson as unknown as RulesConfig;

export interface RuntimeOptions {
  readonly rules?: RulesConfig;
  readonly now?: () => number;
  readonly logger?: Logger;
}

const credentialCaches = new WeakMap<RulesConfig, CredentialCache>();

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
  };
}
