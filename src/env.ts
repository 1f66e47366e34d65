/**
 * Builds the dependencies of the flows from the Worker's bindings and secrets. Not the only reader
 * of bindings: the Durable Objects (state/) read their own `env` too, until delivery's redesign (issue 13).
 * Per-isolate pieces (the key cache, the loaded rules) are built once and reused.
 */
import { RULES_JSON, RULES_STATUS } from './generated/rules.ts';
import { createConsoleLogger, type Logger } from './core/log.ts';
import type { IngestDeps } from './pipeline/ingest.ts';
import type { BuiltRules } from './rules/config.ts';
import { compileRuleSet, type RuleSet } from './rules/ruleset.ts';
import { createCredentialCache, type CredentialCache } from './sources/credentials.ts';
import { CONTROL_NAME, type DeliveryControlObject } from './state/delivery-control.ts';
import { createDurableLedger, enqueue, type EventLedgerObject } from './state/event-ledger.ts';
import type { AlertLedger, DeliverDeps, JobLedger } from './pipeline/deliver.ts';
import type { AlertObject } from './state/alert.ts';
import type { BudgetObject } from './state/budget.ts';
import type { PacerObject } from './state/pacer.ts';
import type { InboxObject } from './state/inbox.ts';
import { inboxEnabled, inboxTakes, type InboxSink } from './pipeline/inbox-sink.ts';
import type { DeadLetterMessage, DeliveryJob } from './core/jobs.ts';
import type { Claim, AlertState, ResolveDecision, TakeResult, Silence } from './core/delivery.ts';

export interface Env {
  readonly EVENTS: DurableObjectNamespace<EventLedgerObject>;
  readonly CONTROL: DurableObjectNamespace<DeliveryControlObject>;
  /** One object per alert key: lifecycle state (firing/resolved, counts, what was sent where). */
  readonly ALERTS: DurableObjectNamespace<AlertObject>;
  /** One object per paced receiver (Slack channel, PagerDuty routing key): send slots. */
  readonly PACERS: DurableObjectNamespace<PacerObject>;
  /** One object per route with a paging budget: pages sent, pages held, the digest alarm. */
  readonly BUDGETS: DurableObjectNamespace<BudgetObject>;
  /** Delivery jobs; without this binding, delivery runs inline in waitUntil (pipeline/inline.ts). */
  readonly JOBS?: Queue<DeliveryJob>;
  /** Jobs that failed for good; its consumer records them for the admin API. */
  readonly DEAD_LETTERS?: Queue<DeadLetterMessage>;
  /** The local inbox: notifications of targets without credentials, shown at /inbox. */
  readonly INBOXES: DurableObjectNamespace<InboxObject>;
  /** "on" turns the local inbox on (npm run dev does); off in production unless set. */
  readonly INBOX?: string;
  /** Bearer token of the admin API (a Worker secret); the API is off without it. */
  readonly ADMIN_TOKEN?: string;
  /** Worker secrets and vars referenced from rules.yaml as `${NAME}`. */
  readonly [name: string]: unknown;
}

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

export function routeWith(rules: RuleSet): IngestDeps['route'] {
  return (event) => ({ routes: rules.match(event).map((m) => ({ index: m.index, name: m.route.name, notify: m.route.notify })) });
}

export function ingestDeps(env: Env, options: RuntimeOptions = {}): IngestDeps {
  const rules = options.rules ?? BUILT_RULES;
  let credentials = credentialCaches.get(rules);
  if (!credentials) credentialCaches.set(rules, (credentials = createCredentialCache()));
  return {
    rules,
    env,
    now: options.now ?? Date.now,
    ledger: createDurableLedger(env.EVENTS, { retentionMs: rules.settings.dedupRetentionMs, mode: env.JOBS ? 'queue' : 'inline' }),
    credentials,
    log: options.logger ?? createConsoleLogger({ service: 'switchyard' }),
    route: options.route ?? routeWith(ruleSet()),
  };
}

export function controlOf(env: Pick<Env, 'CONTROL'>): DurableObjectStub<DeliveryControlObject> {
  return env.CONTROL.getByName(CONTROL_NAME);
}

/** What a batch of deliveries reads once: the paused targets and the silences not yet over. */
export async function deliveryState(env: Pick<Env, 'CONTROL'>): Promise<{ readonly paused: ReadonlySet<string>; readonly silences: readonly Silence[] }> {
  const state = (await controlOf(env).deliveryState(Date.now())) as { paused: string[]; silences: Silence[] };
  return { paused: new Set(state.paused), silences: state.silences };
}

/** The event ledger in front of one event's Durable Object, as delivery uses it. */
export function jobLedger(env: Pick<Env, 'EVENTS'>, eventKey: string): JobLedger {
  const stub = env.EVENTS.getByName(eventKey);
  return {
    claim: (id) => stub.claim(id) as Promise<Claim>,
    finish: (id, attempt, decision, receipt) => stub.finish(id, attempt, decision, receipt),
    release: (id, status, why, inMs) => stub.release(id, status, why, inMs ?? null),
    markDead: (id, why) => stub.markDead(id, why),
    suppress: (id, why) => stub.suppress(id, why),
    addJobs: (jobs) => stub.addJobs(jobs),
  };
}

export function alertLedger(env: Pick<Env, 'ALERTS'>, key: string): AlertLedger {
  const stub = env.ALERTS.getByName(`alert:${key}`);
  return {
    trigger: (input) => stub.trigger(input),
    sent: (input) => stub.sent(input),
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
    env,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    now: options.now ?? Date.now,
    random: Math.random,
    log: options.logger ?? createConsoleLogger({ service: 'switchyard' }),
    ledgerFor: (key) => jobLedger(env, key),
    paused,
    silences,
    park: (job) => control.park(job),
    alertFor: (key) => alertLedger(env, key),
    inbox: inboxSinkOf(env),
    paceFor: (receiver, jobId, intervalMs) => env.PACERS.getByName(`pace:${receiver}`).reserve(jobId, intervalMs),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    budgetFor: (route) => {
      const stub = env.BUDGETS.getByName(`budget:${route}`);
      return { take: (input) => stub.take(input) as Promise<TakeResult> };
    },
    // Without a queue the inline runner replaces this (pipeline/inline.ts delivers follow-ups in place).
    dispatch: (jobs) => (jobs.length === 0 ? Promise.resolve() : enqueue(env, jobs)),
  };
}

export function inboxOf(env: Pick<Env, 'INBOXES'>): DurableObjectStub<InboxObject> {
  return env.INBOXES.getByName('inbox');
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
