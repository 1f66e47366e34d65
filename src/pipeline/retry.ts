/**
 * The one retry layer: targets classify an attempt (ok / retryable / permanent); this decides
 * what happens next. Pure: the clock and the random source are passed in.
 *
 *   ok                                   → delivered
 *   permanent                            → dead letter, at once
 *   retryable, attempts or age exhausted → dead letter
 *   retryable                            → retry after max(backoff with jitter, Retry-After capped)
 *
 * Backoff is exponential with "equal jitter" (half the step fixed, half random), so that a burst of jobs
 * failing together spreads out while each still waits at least half its step. A server's Retry-After is a
 * floor, never shortened; it is capped so a hostile or confused server cannot park a job for days. Delays
 * are whole seconds (Queues' `delaySeconds`), rounded up so a `Retry-After: 7` is never retried at 6.2 s.
 */
import type { Decision, RetryPolicy } from '../core/delivery.ts';
import type { Outcome } from '../core/outcome.ts';

/** Queues accept a delay of at most 12 hours. */
export const MAX_QUEUE_DELAY_MS = 12 * 3_600_000;

export interface DecideInput {
  readonly outcome: Outcome;
  /** This attempt's number in the current run (1 for the first try, reset by a replay). */
  readonly attempt: number;
  /** When the current run of the job was queued (ms). */
  readonly queuedAt: number;
  readonly now: number;
  readonly policy: RetryPolicy;
  /** A number in [0, 1). */
  readonly random: () => number;
}

export function decide(input: DecideInput): Decision {
  const { outcome, attempt, policy } = input;
  if (outcome.kind === 'ok') return { action: 'delivered' };
  if (outcome.kind === 'permanent') return { action: 'dead', why: `permanent failure: ${outcome.reason}` };
  if (attempt >= policy.maxAttempts) return { action: 'dead', why: `gave up after ${attempt} attempts: ${outcome.reason}` };

  const backoff = backoffMs(attempt, policy, input.random);
  const retryAfter = outcome.retryAfterMs === null ? 0 : Math.min(outcome.retryAfterMs, policy.retryAfterCapMs);
  const delayMs = roundUpToSecond(Math.min(Math.max(backoff, retryAfter), MAX_QUEUE_DELAY_MS));
  const age = input.now - input.queuedAt;
  if (age + delayMs > policy.maxAgeMs) return { action: 'dead', why: `gave up after ${attempt} attempts (next try would pass max_age): ${outcome.reason}` };
  const why = retryAfter > backoff ? `Retry-After ${Math.ceil(retryAfter / 1000)}s` : `backoff after attempt ${attempt}`;
  return { action: 'retry', delayMs, why };
}

/** The delay after the `attempt`-th failure: step = initial × 2^(attempt−1), capped; half fixed, half random. */
export function backoffMs(attempt: number, policy: RetryPolicy, random: () => number): number {
  const step = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** Math.min(attempt - 1, 40));
  return step / 2 + random() * (step / 2);
}

function roundUpToSecond(ms: number): number {
  return Math.max(1000, Math.ceil(ms / 1000) * 1000);
}
