/**
 * Every target kind, by `kind`: one line each. A kind is one object in its own folder (see kind.ts for what
 * it brings); delivery, `check`, `explain` and the inbox ask it here and never name a kind themselves.
 * `registerTargetKind` adds one at run time (a test's, or a fork's) — the same as a line below.
 */
import type { GroupFlush } from '../core/delivery.ts';
import type { Outcome } from '../core/outcome.ts';
import type { Rendered, RenderInput } from '../render/overrides.ts';
import { http } from './http/index.ts';
import type { AnyTargetKind, Notification, SendContext, TargetConfig } from './kind.ts';
import { pagerduty } from './pagerduty/index.ts';
import { slack } from './slack/index.ts';

const KINDS = new Map<string, AnyTargetKind>();

export function registerTargetKind(kind: AnyTargetKind): void {
  if (KINDS.has(kind.kind)) throw new Error(`target kind "${kind.kind}" is registered already`);
  KINDS.set(kind.kind, kind);
}

registerTargetKind(slack);
registerTargetKind(pagerduty);
registerTargetKind(http);

/** Every registered kind, in registration order. */
export function targetKinds(): readonly AnyTargetKind[] {
  return [...KINDS.values()];
}

/** The kind registered under this name, or null (rules built with a kind this Worker does not have). */
export function findKind(kind: string): AnyTargetKind | null {
  return KINDS.get(kind) ?? null;
}

/** The kind of a target (its config was validated against the same registry at build time). */
export function kindOf(kind: string): AnyTargetKind {
  const k = KINDS.get(kind);
  if (!k) throw new Error(`unknown target kind "${kind}"`);
  return k;
}

export interface RenderedNotification {
  readonly notification: Notification;
  readonly notes: readonly string[];
}

export function renderNotification(config: TargetConfig, routeInput: RenderInput): RenderedNotification {
  const r: Rendered<unknown> = kindOf(config.kind).render(config, withTargetTemplates(config, routeInput));
  return { notification: { kind: config.kind, payload: r.payload }, notes: r.notes };
}

/**
 * A group's notification (`input.event` is the notification as the relay's own event, its data the flush): the
 * kind's group view with the same templates, or — for a kind without one — the event rendered as any other.
 */
export function renderGroupNotification(config: TargetConfig, flush: GroupFlush, routeInput: RenderInput): RenderedNotification {
  const kind = kindOf(config.kind);
  if (!kind.group) return renderNotification(config, routeInput);
  const r: Rendered<unknown> = kind.group(config, { flush, targetName: routeInput.targetName, render: withTargetTemplates(config, routeInput) });
  return { notification: { kind: config.kind, payload: r.payload }, notes: r.notes };
}

/** A target's templates apply to every route that notifies it; the route's own templates win. */
function withTargetTemplates(config: TargetConfig, input: RenderInput): RenderInput {
  return config.templates ? { ...input, route: { ...input.route, templates: { ...config.templates, ...input.route.templates } } } : input;
}

/** One attempt. `messageId` is stable across retries of the same job (receivers deduplicate on it). */
export function sendNotification(config: TargetConfig, notification: Notification, ctx: SendContext): Promise<Outcome> {
  if (notification.kind !== config.kind) throw new Error(`a ${notification.kind} notification cannot go to a ${config.kind} target`);
  return kindOf(config.kind).send(notification.payload, config, ctx);
}

export type { Notification, TargetConfig };

/** The configs of the kinds built in (for code and tests that build one by hand). */
export type BuiltInTargetConfig =
  import('./slack/config.ts').SlackTargetConfig | import('./pagerduty/config.ts').PagerDutyTargetConfig | import('./http/config.ts').HttpTargetConfig;
