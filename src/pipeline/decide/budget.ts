/**
 * A route's paging budget as a pure decision (the budget's Durable Object, state/budget.ts, loads, calls,
 * stores). A page may go if fewer than `max` were sent in the last `perMs` (a sliding window); a retry of a
 * job that already took a slot goes again. Beyond that, the page is held back and counted: the first one held
 * sets the digest one interval away; the digest (a job like any other) then says what was held, and the
 * count starts afresh.
 */
import type { BudgetState, HeldPage, TakeResult } from '../../core/delivery.ts';

/** Held pages kept for the digest (the count covers the rest). */
const KEEP_HELD = 100;

export interface TakeInput {
  readonly route: string;
  readonly max: number;
  readonly perMs: number;
  readonly digestTo: string;
  readonly page: HeldPage;
}

/** `next`: the state to store (null: unchanged); `digestAt`: the alarm to set when none is set yet. */
export function decideTake(stored: BudgetState | null, input: TakeInput, now: number): { next: BudgetState | null; result: TakeResult; digestAt?: number } {
  const state: BudgetState = stored
    ? { ...stored, max: input.max, perMs: input.perMs, digestTo: input.digestTo }
    : { route: input.route, max: input.max, perMs: input.perMs, digestTo: input.digestTo, sent: [], held: [], heldCount: 0, digests: 0 };
  if (state.sent.some((s) => s.jobId === input.page.jobId)) return { next: null, result: { ok: true } };
  const recent = state.sent.filter((s) => now - s.at < state.perMs);
  if (recent.length < state.max) return { next: { ...state, sent: [...recent, { jobId: input.page.jobId, at: now }] }, result: { ok: true } };
  const already = state.held.some((h) => h.jobId === input.page.jobId);
  const next: BudgetState = {
    ...state,
    sent: recent,
    held: already ? state.held : [...state.held, input.page].slice(-KEEP_HELD),
    heldCount: state.heldCount + (already ? 0 : 1),
  };
  return { next, result: { ok: false, heldCount: next.heldCount, digestAt: now + state.perMs }, digestAt: now + state.perMs };
}

/** The digest's turn: what it reports (null: nothing held), and the state after it (counting afresh). */
export function decideDigest(state: BudgetState | null): { digest: BudgetState; next: BudgetState } | null {
  if (!state || state.heldCount === 0) return null;
  return { digest: state, next: { ...state, held: [], heldCount: 0, digests: state.digests + 1 } };
}
