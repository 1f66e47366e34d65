/**
 * The Worker's bindings as the code sees them: `Cloudflare.Env`, generated from wrangler.toml by
 * `npm run types` (worker-configuration.d.ts; `npm test` fails when it is stale), with what wrangler.toml
 * cannot say — the queues may be absent (delivery then runs inline: pipeline/dispatch.ts), and the secrets
 * and variables rules.yaml references as `${NAME}`, ADMIN_TOKEN and INBOX come from Worker secrets.
 */
import type { DeadLetterMessage, DeliveryJob } from './jobs.ts';

/** The generated bindings but the queues (kept with their index signature, where one is declared). */
type Bindings = { readonly [P in keyof Cloudflare.Env as P extends 'JOBS' | 'DEAD_LETTERS' ? never : P]: Cloudflare.Env[P] };

export type Env = Bindings & {
  /** Delivery jobs; without this binding, delivery runs inline in waitUntil. */
  readonly JOBS?: Queue<DeliveryJob>;
  /** Jobs that failed for good; its consumer records them for the admin API. */
  readonly DEAD_LETTERS?: Queue<DeadLetterMessage>;
  /** "on" turns the local inbox on (npm run dev does); off in production unless set. */
  readonly INBOX?: string;
  /** Bearer token of the admin API (a Worker secret); the API is off without it. */
  readonly ADMIN_TOKEN?: string;
  /** How overdue a job must be before the stuck-job sweep re-dispatches it (default 10m). */
  readonly SWEEP_AFTER?: string;
  /**
   * Queue mode. Unset (or `at-once`): an event's jobs are attempted right after the answer, the event store's
   * alarm queueing a copy of whatever is not settled 10 s later. `queue`: the queue consumer makes every attempt
   * (slower by the queue's batch window). Either way a Worker killed mid-send re-sends what it had just sent, at
   * most once, after the claim's lease — see README.
   */
  readonly FIRST_ATTEMPT?: string;
  /** How many shards the event store has (1–1024, default 16). Changing it re-homes every key: see README. */
  readonly EVENT_SHARDS?: string;
  /**
   * An instant (ISO 8601): until then, an event accepted by the per-event objects of a version before the event
   * store still counts as seen (set it to the upgrade's time plus the retention; see README).
   */
  readonly LEGACY_EVENTS_UNTIL?: string;
  /** Worker secrets and vars referenced from rules.yaml as `${NAME}`. */
  readonly [name: string]: unknown;
};
