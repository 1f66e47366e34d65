/**
 * The relay's operating state, in one Durable Object (named `control`) with SQLite tables: the index of
 * dead letters (the jobs themselves live in their events' ledgers), paused targets, the jobs parked while
 * their target is paused, silences, the jobs the stuck-job sweep re-dispatched (kept 7 days), and the count of
 * events no route matched, per source and type. Small and rarely written: one object is enough, and its single thread makes
 * "park only if still paused" and "resume takes every parked job" atomic.
 */
import { DurableObject } from 'cloudflare:workers';
import type { Env } from '../core/env.ts';
import type { DeliveryJob } from '../core/jobs.ts';
import { storedSilenceProblem } from '../pipeline/silences.ts';
import type { DeadLetter, DeadLetterFilter, Silence, SweptInput, SweptJob, TargetStatus, UnroutedType } from '../core/delivery.ts';

const SWEPT_KEEP_MS = 7 * 86_400_000;

export const CONTROL_NAME = 'control';
const MAX_LIST = 1000;

type Row = Record<string, SqlStorageValue>;

export class DeliveryControlObject extends DurableObject<Env> {
  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    ctx.storage.sql.exec(`
      CREATE TABLE IF NOT EXISTS dead_letters (
        job_id TEXT PRIMARY KEY, event TEXT NOT NULL, route TEXT NOT NULL, target TEXT NOT NULL,
        why TEXT NOT NULL, dead_at INTEGER NOT NULL, replayed_at INTEGER, job TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS dead_letters_by_time ON dead_letters (dead_at);
      CREATE TABLE IF NOT EXISTS paused_targets (name TEXT PRIMARY KEY, paused_at INTEGER NOT NULL, note TEXT);
      CREATE TABLE IF NOT EXISTS parked_jobs (job_id TEXT PRIMARY KEY, target TEXT NOT NULL, job TEXT NOT NULL, parked_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS silences (
        id TEXT PRIMARY KEY, matchers TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
        created_by TEXT NOT NULL, comment TEXT NOT NULL, created_at INTEGER NOT NULL);
      CREATE INDEX IF NOT EXISTS silences_by_end ON silences (ends_at);
      CREATE TABLE IF NOT EXISTS swept_jobs (
        job_id TEXT PRIMARY KEY, event TEXT NOT NULL, route TEXT NOT NULL, target TEXT NOT NULL, was TEXT NOT NULL,
        overdue_ms INTEGER NOT NULL, action TEXT NOT NULL, swept_at INTEGER NOT NULL, times INTEGER NOT NULL, job TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS swept_jobs_by_time ON swept_jobs (swept_at);
      CREATE TABLE IF NOT EXISTS unrouted (
        source TEXT NOT NULL, type TEXT NOT NULL, count INTEGER NOT NULL, first_at INTEGER NOT NULL,
        last_at INTEGER NOT NULL, last_event TEXT NOT NULL, PRIMARY KEY (source, type));
    `);
  }

  /** Counts events no route matched, per (source, type), with the latest one's id (kept until cleared). */
  recordUnrouted(events: readonly { readonly source: string; readonly type: string; readonly id: string }[], now: number): void {
    for (const e of events)
      this.ctx.storage.sql.exec(
        `INSERT INTO unrouted (source, type, count, first_at, last_at, last_event) VALUES (?, ?, 1, ?, ?, ?)
         ON CONFLICT (source, type) DO UPDATE SET count = unrouted.count + 1, last_at = excluded.last_at, last_event = excluded.last_event`,
        e.source,
        e.type,
        now,
        now,
        e.id,
      );
  }

  /** What arrived and matched no route, most recent first. */
  listUnrouted(): UnroutedType[] {
    return this.ctx.storage.sql
      .exec(`SELECT * FROM unrouted ORDER BY last_at DESC LIMIT ${MAX_LIST}`)
      .toArray()
      .map((r) => ({
        source: String(r.source),
        type: String(r.type),
        count: Number(r.count),
        firstAt: Number(r.first_at),
        lastAt: Number(r.last_at),
        lastEvent: String(r.last_event),
      }));
  }

  /** Forgets the counts (after the rules route what was missing). */
  clearUnrouted(): number {
    return this.ctx.storage.sql.exec('DELETE FROM unrouted').rowsWritten;
  }

  /** Notes the jobs one sweep re-dispatched (a job swept again is renewed and counted). */
  recordSwept(jobs: readonly SweptInput[], now: number): void {
    this.ctx.storage.sql.exec('DELETE FROM swept_jobs WHERE swept_at < ?', now - SWEPT_KEEP_MS);
    for (const s of jobs)
      this.ctx.storage.sql.exec(
        `INSERT INTO swept_jobs (job_id, event, route, target, was, overdue_ms, action, swept_at, times, job) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
         ON CONFLICT (job_id) DO UPDATE SET was = excluded.was, overdue_ms = excluded.overdue_ms, action = excluded.action,
           swept_at = excluded.swept_at, times = swept_jobs.times + 1`,
        s.job.id,
        s.job.event,
        s.job.route,
        s.job.target,
        s.was,
        Math.round(s.overdueMs),
        s.action,
        now,
        JSON.stringify(s.job),
      );
  }

  /** The jobs the sweep found stuck, newest first. */
  listSwept(filter: { readonly since?: number | undefined; readonly target?: string | undefined; readonly limit?: number | undefined } = {}): SweptJob[] {
    const { where, args, limit } = listQuery(filter, 'swept_at');
    return this.ctx.storage.sql
      .exec(`SELECT * FROM swept_jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY swept_at DESC, job_id LIMIT ${limit}`, ...args)
      .toArray()
      .map((r) => ({
        job: JSON.parse(String(r.job)) as DeliveryJob,
        was: String(r.was),
        overdueMs: Number(r.overdue_ms),
        action: String(r.action),
        sweptAt: Number(r.swept_at),
        times: Number(r.times),
      }));
  }

  /** Adds (or, for a replayed job that died again, renews) a dead letter. */
  recordDeadLetter(job: DeliveryJob, why: string): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO dead_letters (job_id, event, route, target, why, dead_at, replayed_at, job) VALUES (?, ?, ?, ?, ?, ?, NULL, ?)
       ON CONFLICT (job_id) DO UPDATE SET why = excluded.why, dead_at = excluded.dead_at, replayed_at = NULL
       WHERE dead_letters.replayed_at IS NOT NULL`,
      job.id,
      job.event,
      job.route,
      job.target,
      why.slice(0, 500),
      Date.now(),
      JSON.stringify(job),
    );
  }

  listDeadLetters(filter: DeadLetterFilter = {}): DeadLetter[] {
    const { where, args, limit } = listQuery(filter, 'dead_at');
    if (!filter.includeReplayed) where.push('replayed_at IS NULL');
    const rows = this.ctx.storage.sql
      .exec(`SELECT * FROM dead_letters ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY dead_at DESC, job_id LIMIT ${limit}`, ...args)
      .toArray();
    return rows.map(toDeadLetter);
  }

  getDeadLetter(jobId: string): DeadLetter | null {
    const row = this.ctx.storage.sql.exec('SELECT * FROM dead_letters WHERE job_id = ?', jobId).toArray()[0];
    return row ? toDeadLetter(row) : null;
  }

  markReplayed(jobIds: readonly string[]): void {
    const now = Date.now();
    for (const id of jobIds) this.ctx.storage.sql.exec('UPDATE dead_letters SET replayed_at = ? WHERE job_id = ?', now, id);
  }

  pause(target: string, note: string | null): TargetStatus {
    this.ctx.storage.sql.exec('INSERT INTO paused_targets (name, paused_at, note) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING', target, Date.now(), note);
    return this.status(target)!;
  }

  /** Unpauses a target and hands back every job parked for it (the caller enqueues them). */
  resume(target: string): { readonly wasPaused: boolean; readonly jobs: DeliveryJob[] } {
    const wasPaused = this.ctx.storage.sql.exec('DELETE FROM paused_targets WHERE name = ? RETURNING name', target).toArray().length > 0;
    const jobs = this.ctx.storage.sql
      .exec('DELETE FROM parked_jobs WHERE target = ? RETURNING job', target)
      .toArray()
      .map((r) => JSON.parse(String(r.job)) as DeliveryJob);
    return { wasPaused, jobs };
  }

  pausedTargets(): string[] {
    return this.ctx.storage.sql
      .exec('SELECT name FROM paused_targets')
      .toArray()
      .map((r) => String(r.name));
  }

  status(target: string): TargetStatus | null {
    return this.statuses().find((s) => s.target === target) ?? null;
  }

  statuses(): TargetStatus[] {
    return this.ctx.storage.sql
      .exec(
        `SELECT p.name AS name, p.paused_at AS paused_at, p.note AS note, (SELECT count(*) FROM parked_jobs j WHERE j.target = p.name) AS parked
         FROM paused_targets p ORDER BY p.name`,
      )
      .toArray()
      .map((r) => ({ target: String(r.name), pausedAt: Number(r.paused_at), note: r.note === null ? null : String(r.note), parked: Number(r.parked) }));
  }

  /** What a batch of deliveries needs to know, in one call: paused targets and the silences not yet over. */
  deliveryState(now: number): { readonly paused: string[]; readonly silences: Silence[] } {
    return { paused: this.pausedTargets(), silences: this.silences('current', now) };
  }

  createSilence(input: Omit<Silence, 'id' | 'createdAt'>): Silence {
    const silence: Silence = { ...input, id: `sil_${crypto.randomUUID().replaceAll('-', '').slice(0, 20)}`, createdAt: Date.now() };
    this.ctx.storage.sql.exec(
      'INSERT INTO silences (id, matchers, starts_at, ends_at, created_by, comment, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      silence.id,
      JSON.stringify(silence.matchers),
      silence.startsAt,
      silence.endsAt,
      silence.createdBy,
      silence.comment,
      silence.createdAt,
    );
    return silence;
  }

  /** `current`: active or pending; `active`, `pending`, `expired`; `all`. Expired ones are kept 30 days. */
  silences(state: 'current' | 'active' | 'pending' | 'expired' | 'all', now: number): Silence[] {
    this.ctx.storage.sql.exec('DELETE FROM silences WHERE ends_at < ?', now - 30 * 86_400_000);
    const where = {
      current: "(ends_at > ?1 OR ends_at IS NULL OR typeof(ends_at) NOT IN ('integer', 'real'))",
      active: 'starts_at <= ?1 AND ends_at > ?1',
      pending: 'starts_at > ?1',
      expired: 'ends_at <= ?1',
      all: '?1 = ?1',
    }[state];
    // A silence whose times are unreadable (NULL, text) is listed as current, so it can be seen and expired.
    return this.ctx.storage.sql.exec(`SELECT * FROM silences WHERE ${where} ORDER BY starts_at DESC, id`, now).toArray().map(toSilence);
  }

  getSilence(id: string): Silence | null {
    const row = this.ctx.storage.sql.exec('SELECT * FROM silences WHERE id = ?', id).toArray()[0];
    return row ? toSilence(row) : null;
  }

  /** Ends a silence now (a pending one never starts). Expiring an expired one changes nothing. */
  expireSilence(id: string): Silence | null {
    const now = Date.now();
    // A broken silence (its times unreadable) can always be expired.
    this.ctx.storage.sql.exec(
      'UPDATE silences SET ends_at = ?1, starts_at = CASE WHEN starts_at IS NULL OR NOT (starts_at <= ?1) THEN ?1 ELSE starts_at END WHERE id = ?2 AND (ends_at IS NULL OR NOT (ends_at <= ?1))',
      now,
      id,
    );
    return this.getSilence(id);
  }

  /** Parks a job if its target is still paused; false means it was resumed meanwhile (deliver it now). */
  park(job: DeliveryJob): boolean {
    const paused = this.ctx.storage.sql.exec('SELECT 1 FROM paused_targets WHERE name = ?', job.target).toArray().length > 0;
    if (!paused) return false;
    this.ctx.storage.sql.exec(
      'INSERT OR REPLACE INTO parked_jobs (job_id, target, job, parked_at) VALUES (?, ?, ?, ?)',
      job.id,
      job.target,
      JSON.stringify(job),
      Date.now(),
    );
    return true;
  }
}

/** The WHERE terms, their arguments and the row limit of a listing by target and time. */
function listQuery(
  filter: { readonly target?: string | undefined; readonly since?: number | undefined; readonly limit?: number | undefined },
  timeColumn: 'dead_at' | 'swept_at',
): { where: string[]; args: SqlStorageValue[]; limit: number } {
  const where: string[] = [];
  const args: SqlStorageValue[] = [];
  if (filter.target !== undefined) {
    where.push('target = ?');
    args.push(filter.target);
  }
  if (filter.since !== undefined) {
    where.push(`${timeColumn} >= ?`);
    args.push(filter.since);
  }
  return { where, args, limit: Math.min(Math.max(1, filter.limit ?? 100), MAX_LIST) };
}

/** A stored silence, read without ever throwing: one that cannot be read or applied comes back `broken`. */
function toSilence(r: Row): Silence {
  let matchers: Silence['matchers'] | null;
  try {
    matchers = JSON.parse(String(r.matchers)) as Silence['matchers'];
  } catch {
    matchers = null;
  }
  const time = (v: unknown): number => (v === null || v === undefined ? NaN : Number(v));
  const base = {
    id: String(r.id),
    matchers: matchers ?? {},
    startsAt: time(r.starts_at),
    endsAt: time(r.ends_at),
    createdBy: String(r.created_by),
    comment: String(r.comment),
    createdAt: time(r.created_at),
  };
  const broken = matchers === null ? 'matchers are not JSON' : storedSilenceProblem(base);
  return broken ? { ...base, broken } : base;
}

function toDeadLetter(r: Row): DeadLetter {
  return {
    jobId: String(r.job_id),
    event: String(r.event),
    route: String(r.route),
    target: String(r.target),
    why: String(r.why),
    deadAt: Number(r.dead_at),
    replayedAt: r.replayed_at === null ? null : Number(r.replayed_at),
    job: JSON.parse(String(r.job)) as DeliveryJob,
  };
}
