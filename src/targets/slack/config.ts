/**
 * Slack target settings in rules.yaml: a bot token and channel (chat.postMessage; messages can be updated
 * and threaded) or an incoming-webhook URL (post only). Validated at build time (zod; never in the Worker).
 */
import type { RetryPolicy, Templates } from '../../core/delivery.ts';
import type { SchemaParts } from '../../core/schema-parts.ts';

/** Its rules.yaml schema, built with the zod the build step hands in (the Worker's bundle never holds zod). */
export const slackSchema = ({ z, common, secretRef }: SchemaParts) =>
  z
    .strictObject({
      kind: z.literal('slack'),
      ...common,
      token: secretRef('token').optional().describe('Bot token (xoxb-…, scope chat:write) as a Worker secret; with channel'),
      channel: z.string().min(1).optional().describe('Channel id (C0123…) or #name, for bot-token mode'),
      webhook_url: secretRef('webhook_url').optional().describe('Incoming-webhook URL as a Worker secret; messages cannot be updated'),
      api_url: z.string().url().optional().describe('Slack Web API base URL (default https://slack.com/api/)'),
    })
    .describe('Slack: Block Kit messages');

export type SlackTargetInput = import('zod').output<ReturnType<typeof slackSchema>>;

export function slackProblems(t: SlackTargetInput): { path: string[]; message: string }[] {
  if (t.webhook_url && (t.token || t.channel)) return [{ path: ['webhook_url'], message: 'give either webhook_url, or token and channel, not both' }];
  if (!t.webhook_url && !(t.token && t.channel)) return [{ path: [], message: 'needs token and channel (bot mode) or webhook_url (incoming webhook)' }];
  return [];
}

export function toSlackConfig(t: SlackTargetInput): SlackTargetConfig {
  const templates = t.templates ?? {};
  return t.webhook_url
    ? { kind: 'slack', mode: 'webhook', webhookUrl: t.webhook_url, templates }
    : { kind: 'slack', mode: 'bot', token: t.token!, channel: t.channel!, apiUrl: t.api_url ?? null, templates };
}

export type SlackTargetConfig =
  | {
      readonly kind: 'slack';
      readonly mode: 'bot';
      readonly token: string;
      readonly channel: string;
      readonly apiUrl: string | null;
      readonly templates?: Templates;
      readonly retry?: RetryPolicy;
      readonly paceMs?: number;
    }
  | {
      readonly kind: 'slack';
      readonly mode: 'webhook';
      readonly webhookUrl: string;
      readonly templates?: Templates;
      readonly retry?: RetryPolicy;
      readonly paceMs?: number;
    };
