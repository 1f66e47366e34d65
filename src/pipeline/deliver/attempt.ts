/**
 * Render and send: the one attempt to the outside, for each kind of job —
 *   a notification   rendered by its target's kind (pure; a failed template falls back to the default format)
 *   a resolve        what the target's kind does with a resolve: a resolve event (PagerDuty's dedup key), the
 *                    message relabelled in place (a Slack bot), else the resolving event notified as it is
 *   a digest         the paging budget's digest, rendered by the kind that can show one
 *   a group          one notification of a group, rendered by the kind; a message it posted before is
 *                    replaced in place, with a thread reply saying what changed
 * — to the receiver, or to the local inbox (inbox-sink.ts). Anything thrown (a bug, never an expected
 * failure) counts as a retryable attempt.
 */
import { describeError, retryable, type Outcome } from '../../core/outcome.ts';
import type { DigestInput, Notification } from '../../targets/kind.ts';
import { renderGroupNotification, renderNotification } from '../../targets/registry.ts';
import { groupChangeText, resolvedReplyText } from '../lifecycle.ts';
import type { GroupFlush } from '../../core/delivery.ts';
import { sendOrInbox, showHeld } from '../inbox-sink.ts';
import { sendContext, type JobContext } from './context.ts';

/** What one send came to; `notes`: what rendering left out or replaced (a dropped link, a failed template). */
export interface Attempted {
  readonly outcome: Outcome;
  readonly notification: Notification | null;
  readonly notes?: readonly string[];
}

export async function attempt(ctx: JobContext): Promise<Attempted> {
  try {
    if (ctx.job.effect?.kind === 'resolve') return await resolveEffect(ctx, ctx.job.effect.alert);
    if (ctx.job.effect?.kind === 'digest') return await digest(ctx);
    if (ctx.job.effect?.kind === 'group') return await groupNotification(ctx, ctx.job.effect.group);
    const rendered = render(ctx);
    return { outcome: await send(ctx, rendered.notification), notification: rendered.notification, notes: rendered.notes };
  } catch (e) {
    return { outcome: retryable(null, `unexpected: ${describeError(e, [])}`), notification: null };
  }
}

function render(ctx: JobContext) {
  return renderNotification(ctx.target, { event: ctx.event, route: ctx.route, targetName: ctx.job.target });
}

/** One attempt to the receiver, or to the local inbox. */
function send(ctx: JobContext, notification: Notification): Promise<Outcome> {
  const { job, event } = ctx;
  const origin = { target: job.target, event: { source: event.source, id: event.id, type: event.type }, job: job.id, route: job.route };
  return sendOrInbox(ctx.target, notification, origin, sendContext(ctx));
}

/** One target's share of a resolve. */
async function resolveEffect(ctx: JobContext, key: string): Promise<Attempted> {
  const { deps, targetKind, target } = ctx;
  const alert = await deps.stores.alertFor(key).state();
  const sent = alert?.targets[ctx.job.target];
  if (!alert || !sent || sent.sentAt === null) return { outcome: { kind: 'ok', status: 0, receipt: null }, notification: null };
  const payload = targetKind.lifecycle?.resolveWith?.(sent) ?? null;
  if (payload !== null) {
    const notification = { kind: target.kind, payload };
    return { outcome: await send(ctx, notification), notification };
  }
  const inPlace = targetKind.lifecycle?.inPlace?.(target) ?? null;
  if (inPlace && sent.slack && sent.message) {
    const resolvedAt = alert.resolvedAt ?? deps.clock.now();
    const label = { as: 'resolved', openedAt: alert.openedAt, resolvedAt, count: alert.count } as const;
    return { outcome: await inPlace.relabel(sent, label, resolvedReplyText(alert.openedAt, resolvedAt, alert.count), sendContext(ctx)), notification: null };
  }
  // Receivers that cannot be updated (incoming webhooks, HTTP) are told with the resolving event itself.
  const rendered = render(ctx);
  return { outcome: await send(ctx, rendered.notification), notification: rendered.notification, notes: rendered.notes };
}

/** A paging budget's digest: its event holds what was held back. */
async function digest(ctx: JobContext): Promise<Attempted> {
  const render = ctx.targetKind.digest;
  if (!render) return { outcome: { kind: 'permanent', status: null, reason: `a ${ctx.targetKind.label} target cannot show a digest` }, notification: null };
  const notification = { kind: ctx.target.kind, payload: render(ctx.event.data as DigestInput) };
  return { outcome: await send(ctx, notification), notification };
}

/**
 * A group's notification: rendered by the target's kind from the group; where the kind can change what it
 * posted (a Slack bot) and an earlier notification of this group left a message, that message is replaced
 * and one thread reply says what changed; what this one left is kept for the next.
 */
async function groupNotification(ctx: JobContext, groupId: string): Promise<Attempted> {
  const { target, targetKind, job, deps } = ctx;
  const flush = ctx.event.data as GroupFlush;
  // A kind without a group view shows the notification as an event of its own (the relay's).
  const { notification, notes } = renderGroupNotification(target, flush, { event: ctx.event, route: ctx.route, targetName: job.target });
  const group = deps.stores.groupFor(groupId);
  const before = (await group.state())?.sent[job.target];
  const inPlace = targetKind.lifecycle?.inPlace?.(target) ?? null;
  const outcome =
    inPlace && before?.slack && flush.seq > 1
      ? await inPlace.replace(before.slack, notification.payload as object, groupChangeText(flush), sendContext(ctx))
      : await send(ctx, notification);
  if (outcome.kind === 'ok') {
    const receipt = outcome.receipt;
    const left = targetKind.lifecycle?.remember?.(notification.payload, receipt);
    await group.sent(job.target, before?.slack && flush.seq > 1 ? before.slack : (left?.slack ?? null), left?.message ?? null);
  }
  return { outcome, notification, notes };
}

/** Locally, a muted or silenced notification still shows, greyed, in the inbox (best effort: never blocks the job). */
export async function showHeldInInbox(ctx: JobContext, why: string): Promise<void> {
  const { job, event, deps } = ctx;
  const inbox = deps.io.inbox;
  if (!inbox?.takes(ctx.target)) return;
  try {
    const rendered = render(ctx);
    const origin = { target: job.target, event: { source: event.source, id: event.id, type: event.type }, job: job.id, route: job.route };
    await showHeld(inbox, ctx.target, rendered.notification, { origin, why });
  } catch (e) {
    deps.log.log('warn', 'inbox.held_failed', { job: job.id, error: describeError(e, []) });
  }
}
