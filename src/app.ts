/**
 * HTTP routes. Each handler is a few lines that call a flow in pipeline/ and map its Result to a response;
 * every expected failure goes through `toWire`, anything unexpected through the one `onError`.
 */
import { Hono, type Context } from 'hono';
import { toWire, type IngestError } from './core/errors.ts';
import { createConsoleLogger } from './core/log.ts';
import {
  attemptFirst,
  BUILT_RULES_STATUS,
  deliverInlineNow,
  ingestDeps,
  noteSourceSeen,
  noteVerificationFailure,
  type Env,
  type RuntimeOptions,
} from './env.ts';
import { dispatcher } from './pipeline/dispatch.ts';
import { ingest, ingestQuery } from './pipeline/ingest.ts';
import { answerActivation } from './sources/prelude/activation.ts';
import { createAdminApp } from './admin.ts';
import { createInboxApp } from './inbox/routes.ts';

type AppEnv = { Bindings: Env };

const HOOK_METHODS = ['POST', 'GET'] as const;

export function createApp(options: RuntimeOptions = {}): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const log = options.logger ?? createConsoleLogger({ service: 'switchyard' });

  const fail = (c: Context<AppEnv>, error: IngestError, fields: Record<string, unknown> = {}): Response => {
    const wire = toWire(error);
    // A refused signature or token counts toward the source's verification failures (settings.health).
    if (typeof fields.source === 'string') c.executionCtx.waitUntil(noteVerificationFailure(c.env, fields.source, error.reason, log));
    log.log(wire.status >= 500 ? 'error' : 'warn', 'request.rejected', {
      reason: error.reason,
      detail: error.detail,
      status: wire.status,
      path: new URL(c.req.url).pathname.replace(/^(\/hooks\/[^/]+)\/.+$/, '$1/[token]'),
      ...fields,
    });
    return c.json({ ok: false, error: { reason: error.reason, message: wire.message } }, wire.status, wire.headers);
  };

  // Local dev only: a rules.yaml saved broken keeps the last good rules serving; say so once per isolate.
  if (!BUILT_RULES_STATUS.ok)
    log.log('error', 'rules.broken', { file: BUILT_RULES_STATUS.file, serving: BUILT_RULES_STATUS.serving, problems: BUILT_RULES_STATUS.problems });

  app.get('/healthz', (c) => {
    const rules = ingestDeps(c.env, options).rules;
    const status = BUILT_RULES_STATUS.ok
      ? { file: BUILT_RULES_STATUS.file, status: 'ok' }
      : { file: BUILT_RULES_STATUS.file, status: 'broken', serving: BUILT_RULES_STATUS.serving, problems: BUILT_RULES_STATUS.problems };
    return c.json({ ok: true, service: 'switchyard', sources: Object.keys(rules.sources), rules: status });
  });

  /** The sender's answer to an ingest flow's result, the jobs handed to the one dispatch. */
  const answer = async (c: Context<AppEnv>, source: string, result: Awaited<ReturnType<typeof ingest>>): Promise<Response> => {
    if (!result.ok) return fail(c, result.error, { source });
    const { accepted, duplicates, events, rejected, inlineJobs, attemptNow } = result.value;
    // Queue mode: the first attempt at once, after the answer (the queued copies are the delayed backstop).
    if (attemptNow.length > 0) c.executionCtx.waitUntil(attemptFirst(c.env, attemptNow, { ...options, logger: log }));
    // The source was heard from: its dead man's switch (expect_every) is reset, after the answer.
    if (accepted + duplicates > 0) c.executionCtx.waitUntil(noteSourceSeen(c.env, source, log));
    // No queue binding: deliver after the response, inside the time the runtime grants (pipeline/inline.ts).
    // (In queue mode the ledger queued them before recording the event: inlineJobs is empty.)
    await dispatcher(c.env, async (jobs) => c.executionCtx.waitUntil(deliverInlineNow(c.env, jobs, { ...options, logger: log })))(inlineJobs);
    return c.json({ ok: true, accepted, duplicates, events, ...(rejected.length > 0 ? { rejected } : {}) }, 200);
  };

  const receive = async (c: Context<AppEnv>): Promise<Response> => {
    const source = c.req.param('source')!;
    const raw = c.req.raw;
    const deps = ingestDeps(c.env, { ...options, logger: log });
    const result = await ingest(
      { source, headers: raw.headers, body: raw.body, arrayBuffer: () => raw.arrayBuffer(), pathToken: c.req.param('token') ?? null },
      deps,
    );
    return answer(c, source, result);
  };
  app.post('/hooks/:source', receive);
  app.post('/hooks/:source/:token', receive);

  // GET: Prelude's activation challenge, or a payload in the query string (Prequel's generic_get).
  const receiveQuery = async (c: Context<AppEnv>): Promise<Response> => {
    const source = c.req.param('source')!;
    const deps = ingestDeps(c.env, { ...options, logger: log });
    const raw = c.req.raw;
    return answer(c, source, await ingestQuery({ source, headers: raw.headers, url: new URL(raw.url), pathToken: c.req.param('token') ?? null }, deps));
  };
  app.get('/hooks/:source', async (c) => {
    const source = c.req.param('source');
    const { sources } = ingestDeps(c.env, options).rules;
    const config = Object.hasOwn(sources, source) ? sources[source] : undefined;
    if (!config) return fail(c, { reason: 'unknown_source', detail: `no source "${source}" in rules` });
    if (config.kind !== 'prelude') return receiveQuery(c);
    const answer = await answerActivation(new URL(c.req.url).searchParams, config, c.env);
    if (!answer.ok) return fail(c, answer.error, { source });
    log.log('info', 'prelude.activated', { source });
    return c.body(answer.value, 200, { 'Content-Type': 'application/json' });
  });
  app.get('/hooks/:source/:token', receiveQuery);

  app.all('/hooks/:source/:token?', (c) => fail(c, { reason: 'method_not_allowed', allow: [...HOOK_METHODS], detail: `${c.req.method} on a hook` }));

  app.route('/admin', createAdminApp({ ...options, logger: log }));
  app.route('/inbox', createInboxApp());

  app.notFound((c) => c.json({ ok: false, error: { reason: 'not_found', message: 'no such route' } }, 404));

  app.onError((error, c) => {
    log.log('error', 'request.failed', {
      path: new URL(c.req.url).pathname,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return c.json({ ok: false, error: { reason: 'internal_error', message: 'internal error' } }, 500);
  });

  return app;
}
