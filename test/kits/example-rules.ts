/**
 * The example rules as the tests run them (Node): rules.example.yaml with test/rules.workerd.yaml's sources and
 * routes added, exactly as the workerd tier builds them (`build-rules --add`).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CanonicalEvent } from '../../src/core/event.ts';
import type { RulesConfig } from '../../src/rules/config.ts';
import { withAdditions } from '../../src/rules/add.ts';
import { loadRules } from '../../src/rules/load.ts';
import { prequelEvent } from './memory-delivery.ts';
import { PAGING_SOURCE } from './paging.ts';

const root = resolve(import.meta.dirname, '../..');

export function exampleRulesForTests(): RulesConfig {
  const text = withAdditions(readFileSync(resolve(root, 'rules.example.yaml'), 'utf8'), readFileSync(resolve(root, 'test/rules.workerd.yaml'), 'utf8'));
  const loaded = loadRules(text);
  if (!loaded.ok) throw new Error(`the example with the tests' additions does not load: ${JSON.stringify(loaded.error)}`);
  return loaded.value.config;
}

/**
 * A Prequel event as these rules route it: a transfer failure or success through the tests' per-destination
 * paging route (the example groups its own) unless the customer's side is to blame; anything else through the
 * example's own routes.
 */
export function exampleEvent(type: string, destination: string, n = 1, blame = 'prequel'): CanonicalEvent {
  const paging = (type === 'transfer.error' || type === 'transfer.success') && blame !== 'third_party';
  return prequelEvent(type, destination, n, blame, paging ? PAGING_SOURCE : 'prequel');
}
