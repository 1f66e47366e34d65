/**
 * Sending to PagerDuty through `@pagerduty/pdjs` (Events API v2). On workerd it needs cross-fetch 3.2.0
 * (pinned by an npm override), which hands it the runtime's fetch. pdjs re-sends a 429 three times after
 * `retryTimeout` (20 s by default) and that count cannot be changed: the timeout is set to 0 so no Worker
 * ever sleeps, and the final answer is classified here for the one retry layer. pdjs's requestTimeout aborts
 * nothing, so an AbortSignal bounds every call; a non-JSON error body makes pdjs reject, which counts as
 * retryable.
 */
import { event } from '@pagerduty/pdjs';
import type { PagerDutyTargetConfig } from './config.ts';
import { resolveSecrets } from '../secrets.ts';
import { describeError, isRetryableStatus, ok, parseRetryAfter, permanent, redactSecrets, retryable, type Outcome } from '../../core/outcome.ts';
import type { SendDeps } from '../kind.ts';
import type { PagerDutyEvent } from './render.ts';

export const PD_TIMEOUT_MS = 10_000;
export const DEFAULT_PD_SERVER = 'events.pagerduty.com';

export async function sendPagerDuty(pdEvent: PagerDutyEvent, config: PagerDutyTargetConfig, deps: SendDeps): Promise<Outcome> {
  const resolved = resolveSecrets([config.routingKey], deps.env);
  if (!resolved.ok) return permanent(null, `pagerduty: ${resolved.error}`);
  const routingKey = resolved.value[0]!;
  let response: { response?: Response; data?: { status?: string; message?: string; dedup_key?: string; errors?: string[] } };
  try {
    response = await event({
      server: config.server ?? DEFAULT_PD_SERVER,
      data: { routing_key: routingKey, ...pdEvent } as never,
      retryTimeout: 0,
      signal: AbortSignal.timeout(PD_TIMEOUT_MS),
    } as never);
  } catch (e) {
    return retryable(null, `pagerduty: ${describeError(e, [routingKey])}`);
  }
  const status = response.response?.status ?? 0;
  const data = response.data ?? {};
  if (status === 202 || (status >= 200 && status < 300)) return ok(status, { pagerduty: { dedupKey: data.dedup_key ?? pdEvent.dedup_key } });
  const detail = redactSecrets([data.message, ...(data.errors ?? [])].filter(Boolean).join('; '), [routingKey]).slice(0, 200);
  const reason = `pagerduty: HTTP ${status}${detail ? ` ${detail}` : ''}`;
  if (isRetryableStatus(status)) return retryable(status, reason, parseRetryAfter(response.response?.headers.get('retry-after'), deps.now()));
  return permanent(status, reason);
}
