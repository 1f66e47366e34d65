/**
 * What a target kind provides: a pure `render` from the event (and the route's overrides) to the vendor's
 * payload, and a `send` that performs one attempt and classifies it. The only I/O is in `send`; secrets are
 * resolved from the env there, never carried in payloads or jobs.
 */
import type { CanonicalEvent } from '../core/event.ts';
import type { RouteConfig, TargetConfig } from '../rules/config.ts';
import type { EnvLookup } from '../rules/interpolate.ts';
import type { Outcome } from './outcome.ts';

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

export interface TargetKindHandler<C extends TargetConfig, P> {
  readonly kind: C['kind'];
  render(input: RenderInput, config: C): Rendered<P>;
  send(payload: P, config: C, deps: SendDeps): Promise<Outcome>;
}
