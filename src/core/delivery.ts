/**
 * The vocabulary of delivery, shared by the pipeline (which decides) and the Durable Objects (which store):
 * what routes and targets say about a notification, routing decisions, jobs' records and claims, attempts,
 * alert and budget state, silences and dead letters. Types only (and the built-in retry policy), so that
 * `pipeline/` and `state/` both depend on `core/` and never on each other.
 */
import type { CanonicalEvent } from './event.ts';
import type { DeliveryJob, JobEffect } from './jobs.ts';
import type { Receipt } from './outcome.ts';

/**
 * A message as a target posted it, kept so that a later update (a resolve, a flap) can rewrite it in place.
 * Opaque here: only the target kind that posted it reads it.
 */
export type PostedMessage = object;

// ---- what a route and a target say about a notification -----------------------------------------

export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** Template overrides by message part (title, text, fields, summary, body, details). */
export type Templates = Readonly<Partial<Record<string, string>>>;

/**
 * How the delivery of one notification is retried (per target; `settings.retry` gives the defaults):
 * exponential backoff with jitter from `initialBackoffMs` to `maxBackoffMs`, a server's Retry-After honoured
 * up to `retryAfterCapMs`, and the job dead-lettered after `maxAttempts` attempts or `maxAgeMs` since it
 * was queued, whichever comes first.
 */
export interface RetryPolicy {
  readonly maxAttempts: number;
  readonly maxAgeMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly retryAfterCapMs: number;
}

/** The built-in retry policy (settings.retry and each target's retry override it field by field). */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 20,
  maxAgeMs: 24 * 3_600_000,
  initialBackoffMs: 5_000,
  maxBackoffMs: 30 * 60_000,
  retryAfterCapMs: 3_600_000,
};

// ---- routing and acceptance ---------------------------------------------------------------------

export type AcceptOutcome = 'accepted' | 'duplicate';

export interface AcceptResult {
  readonly outcome: AcceptOutcome;
  /** Jobs the caller must deliver itself (inline mode, no queue); empty when they were queued. */
  readonly jobs: readonly DeliveryJob[];
  /**
   * Queue mode with firstAttempt: jobs queued as a delayed backstop, already claimed for the caller (attempt 1 of
   * run 1, under a lease) in the write that recorded the event, to attempt at once.
   */
  readonly attemptNow?: readonly ClaimedJob[];
}

/** A job claimed for one attempt, with what the claim gives. */
export interface ClaimedJob {
  readonly job: DeliveryJob;
  readonly claim: Extract<Claim, { kind: 'go' }>;
}

/** Which routes matched an event, and whom they notify: what delivery (issue 5) turns into jobs. */
export interface RoutingDecision {
  readonly routes: readonly { readonly index: number; readonly name: string; readonly notify: readonly string[] }[];
  /** No route of the file matched (settings.unrouted's route, if any, is then the one in `routes`). */
  readonly unrouted?: true;
  /** The rules that decided: their content hash and when they were built (scripts/build-rules.ts). */
  readonly rules?: RulesVersion;
  /** What the shadow rules (rules.shadow.yaml) would have decided: recorded, never sent. */
  readonly shadow?: ShadowDecision;
}

export interface RulesVersion {
  readonly hash: string;
  readonly builtAt: string;
}

export interface ShadowDecision {
  readonly routes: readonly { readonly index: number; readonly name: string; readonly notify: readonly string[] }[];
  readonly unrouted?: true;
  readonly rules: RulesVersion;
}

/** Events of one (source, type) that matched no route: how many, since when, the latest. */
export interface UnroutedType {
  readonly source: string;
  readonly type: string;
  readonly count: number;
  readonly firstAt: number;
  readonly lastAt: number;
  readonly lastEvent: string;
}

// ---- retries ------------------------------------------------------------------------------------

export type Decision =
  | { readonly action: 'delivered' }
  | { readonly action: 'retry'; readonly delayMs: number; readonly why: string }
  | { readonly action: 'dead'; readonly why: string };

/** How jobs are delivered: through the JOBS queue, or inline (pipeline/dispatch.ts decides). */
export type DeliveryMode = 'queue' | 'inline';

// ---- the event ledger: records, jobs, claims, attempts, sweeps ----------------------------------

export interface AcceptOptions {
  readonly retentionMs: number;
  readonly mode: DeliveryMode;
  /** How the delivery was authenticated (for the trace). */
  readonly auth: string;
  /** For the relay's own events: what their jobs do (a paging budget's digest). */
  readonly effect?: JobEffect;
  /**
   * Queue mode: the caller attempts the jobs at once (after its answer), claimed by the accept; the backstop
   * (the store's alarm, FIRST_ATTEMPT_BACKSTOP_S later) queues a copy of whatever is not settled by then.
   */
  readonly firstAttempt?: boolean;
}

/** How long after a first attempt at once its backstop looks for what is not settled (seconds). */
export const FIRST_ATTEMPT_BACKSTOP_S = 10;

export interface EventRecord {
  readonly event: CanonicalEvent;
  readonly routing: RoutingDecision;
  readonly auth: string;
  readonly acceptedAt: number;
  /** Times the vendor delivered this event (1 + duplicates). */
  readonly deliveries: number;
  readonly mode: DeliveryMode;
  readonly jobs: readonly string[];
  /** When the record is deleted (records written before the sweep have none: their alarm is the expiry). */
  readonly expiresAt?: number;
}

/** One re-dispatch of a stuck job by the sweep, kept in the job's trace. */
export interface SweepRecord {
  readonly at: number;
  /** The status it was stuck in. */
  readonly was: JobStatus;
  readonly overdueMs: number;
  readonly action: 'requeued' | 'dead';
}

/** What one sweep did: each job it found stuck, and when the next one runs. */
export interface SweepReport {
  readonly event: string;
  readonly swept: readonly { readonly job: DeliveryJob; readonly was: JobStatus; readonly overdueMs: number; readonly action: SweepRecord['action'] }[];
  readonly nextAt: number | null;
}

export type JobStatus = 'queued' | 'sending' | 'retrying' | 'delivered' | 'dead' | 'parked' | 'suppressed';

export interface AttemptRecord {
  /** Attempt number within its run (a replay starts a new run). */
  readonly n: number;
  readonly run: number;
  readonly at: number;
  readonly outcome: 'ok' | 'retryable' | 'permanent';
  readonly status: number | null;
  readonly latencyMs: number;
  /** Redacted, secret-free reason of a failure. */
  readonly error: string | null;
  readonly decision: Decision['action'];
  readonly delayMs: number | null;
  /** Set when the notification went to the local inbox instead of the receiver. */
  readonly via?: 'inbox';
  /** What rendering left out or replaced (a link dropped as not http(s), a template that failed), when anything. */
  readonly notes?: readonly string[];
}

export interface JobState {
  readonly job: DeliveryJob;
  readonly status: JobStatus;
  /** Runs: 1, plus one per replay. */
  readonly run: number;
  /** When the current run was queued (its age counts from here). */
  readonly queuedAt: number;
  readonly runAttempts: number;
  readonly leaseUntil: number | null;
  readonly nextAttemptAt: number | null;
  readonly attempts: readonly AttemptRecord[];
  readonly receipt: Receipt | null;
  readonly why: string | null;
  readonly updatedAt: number;
  /** The sweep's re-dispatches of this job (the newest 10). */
  readonly sweeps?: readonly SweepRecord[];
}

export type Claim =
  | { readonly kind: 'go'; readonly event: CanonicalEvent; readonly attempt: number; readonly run: number; readonly queuedAt: number }
  | { readonly kind: 'delivered' }
  /** Settled without a send (a repeat counted, muted, silenced, held back): nothing more to do. */
  | { readonly kind: 'suppressed' }
  | { readonly kind: 'dead'; readonly why: string }
  | { readonly kind: 'busy'; readonly retryInMs: number }
  | { readonly kind: 'missing' };

export interface EventTrace {
  readonly record: EventRecord;
  readonly jobs: readonly JobState[];
}

// ---- alerts -------------------------------------------------------------------------------------

export interface AlertTarget {
  readonly kind: string;
  /** The job that holds (or held) this target's notification: its retries are sends, not repeats. */
  readonly jobId: string;
  readonly sentAt: number | null;
  readonly slack: { readonly channel: string; readonly ts: string } | null;
  readonly replyTs: string | null;
  readonly dedupKey: string | null;
  /** The Slack message as posted, which a resolve updates in place. */
  readonly message: PostedMessage | null;
  /** A resolve was sent to it since (a PagerDuty incident closed): a flap must notify it again. */
  readonly closed?: boolean;
}

export interface AlertState {
  readonly key: string;
  readonly status: 'firing' | 'resolved';
  readonly openedAt: number;
  readonly lastSeen: number;
  readonly resolvedAt: number | null;
  /** Events that fired this alert since it opened. */
  readonly count: number;
  /** Repeats counted, not sent. */
  readonly suppressed: number;
  readonly title: string | null;
  readonly targets: Readonly<Record<string, AlertTarget>>;
  /** The event that resolved it (a resolve is idempotent per event: each of its jobs gets the same answer). */
  readonly resolvedBy: string | null;
  /** The latest events counted (so that several jobs of one event count it once). */
  readonly events?: readonly string[];
  /** Re-opens within the flap window, and the event that re-opened it last. */
  readonly flaps?: number;
  readonly flapEvent?: string | null;
  /** A resolve held while the alert is flapping; the alarm sends it unless something re-opens the alert first. */
  readonly pendingResolve?: PendingResolve | null;
  /** The group it is a member of (its route groups): a resolve resolves the member there. */
  readonly group?: GroupSpec | null;
}

/** Enough of the resolving job to queue its effects later, from the alarm. */
export interface PendingResolve {
  readonly eventKey: string;
  readonly eventId: string;
  readonly routeIndex: number;
  readonly route: string;
  readonly at: number;
}

export type TriggerDecision =
  | { readonly do: 'send' }
  /** Re-opened while flapping: update what the target already shows instead of notifying it again. */
  | {
      readonly do: 'flap';
      readonly flaps: number;
      readonly count: number;
      readonly slack: { readonly channel: string; readonly ts: string } | null;
      readonly message: PostedMessage | null;
    }
  | {
      readonly do: 'repeat';
      readonly count: number;
      readonly openedAt: number;
      readonly slack: { readonly channel: string; readonly ts: string } | null;
      readonly replyTs: string | null;
    };

export type ResolveDecision =
  | { readonly do: 'nothing'; readonly why: string }
  | { readonly do: 'resolve'; readonly alert: AlertState }
  | { readonly do: 'hold'; readonly until: number; readonly flaps: number }
  /** A member of a group: the group resolves the member (and notifies with its next notification). */
  | { readonly do: 'group'; readonly group: GroupSpec };

// ---- paging budgets -----------------------------------------------------------------------------

export interface HeldPage {
  readonly jobId: string;
  readonly source: string;
  readonly eventId: string;
  readonly type: string;
  readonly at: number;
}

export interface BudgetState {
  readonly route: string;
  readonly max: number;
  readonly perMs: number;
  readonly digestTo: string;
  /** Pages sent in the current sliding interval (job id and time). */
  readonly sent: readonly { readonly jobId: string; readonly at: number }[];
  readonly held: readonly HeldPage[];
  /** Pages held in all, including those beyond the list kept for the digest. */
  readonly heldCount: number;
  readonly digests: number;
}

export type TakeResult = { readonly ok: true } | { readonly ok: false; readonly heldCount: number; readonly digestAt: number };

// ---- operating state: silences, dead letters, swept jobs ----------------------------------------

export interface SilenceMatchers {
  readonly when?: unknown;
  readonly targets?: readonly string[];
  readonly routes?: readonly string[];
  readonly alert_key?: string;
}

export interface Silence {
  readonly id: string;
  readonly matchers: SilenceMatchers;
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly createdAt: number;
  /** Set when the stored silence cannot be read or applied: it then silences nothing and is reported. */
  readonly broken?: string;
}

export interface DeadLetter {
  readonly jobId: string;
  readonly event: string;
  readonly route: string;
  readonly target: string;
  readonly why: string;
  readonly deadAt: number;
  /** When it was last replayed; null while it waits. */
  readonly replayedAt: number | null;
  readonly job: DeliveryJob;
}

export interface DeadLetterFilter {
  readonly target?: string | undefined;
  /** Dead at or after this time (ms). */
  readonly since?: number | undefined;
  readonly includeReplayed?: boolean | undefined;
  readonly limit?: number | undefined;
}

export interface TargetStatus {
  readonly target: string;
  readonly pausedAt: number;
  readonly note: string | null;
  readonly parked: number;
}

export interface SweptInput {
  readonly job: DeliveryJob;
  readonly was: string;
  readonly overdueMs: number;
  readonly action: string;
}

export interface SweptJob extends SweptInput {
  readonly sweptAt: number;
  /** How many sweeps have re-dispatched it. */
  readonly times: number;
}

// ---- the local inbox -----------------------------------------------------------------------------

export interface InboxItem {
  readonly id: number;
  readonly at: number;
  readonly updatedAt: number;
  readonly target: string;
  readonly kind: string;
  /** The notification as the receiver would get it (Slack message, PagerDuty event, HTTP request). */
  readonly payload: unknown;
  readonly event: { readonly source: string; readonly id: string; readonly type: string };
  readonly job: string;
  readonly route: string;
  /** Slack thread replies, oldest first. */
  readonly replies: readonly { readonly id: string; readonly text: string; readonly at: number }[];
  /** Earlier versions of an updated Slack message count. */
  readonly updates: number;
  /** Set when the notification was not sent — muted by a time window, silenced — and why: a greyed card. */
  readonly held?: string;
}

// ---- groups (a route's `group_by`) ----------------------------------------------------------------------

/** Why a group's notification was sent (Alertmanager 0.29's notification_reason). */
export type GroupReason = 'first' | 'members_added' | 'members_resolved' | 'all_resolved' | 'repeat';

/** One member of a group: an alert (its alert_key; the event's id when the route has none). */
export interface GroupMember {
  readonly key: string;
  readonly status: 'firing' | 'resolved';
  readonly firstAt: number;
  readonly lastAt: number;
  readonly resolvedAt: number | null;
  /** Events that fired it. */
  readonly count: number;
  readonly severity: Severity;
  /** One line saying what it is (the event's summary title). */
  readonly title: string;
  /** The latest event that fired it. */
  readonly event: { readonly source: string; readonly id: string; readonly type: string };
  /** Shown in a notification already (a member that fires and resolves before any is never announced). */
  readonly announced: boolean;
  /** Re-opened after it resolved. */
  readonly flaps?: number;
}

/** What identifies a group and how it notifies: the route's grouping, resolved for one set of values. */
export interface GroupSpec {
  /** SHA-256 of the route and the values (hex, 32 digits): the object's name and PagerDuty's dedup key. */
  readonly id: string;
  /** Readable: `<route> {type="transfer.error"}`. */
  readonly key: string;
  readonly route: string;
  readonly routeIndex: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly notify: readonly string[];
  readonly waitMs: number;
  readonly intervalMs: number;
  readonly repeatMs: number;
}

/** One member as a notification lists it. */
export interface GroupAlert {
  readonly key: string;
  readonly status: 'firing' | 'resolved';
  readonly title: string;
  readonly severity: Severity;
  readonly count: number;
  readonly startsAt: number;
  readonly endsAt: number | null;
  readonly event: { readonly source: string; readonly id: string; readonly type: string };
}

/** One notification of a group: recorded before its jobs are handed over, so a retried alarm re-sends the same. */
export interface GroupFlush {
  readonly group: GroupSpec;
  readonly seq: number;
  readonly at: number;
  readonly reason: GroupReason;
  readonly status: 'firing' | 'resolved';
  /** The highest severity among the firing members (the resolved ones' when none fires). */
  readonly severity: Severity;
  readonly counts: { readonly firing: number; readonly resolved: number; readonly added: number; readonly recovered: number };
  /** Members listed (firing first, newest first), at most GROUP_LIST_MAX; the counts cover the rest. */
  readonly alerts: readonly GroupAlert[];
  /** Keys that joined and that recovered since the previous notification (at most GROUP_LIST_MAX each). */
  readonly added: readonly string[];
  readonly recovered: readonly string[];
}

export interface GroupState {
  readonly spec: GroupSpec;
  readonly status: 'pending' | 'firing' | 'resolved';
  readonly members: Readonly<Record<string, GroupMember>>;
  /** Members beyond the stored ones (a storm larger than GROUP_MEMBERS_MAX): counted, not kept. */
  readonly overflow: number;
  readonly seq: number;
  readonly lastFlushAt: number | null;
  /** Members joined, re-opened or resolved since the last notification. */
  readonly changed: boolean;
  /** Firing at the last notification. */
  readonly notified: readonly string[];
  /** A notification recorded whose jobs are not known to be handed over yet. */
  readonly pending: GroupFlush | null;
  /** Per target: what its last notification left (a Slack message to update in place). */
  readonly sent: Readonly<Record<string, { readonly slack: { readonly channel: string; readonly ts: string } | null; readonly message: PostedMessage | null }>>;
}

// ---- the relay's own health (settings.health) -----------------------------------------------------------

/** One notice about the relay itself, sent as an event of its own (`health.*`) to settings.health's targets. */
export interface HealthNotice {
  readonly type:
    'health.dead_letter' | 'health.target_failing' | 'health.target_recovered' | 'health.verification_failures' | 'health.source_silent' | 'health.source_back';
  /** What it is about: a target, a source, a job. */
  readonly subject: string;
  readonly severity: Severity;
  readonly title: string;
  readonly fields: Readonly<Record<string, string>>;
  /** What to do about it, or null. */
  readonly text: string | null;
  /** The notice's number in the health object (its event id). */
  readonly seq: number;
}

export interface HealthState {
  /** Per target: failed attempts in a row, since when, whether the streak was announced. */
  readonly targets: Readonly<Record<string, { readonly failures: number; readonly since: number | null; readonly alerted: boolean }>>;
  /** Per source: the recent verification failures (at most `max`), and the last notice. */
  readonly verification: Readonly<
    Record<string, { readonly recent: readonly { readonly at: number; readonly reason: string }[]; readonly alertedAt: number | null }>
  >;
  /** Per source with expect_every: the last event, and since when it is known silent. */
  readonly sources: Readonly<Record<string, { readonly lastAt: number; readonly expectEveryMs: number; readonly silentSince: number | null }>>;
  readonly seq: number;
}
