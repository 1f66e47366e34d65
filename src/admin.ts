/**
 * The admin API, under /admin, behind `Authorization: Bearer <ADMIN_TOKEN>` (a Worker secret; `npm run dev`
 * generates one into .dev.vars). Off, with a 403 that says why, when the secret is unset.
 *
 *   GET  /admin/events/:source/:id          the event's trace: verification, every route's decision, jobs, attempts
 *   GET  /admin/dead-letters                ?target= &since= &limit= &include_replayed=true
 *   POST /admin/dead-letters/:job/replay    replay one
 *   POST /admin/replay                      {"target": "…"} and/or {"since": "2026-11-23T10:00:00Z"}: replay those;
 *                                           with "state": "stuck", the jobs the stuck-job sweep found instead
 *   GET  /admin/jobs?state=stuck            jobs the sweep re-dispatched (7 days), with their status now
 *   GET  /admin/targets                     every target, paused or not, with parked jobs
 *   POST /admin/targets/:name/pause         {"note": "…"} optional
 *   POST /admin/targets/:name/resume        re-queues the jobs parked while paused
 *   POST /admin/silences                    {"matchers": {…}, "ends_at" | "duration", "starts_at"?, "created_by", "comment"}
 *   GET  /admin/silences                    ?state=current|active|pending|expired|all
 *   DELETE /admin/silences/:id              expire it now
 */
import { Hono, type Context } from 'hono';
import { tokensMatch } from './sources/token.ts';
import { presentedToken } from './inbox/routes.ts';
import {
  BUILT_RULES,
  BUILT_RULES_VERSION,
  shadowRules,
  controlOf,
  deliverInlineNow,
  forgetDeliveryState,
  ruleSet,
  type Env,
  type RuntimeOptions,
} from './env.ts';
import { eventKey, type DeliveryJob } from './core/jobs.ts';
import { replay, replayStuck, type OperateDeps } from './pipeline/replay.ts';
import { jobDueAt, sweepAfterMs } from './pipeline/sweep.ts';
import { eventStore, MAX_LIST, type EventQuery } from './state/event-store.ts';
import { dispatcher } from './pipeline/dispatch.ts';
import { parseDuration, parseInstant } from './core/units.ts';
import { compareRecorded, type RecordedDecision } from './rules/diff.ts';
import type { Logger } from './core/log.ts';
import { checkMatchers, isoOrInvalid, silenceWindow } from './pipeline/silences.ts';
import type { GroupState, DeadLetterFilter, Silence, UnroutedType } from './core/delivery.ts';

/** The most events GET /admin/shadow compares at once (the newest). */
const SHADOW_SCAN = 20_000;

type AdminEnv = { Bindings: Env };

const fail = (c: Context<AdminEnv>, status: 400 | 401 | 403 | 404 | 409, reason: string, message: string, headers?: Record<string, string>) =>
  c.json({ ok: false, error: { reason, message } }, status, headers);

export function createAdminApp(options: RuntimeOptions & { readonly logger: Logger }): Hono<AdminEnv> {
  const admin = new Hono<AdminEnv>();
  const log = options.logger;

  admin.use('*', async (c, next) => {
    const expected = c.env.ADMIN_TOKEN;
    if (typeof expected !== 'string' || expected === '') return fail(c, 403, 'admin_disabled', 'the admin API is off: set the ADMIN_TOKEN secret');
    // The inbox page reads traces with its cookie; anything that changes state needs the bearer header.
    const presented = presentedToken(c, c.req.method === 'GET');
    if (!presented || !(await tokensMatch(presented, expected)))
      return fail(c, 401, 'bad_admin_token', 'missing or wrong bearer token', { 'WWW-Authenticate': 'Bearer realm="switchyard-admin"' });
    await next();
    // A pause, resume or silence applies to this isolate's next first attempt at once, not a second later.
    if (c.req.method !== 'GET') forgetDeliveryState();
  });

  // Recent events, newest first, across the store's shards: filtered, paged by an opaque cursor; with
  // include=records, each event's record as routed (what `switchyard events export` and `diff --from` read).
  admin.get('/events', async (c) => {
    const query = readEventQuery(c.req.query(), Date.now());
    if (typeof query === 'string') return fail(c, 400, 'bad_query', query);
    const { events, next } = await eventStore(c.env).list(query);
    return c.json({
      ok: true,
      count: events.length,
      events: events.map((e) => ({
        key: e.key,
        source: e.source,
        id: e.key.slice(e.source.length + 1),
        type: e.type,
        accepted_at: new Date(e.acceptedAt).toISOString(),
        deliveries_from_sender: e.deliveries,
        jobs: e.jobs,
        trace: `/admin/events/${encodeURIComponent(e.source)}/${encodeURIComponent(e.key.slice(e.source.length + 1))}`,
        ...(e.record ? { record: { event: e.record.event, routing: e.record.routing, accepted_at: new Date(e.record.acceptedAt).toISOString() } } : {}),
      })),
      next_cursor: next ? encodeCursor(next) : null,
    });
  });

  // Where the shadow rules (rules.shadow.yaml) decided differently from the live ones, over the events recorded
  // since `since` (default 24h; at most SHADOW_SCAN events, newest first): counts per route and target, examples.
  admin.get('/shadow', async (c) => {
    const q = c.req.query();
    const since = readTime('since', q.since ?? '24h', Date.now());
    if (typeof since === 'string') return fail(c, 400, 'bad_query', since);
    const shadow = shadowRules();
    const store = eventStore(c.env);
    const items: { key: string; live: RecordedDecision; shadow: RecordedDecision }[] = [];
    let before: EventQuery['before'] | undefined;
    let truncated = false;
    let withoutShadow = 0;
    for (;;) {
      const page = await store.list({ since, records: true, limit: MAX_LIST, ...(before ? { before } : {}) });
      for (const e of page.events) {
        const routing = e.record?.routing;
        if (routing?.shadow) items.push({ key: e.key, live: routing, shadow: routing.shadow });
        else withoutShadow++;
      }
      if (!page.next) break;
      if (items.length + withoutShadow >= SHADOW_SCAN) {
        truncated = true;
        break;
      }
      before = page.next;
    }
    const report = compareRecorded(items);
    return c.json({
      ok: true,
      shadow: shadow ? { deployed: true, rules_version: shadow.version } : { deployed: false, note: 'no rules.shadow.yaml was built into this deploy' },
      since: new Date(since).toISOString(),
      events_compared: report.events,
      events_without_shadow: withoutShadow,
      truncated,
      differing: report.differing,
      routes: report.routes.map((r) => ({ route: r.route, live_only: r.liveOnly, shadow_only: r.shadowOnly })),
      targets: report.targets.map((t) => ({ target: t.target, live_only: t.liveOnly, shadow_only: t.shadowOnly })),
    });
  });

  admin.get('/events/:source/:id', async (c) => {
    const key = eventKey({ source: c.req.param('source'), id: c.req.param('id') });
    const trace = await eventStore(c.env).of(key).timeline();
    if (!trace)
      return fail(
        c,
        404,
        'unknown_event',
        `no event ${JSON.stringify(key.length > 120 ? `${key.slice(0, 120)}…` : key)} in the ledger (never accepted, or past its retention)`,
      );
    const { record, jobs } = trace;
    const explanation = ruleSet().explain(record.event);
    const recorded = record.routing.routes.map((r) => ({ name: r.name, notify: [...r.notify].sort() }));
    const now = explanation.filter((r) => r.matched).map((r) => ({ name: r.name, notify: [...r.notify].sort() }));
    const same = JSON.stringify(recorded) === JSON.stringify(now);
    return c.json({
      ok: true,
      event: record.event,
      verification: { auth: record.auth, accepted_at: new Date(record.acceptedAt).toISOString(), deliveries_from_sender: record.deliveries },
      routing: {
        // What routed it when it arrived, and the version of the rules that decided (null: before versions).
        matched: record.routing.routes,
        // No route of the rules matched it (settings.unrouted's route, if any, is the one matched).
        unrouted: record.routing.unrouted === true,
        rules_version: record.routing.rules ?? null,
        // Every route's decision evaluated again — against the rules deployed NOW, not those that routed it.
        explanation,
        re_evaluated: {
          against: 'the rules deployed now',
          rules_version: BUILT_RULES_VERSION,
          same_rules: record.routing.rules?.hash === BUILT_RULES_VERSION.hash,
          matched: now.map((r) => r.name),
          // Whether today's rules would route it as it was routed (route names and their targets).
          differs_from_recorded: !same,
          ...(same ? {} : { recorded: recorded, now }),
        },
        // What the shadow rules (rules.shadow.yaml) decided for it, never sent.
        ...(record.routing.shadow ? { shadow: record.routing.shadow } : {}),
      },
      jobs: jobs.map((j) => ({
        id: j.job.id,
        route: j.job.route,
        target: j.job.target,
        status: j.status,
        run: j.run,
        why: j.why,
        next_attempt_at: j.nextAttemptAt === null ? null : new Date(j.nextAttemptAt).toISOString(),
        receipt: j.receipt,
        attempts: j.attempts.map((a) => ({ ...a, at: new Date(a.at).toISOString() })),
        ...(j.sweeps && j.sweeps.length > 0 ? { sweeps: j.sweeps.map((w) => ({ ...w, at: new Date(w.at).toISOString() })) } : {}),
      })),
    });
  });

  // A group as its Durable Object keeps it: members, status, notifications so far, when its clock runs next.
  admin.get('/groups/:id', async (c) => {
    const id = c.req.param('id');
    if (!/^[0-9a-f]{32}$/.test(id)) return fail(c, 400, 'bad_group_id', 'a group id is 32 hexadecimal characters (a trace names it: "GET /admin/groups/<id>")');
    const { state, nextAt } = (await c.env.GROUPS.getByName(`group:${id}`).view()) as { state: GroupState | null; nextAt: number | null };
    if (!state) return fail(c, 404, 'unknown_group', `no group ${id} (no event joined it, or it was never created)`);
    const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    const members = Object.values(state.members);
    return c.json({
      ok: true,
      group: {
        id,
        key: state.spec.key,
        route: state.spec.route,
        labels: state.spec.labels,
        status: state.status,
        counts: {
          firing: members.filter((m) => m.status === 'firing').length + state.overflow,
          resolved: members.filter((m) => m.status === 'resolved').length,
        },
        notifications: state.seq,
        // Each notification is an event of the relay's own, traced like any other.
        last_notification: state.seq > 0 ? `/admin/events/switchyard/group:${id}:${state.seq}` : null,
        last_notification_at: iso(state.lastFlushAt),
        next_check_at: iso(nextAt),
        changed_since_last: state.changed,
        timing: { group_wait_ms: state.spec.waitMs, group_interval_ms: state.spec.intervalMs, repeat_interval_ms: state.spec.repeatMs },
        members: members
          .sort((a, b) => a.firstAt - b.firstAt)
          .map((m) => ({
            key: m.key,
            status: m.status,
            severity: m.severity,
            title: m.title,
            count: m.count,
            announced: m.announced,
            first_at: iso(m.firstAt),
            last_at: iso(m.lastAt),
            resolved_at: iso(m.resolvedAt),
            event: m.event,
          })),
        ...(state.overflow > 0 ? { overflow: state.overflow } : {}),
      },
    });
  });

  // What arrived and matched no route, per source and type (and whom settings.unrouted tells).
  admin.get('/unrouted', async (c) => {
    const types = (await controlOf(c.env).listUnrouted()) as UnroutedType[];
    const iso = (ms: number) => new Date(ms).toISOString();
    return c.json({
      ok: true,
      told: BUILT_RULES.settings.unrouted ?? null,
      types: types.map((t) => ({
        source: t.source,
        type: t.type,
        count: t.count,
        first_at: iso(t.firstAt),
        last_at: iso(t.lastAt),
        last_event: `/admin/events/${t.source}/${encodeURIComponent(t.lastEvent)}`,
      })),
    });
  });
  admin.delete('/unrouted', async (c) => c.json({ ok: true, cleared: (await controlOf(c.env).clearUnrouted()) as number }));

  admin.get('/dead-letters', async (c) => {
    const filter = readFilter(c.req.query());
    if (typeof filter === 'string') return fail(c, 400, 'bad_query', filter);
    const letters = await controlOf(c.env).listDeadLetters(filter);
    return c.json({ ok: true, count: letters.length, dead_letters: letters.map(publicLetter) });
  });

  admin.post('/dead-letters/:job/replay', async (c) => {
    const letter = await controlOf(c.env).getDeadLetter(c.req.param('job'));
    if (!letter) return fail(c, 404, 'unknown_dead_letter', `no dead letter ${c.req.param('job')}`);
    const report = await replay([letter], operateDeps(c, log, options));
    return c.json({ ok: true, ...report });
  });

  admin.post('/replay', async (c) => {
    const body = await c.req.json<unknown>().catch(() => undefined);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return fail(c, 400, 'bad_body', 'send a JSON object: {"target": "…"} and/or {"since": "<RFC 3339 time>"}');
    const { target, since, state } = body as Record<string, unknown>;
    if (state !== undefined && state !== 'dead' && state !== 'stuck')
      return fail(c, 400, 'bad_body', `state is "dead" (the default: dead letters) or "stuck" (jobs the sweep found), not ${JSON.stringify(state)}`);
    const filter = readFilter({ target: typeof target === 'string' ? target : undefined, since: typeof since === 'string' ? since : undefined, limit: '1000' });
    if (typeof filter === 'string') return fail(c, 400, 'bad_body', filter);
    if ((target !== undefined && typeof target !== 'string') || (since !== undefined && typeof since !== 'string'))
      return fail(c, 400, 'bad_body', 'target and since are strings');
    if (state === 'stuck') {
      const swept = await controlOf(c.env).listSwept({ target: filter.target, since: filter.since, limit: 1000 });
      const report = await replayStuck(
        swept.map((s) => s.job),
        operateDeps(c, log, options),
      );
      log.log('info', 'replay.stuck', { replayed: report.replayed.length, skipped: report.skipped.length });
      return c.json({ ok: true, ...report });
    }
    if (filter.target === undefined && filter.since === undefined)
      return fail(c, 400, 'bad_body', 'say which dead letters to replay: "target", "since", or both (replaying everything needs "since")');
    const letters = await controlOf(c.env).listDeadLetters(filter);
    const report = await replay(letters, operateDeps(c, log, options));
    return c.json({ ok: true, ...report });
  });

  admin.get('/jobs', async (c) => {
    const state = c.req.query('state');
    if (state !== 'stuck')
      return fail(c, 400, 'bad_query', 'say which jobs: state=stuck (the jobs the stuck-job sweep found; dead letters are at /admin/dead-letters)');
    const filter = readFilter({ target: c.req.query('target'), since: c.req.query('since'), limit: c.req.query('limit') });
    if (typeof filter === 'string') return fail(c, 400, 'bad_query', filter);
    const swept = await controlOf(c.env).listSwept(filter);
    const now = Date.now();
    const jobs = await Promise.all(
      swept.map(async (s) => {
        const current = await eventStore(c.env).of(s.job.event).jobState(s.job.id);
        const due = current ? jobDueAt(current) : null;
        return {
          job: s.job.id,
          event: s.job.event,
          route: s.job.route,
          target: s.job.target,
          was: s.was,
          overdue_ms: s.overdueMs,
          action: s.action,
          swept_at: new Date(s.sweptAt).toISOString(),
          times_swept: s.times,
          status_now: current?.status ?? 'gone',
          overdue_now: due !== null && now - due > sweepAfterMs(c.env.SWEEP_AFTER),
        };
      }),
    );
    return c.json({ ok: true, count: jobs.length, jobs });
  });

  admin.get('/targets', async (c) => {
    const statuses = await controlOf(c.env).statuses();
    const byName = new Map(statuses.map((s) => [s.target, s]));
    return c.json({
      ok: true,
      targets: Object.entries(BUILT_RULES.targets).map(([name, t]) => {
        const s = byName.get(name);
        return { name, kind: t.kind, paused: !!s, paused_at: s ? new Date(s.pausedAt).toISOString() : null, note: s?.note ?? null, parked: s?.parked ?? 0 };
      }),
    });
  });

  admin.post('/targets/:name/pause', async (c) => {
    const name = c.req.param('name');
    if (!Object.hasOwn(BUILT_RULES.targets, name)) return fail(c, 404, 'unknown_target', `no target "${name}" in the rules`);
    // The body is optional; one that is sent must be a JSON object ({"note": "…"}).
    const text = await c.req.text();
    let body: { note?: unknown } = {};
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text) as { note?: unknown };
      } catch {
        body = null as unknown as { note?: unknown };
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body))
        return fail(c, 400, 'bad_body', 'send nothing, or a JSON object: {"note": "why it is paused"}');
      if (body.note !== undefined && typeof body.note !== 'string') return fail(c, 400, 'bad_body', 'note is a string');
    }
    const note = typeof body.note === 'string' ? body.note.slice(0, 500) : null;
    const status = await controlOf(c.env).pause(name, note);
    log.log('warn', 'target.paused', { target: name });
    return c.json({ ok: true, target: name, paused: true, paused_at: new Date(status.pausedAt).toISOString(), parked: status.parked });
  });

  admin.post('/targets/:name/resume', async (c) => {
    const name = c.req.param('name');
    if (!Object.hasOwn(BUILT_RULES.targets, name)) return fail(c, 404, 'unknown_target', `no target "${name}" in the rules`);
    const { wasPaused, jobs } = await controlOf(c.env).resume(name);
    const deps = operateDeps(c, log, options);
    const released: DeliveryJob[] = [];
    for (const job of jobs) {
      const r = await deps.requeue(job);
      if ('job' in r) released.push(r.job);
    }
    await deps.dispatch(released);
    log.log('info', 'target.resumed', { target: name, requeued: released.length });
    return c.json({ ok: true, target: name, was_paused: wasPaused, requeued: released.length });
  });

  admin.post('/silences', async (c) => {
    const body = await c.req.json<unknown>().catch(() => undefined);
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return fail(c, 400, 'bad_body', 'send a JSON object with matchers, ends_at or duration, created_by and comment');
    const b = body as Record<string, unknown>;
    const problems = checkMatchers(b.matchers, { targets: Object.keys(BUILT_RULES.targets), routes: routeNames() });
    const now = Date.now();
    const window = silenceWindow(b, now);
    if ('problems' in window) problems.push(...window.problems);
    for (const key of ['created_by', 'comment'] as const)
      if (typeof b[key] !== 'string' || (b[key] as string).trim() === '') problems.push(`${key} is required (who silenced it, and why)`);
    if (problems.length > 0 || 'problems' in window) return fail(c, 400, 'bad_silence', problems.join('; '));
    const silence = (await controlOf(c.env).createSilence({
      matchers: b.matchers as Silence['matchers'],
      startsAt: window.startsAt,
      endsAt: window.endsAt,
      createdBy: (b.created_by as string).slice(0, 200),
      comment: (b.comment as string).slice(0, 1000),
    })) as Silence;
    log.log('warn', 'silence.created', { id: silence.id, by: silence.createdBy, until: isoOrInvalid(silence.endsAt) });
    return c.json({ ok: true, silence: publicSilence(silence, now) }, 201);
  });

  admin.get('/silences', async (c) => {
    const state = c.req.query('state') ?? 'current';
    if (!['current', 'active', 'pending', 'expired', 'all'].includes(state))
      return fail(c, 400, 'bad_query', 'state is current, active, pending, expired or all');
    const now = Date.now();
    const silences = (await controlOf(c.env).silences(state as 'all', now)) as Silence[];
    return c.json({ ok: true, silences: silences.map((s) => publicSilence(s, now)) });
  });

  admin.delete('/silences/:id', async (c) => {
    const silence = (await controlOf(c.env).expireSilence(c.req.param('id'))) as Silence | null;
    if (!silence) return fail(c, 404, 'unknown_silence', `no silence ${c.req.param('id')}`);
    log.log('info', 'silence.expired', { id: silence.id });
    return c.json({ ok: true, silence: publicSilence(silence, Date.now()) });
  });

  return admin;
}

function routeNames(): string[] {
  const rules = ruleSet();
  return Array.from({ length: rules.size }, (_, i) => rules.route(i).name);
}

function publicSilence(s: Silence, now: number) {
  return {
    id: s.id,
    // A broken silence silences nothing; it is listed so that it can be seen and expired.
    state: s.broken ? 'broken' : now < s.startsAt ? 'pending' : now < s.endsAt ? 'active' : 'expired',
    ...(s.broken ? { problem: s.broken } : {}),
    matchers: s.matchers,
    starts_at: isoOrInvalid(s.startsAt),
    ends_at: isoOrInvalid(s.endsAt),
    created_by: s.createdBy,
    comment: s.comment,
    created_at: isoOrInvalid(s.createdAt),
  };
}

function operateDeps(c: Context<AdminEnv>, log: Logger, options: RuntimeOptions): OperateDeps {
  const env = c.env;
  const control = controlOf(env);
  return {
    markReplayed: (ids) => control.markReplayed(ids),
    requeue: (job, o) =>
      eventStore(env)
        .of(job.event)
        .requeue(job.id, o ?? {}),
    // Inline: in the background of this request, after the answer.
    dispatch: dispatcher(env, async (jobs) => c.executionCtx.waitUntil(deliverInlineNow(env, jobs, { ...options, logger: log }))),
  };
}

/** A listing position as an opaque, URL-safe cursor (base64url of `{t, k}`). */
function encodeCursor(at: { readonly acceptedAt: number; readonly key: string }): string {
  return btoa(JSON.stringify({ t: at.acceptedAt, k: at.key }))
    .replaceAll('+', '-')
    .replaceAll('/', '_')
    .replace(/=+$/, '');
}

function decodeCursor(text: string): { readonly acceptedAt: number; readonly key: string } | null {
  try {
    const value = JSON.parse(atob(text.replaceAll('-', '+').replaceAll('_', '/'))) as { t?: unknown; k?: unknown };
    return typeof value.t === 'number' && Number.isFinite(value.t) && typeof value.k === 'string' ? { acceptedAt: value.t, key: value.k } : null;
  } catch {
    return null;
  }
}

/** A time in a query: RFC 3339, milliseconds, or a duration ago (`7d`, `90m`). */
function readTime(name: string, text: string, now: number): number | string {
  const ago = parseDuration(text);
  if (ago !== null) return now - ago;
  const at = /^\d+$/.test(text) ? Number(text) : parseInstant(text);
  return at === null
    ? `${name} must be an RFC 3339 time such as 2026-11-23T10:00:00Z, or a duration ago such as 7d (got ${JSON.stringify(text.slice(0, 40))})`
    : at;
}

/** The query of GET /admin/events, or what is wrong with it. */
function readEventQuery(q: Record<string, string | undefined>, now: number): EventQuery | string {
  const query: { -readonly [K in keyof EventQuery]: EventQuery[K] } = {};
  for (const name of ['since', 'until'] as const) {
    const text = q[name];
    if (text === undefined) continue;
    const at = readTime(name, text, now);
    if (typeof at === 'string') return at;
    query[name] = at;
  }
  for (const name of ['source', 'type'] as const) {
    const text = q[name];
    if (text === undefined) continue;
    if (text === '' || text.length > 200) return `${name} must be 1 to 200 characters`;
    query[name] = text;
  }
  if (q.limit !== undefined) {
    const limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST) return `limit must be a whole number from 1 to ${MAX_LIST}`;
    query.limit = limit;
  }
  if (q.cursor !== undefined) {
    const before = decodeCursor(q.cursor);
    if (!before) return 'cursor is not one this relay gave (take next_cursor from the previous page)';
    query.before = before;
  }
  if (q.include !== undefined) {
    if (q.include !== 'records') return 'include takes one value: records';
    query.records = true;
  }
  return query;
}

function readFilter(q: Record<string, string | undefined>): DeadLetterFilter | string {
  let since: number | undefined;
  if (q.since !== undefined) {
    since = /^\d+$/.test(q.since) ? Number(q.since) : Date.parse(q.since);
    if (Number.isNaN(since)) return `since must be an RFC 3339 time such as 2026-11-23T10:00:00Z (got ${JSON.stringify(q.since.slice(0, 40))})`;
  }
  let limit: number | undefined;
  if (q.limit !== undefined) {
    limit = Number(q.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) return 'limit must be a whole number from 1 to 1000';
  }
  if (q.include_replayed !== undefined && q.include_replayed !== 'true' && q.include_replayed !== 'false') return 'include_replayed is true or false';
  return { target: q.target, since, limit, includeReplayed: q.include_replayed === 'true' };
}

function publicLetter(l: { jobId: string; event: string; route: string; target: string; why: string; deadAt: number; replayedAt: number | null }) {
  return {
    job: l.jobId,
    event: l.event,
    route: l.route,
    target: l.target,
    why: l.why,
    dead_at: new Date(l.deadAt).toISOString(),
    replayed_at: l.replayedAt === null ? null : new Date(l.replayedAt).toISOString(),
  };
}
