import { describe, expect, it } from 'vitest';
import { decideSlot } from './pace.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');

describe('send slots at a paced receiver', () => {
  it('gives one slot per interval, in order, and a job that comes back keeps its slot', () => {
    const a = decideSlot(null, { jobId: 'a', intervalMs: 1000 }, T0);
    const b = decideSlot(a.next, { jobId: 'b', intervalMs: 1000 }, T0);
    const c = decideSlot(b.next, { jobId: 'c', intervalMs: 1000 }, T0 + 100);
    expect([a.waitMs, b.waitMs, c.waitMs]).toEqual([0, 1000, 1900]);
    expect(decideSlot(c.next, { jobId: 'c', intervalMs: 1000 }, T0 + 1500)).toEqual({ waitMs: 500, next: null });
    expect(decideSlot(c.next, { jobId: 'd', intervalMs: 1000 }, T0 + 10_000).waitMs).toBe(0); // idle receiver: now
  });
});
