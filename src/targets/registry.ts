/**
 * Every target kind at run time, by `kind`: render (pure) and send (one attempt, classified). Adding a
 * receiver is one folder under targets/ plus a line here and one in schemas.ts.
 */
import type { HttpTargetConfig, PagerDutyTargetConfig, SlackTargetConfig, TargetConfig } from '../rules/config.ts';
import { renderHttp, type HttpRequestSpec } from './http/render.ts';
import { sendHttp } from './http/send.ts';
import type { Outcome } from '../core/outcome.ts';
import { renderPagerDuty, type PagerDutyEvent } from './pagerduty/render.ts';
import { sendPagerDuty } from './pagerduty/send.ts';
import { renderSlack, type SlackMessage } from './slack/render.ts';
import { sendSlack } from './slack/send.ts';
import type { Rendered, RenderInput, SendDeps } from './types.ts';

export type Notification =
  | { readonly kind: 'slack'; readonly payload: SlackMessage }
  | { readonly kind: 'pagerduty'; readonly payload: PagerDutyEvent }
  | { readonly kind: 'http'; readonly payload: HttpRequestSpec };

export interface RenderedNotification {
  readonly notification: Notification;
  readonly notes: readonly string[];
}

const wrap = <K extends Notification['kind'], P>(kind: K, r: Rendered<P>): RenderedNotification => ({
  notification: { kind, payload: r.payload } as Notification,
  notes: r.notes,
});

export function renderNotification(config: TargetConfig, routeInput: RenderInput): RenderedNotification {
  // A target's templates apply to every route that notifies it; the route's own templates win.
  const input = config.templates
    ? { ...routeInput, route: { ...routeInput.route, templates: { ...config.templates, ...routeInput.route.templates } } }
    : routeInput;
  switch (config.kind) {
    case 'slack':
      return wrap('slack', renderSlack(input));
    case 'pagerduty':
      return wrap('pagerduty', renderPagerDuty(input));
    case 'http':
      return wrap('http', renderHttp(input, config));
  }
}

/** One attempt. `messageId` is stable across retries of the same job (receivers deduplicate on it). */
export function sendNotification(config: TargetConfig, notification: Notification, deps: SendDeps & { readonly messageId: string }): Promise<Outcome> {
  if (notification.kind !== config.kind) throw new Error(`a ${notification.kind} notification cannot go to a ${config.kind} target`);
  switch (notification.kind) {
    case 'slack':
      return sendSlack(notification.payload, config as SlackTargetConfig, deps);
    case 'pagerduty':
      return sendPagerDuty(notification.payload, config as PagerDutyTargetConfig, deps);
    case 'http':
      return sendHttp(notification.payload, config as HttpTargetConfig, deps);
  }
}
