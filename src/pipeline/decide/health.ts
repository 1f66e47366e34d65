/**
 * The relay's own health as pure decisions (state/health.ts loads, calls, stores, emits; `now` passed in).
 * Each decision returns the state to keep and the notices to send — normal notifications of the relay's own
 * (event type `health.*`) through the route settings.health adds. Never about itself: a health notice's own
 * job neither dead-letters into another notice nor counts toward a target's failures (the callers leave
 * those out), so a broken notices channel cannot feed itself.
 *
 *   dead letter        every dead-lettered job: one notice (target, event, why, the replay call)
 *   failing target     `failingAfter` failed attempts in a row: one notice; the first success after: one more
 *   verification       `max` refused deliveries of one source within `perMs`: one notice, then none until a
 *                      window passes without reaching `max` again
 *   silent source      no event for `expect_every`: one notice when the alarm finds it so; the next event:
 *                      one more ("back")
 */
import type { HealthNotice, HealthState } from '../../core/delivery.ts';
import { RELAY_SOURCE, type CanonicalEvent } from '../../core/event.ts';

export const EMPTY_HEALTH: HealthState = { targets: {}, verification: {}, sources: {}, seq: 0 };

export interface Step {
  readonly next: HealthState;
  readonly notices: readonly HealthNotice[];
}

const withNotices = (state: HealthState, list: readonly Omit<HealthNotice, 'seq'>[]): Step => {
  let seq = state.seq;
  const notices = list.map((n) => ({ ...n, seq: ++seq }));
  return { next: { ...state, seq }, notices };
};

export interface AttemptSeen {
  readonly target: string;
  readonly ok: boolean;
  /** Why it failed (the outcome's reason, redacted). */
  readonly why: string | null;
  readonly at: number;
}

/** Outcomes of delivery attempts, in order: streaks per target, a notice when one crosses the threshold or ends. */
export function decideAttempts(stored: HealthState, attempts: readonly AttemptSeen[], failingAfter: number): Step {
  const targets = { ...stored.targets };
  const out: Omit<HealthNotice, 'seq'>[] = [];
  for (const a of attempts) {
    const t = targets[a.target] ?? { failures: 0, since: null, alerted: false };
    if (a.ok) {
      if (t.alerted)
        out.push({
          type: 'health.target_recovered',
          subject: a.target,
          severity: 'info',
          title: `${a.target} delivers again, after ${t.failures} failed deliveries`,
          fields: { target: a.target, failures: String(t.failures), since: t.since === null ? '—' : new Date(t.since).toISOString() },
          text: null,
        });
      targets[a.target] = { failures: 0, since: null, alerted: false };
      continue;
    }
    const failures = t.failures + 1;
    const crossing = !t.alerted && failures >= failingAfter;
    if (crossing)
      out.push({
        type: 'health.target_failing',
        subject: a.target,
        severity: 'error',
        title: `${a.target} has failed ${failures} deliveries in a row`,
        fields: { target: a.target, 'last error': a.why ?? '—', since: new Date(t.since ?? a.at).toISOString() },
        text: `Its jobs are retried on their policy and dead-lettered when they give up. GET /admin/targets shows its state; POST /admin/targets/${a.target}/pause holds its jobs while it is fixed.`,
      });
    targets[a.target] = { failures, since: t.since ?? a.at, alerted: t.alerted || crossing };
  }
  return withNotices({ ...stored, targets }, out);
}

/** A dead-lettered job (never a health notice's own: the caller leaves those out). */
export function decideDeadLetter(
  stored: HealthState,
  dead: { readonly jobId: string; readonly event: string; readonly route: string; readonly target: string; readonly why: string },
): Step {
  return withNotices(stored, [
    {
      type: 'health.dead_letter',
      subject: dead.jobId,
      severity: 'error',
      title: `A notification to ${dead.target} was dead-lettered: ${dead.why.length > 120 ? `${dead.why.slice(0, 119)}…` : dead.why}`,
      fields: { target: dead.target, route: dead.route, event: dead.event, job: dead.jobId },
      text: `It was given up after its retries. Once the cause is fixed: POST /admin/dead-letters/${dead.jobId}/replay (or POST /admin/replay {"target":"${dead.target}"} for all of them).`,
    },
  ]);
}

/** A delivery refused at verification; `reason` is its wire reason (bad_signature, timestamp_too_old, …). */
export function decideVerificationFailure(
  stored: HealthState,
  input: { readonly source: string; readonly reason: string },
  now: number,
  limit: { readonly max: number; readonly perMs: number },
): Step {
  const v = stored.verification[input.source] ?? { recent: [], alertedAt: null };
  const recent = [...v.recent.filter((r) => now - r.at < limit.perMs), { at: now, reason: input.reason }].slice(-limit.max);
  // One notice per spike: another only once a whole window has passed since the last one.
  const spike = recent.length >= limit.max && (v.alertedAt === null || now - v.alertedAt >= limit.perMs);
  const next: HealthState = { ...stored, verification: { ...stored.verification, [input.source]: { recent, alertedAt: spike ? now : v.alertedAt } } };
  if (!spike) return { next, notices: [] };
  const counts = new Map<string, number>();
  for (const r of recent) counts.set(r.reason, (counts.get(r.reason) ?? 0) + 1);
  const why = [...counts]
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r} ×${n}`)
    .join(', ');
  const hint = counts.has('bad_signature')
    ? 'a rotated signing key (add the new public key beside the old one) or a sender that is not who it says'
    : counts.has('timestamp_too_old') || counts.has('timestamp_in_future')
      ? 'clock skew between the sender and the relay, or replays'
      : counts.has('bad_token')
        ? 'a changed or leaked shared token'
        : 'a sender misconfiguration';
  return withNotices(next, [
    {
      type: 'health.verification_failures',
      subject: input.source,
      severity: 'warning',
      title: `${input.source}: ${recent.length} deliveries refused at verification within ${Math.round(limit.perMs / 60_000)} min (${why})`,
      fields: { source: input.source, reasons: why },
      text: `Likely ${hint}. Refused deliveries are not recorded; the sender retries them. The Worker's log has each one (request.rejected).`,
    },
  ]);
}

/** An event arrived from a source (its dead man's switch is reset); a source that was silent is back. */
export function decideSeen(
  stored: HealthState,
  input: { readonly source: string; readonly expectEveryMs: number },
  now: number,
): Step & { readonly alarmAt: number } {
  const s = stored.sources[input.source];
  const next: HealthState = {
    ...stored,
    sources: { ...stored.sources, [input.source]: { lastAt: Math.max(now, s?.lastAt ?? 0), expectEveryMs: input.expectEveryMs, silentSince: null } },
  };
  const alarmAt = now + input.expectEveryMs;
  if (!s?.silentSince) return { next, notices: [], alarmAt };
  const { next: after, notices } = withNotices(next, [
    {
      type: 'health.source_back',
      subject: input.source,
      severity: 'info',
      title: `${input.source} is sending again, after ${Math.round((now - s.lastAt) / 3_600_000)} h of silence`,
      fields: { source: input.source, 'silent since': new Date(s.lastAt).toISOString() },
      text: null,
    },
  ]);
  return { next: after, notices, alarmAt };
}

/** The switch's alarm: sources silent past their expect_every get one notice; when to look again. */
export function decideSilence(stored: HealthState, now: number): Step & { readonly alarmAt: number | null } {
  const sources = { ...stored.sources };
  const out: Omit<HealthNotice, 'seq'>[] = [];
  let alarmAt: number | null = null;
  for (const [name, s] of Object.entries(stored.sources)) {
    const due = s.lastAt + s.expectEveryMs;
    if (s.silentSince === null && now >= due) {
      sources[name] = { ...s, silentSince: now };
      out.push({
        type: 'health.source_silent',
        subject: name,
        severity: 'warning',
        title: `${name} has sent nothing for ${Math.round((now - s.lastAt) / 3_600_000)} h (expect_every: ${Math.round(s.expectEveryMs / 3_600_000)} h)`,
        fields: { source: name, 'last event': new Date(s.lastAt).toISOString() },
        text: 'Is the vendor down, the webhook disabled or pointed elsewhere, or its deliveries refused? GET /admin/unrouted and the Worker log (request.rejected) tell the last two.',
      });
    } else if (s.silentSince === null) alarmAt = alarmAt === null ? due : Math.min(alarmAt, due);
  }
  const step = withNotices({ ...stored, sources }, out);
  return { ...step, alarmAt };
}

/** A notice as an event of the relay's own: what its targets' kinds render (render/summary.ts reads it). */
export function healthEvent(notice: HealthNotice, receivedAt: string): CanonicalEvent {
  return {
    source: RELAY_SOURCE,
    kind: 'switchyard',
    type: notice.type,
    id: `health:${notice.seq}`,
    occurredAt: receivedAt,
    receivedAt,
    correlationId: null,
    data: notice,
    meta: {},
  };
}
