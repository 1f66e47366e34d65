/**
 * The queue consumers. Jobs: each message is delivered on its own (pipeline/deliver.ts) and acked, retried
 * with its own delay, or sent to the dead-letter queue, so one failing target never re-sends another and a
 * failure in the middle of a batch re-runs only the messages not yet settled (the ledger refuses to send a
 * delivered job twice). Dead letters: each is recorded in its event's ledger and in the index the admin API
 * lists and replays from.
 *
 * Which consumer runs is decided by the queue's name: a queue whose name ends in `-dead-letters` is the
 * dead-letter queue (wrangler.toml names it `switchyard-dead-letters`).
 */
import type { Logger } from './core/log.ts';
import { deliverDeps, deliveryState, healthBuffer, recordDeadLetter, sendDeadLetter, type Env, type RuntimeOptions } from './env.ts';
import { deliverJob, type DeliverDeps } from './pipeline/deliver.ts';
import { parseDeadLetter, parseJob } from './core/jobs.ts';
import { createConsoleLogger } from './core/log.ts';

/** Messages delivered at once: Workers allow six simultaneous outbound connections. */
const CONSUMER_CONCURRENCY = 6;
/** Delay before a message whose handling threw is tried again. */
const ERROR_RETRY_SECONDS = 10;
/**
 * How long a job whose event is not (yet) in the ledger keeps waiting for it: long enough for the vendor to
 * retry a delivery whose record failed to write (Prelude retries within seconds, then for two weeks).
 */
const ORPHAN_AFTER_MS = 6 * 3_600_000;

export function isDeadLetterQueue(name: string): boolean {
  return name.endsWith('-dead-letters');
}

export async function handleQueue(batch: MessageBatch<unknown>, env: Env, options: RuntimeOptions = {}): Promise<void> {
  const log = options.logger ?? createConsoleLogger({ service: 'switchyard' });
  if (isDeadLetterQueue(batch.queue)) return handleDeadLetters(batch, env, log);
  return handleJobs(batch, env, { ...options, logger: log });
}

export async function handleJobs(batch: MessageBatch<unknown>, env: Env, options: RuntimeOptions & { readonly logger: Logger }): Promise<void> {
  const log = options.logger;
  let state: Awaited<ReturnType<typeof deliveryState>>;
  try {
    state = await deliveryState(env);
  } catch (e) {
    log.log('error', 'delivery.control_unavailable', { error: e instanceof Error ? e.message : String(e), messages: batch.messages.length });
    batch.retryAll({ delaySeconds: ERROR_RETRY_SECONDS });
    return;
  }
  // A silence that cannot be read silences nothing (the pages go out); say so loudly, every batch.
  for (const s of state.silences) if (s.broken) log.log('error', 'silence.broken', { id: s.id, problem: s.broken });
  // Attempt outcomes go to the relay's health once, after the batch: never between a job and its send.
  const health = healthBuffer(env, log);
  const deps = { ...deliverDeps(env, state.paused, options, state.silences), health: health.sink };
  await eachLimited(batch.messages, CONSUMER_CONCURRENCY, (message) => settleJob(message, deps, env, log));
  await health.flush();
}

async function settleJob(message: Message<unknown>, deps: DeliverDeps, env: Env, log: Logger): Promise<void> {
  const job = parseJob(message.body);
  if (!job) {
    // Not a job this version understands: retrying cannot help; keep it where an operator can see it.
    log.log('error', 'delivery.unreadable_message', { message_id: message.id, attempts: message.attempts });
    message.ack();
    return;
  }
  try {
    const result = await deliverJob(job, deps);
    switch (result.kind) {
      case 'delivered':
      case 'settled':
        message.ack();
        return;
      case 'retry':
        message.retry({ delaySeconds: Math.ceil(result.delayMs / 1000) });
        return;
      case 'missing': {
        // Young: its record is on the way (or the vendor's retry will write it). Old: an orphan.
        const age = Date.now() - message.timestamp.getTime();
        if (age < ORPHAN_AFTER_MS) {
          message.retry({ delaySeconds: Math.min(60, 2 ** Math.min(message.attempts, 6)) });
          return;
        }
        log.log('error', 'delivery.orphan', { job: job.id, event: job.event, route: job.route, target: job.target, age_ms: age });
        await sendDeadLetter(env, job, 'its event is not in the ledger (never recorded, or past its retention)');
        message.ack();
        return;
      }
      case 'dead':
        await sendDeadLetter(env, job, result.why);
        message.ack();
        return;
    }
  } catch (e) {
    log.log('error', 'delivery.failed', {
      job: job.id,
      event: job.event,
      target: job.target,
      error: e instanceof Error ? `${e.name}: ${e.message}` : String(e),
    });
    message.retry({ delaySeconds: ERROR_RETRY_SECONDS });
  }
}

async function handleDeadLetters(batch: MessageBatch<unknown>, env: Env, log: Logger): Promise<void> {
  await eachLimited(batch.messages, CONSUMER_CONCURRENCY, async (message) => {
    const dead = parseDeadLetter(message.body);
    if (!dead) {
      log.log('error', 'dead_letter.unreadable_message', { message_id: message.id });
      message.ack();
      return;
    }
    try {
      await recordDeadLetter(env, dead.job, dead.why);
      log.log('error', 'dead_letter.recorded', { job: dead.job.id, event: dead.job.event, route: dead.job.route, target: dead.job.target, why: dead.why });
      message.ack();
    } catch (e) {
      log.log('error', 'dead_letter.failed', { job: dead.job.id, error: e instanceof Error ? e.message : String(e) });
      message.retry({ delaySeconds: ERROR_RETRY_SECONDS });
    }
  });
}

/** Runs `fn` over `items` with at most `limit` at a time. */
export async function eachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
