/**
 * The Slack target kind: Block Kit messages through a bot token (chat.postMessage; the message can later be
 * updated and threaded) or an incoming webhook (post only).
 */
import type { AlertTarget } from '../../core/delivery.ts';
import { ok, permanent, type Outcome } from '../../core/outcome.ts';
import type { InPlace, Relabel, SendContext, TargetKind } from '../kind.ts';
import { prepare } from '../../render/overrides.ts';
import { budgetDigest } from './digest.ts';
import { slackSchema, slackProblems, toSlackConfig, type SlackTargetConfig, type SlackTargetInput } from './config.ts';
import { renderSlackGroup } from './group.ts';
import { slackView } from './inbox.ts';
import { flappingSlackMessage, resolvedSlackMessage } from './lifecycle.ts';
import { renderSlack, type SlackMessage } from './render.ts';
import { sendSlack, sendSlackThreadOp, type SlackThreadOp } from './send.ts';

type BotConfig = Extract<SlackTargetConfig, { mode: 'bot' }>;

/** The inbox's item id stands in for a message's ts when the message went to the inbox. */
const INBOX_CHANNEL = 'inbox';

export const slack: TargetKind<SlackTargetConfig, SlackMessage, SlackTargetInput> = {
  kind: 'slack',
  label: 'Slack',
  config: { schema: slackSchema, problems: slackProblems, toConfig: toSlackConfig },
  credentials: (c) => (c.mode === 'bot' ? [c.token, c.channel] : [c.webhookUrl]),
  render: (_config, input) => renderSlack(input),
  send: (message, config, ctx) => sendSlack(message, config, ctx),
  preview: (m) => `Slack message "${m.text}"`,
  // Slack allows about one message per second per channel.
  pace: { defaultMs: 1000, receiver: (c, name) => (c.mode === 'bot' ? `slack:${c.apiUrl ?? ''}:${c.channel}` : `slack:${name}`) },
  lifecycle: {
    remember: (message, receipt) => ({ slack: receipt && 'slack' in receipt ? receipt.slack : null, dedupKey: null, message }),
    inPlace: (c) => (c.mode === 'bot' ? inPlace(c) : null),
  },
  digest: budgetDigest,
  group: (_config, { flush, render }) => {
    const parts = prepare(render);
    return { payload: renderSlackGroup(flush, parts), notes: parts.notes };
  },
  inbox: {
    answer: (_message, id) => ({ status: 200, receipt: { slack: { channel: INBOX_CHANNEL, ts: String(id) } } }),
    view: (item) => slackView(item),
  },
};

function relabelled(sent: AlertTarget, label: Relabel): SlackMessage {
  const original = sent.message as SlackMessage;
  return label.as === 'flapping'
    ? flappingSlackMessage(original, label.flaps, label.count)
    : resolvedSlackMessage(original, label.openedAt, label.resolvedAt, label.count);
}

function inPlace(config: BotConfig): InPlace {
  return {
    note: async (at, text, replyTs, ctx) => {
      const outcome = await threadOp({ op: 'reply', channel: at.channel, ts: at.ts, text, replyTs }, config, ctx);
      return { outcome, replyTs: outcome.kind === 'ok' && outcome.receipt && 'slack' in outcome.receipt ? outcome.receipt.slack.ts : null };
    },
    relabel: async (sent, label, reply, ctx) =>
      sent.slack && sent.message
        ? threadOp({ op: 'update', channel: sent.slack.channel, ts: sent.slack.ts, message: relabelled(sent, label), reply }, config, ctx)
        : permanent(null, 'slack: nothing posted to update'),
    replace: (at, message, reply, ctx) => threadOp({ op: 'update', channel: at.channel, ts: at.ts, message: message as SlackMessage, reply }, config, ctx),
  };
}

/** A Slack update or thread reply, applied to the inbox item when the message went there. */
async function threadOp(op: SlackThreadOp, config: BotConfig, ctx: SendContext): Promise<Outcome> {
  if (op.channel !== INBOX_CHANNEL || !ctx.inbox) return sendSlackThreadOp(op, config, ctx);
  const id = Number(op.ts);
  if (op.op === 'update') {
    if (!(await ctx.inbox.update(id, op.message))) return permanent(null, 'inbox: message_not_found');
    if (op.reply !== null) await ctx.inbox.reply(id, op.reply, null);
    return ok(200, { slack: { channel: INBOX_CHANNEL, ts: op.ts } });
  }
  const rid = await ctx.inbox.reply(id, op.text, op.replyTs);
  return rid ? ok(200, { slack: { channel: INBOX_CHANNEL, ts: rid } }) : permanent(null, 'inbox: thread_not_found');
}
