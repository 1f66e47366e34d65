/**
 * Delivery jobs: one per (event, route, target). A job names its event, route and target, never a secret
 * or the event's data (the consumer reads the event from its ledger; secrets come from the env at send
 * time), so every message stays far below the Queues limit of 128 KB. Pure.
 *
 * A job's id is stable: the same event, route and target always give the same id, so a job enqueued twice
 * (a vendor retry racing a slow first delivery, a replay) is still one job in the ledger, and receivers that
 * deduplicate (Standard Webhooks `webhook-id`) see one id across every attempt.
 */
import type { CanonicalEvent } from './event.ts';
import type { JobState, RoutingDecision } from './delivery.ts';

export const JOB_MESSAGE_VERSION = 1;

/** A queue message: what to deliver, by reference. */
export interface DeliveryJob {
  readonly v: typeof JOB_MESSAGE_VERSION;
  /** `job_` + 32 hex digits of SHA-256(event key, route, target). */
  readonly id: string;
  /** The event's ledger name, `<source>:<event id>`. */
  readonly event: string;
  /** The route's position when the event was routed, and its name (the name wins if the rules changed). */
  readonly routeIndex: number;
  readonly route: string;
  readonly target: string;
  /** Not a notification of the event itself: a follow-up of an alert's lifecycle, or a paging budget's digest. */
  readonly effect?: JobEffect;
}

/**
 * What a job does besides notifying its event: `resolve` carries an alert's resolve to one target it reached;
 * `digest` sends a paging budget's digest (its event is the relay's own, holding what was held back); `group`
 * sends one notification of a group (its event is the relay's own, holding the notification).
 */
export type JobEffect = { readonly kind: 'resolve'; readonly alert: string } | { readonly kind: 'digest' } | { readonly kind: 'group'; readonly group: string };

/** A dead-letter message: the job and why it died (or, from the queue's own dead-lettering, only the job). */
export interface DeadLetterMessage {
  readonly job: DeliveryJob;
  readonly why: string;
}

export function eventKey(event: Pick<CanonicalEvent, 'source' | 'id'>): string {
  return `${event.source}:${event.id}`;
}

/** The jobs an event's routing decision asks for, in route order; a target listed twice by one route is one job. */
export async function planJobs(event: Pick<CanonicalEvent, 'source' | 'id'>, routing: RoutingDecision, effect?: JobEffect): Promise<DeliveryJob[]> {
  const key = eventKey(event);
  const jobs: DeliveryJob[] = [];
  for (const route of routing.routes) {
    for (const target of new Set(route.notify)) {
      const job: DeliveryJob = {
        v: JOB_MESSAGE_VERSION,
        id: await jobId(key, route.name, target),
        event: key,
        routeIndex: route.index,
        route: route.name,
        target,
      };
      jobs.push(effect ? { ...job, effect } : job);
    }
  }
  return jobs;
}

const encoder = new TextEncoder();

export async function jobId(event: string, route: string, target: string): Promise<string> {
  // NUL cannot occur in YAML names or event ids, so the three parts cannot run into each other.
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', encoder.encode(`${event}\u0000${route}\u0000${target}`)));
  let hex = 'job_';
  for (let i = 0; i < 16; i++) hex += digest[i]!.toString(16).padStart(2, '0');
  return hex;
}

/** Reads a queue message body as a job, or says what is wrong with it (an old or foreign message). */
export function parseJob(body: unknown): DeliveryJob | null {
  if (typeof body !== 'object' || body === null) return null;
  const j = body as Record<string, unknown>;
  if (j.v !== JOB_MESSAGE_VERSION) return null;
  if (typeof j.id !== 'string' || typeof j.event !== 'string' || typeof j.route !== 'string' || typeof j.target !== 'string') return null;
  if (typeof j.routeIndex !== 'number' || !Number.isInteger(j.routeIndex) || j.routeIndex < 0) return null;
  const job: DeliveryJob = { v: JOB_MESSAGE_VERSION, id: j.id, event: j.event, routeIndex: j.routeIndex, route: j.route, target: j.target };
  if (j.effect === undefined) return job;
  const e = j.effect as { kind?: unknown; alert?: unknown } | null;
  if (e && e.kind === 'digest') return { ...job, effect: { kind: 'digest' } };
  const g = j.effect as { kind?: unknown; group?: unknown } | null;
  if (g && g.kind === 'group' && typeof g.group === 'string') return { ...job, effect: { kind: 'group', group: g.group } };
  if (!e || e.kind !== 'resolve' || typeof e.alert !== 'string') return null;
  return { ...job, effect: { kind: 'resolve', alert: e.alert } };
}

/** A dead-letter body: ours (`{job, why}`), or a bare job the queue dead-lettered after its own retries. */
export function parseDeadLetter(body: unknown): DeadLetterMessage | null {
  const bare = parseJob(body);
  if (bare) return { job: bare, why: 'the queue gave up on it (consumer failed on every try)' };
  if (typeof body !== 'object' || body === null) return null;
  const m = body as Record<string, unknown>;
  const job = parseJob(m.job);
  return job ? { job, why: typeof m.why === 'string' ? m.why.slice(0, 500) : 'unknown' } : null;
}

/** The jobs that carry a resolve to every target an alert reached (stable ids: one per event, alert and target). */
export async function resolveEffects(job: DeliveryJob, alert: string, targets: readonly string[]): Promise<DeliveryJob[]> {
  return Promise.all(
    targets.map(async (target) => ({
      v: JOB_MESSAGE_VERSION,
      id: await jobId(job.event, `resolve\u0000${alert}`, target),
      event: job.event,
      routeIndex: job.routeIndex,
      route: job.route,
      target,
      effect: { kind: 'resolve', alert } as const,
    })),
  );
}

/** A job's state when it is first recorded (accepted with its event, or added as an effect): queued, run 1. */
export function newJobState(job: DeliveryJob, now: number): JobState {
  return {
    job,
    status: 'queued',
    run: 1,
    queuedAt: now,
    runAttempts: 0,
    leaseUntil: null,
    nextAttemptAt: null,
    attempts: [],
    receipt: null,
    why: null,
    updatedAt: now,
  };
}
