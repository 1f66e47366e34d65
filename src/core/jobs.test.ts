import { describe, expect, it } from 'vitest';
import { jobId, parseDeadLetter, parseJob, planJobs } from './jobs.ts';

const event = { source: 'prequel', id: 'pq_abc' };

describe('planJobs', () => {
  it('makes one job per (route, target), with stable ids, a target listed twice by one route once', async () => {
    const routing = {
      routes: [
        { index: 2, name: 'page', notify: ['oncall', 'data-eng', 'oncall'] },
        { index: 5, name: 'audit', notify: ['oncall'] },
      ],
    };
    const jobs = await planJobs(event, routing);
    expect(jobs.map((j) => [j.routeIndex, j.route, j.target])).toEqual([
      [2, 'page', 'oncall'],
      [2, 'page', 'data-eng'],
      [5, 'audit', 'oncall'],
    ]);
    expect(new Set(jobs.map((j) => j.id)).size).toBe(3);
    expect(jobs[0]!.id).toMatch(/^job_[0-9a-f]{32}$/);
    expect((await planJobs(event, routing)).map((j) => j.id)).toEqual(jobs.map((j) => j.id));
    expect(jobs.every((j) => j.event === 'prequel:pq_abc')).toBe(true);
    expect(await planJobs(event, { routes: [{ index: 0, name: 'drop', notify: [] }] })).toEqual([]);
  });

  it('keeps ids apart when names could run into each other', async () => {
    expect(await jobId('a:b', 'c', 'd')).not.toBe(await jobId('a:b', 'cd', ''));
  });
});

describe('reading queue messages', () => {
  it('accepts jobs and dead letters, and refuses anything else', async () => {
    const [job] = await planJobs(event, { routes: [{ index: 0, name: 'r', notify: ['t'] }] });
    expect(parseJob(JSON.parse(JSON.stringify(job)))).toEqual(job);
    expect(parseJob({ ...job, v: 2 })).toBeNull();
    expect(parseJob({ ...job, routeIndex: -1 })).toBeNull();
    expect(parseJob('job')).toBeNull();
    expect(parseDeadLetter({ job, why: 'permanent failure: HTTP 404' })).toEqual({ job, why: 'permanent failure: HTTP 404' });
    expect(parseDeadLetter(job)?.why).toMatch(/queue gave up/);
    expect(parseDeadLetter({ why: 'x' })).toBeNull();
  });
});
