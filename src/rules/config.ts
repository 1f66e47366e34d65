/**
 * The shape of a validated, normalized rules file as the Worker receives it (built from rules.yaml by
 * `scripts/build-rules.ts`, never parsed per request). Strings may hold `${NAME}` references, resolved
 * against the Worker's env at run time. Pure types.
 */
import type { Condition } from './conditions.ts';
import type { TargetConfig } from '../targets/kind.ts';
import type { RetryPolicy, Severity, Templates } from '../core/delivery.ts';

export type { RetryPolicy, Severity, Templates, TargetConfig };

export interface RulesConfig {
  readonly version: 1;
  readonly settings: SettingsConfig;
  /** Named time intervals routes refer to in `active_when` / `mute_when`. */
  readonly timeIntervals?: Readonly<Record<string, readonly import('./time-intervals.ts').TimeIntervalSpec[]>>;
  readonly sources: Readonly<Record<string, SourceConfig>>;
  readonly targets: Readonly<Record<string, TargetConfig>>;
  readonly routes: readonly RouteConfig[];
}

/** The rules as the Worker imports them: routes packed by the build step (see rules/ruleset.ts). */
export interface BuiltRules extends Omit<RulesConfig, 'routes'> {
  readonly routes: import('./ruleset.ts').PackedRoutes;
}

export interface SettingsConfig {
  /** Default request body limit for every source, in bytes. */
  readonly maxBodyBytes: number;
  /** How long accepted event ids are remembered (Prelude retries for two weeks). */
  readonly dedupRetentionMs: number;
  /** The target told of events no route matched (the fallback route notifies it); null: logged and counted only. */
  readonly unrouted?: string | null;
  /** Notices about the relay itself (settings.health); null: off. */
  readonly health?: HealthSettings | null;
}

/** settings.health: who hears of the relay's own trouble, and the thresholds. */
export interface HealthSettings {
  readonly notify: readonly string[];
  /** A target's consecutive failed attempts that make one "failing" notice (its recovery makes another). */
  readonly failingAfter: number;
  /** Verification failures of one source within `perMs` that make one notice. */
  readonly verificationFailures: { readonly max: number; readonly perMs: number };
}

/** How a source proves a delivery is genuine. A token is an explicit opt-in for senders that sign nothing. */
export type SourceAuth = { readonly type: 'signature'; readonly keys: readonly string[] } | { readonly type: 'token'; readonly token: string };

interface SourceBase {
  readonly auth: SourceAuth;
  readonly maxBodyBytes: number;
  /** Types the file declares (`extra_types`; Standard Webhooks' `types`), for check and coverage. */
  readonly declaredTypes?: readonly string[];
  /** A dead man's switch: silence longer than this is a health notice (settings.health). */
  readonly expectEveryMs?: number;
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

// ---- targets: each kind's config is its own (targets/<kind>/config.ts); the registry knows them all -----

// ---- routes --------------------------------------------------------------------------------------------

export interface RouteConfig {
  readonly name: string;
  readonly when: Condition;
  readonly notify: readonly string[];
  /** Keep evaluating later routes after this one matched (Alertmanager's `continue`). */
  readonly continue: boolean;
  readonly severity: Severity | null;
  /** Template of the alert's identity (PagerDuty dedup key, Slack message to update). */
  readonly alertKey: string | null;
  /** PagerDuty event action this route sends; null: trigger. With an alert key, `resolve` closes that alert. */
  readonly action: 'trigger' | 'acknowledge' | 'resolve' | null;
  /** While an alert is firing, repeats within this interval are counted, not sent (default 4 h). */
  readonly repeatIntervalMs?: number;
  /** An alert re-opened this soon after its resolve is flapping: its cycles are collapsed (default 10 min; 0 turns it off). */
  readonly flapWindowMs?: number;
  /** Send only inside one of these named time intervals. */
  readonly activeWhen?: readonly string[];
  /** Never send inside these named time intervals (resolves still go through). */
  readonly muteWhen?: readonly string[];
  /** At most `max` pages per `perMs`; pages beyond it are held and summed up in one Slack digest to `digestTo`. */
  readonly pageBudget?: { readonly max: number; readonly perMs: number; readonly digestTo: string };
  /**
   * Grouping: events with the same values of `by` (canonical-event fields) are one group, notified after
   * `waitMs`, then at most every `intervalMs` while it changes (repeat_interval while it does not).
   */
  readonly group?: { readonly by: readonly string[]; readonly waitMs: number; readonly intervalMs: number };
  /** Per-route overrides of the default message parts (title, text, summary, body, …). */
  readonly templates: Templates;
  /**
   * The route `settings.unrouted` adds after every other: it matches an event only when no other route did
   * (it never takes part in the first-match walk), and notifies the target named there.
   */
  readonly fallback?: true;
  /**
   * The route settings.health adds for the relay's own notices: never matched by any event (the health
   * object addresses it by index), so that its jobs pass the gates (silences, pacing) and render like any.
   */
  readonly health?: true;
}

/** The name of the route `settings.health` adds (reserved). */
export const HEALTH_ROUTE = 'Relay health (settings.health)';

/** The name of the route `settings.unrouted` adds (reserved: no route of the file may take it). */
export const UNROUTED_ROUTE = 'Unrouted events (settings.unrouted)';
