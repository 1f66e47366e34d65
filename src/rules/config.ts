/**
 * The shape of a validated, normalized rules file as the Worker receives it (built from rules.yaml by
 * `scripts/build-rules.ts`, never parsed per request). Strings may hold `${NAME}` references, resolved
 * against the Worker's env at run time. Pure types.
 */
export interface RulesConfig {
  readonly version: 1;
  readonly settings: SettingsConfig;
  readonly sources: Readonly<Record<string, SourceConfig>>;
}

export interface SettingsConfig {
  /** Default request body limit for every source, in bytes. */
  readonly maxBodyBytes: number;
  /** How long accepted event ids are remembered (Prelude retries for two weeks). */
  readonly dedupRetentionMs: number;
}

/** How a source proves a delivery is genuine. A token is an explicit opt-in for senders that sign nothing. */
export type SourceAuth = { readonly type: 'signature'; readonly keys: readonly string[] } | { readonly type: 'token'; readonly token: string };

interface SourceBase {
  readonly auth: SourceAuth;
  readonly maxBodyBytes: number;
}

export interface PrequelSourceConfig extends SourceBase {
  readonly kind: 'prequel';
  readonly maxAgeMs: number;
  readonly maxFutureMs: number;
}

export interface PreludeSourceConfig extends SourceBase {
  readonly kind: 'prelude';
  /** Session/Auth webhooks' activation challenge; absent when the source takes no activation. */
  readonly activation: { readonly verificationToken: string; readonly appIds: readonly string[] } | null;
}

export interface StandardWebhooksSourceConfig extends SourceBase {
  readonly kind: 'standard-webhooks';
  readonly toleranceMs: number;
}

export type SourceConfig = PrequelSourceConfig | PreludeSourceConfig | StandardWebhooksSourceConfig;
