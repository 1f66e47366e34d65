import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ok, permanent, retryable, type Outcome } from '../core/outcome.ts';
import { backoffMs, decide, MAX_QUEUE_DELAY_MS } from './retry.ts';
import { type RetryPolicy, DEFAULT_RETRY_POLICY } from '../core/delivery.ts';

const policy: RetryPolicy = { maxAttempts: 5, maxAgeMs: 3_600_000, initialBackoffMs: 2000, maxBackoffMs: 60_000, retryAfterCapMs: 600_000 };
const at = (outcome: Outcome, attempt: number, extra: Partial<Parameters<typeof decide>[0]> = {}) =>
  decide({ outcome, attempt, queuedAt: 0, now: 1000, policy, random: () => 0.5, ...extra });

describe('decide', () => {
  it('delivers on ok and dead-letters a permanent failure at once, whatever the attempt', () => {
    expect(at(ok(200), 1)).toEqual({ action: 'delivered' });
    expect(at(permanent(404, 'slack: channel_not_found'), 1)).toEqual({ action: 'dead', why: 'permanent failure: slack: channel_not_found' });
  });

  it('retries with exponential backoff and equal jitter, then gives up after max attempts', () => {
    const failing = retryable(503, 'http: HTTP 503');
    const delays = [1, 2, 3, 4].map((n) => at(failing, n, { random: () => 0 }));
    // Half of 2 s, 4 s, 8 s, 16 s: the jitter floor, in whole seconds.
    expect(delays.map((d) => (d.action === 'retry' ? d.delayMs : d.action))).toEqual([1000, 2000, 4000, 8000]);
    expect(at(failing, 5)).toEqual({ action: 'dead', why: 'gave up after 5 attempts: http: HTTP 503' });
  });

  it('never retries sooner than Retry-After, and caps it', () => {
    const d = at(retryable(429, 'rate limited', 7000), 1);
    expect(d).toEqual({ action: 'retry', delayMs: 7000, why: 'Retry-After 7s' });
    const capped = at(retryable(429, 'rate limited', 86_400_000), 1);
    expect(capped).toMatchObject({ action: 'retry', delayMs: 600_000 });
  });

  it('gives up when the next try would pass the maximum age', () => {
    const d = at(retryable(503, 'down'), 2, { queuedAt: 0, now: 3_599_000 });
    expect(d).toMatchObject({ action: 'dead' });
    expect(d.action === 'dead' && d.why).toContain('max_age');
  });

  it('holds for any outcome, attempt and clock: whole seconds, at least Retry-After (capped), at most 12 h', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.option(fc.integer({ min: 0, max: 10 * 86_400_000 })),
        fc.double({ min: 0, max: 0.999999, noNaN: true }),
        (attempt, retryAfter, r) => {
          const p = { ...DEFAULT_RETRY_POLICY, maxAttempts: 100, maxAgeMs: 14 * 86_400_000 };
          const d = decide({ outcome: retryable(503, 'x', retryAfter), attempt, queuedAt: 0, now: 0, policy: p, random: () => r });
          if (d.action !== 'retry') return false;
          expect(d.delayMs % 1000).toBe(0);
          expect(d.delayMs).toBeGreaterThanOrEqual(Math.min(retryAfter ?? 0, p.retryAfterCapMs, MAX_QUEUE_DELAY_MS));
          expect(d.delayMs).toBeGreaterThanOrEqual(
            Math.min(
              backoffMs(attempt, p, () => 0),
              MAX_QUEUE_DELAY_MS,
            ),
          );
          expect(d.delayMs).toBeLessThanOrEqual(MAX_QUEUE_DELAY_MS);
          return true;
        },
      ),
    );
  });

  it('spreads jobs that fail together (jitter)', () => {
    const delays = new Set([0, 0.25, 0.5, 0.75, 0.99].map((r) => backoffMs(6, DEFAULT_RETRY_POLICY, () => r)));
    expect(delays.size).toBe(5);
  });
});
