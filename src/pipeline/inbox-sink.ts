/**
 * Delivery's side of the local inbox: with the inbox on (`INBOX=on`, written to .dev.vars by `npm run dev`;
 * never set in production unless you mean it), a target whose credentials are not set sends to the inbox
 * instead of the network. Targets with credentials are untouched.
 */
import type { TargetConfig } from '../rules/config.ts';
import type { EnvLookup } from '../core/interpolate.ts';
import { resolveAll } from '../sources/credentials.ts';
import type { Outcome, Receipt } from '../core/outcome.ts';
import { sendNotification, type Notification } from '../targets/registry.ts';
import type { SendDeps } from '../targets/types.ts';

export interface InboxSink {
  /** True when this target's notifications go to the inbox. */
  takes(target: TargetConfig): boolean;
  post(item: {
    target: string;
    kind: TargetConfig['kind'];
    payload: unknown;
    event: { source: string; id: string; type: string };
    job: string;
    route: string;
    /** Not sent, and why (muted, silenced): shown as a greyed card. */
    held?: string;
  }): Promise<number>;
  update(id: number, payload: unknown): Promise<boolean>;
  reply(id: number, text: string, replyId: string | null): Promise<string | null>;
}

/** The `${NAME}` strings a target needs resolved to reach its receiver. */
export function credentialTemplates(target: TargetConfig): string[] {
  switch (target.kind) {
    case 'slack':
      return target.mode === 'bot' ? [target.token, target.channel] : [target.webhookUrl];
    case 'pagerduty':
      return [target.routingKey];
    case 'http':
      return [target.url, ...Object.values(target.headers), ...(target.signingSecret ? [target.signingSecret] : [])];
  }
}

export function inboxTakes(target: TargetConfig, env: EnvLookup): boolean {
  return !resolveAll(credentialTemplates(target), env).ok;
}

/** The inbox is on only when asked for, by a variable set to "on" (or "true"). */
export function inboxEnabled(value: unknown): boolean {
  return typeof value === 'string' && /^(on|true|1|yes)$/i.test(value.trim());
}

/** Where an inbox item came from. */
export interface InboxOrigin {
  readonly target: string;
  readonly event: { readonly source: string; readonly id: string; readonly type: string };
  readonly job: string;
  readonly route: string;
}

/**
 * A notification that was not sent — muted by a time window, silenced — shown in the inbox as a greyed card with
 * its reason, so that locally "nothing happened" is never the answer. For a target the inbox takes (the caller
 * checks, before rendering).
 */
export async function showHeld(target: TargetConfig, notification: Notification, origin: InboxOrigin, why: string, inbox: InboxSink): Promise<void> {
  await inbox.post({ ...origin, kind: notification.kind, payload: inboxPayload(target, notification), held: why });
}

/** What the inbox shows of a notification: an HTTP request with its URL and headers as written (secrets stay `${NAME}`). */
function inboxPayload(target: TargetConfig, notification: Notification): unknown {
  return notification.kind === 'http' && target.kind === 'http'
    ? {
        ...notification.payload,
        url: target.url,
        headers: { ...(notification.payload.contentType ? { 'content-type': notification.payload.contentType } : {}), ...target.headers },
      }
    : notification.payload;
}

/**
 * One attempt to the receiver — or, with the inbox on and the target's credentials unset, to the local inbox,
 * with a receipt that later updates (Slack ts, PagerDuty dedup key) can use.
 */
export async function sendOrInbox(
  target: TargetConfig,
  notification: Notification,
  origin: InboxOrigin,
  deps: SendDeps & { readonly messageId: string; readonly inbox: InboxSink | null },
): Promise<Outcome> {
  if (!deps.inbox?.takes(target)) return sendNotification(target, notification, deps);
  const id = await deps.inbox.post({ ...origin, kind: notification.kind, payload: inboxPayload(target, notification) });
  // Marked as the inbox's, so the log and the trace never pass it off as a real send.
  const receipt: Receipt | null =
    notification.kind === 'slack'
      ? { slack: { channel: 'inbox', ts: String(id) } }
      : notification.kind === 'pagerduty'
        ? { pagerduty: { dedupKey: notification.payload.dedup_key } }
        : null;
  return { kind: 'ok', status: notification.kind === 'pagerduty' ? 202 : 200, receipt, via: 'inbox' };
}
