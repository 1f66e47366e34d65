/**
 * Delivery's side of the local inbox: with the inbox on (`INBOX=on`, written to .dev.vars by `npm run dev`;
 * never set in production unless you mean it), a target whose credentials are not set sends to the inbox
 * instead of the network. Targets with credentials are untouched. What the inbox stores and answers is the
 * target kind's to say (targets/<kind>/index.ts, `inbox`).
 */
import type { EnvLookup } from '../core/interpolate.ts';
import type { Outcome } from '../core/outcome.ts';
import type { InboxOps, InboxOrigin, Notification, SendContext, TargetConfig } from '../targets/kind.ts';
import { kindOf, sendNotification } from '../targets/registry.ts';
import { resolveSecrets } from '../targets/secrets.ts';

export type InboxSink = InboxOps;
export type { InboxOrigin };

export function inboxTakes(target: TargetConfig, env: EnvLookup): boolean {
  return !resolveSecrets(kindOf(target.kind).credentials(target), env).ok;
}

/** The inbox is on only when asked for, by a variable set to "on" (or "true"). */
export function inboxEnabled(value: unknown): boolean {
  return typeof value === 'string' && /^(on|true|1|yes)$/i.test(value.trim());
}

/** What the inbox stores of a notification (an HTTP request with its URL and headers as written: secrets stay `${NAME}`). */
function inboxPayload(target: TargetConfig, notification: Notification): unknown {
  const kind = kindOf(target.kind);
  return kind.inbox.payload ? kind.inbox.payload(target, notification.payload) : notification.payload;
}

/**
 * A notification that was not sent — muted by a time window, silenced — shown in the inbox as a greyed card with
 * its reason, so that locally "nothing happened" is never the answer. For a target the inbox takes (the caller
 * checks, before rendering).
 */
export async function showHeld(
  inbox: InboxSink,
  target: TargetConfig,
  notification: Notification,
  held: { readonly origin: InboxOrigin; readonly why: string },
): Promise<void> {
  await inbox.post({ ...held.origin, kind: notification.kind, payload: inboxPayload(target, notification), held: held.why });
}

/**
 * One attempt to the receiver — or, with the inbox on and the target's credentials unset, to the local inbox,
 * with the receipt the kind gives (a Slack ts, a PagerDuty dedup key) so that later updates find the item.
 */
export async function sendOrInbox(target: TargetConfig, notification: Notification, origin: InboxOrigin, ctx: SendContext): Promise<Outcome> {
  if (!ctx.inbox?.takes(target)) return sendNotification(target, notification, ctx);
  const id = await ctx.inbox.post({ ...origin, kind: notification.kind, payload: inboxPayload(target, notification) });
  const { status, receipt } = kindOf(target.kind).inbox.answer(notification.payload, id);
  // Marked as the inbox's, so the log and the trace never pass it off as a real send.
  return { kind: 'ok', status, receipt, via: 'inbox' };
}
