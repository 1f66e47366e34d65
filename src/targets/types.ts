/**
 * The shapes every target kind shares: what its pure `render` takes and returns, and what its `send` (one
 * attempt, classified; the only I/O) depends on. Secrets are resolved from the env in `send`, never carried
 * in payloads or jobs. The kinds are wired together in registry.ts.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RouteConfig } from '../rules/config.ts';
import type { EnvLookup } from '../core/interpolate.ts';

export interface RenderInput {
  readonly event: CanonicalEvent;
  readonly route: Pick<RouteConfig, 'name' | 'severity' | 'alertKey' | 'action' | 'templates'>;
  readonly targetName: string;
}

export interface Rendered<P> {
  readonly payload: P;
  /** Template failures that fell back to the default format (shown in the message and the trace). */
  readonly notes: readonly string[];
}

export interface SendDeps {
  readonly env: EnvLookup;
  readonly fetch: typeof fetch;
  readonly now: () => number;
}
