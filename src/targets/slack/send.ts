/**
 * Sending to Slack: bot-token mode through `@slack/web-api` (chat.postMessage; the channel id and ts come
 * back as the receipt, for later updates and threads), incoming-webhook mode as a plain POST.
 *
 * The SDK fails on workerd as shipped: it calls fetch unbound and passes `redirect: 'error'`,
 * which workerd rejects. It gets a fetch wrapper that calls the injected fetch and maps that to 'manual'.
 * Its own retries are off (ten over ~30 minutes must never run in a Worker), rate-limited calls reject at
 * once with their Retry-After, and every call has a timeout: the delivery layer owns retries.
 */
import { ErrorCode, LogLevel, WebClient, type Logger } from '@slack/web-api';
import type { SlackTargetConfig } from './config.ts';
import { resolveSecrets } from '../secrets.ts';
import { classifyStatus, describeError, ok, permanent, retryable, type Outcome } from '../../core/outcome.ts';
import type { SendDeps } from '../kind.ts';
import type { SlackMessage } from './render.ts';

export const SLACK_TIMEOUT_MS = 10_000;
export const DEFAULT_SLACK_API_URL = 'https://slack.com/api/';

/** Slack `ok:false` errors that say "try again later" rather than "this will never work". */
const RETRYABLE_PLATFORM_ERRORS = new Set(['ratelimited', 'internal_error', 'fatal_error', 'service_unavailable', 'request_timeout', 'team_added_to_org']);

const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  setLevel: () => undefined,
  getLevel: () => LogLevel.ERROR,
  setName: () => undefined,
};

/** The fetch the SDK is given: bound, and with `redirect: 'error'` (unsupported by workerd) mapped to 'manual'. */
export function workerdFetch(fetchFn: typeof fetch): typeof fetch {
  return (input, init) => fetchFn(input, init?.redirect === 'error' ? { ...init, redirect: 'manual' } : init);
}

const clients = new Map<string, WebClient>();

function clientFor(token: string, apiUrl: string, fetchFn: typeof fetch): WebClient {
  const key = `${apiUrl}\u0000${token}`;
  let client = clients.get(key);
  if (!client) {
    client = new WebClient(token, {
      slackApiUrl: apiUrl,
      fetch: workerdFetch(fetchFn),
      retryConfig: { retries: 0 },
      rejectRateLimitedCalls: true,
      timeout: SLACK_TIMEOUT_MS,
      logger: silentLogger,
    });
    clients.set(key, client);
  }
  return client;
}

export async function sendSlack(message: SlackMessage, config: SlackTargetConfig, deps: SendDeps): Promise<Outcome> {
  return config.mode === 'bot' ? sendBot(message, config, deps) : sendWebhook(message, config, deps);
}

async function sendBot(message: SlackMessage, config: Extract<SlackTargetConfig, { mode: 'bot' }>, deps: SendDeps): Promise<Outcome> {
  const resolved = resolveSecrets([config.token, config.channel], deps.env);
  if (!resolved.ok) return permanent(null, `slack: ${resolved.error}`);
  const [token, channel] = resolved.value as [string, string];
  const client = clientFor(token, config.apiUrl ?? DEFAULT_SLACK_API_URL, deps.fetch);
  try {
    const result = await client.chat.postMessage({
      channel,
      text: message.text,
      attachments: message.attachments as never,
      unfurl_links: false,
      unfurl_media: false,
    });
    return result.channel && result.ts ? ok(200, { slack: { channel: result.channel, ts: result.ts } }) : ok(200);
  } catch (e) {
    return classifySlackError(e, [token]);
  }
}

/** The SDK's error classes mapped to the retry layer's terms. */
export function classifySlackError(e: unknown, secrets: readonly string[]): Outcome {
  const error = e as { code?: string; data?: { error?: string }; retryAfter?: number; statusCode?: number };
  switch (error.code) {
    case ErrorCode.PlatformError: {
      const code = error.data?.error ?? 'unknown_error';
      return RETRYABLE_PLATFORM_ERRORS.has(code) ? retryable(200, `slack: ${code}`) : permanent(200, `slack: ${code}`);
    }
    case ErrorCode.RateLimitedError:
      return retryable(429, 'slack: rate limited', typeof error.retryAfter === 'number' ? error.retryAfter * 1000 : null);
    case ErrorCode.HTTPError:
      return classifyStatus(error.statusCode ?? 0, `slack: HTTP ${error.statusCode}`, null, 0);
    case ErrorCode.RequestError:
      return retryable(null, `slack: request failed (${describeError((e as { original?: unknown }).original ?? e, secrets)})`);
    default:
      return retryable(null, `slack: ${describeError(e, secrets)}`);
  }
}

/** Incoming webhooks answer 200 "ok", or a plain-text error with a status; no ts comes back. */
async function sendWebhook(message: SlackMessage, config: Extract<SlackTargetConfig, { mode: 'webhook' }>, deps: SendDeps): Promise<Outcome> {
  const resolved = resolveSecrets([config.webhookUrl], deps.env);
  if (!resolved.ok) return permanent(null, `slack webhook: ${resolved.error}`);
  const url = resolved.value[0]!;
  let response: Response;
  try {
    response = await deps.fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      redirect: 'manual',
      signal: AbortSignal.timeout(SLACK_TIMEOUT_MS),
    });
  } catch (e) {
    return retryable(null, `slack webhook: ${describeError(e, [url])}`);
  }
  const text = (await response.text().catch(() => '')).trim().slice(0, 100);
  if (response.status === 200) return ok(200);
  const reason = `slack webhook: HTTP ${response.status}${/^[a-z_]+$/.test(text) ? ` ${text}` : ''}`;
  return classifyStatus(response.status, reason, response.headers.get('retry-after'), deps.now());
}

/** Changes to a message already posted (bot mode only: incoming webhooks cannot update or thread). */
export type SlackThreadOp =
  /** Replace the message, then (optionally) say why in its thread. */
  | { readonly op: 'update'; readonly channel: string; readonly ts: string; readonly message: SlackMessage; readonly reply: string | null }
  /** A quiet reply in the message's thread, or the update of an earlier one (`replyTs`). */
  | { readonly op: 'reply'; readonly channel: string; readonly ts: string; readonly text: string; readonly replyTs: string | null };

/**
 * One attempt at a thread operation. The receipt carries the reply's ts (for a later update of it). Updating
 * is idempotent, so a retry after a failed reply repeats the update harmlessly.
 */
export async function sendSlackThreadOp(op: SlackThreadOp, config: Extract<SlackTargetConfig, { mode: 'bot' }>, deps: SendDeps): Promise<Outcome> {
  const resolved = resolveSecrets([config.token], deps.env);
  if (!resolved.ok) return permanent(null, `slack: ${resolved.error}`);
  const token = resolved.value[0]!;
  const client = clientFor(token, config.apiUrl ?? DEFAULT_SLACK_API_URL, deps.fetch);
  try {
    if (op.op === 'update') {
      await client.chat.update({ channel: op.channel, ts: op.ts, text: op.message.text, attachments: op.message.attachments as never });
      if (op.reply === null) return ok(200, { slack: { channel: op.channel, ts: op.ts } });
      const reply = await client.chat.postMessage({ channel: op.channel, thread_ts: op.ts, text: op.reply, unfurl_links: false, unfurl_media: false });
      return ok(200, { slack: { channel: op.channel, ts: reply.ts ?? op.ts } });
    }
    if (op.replyTs) {
      await client.chat.update({ channel: op.channel, ts: op.replyTs, text: op.text });
      return ok(200, { slack: { channel: op.channel, ts: op.replyTs } });
    }
    const reply = await client.chat.postMessage({ channel: op.channel, thread_ts: op.ts, text: op.text, unfurl_links: false, unfurl_media: false });
    return ok(200, reply.ts ? { slack: { channel: op.channel, ts: reply.ts } } : null);
  } catch (e) {
    return classifySlackError(e, [token]);
  }
}
