/**
 * Every source kind the relay understands, by the `kind` used in rules.yaml. Adding a sender is one folder
 * under sources/ plus one line here (and its config schema in rules/schema.ts).
 */
import type { SourceKind } from '../core/event.ts';
import type { SourceConfig } from '../rules/config.ts';
import { prelude } from './prelude/index.ts';
import { prequel } from './prequel/index.ts';
import { standardWebhooks } from './standard-webhooks/index.ts';
import type { SourceKindHandler } from './types.ts';

export const SOURCE_KINDS = {
  prequel,
  prelude,
  'standard-webhooks': standardWebhooks,
} as const satisfies { [K in SourceKind]: SourceKindHandler<Extract<SourceConfig, { kind: K }>> };

export function handlerFor<C extends SourceConfig>(config: C): SourceKindHandler<C> {
  return SOURCE_KINDS[config.kind] as unknown as SourceKindHandler<C>;
}
