/**
 * Per-receiver pacing as a pure decision (the pacer's Durable Object, state/pacer.ts, loads, calls, stores):
 * send slots at most one per interval, in order. A job asks for a slot and gets the time it may send at; it
 * keeps that slot if it comes back later (a job told to wait is not sent to the back of the line).
 */
export interface PacerState {
  readonly nextFree: number;
  /** Job id → its slot (recent ones only). */
  readonly slots: Readonly<Record<string, number>>;
}

const KEEP_SLOTS = 500;
/** Slots older than this are forgotten. */
const KEEP_SLOTS_MS = 60_000;

/** Milliseconds the job must wait before sending (0: now), and the state to store (null: unchanged). */
export function decideSlot(stored: PacerState | null, input: { jobId: string; intervalMs: number }, now: number): { waitMs: number; next: PacerState | null } {
  const state = stored ?? { nextFree: 0, slots: {} };
  const mine = state.slots[input.jobId];
  if (mine !== undefined && mine >= now - input.intervalMs) return { waitMs: Math.max(0, mine - now), next: null };
  const slot = Math.max(now, state.nextFree);
  const slots = Object.entries({ ...state.slots, [input.jobId]: slot })
    .filter(([, at]) => at >= now - KEEP_SLOTS_MS)
    .slice(-KEEP_SLOTS);
  return { waitMs: slot - now, next: { nextFree: slot + input.intervalMs, slots: Object.fromEntries(slots) } };
}
