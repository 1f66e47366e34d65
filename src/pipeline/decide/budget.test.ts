import { describe, expect, it } from 'vitest';
import { decideDigest, decideTake, type TakeInput } from './budget.ts';

const T0 = Date.parse('2026-12-03T10:00:00Z');
const HOUR = 3_600_000;
const take = (jobId: string): TakeInput => ({
  route: 'pages',
  max: 2,
  perMs: HOUR,
  digestTo: 'data-eng',
  page: { jobId, source: 'prequel', eventId: jobId, type: 'transfer.error', at: T0 },
});

describe('a paging budget', () => {
  it('lets `max` pages go per sliding interval, holds the rest for one digest, and counts afresh after it', () => {
    let state = decideTake(null, take('a'), T0).next;
    state = decideTake(state, take('b'), T0 + 1).next;
    expect(decideTake(state, take('a'), T0 + 2)).toEqual({ next: null, result: { ok: true } }); // a retry keeps its slot
    const held = decideTake(state, take('c'), T0 + 3);
    expect(held.result).toEqual({ ok: false, heldCount: 1, digestAt: T0 + 3 + HOUR });
    expect(decideTake(held.next, take('c'), T0 + 4).result).toMatchObject({ ok: false, heldCount: 1 }); // counted once
    expect(decideTake(held.next, take('d'), T0 + HOUR + 1).result).toEqual({ ok: true }); // the window slid
    const digest = decideDigest(held.next)!;
    expect(digest.digest.held.map((h) => h.jobId)).toEqual(['c']);
    expect(digest.next).toMatchObject({ held: [], heldCount: 0, digests: 1 });
    expect(decideDigest(digest.next)).toBeNull();
  });
});
