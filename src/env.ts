/**
 * Builds the dependencies of the flows (ingest, delivery, the inline runner) from the Worker's bindings and
 * secrets. The Durable Objects read their own `env` as well (each its store, and the queue through
 * pipeline/dispatch.ts). Per-isolate pieces (the key cache, the loaded rules) are built once and reused.
 */
import { RULES_JSON, RULES_STATUS, RULES_VERSION, SHADOW_JSON, SHADOW_VERSION } from './generated/rules.ts';
import { routeWith as routeWithVersions } from './pipeline/route.ts';
import type { Env } from './core/env.ts';
import { createConsoleLogger, type Logger } from './core/log.ts';
import type { IngestDeps } from './pipeline/ingest.ts';
import type { BuiltRules } from './rules/config.ts';
import { compileRuleSet, type RuleSet } from './rules/ruleset.ts';
import { createCredentialCache, type CredentialCache } from './sources/credentials.ts';
import { CONTROL_NAME, type DeliveryControlObject } from './state/delivery-control.ts';
import { eventStore } from './state/event-store.ts';
import { deliverJob, type AlertLedger, type DeliverDeps, type JobLedger } from './pipeline/deliver.ts';
import { deliveryMode, dispatcher } from './pipeline/dispatch.ts';
import { deliverInline, INLINE_BUDGET_MS, INLINE_MAX_ATTEMPTS } from './pipeline/inline.ts';
import { INBOX_NAME, type InboxObject } from './state/inbox.ts';
import { HEALTH_NAME, type HealthObject, type HealthRoute } from './state/health.ts';
import { inboxEnabled, inboxTakes, type InboxSink } from './pipeline/inbox-sink.ts';
import type { DeliveryJob } from './core/jobs.ts';
import type { AlertState, ClaimedJob, GroupState, ResolveDecision, RulesVersion, TakeResult, Silence } from './core/delivery.ts';

export type { Env };

/** The rules validated at build time by scripts/build-rules.ts from rules.yaml (or rules.example.yaml). */
export const BUILT_RULES = JSON.parse(RULES_JSON) as BuiltRules;

/**
 * Whether the rules file built cleanly. Only `npm run dev` builds a broken file (keeping the last good rules
 * serving); a deploy refuses one.
 */
export const BUILT_RULES_STATUS: { readonly file: string; readonly ok: boolean; readonly serving?: string; readonly problems?: readonly string[] } =
  RULES_STATUS;

export interface RuntimeOptions {
  readonly rules?: IngestDeps['rules'];
  readonly route?: IngestDeps['route'];
  readonly now?: () => number;
  readonly logger?: Logger;
  /** Outbound fetch for targets (tests and the load script keep the runtime's). */
  readonly fetch?: typeof fetch;
}

const credentialCaches = new WeakMap<IngestDeps['rules'], CredentialCache>();

/** The rule set of the built rules, compiled once per isolate (routes themselves compile on first use). */
let builtRuleSet: RuleSet | null = null;
export function ruleSet(): RuleSet {
  return (builtRuleSet ??= compileRuleSet(BUILT_RULES.routes));
}

/** The version of the built rules, stamped on every routing decision. */
export const BUILT_RULES_VERSION: RulesVersion = RULES_VERSION;

/** The shadow rules (rules.shadow.yaml) as built, or null when none are deployed. */
const SHADOW_RULES = SHADOW_JSON === null ? null : (JSON.parse(SHADOW_JSON) as BuiltRules);
let builtShadowSet: RuleSet | null = null;
export function shadowRules(): { readonly set: RuleSet; readonly version: RulesVersion } | null {
  if (!SHADOW_RULES || !SHADOW_VERSION) return null;
  return { set: (builtShadowSet ??= compileRuleSet(SHADOW_RULES.routes)), version: SHADOW_VERSION };
}

/** Routes an event with `rules` (stamped with `version`), and with `shadow` rules when given. */
export function routeWith(rules: RuleSet, version: RulesVersion = BUILT_RULES_VERSION, shadow: ReturnType<typeof shadowRules> = null): IngestDeps['route'] {
  return routeWithVersions({ set: rules, version }, shadow);
}

export function ingestDeps(env: Env, options: RuntimeOptions = {}): IngestDeps {
  const rules = options.rules ?? BUILT_RULES;
  let credentials = credentialCaches.get(rules);
  if (!credentials) credentialCaches.set(rules, (credentials = createCredentialCache()));
  return {
    rules,
    env,
    now: options.now ?? Date.now,
    // In queue mode the first attempt is made right after the answer (app.ts) unless FIRST_ATTEMPT=queue; the
    // event store's alarm is its backstop.
    ledger: ingestLedger(env, rules.settings.dedupRetentionMs),
    credentials,
    log: options.logger ?? createConsoleLogger({ service: 'switchyard' }),
    route: options.route ?? routeWith(ruleSet(), BUILT_RULES_VERSION, shadowRules()),
    unrouted: async (events, now) => {
      await controlOf(env).recordUnrouted(
        events.map((e) => ({ source: e.source, type: e.type, id: e.id })),
        now,
      );
    },
  };
}

export function controlOf(env: Pick<Env, 'CONTROL'>): DurableObjectStub<DeliveryControlObject> {
  return env.CONTROL.getByName(CONTROL_NAME);
}

/**
 * How long an isolate's first attempts at once reuse the paused targets and silences they last read: one read
 * of the control object per second per isolate instead of one per event (that single object would otherwise
 * cap the relay at its own request rate). A change made through this isolate's admin API is seen at once;
 * one made through another isolate, within this long. The queue consumer reads afresh per batch.
 */
const STATE_FRESH_MS = 1000;
let lastState: { readonly control: unknown; readonly at: number; readonly value: Awaited<ReturnType<typeof deliveryState>> } | null = null;

export async function recentDeliveryState(env: Pick<Env, 'CONTROL'>, now = Date.now()): ReturnType<typeof deliveryState> {
  if (lastState && lastState.control === env.CONTROL && now - lastState.at >= 0 && now - lastState.at < STATE_FRESH_MS) return lastState.value;
  const value = await deliveryState(env);
  lastState = { control: env.CONTROL, at: now, value };
  return value;
}

/** A pause, resume or silence was just written: the next first attempt reads afresh. */
export function forgetDeliveryState(): void {
  lastState = null;
}

/** What a batch of deliveries reads once: the paused targets and the silences not yet over. */
export async function deliveryState(env: Pick<Env, 'CONTROL'>): Promise<{ readonly paused: ReadonlySet<string>; readonly silences: readonly Silence[] }> {
  const state = (await controlOf(env).deliveryState(Date.now())) as { paused: string[]; silences: Silence[] };
  return { paused: new Set(state.paused), silences: state.silences };
}

/** Queue mode: whether the first attempt is made at once, after the answer (the default), or by the consumer. */
export function firstAttemptAtOnce(env: Pick<Env, 'FIRST_ATTEMPT'>): boolean {
  return env.FIRST_ATTEMPT !== 'queue';
}

/** The event store as ingest uses it. */
function ingestLedger(env: Env, retentionMs: number): IngestDeps['ledger'] {
  const store = eventStore(env);
  const options = { retentionMs, mode: deliveryMode(env), firstAttempt: firstAttemptAtOnce(env) };
  return { accept: (event, routing, auth) => store.accept(event, routing, { ...options, auth }) };
}

/** One event's jobs in the event store, as delivery uses them. */
export function jobLedger(env: Env, eventKey: string): JobLedger {
  return eventStore(env).of(eventKey);
}

export function alertLedger(env: Pick<Env, 'ALERTS'>, key: string): AlertLedger {
  const stub = env.ALERTS.getByName(`alert:${key}`);
  return {
    trigger: (input) => stub.trigger(input),
    sent: (input) => stub.sent(input),
    join: (input) => stub.join(input),
    replied: (target, ts) => stub.replied(target, ts),
    failed: (target, jobId) => stub.failed(target, jobId),
    resolve: (eventId, hold) => stub.resolve(eventId, hold) as Promise<ResolveDecision>,
    state: () => stub.state() as Promise<AlertState | null>,
  };
}

/** What delivering a batch of jobs needs; `paused` is the set of paused targets read once per batch. */
export function deliverDeps(env: Env, paused: ReadonlySet<string>, options: RuntimeOptions = {}, silences: readonly Silence[] = []): DeliverDeps {
  const control = controlOf(env);
  return {
    rules: BUILT_RULES,
    ruleSet: ruleSet(),
    stores: {
      ledgerFor: (key) => jobLedger(env, key),
      alertFor: (key) => alertLedger(env, key),
      budgetFor: (route) => {
        const stub = env.BUDGETS.getByName(`budget:${route}`);
        return { take: (input) => stub.take(input) as Promise<TakeResult> };
      },
      groupFor: (id) => {
        const stub = env.GROUPS.getByName(`group:${id}`);
        return {
          add: (spec, member) => stub.add(spec, member),
          resolveMember: (key) => stub.resolveMember(key),
          sent: (target, slack, message) => stub.sent(target, slack, message),
          state: () => stub.state() as Promise<GroupState | null>,
        };
      },
      paceFor: (receiver, jobId, intervalMs) => env.PACERS.getByName(`pace:${receiver}`).reserve(jobId, intervalMs),
      park: (job) => control.park(job),
    },
    batch: { paused, silences },
    io: { env, fetch: options.fetch ?? ((input, init) => fetch(input, init)), inbox: inboxSinkOf(env) },
    clock: { now: options.now ?? Date.now, random: Math.random, sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)) },
    log: options.logger ?? createConsoleLogger({ service: 'switchyard' }),
    // Without a queue, follow-ups are delivered in place (pipeline/inline.ts replaces this with its own runner).
    dispatch: dispatcher(env, (jobs) => deliverInlineNow(env, jobs, options)),
  };
}

/** Inline mode (no queue): deliver now, in the caller's background (a request's waitUntil, an alarm). */
export async function deliverInlineNow(env: Env, jobs: readonly DeliveryJob[], options: RuntimeOptions): Promise<void> {
  const state = await deliveryState(env);
  const health = healthBuffer(env, options.logger ?? createConsoleLogger({ service: 'switchyard' }));
  await deliverInline(
    jobs,
    { ...deliverDeps(env, state.paused, options, state.silences), health: health.sink },
    {
      maxAttempts: INLINE_MAX_ATTEMPTS,
      budgetMs: INLINE_BUDGET_MS,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      deadLetter: (job, why) => recordDeadLetter(env, job, why),
    },
  );
  await health.flush();
}

/**
 * The first attempt of an accepted event's jobs, at once (queue mode, after the answer): the same stage list as
 * the queue consumer's — gates, attempt, record; the claim was made by the accept — so pacing, budgets,
 * silences, windows and grouping apply. A job that must wait (a retry, a paced slot) is left to the store's
 * backstop, which FIRST_ATTEMPT_BACKSTOP_S later queues a copy of it, delayed until it is due; the claim keeps
 * the copy and the first attempt from ever both sending.
 */
export async function attemptFirst(env: Env, claimed: readonly ClaimedJob[], options: RuntimeOptions): Promise<void> {
  const log = options.logger ?? createConsoleLogger({ service: 'switchyard' });
  let state: Awaited<ReturnType<typeof deliveryState>>;
  try {
    state = await recentDeliveryState(env);
  } catch (e) {
    // The queued copies are still coming: the claims are given back (best effort; else the lease runs out) and
    // the copies take the jobs from here.
    log.log('warn', 'delivery.first_attempt_skipped', { jobs: claimed.length, error: e instanceof Error ? e.message.slice(0, 200) : String(e) });
    await Promise.allSettled(claimed.map(({ job }) => jobLedger(env, job.event).release(job.id, 'queued', 'first attempt skipped', 0)));
    return;
  }
  const health = healthBuffer(env, log);
  const deps: DeliverDeps = { ...deliverDeps(env, state.paused, options, state.silences), health: health.sink };
  await Promise.all(
    claimed.map(async ({ job, claim }) => {
      try {
        const result = await deliverJob(job, deps, claim);
        if (result.kind === 'dead') await sendDeadLetter(env, job, result.why);
      } catch (e) {
        // The queued copy is still coming: it takes the job from here.
        log.log('warn', 'delivery.first_attempt_failed', {
          job: job.id,
          event: job.event,
          target: job.target,
          error: e instanceof Error ? e.message.slice(0, 200) : String(e),
        });
      }
    }),
  );
  await health.flush();
}

/** To the dead-letter queue when there is one; otherwise straight into the ledger and the index. */
export async function sendDeadLetter(env: Env, job: DeliveryJob, why: string): Promise<void> {
  if (env.DEAD_LETTERS) await env.DEAD_LETTERS.send({ job, why }, { contentType: 'json' });
  else await recordDeadLetter(env, job, why);
}

export async function recordDeadLetter(env: Env, job: DeliveryJob, why: string): Promise<void> {
  await jobLedger(env, job.event).markDead(job.id, why);
  await controlOf(env).recordDeadLetter(job, why);
  // Someone is told (settings.health) — never of a health notice's own dead letter.
  const route = healthRoute();
  if (!route || job.route === route.name) return;
  try {
    await healthOf(env).deadLettered({ jobId: job.id, event: job.event, route: job.route, target: job.target, why }, route);
  } catch (e) {
    // The dead letter itself is recorded (and listed); only the notice is lost, so say so where it shows.
    createConsoleLogger({ service: 'switchyard' }).log('error', 'health.notice_lost', {
      job: job.id,
      error: e instanceof Error ? e.message.slice(0, 200) : 'failed',
    });
  }
}

// ---- the relay's own health (settings.health) -----------------------------------------------------------

let builtHealthRoute: HealthRoute | null | undefined;
/** settings.health's route in the built rules (index, name, targets), or null when health notices are off. */
export function healthRoute(): HealthRoute | null {
  if (builtHealthRoute !== undefined) return builtHealthRoute;
  const index = BUILT_RULES.routes.keys.findIndex((k) => k.health === true);
  if (index < 0) return (builtHealthRoute = null);
  const r = ruleSet().route(index);
  return (builtHealthRoute = { index, name: r.name, notify: r.notify });
}

export function healthOf(env: Pick<Env, 'HEALTH'>): DurableObjectStub<HealthObject> {
  return env.HEALTH.getByName(HEALTH_NAME);
}

/** Attempt outcomes gathered during a batch, handed to the health object once, after it (best effort). */
export function healthBuffer(env: Env, log: Logger): { readonly sink: NonNullable<DeliverDeps['health']>; flush(): Promise<void> } {
  const seen: { target: string; ok: boolean; why: string | null; at: number }[] = [];
  const route = healthRoute();
  return {
    sink: { attempted: (s) => void (route && seen.push(s)) },
    async flush() {
      const settings = BUILT_RULES.settings.health;
      if (!route || !settings || seen.length === 0) return;
      try {
        await healthOf(env).attempts(seen.splice(0), settings.failingAfter, route);
      } catch (e) {
        log.log('warn', 'health.unavailable', { error: e instanceof Error ? e.message.slice(0, 200) : 'failed' });
      }
    },
  };
}

/** Reasons a delivery was refused at verification: what settings.health counts per source. */
const VERIFICATION_REASONS = new Set([
  'bad_signature',
  'bad_token',
  'digest_mismatch',
  'timestamp_too_old',
  'timestamp_in_future',
  'missing_headers',
  'malformed_header',
]);

/** A delivery of a known source refused at verification, for the relay's health (best effort). */
export async function noteVerificationFailure(env: Env, source: string, reason: string, log: Logger): Promise<void> {
  const route = healthRoute();
  const settings = BUILT_RULES.settings.health;
  if (!route || !settings || !VERIFICATION_REASONS.has(reason) || !Object.hasOwn(BUILT_RULES.sources, source)) return;
  try {
    await healthOf(env).verificationFailed({ source, reason }, settings.verificationFailures, route);
  } catch (e) {
    log.log('warn', 'health.unavailable', { error: e instanceof Error ? e.message.slice(0, 200) : 'failed' });
  }
}

/** When this isolate last told the health object a source was heard from: at most once a minute each. */
const lastSeenReported = new Map<string, number>();
const SEEN_EVERY_MS = 60_000;

/** An event accepted from a source with expect_every: its dead man's switch is reset (best effort, throttled). */
export async function noteSourceSeen(env: Env, source: string, log: Logger, now = Date.now()): Promise<void> {
  const route = healthRoute();
  const expectEveryMs = BUILT_RULES.sources[source]?.expectEveryMs;
  if (!route || !expectEveryMs || now - (lastSeenReported.get(source) ?? -Infinity) < SEEN_EVERY_MS) return;
  lastSeenReported.set(source, now);
  try {
    await healthOf(env).seen(source, expectEveryMs, route);
  } catch (e) {
    lastSeenReported.delete(source);
    log.log('warn', 'health.unavailable', { error: e instanceof Error ? e.message.slice(0, 200) : 'failed' });
  }
}

export function inboxOf(env: Pick<Env, 'INBOXES'>): DurableObjectStub<InboxObject> {
  return env.INBOXES.getByName(INBOX_NAME);
}

/** The local inbox as delivery uses it, when INBOX is on; null otherwise. */
export function inboxSinkOf(env: Env): InboxSink | null {
  if (!inboxEnabled(env.INBOX)) return null;
  const inbox = inboxOf(env);
  return {
    takes: (target) => inboxTakes(target, env),
    post: (item) => inbox.post(item),
    update: (id, payload) => inbox.update(id, payload),
    reply: (id, text, replyId) => inbox.reply(id, text, replyId),
  };
}
