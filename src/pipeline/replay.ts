/**
 * What the admin API does to deliveries: replay dead letters (one, all since a time, all for a target) or the
 * jobs the stuck-job sweep found, and resume a paused target. A replay starts a new run of the job in its
 * ledger (attempts and age count from zero) and queues it again; the ledger refuses a job already delivered,
 * so a replay can never send twice.
 */
import type { DeliveryJob } from '../core/jobs.ts';
import type { DeadLetter } from '../core/delivery.ts';

export interface OperateDeps {
  readonly markReplayed: (jobIds: readonly string[]) => Promise<void>;
  /** `stuck`: also take a job waiting for a retry, or whose claim's lease ran out. */
  readonly requeue: (
    job: DeliveryJob,
    options?: { readonly stuck?: boolean },
  ) => Promise<{ readonly job: DeliveryJob } | { readonly refused: 'missing' | 'delivered' | 'in_flight' }>;
  /** Queues the jobs (or, without a queue, delivers them in the background). */
  readonly dispatch: (jobs: readonly DeliveryJob[]) => Promise<void>;
}

export interface ReplayReport {
  readonly replayed: readonly string[];
  readonly skipped: readonly { readonly job: string; readonly why: string }[];
}

const REFUSALS = {
  missing: 'the event is no longer in the ledger (past its retention)',
  delivered: 'already delivered',
  in_flight: 'already queued again',
} as const;

/**
 * Replays jobs the stuck-job sweep found (`"state": "stuck"`): each one not settled since is queued again
 * now, without waiting for the next sweep; a delivered one is skipped, so this can never send twice.
 */
export async function replayStuck(jobs: readonly DeliveryJob[], deps: Pick<OperateDeps, 'requeue' | 'dispatch'>): Promise<ReplayReport> {
  const queued: DeliveryJob[] = [];
  const skipped: { job: string; why: string }[] = [];
  for (const job of jobs) {
    const r = await deps.requeue(job, { stuck: true });
    if ('job' in r) queued.push(r.job);
    else skipped.push({ job: job.id, why: r.refused === 'in_flight' ? 'being delivered right now (its claim is held)' : REFUSALS[r.refused] });
  }
  await deps.dispatch(queued);
  return { replayed: queued.map((j) => j.id), skipped };
}

export async function replay(letters: readonly DeadLetter[], deps: OperateDeps): Promise<ReplayReport> {
  const jobs: DeliveryJob[] = [];
  const skipped: { job: string; why: string }[] = [];
  const settled: string[] = [];
  for (const letter of letters) {
    const r = await deps.requeue(letter.job);
    if ('job' in r) jobs.push(r.job);
    else {
      skipped.push({ job: letter.jobId, why: REFUSALS[r.refused] });
      // Nothing left to replay for these: take them off the waiting list.
      if (r.refused !== 'in_flight') settled.push(letter.jobId);
    }
  }
  await deps.dispatch(jobs);
  await deps.markReplayed([...jobs.map((j) => j.id), ...settled]);
  return { replayed: jobs.map((j) => j.id), skipped };
}
