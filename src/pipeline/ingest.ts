/**
 * The ingest flow, one step after another; the first failed step ends it:
 *   1. source lookup            unknown name → 404
 *   2. content type             not JSON → 415
 *   3. size                     Content-Length, then the bytes actually read, against the limit → 413
 *   4. authentication           signature: required headers → 400, keys → 503 if unset, verify → 401
 *                               token: constant-time compare → 401
 *   5. parse                    nesting deeper than 64 → 400; JSON.parse only after verification → 400
 *   6. normalize                envelope → canonical events → 400; more than 1,000 events → 413
 *      screen                   each event's id and type (1–256 characters, no control characters): a bad
 *                               event in a batch is rejected alone (listed in the 200), a lone one → 400
 *   7. route                    each event through the compiled rule set (pure)
 *   8. record + enqueue         each event, with its routing, accepted once in the ledger (Durable Object),
 *                               which queues one delivery job per (route, target) before it counts the
 *                               event as seen; a failure here is a 503 and the vendor's retry finishes it
 * Time, the ledger, the env and the key cache are passed in. Without a queue the ledger hands the jobs back
 * (`inlineJobs`) for the caller to deliver in waitUntil.
 */
import { bytesToHex, concatBytes, utf8 } from '../core/encoding.ts';
import { isoFromMs } from '../core/units.ts';
import { eventProblem, jsonDepth, MAX_EVENTS_PER_DELIVERY, MAX_JSON_DEPTH, preview } from '../core/limits.ts';
import type { IngestError } from '../core/errors.ts';
import type { CanonicalEvent } from '../core/event.ts';
import type { Logger } from '../core/log.ts';
import { err, ok, type Result } from '../core/result.ts';
import type { RulesConfig, SourceConfig } from '../rules/config.ts';
import { type EnvLookup } from '../core/interpolate.ts';
import { resolveAll, type CredentialCache } from '../sources/credentials.ts';
import { handlerFor } from '../sources/registry.ts';
import { tokensMatch } from '../sources/token.ts';
import type { Delivery } from '../sources/types.ts';
import type { DeliveryJob } from '../core/jobs.ts';
import type { AcceptOutcome, AcceptResult, ClaimedJob, RoutingDecision } from '../core/delivery.ts';

/** The idempotency ledger as ingest sees it. */
export interface EventLedger {
  accept(event: CanonicalEvent, routing: RoutingDecision, auth: string): Promise<AcceptResult>;
}

export interface IngestDeps {
  readonly rules: Pick<RulesConfig, 'sources' | 'settings'>;
  readonly env: EnvLookup;
  readonly now: () => number;
  readonly ledger: EventLedger;
  readonly credentials: CredentialCache;
  readonly log: Logger;
  /** The compiled rule set's decision for one event. */
  readonly route: (event: CanonicalEvent) => RoutingDecision;
  /** Counts what no route matched (best effort: a failure here never fails the delivery). */
  readonly unrouted?: (events: readonly Pick<CanonicalEvent, 'source' | 'type' | 'id'>[], now: number) => Promise<void>;
}

/** The part of a Request that ingest reads: its headers and its body, once. */
export interface IngestRequest {
  readonly source: string;
  readonly headers: Headers;
  readonly body: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
  /** A token given in the URL path (`/hooks/:source/:token`), for token-authenticated sources. */
  readonly pathToken: string | null;
}

/** A batch element refused on its own (its siblings were accepted): where it was and why. */
export interface RejectedEvent {
  readonly at: string;
  readonly reason: string;
}

export interface IngestSummary {
  readonly source: string;
  readonly accepted: number;
  readonly duplicates: number;
  readonly events: readonly { readonly id: string; readonly type: string; readonly status: AcceptOutcome }[];
  /** Batch elements that cannot be accepted on any retry; the rest of the batch was. */
  readonly rejected: readonly RejectedEvent[];
  /** Jobs to deliver in waitUntil (inline mode only). */
  readonly inlineJobs: readonly DeliveryJob[];
  /** Queue mode: jobs claimed to attempt at once after the answer (their queued copies are the delayed backstop). */
  readonly attemptNow: readonly ClaimedJob[];
}

/** How many ledger writes one batch runs at once. */
const LEDGER_CONCURRENCY = 8;

export async function ingest(request: IngestRequest, deps: IngestDeps): Promise<Result<IngestSummary, IngestError>> {
  const config = deps.rules.sources[request.source];
  if (!config || !Object.hasOwn(deps.rules.sources, request.source)) return err({ reason: 'unknown_source', detail: `no source "${request.source}" in rules` });

  const contentType = checkContentType(request.headers.get('content-type'));
  if (!contentType.ok) return contentType;

  const body = await readCapped(request, config.maxBodyBytes);
  if (!body.ok) return body;

  const verified = await verifyAndNormalize({ source: request.source, config, headers: request.headers, body: body.value, pathToken: request.pathToken }, deps);
  if (!verified.ok) return verified;
  return routeAndRecord(request.source, verified.value, deps);
}

/** Steps 7 and 8, shared by both delivery methods: route each event, record it (queueing its jobs), log. */
async function routeAndRecord(
  source: string,
  verified: { readonly events: CanonicalEvent[]; readonly auth: string; readonly rejected: readonly RejectedEvent[] },
  deps: IngestDeps,
): Promise<Result<IngestSummary, IngestError>> {
  const { events } = verified;
  const routing = events.map((e) => deps.route(e));
  const recorded = await recordAll(events, routing, verified.auth, deps.ledger);
  if (!recorded.ok) return recorded;
  const outcomes = recorded.value.map((r) => r.outcome);
  const summary: IngestSummary = {
    source,
    accepted: outcomes.filter((o) => o === 'accepted').length,
    duplicates: outcomes.filter((o) => o === 'duplicate').length,
    events: events.map((e, i) => ({ id: e.id, type: e.type, status: outcomes[i]! })),
    rejected: verified.rejected,
    inlineJobs: recorded.value.flatMap((r) => r.jobs),
    attemptNow: recorded.value.flatMap((r) => r.attemptNow ?? []),
  };
  if (summary.rejected.length > 0) deps.log.log('warn', 'ingest.rejected_events', { source, rejected: summary.rejected });
  await noteUnrouted(
    events.filter((_, i) => routing[i]!.unrouted && outcomes[i] === 'accepted'),
    routing,
    deps,
  );
  deps.log.log('info', 'ingest.accepted', {
    source,
    auth: verified.auth,
    accepted: summary.accepted,
    duplicates: summary.duplicates,
    events: summary.events.map((e, i) => ({ ...e, routes: routing[i]!.routes.map((r) => r.name) })),
  });
  return ok(summary);
}

/**
 * Events no route matched are never dropped without a word: each is logged (`ingest.unrouted`, with whom
 * settings.unrouted told, if anyone), counted for `GET /admin/unrouted`, and kept in its trace.
 */
async function noteUnrouted(events: readonly CanonicalEvent[], routing: readonly RoutingDecision[], deps: IngestDeps): Promise<void> {
  if (events.length === 0) return;
  const to = routing.find((r) => r.unrouted)?.routes[0]?.notify ?? [];
  for (const e of events)
    deps.log.log('warn', 'ingest.unrouted', { source: e.source, type: e.type, id: e.id, told: to.length > 0 ? to : 'nobody (no settings.unrouted)' });
  try {
    await deps.unrouted?.(events, deps.now());
  } catch (e) {
    deps.log.log('warn', 'ingest.unrouted_count_failed', { error: e instanceof Error ? e.message.slice(0, 200) : 'failed' });
  }
}

/** A delivery whose payload is in its query string (a GET): what ingestQuery reads. */
export interface QueryRequest {
  readonly source: string;
  readonly headers: Headers;
  readonly url: URL;
  readonly pathToken: string | null;
}

/**
 * The ingest flow for a payload in the query string (Prequel's generic_get), the same steps as a POST's:
 *   1. source lookup            unknown name → 404; a kind without GET deliveries → 405
 *   3. size                     the query string against the source's body limit → 413
 *   5. decode                   the parameters into the envelope a POST would carry → 400 (malformed_query)
 *   4. authentication           token as for POST; or the signature over the query as received or canonical
 *   6. normalize + screen       as for POST (the id from the canonical query's SHA-256)
 *   7. route, 8. record         shared with POST
 * Decoding comes before authentication here because the canonical form needs the parameters; nothing decoded
 * is used until the signature or token has been checked.
 */
export async function ingestQuery(request: QueryRequest, deps: IngestDeps): Promise<Result<IngestSummary, IngestError>> {
  const config = deps.rules.sources[request.source];
  if (!config || !Object.hasOwn(deps.rules.sources, request.source)) return err({ reason: 'unknown_source', detail: `no source "${request.source}" in rules` });
  const handler = handlerFor(config);
  const query = handler.query;
  if (!query) return err({ reason: 'method_not_allowed', allow: ['POST'], detail: `"${request.source}" (${config.kind}) delivers by POST only` });

  const raw = request.url.search.replace(/^\?/, '');
  if (raw.length > config.maxBodyBytes) return err({ reason: 'body_too_large', limit: config.maxBodyBytes, detail: `query string of ${raw.length} bytes` });
  const params = request.url.searchParams;
  const envelope = query.envelope(params);
  if (!envelope.ok) return envelope;
  const canonical = new Uint8Array(utf8.encode(query.canonical(params)));

  const now = deps.now();
  let auth: Result<string, IngestError> = err({ reason: 'bad_signature', detail: 'no form of the query verifies' });
  for (const form of query.signedForms(raw, params)) {
    const bytes = new Uint8Array(utf8.encode(form));
    const read: ReadDelivery = { source: request.source, config, headers: request.headers, body: bytes, pathToken: request.pathToken };
    const delivery: Delivery = {
      source: request.source,
      headers: request.headers,
      body: bytes,
      now,
      bodySha256: async () => new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)),
    };
    auth = await authenticate(delivery, read, deps);
    // Only a signature that does not verify is worth another form; any other failure is the answer.
    if (auth.ok || auth.error.reason !== 'bad_signature') break;
  }
  if (!auth.ok) return auth;

  const rejected: RejectedEvent[] = [];
  const normalized = handler.normalize(envelope.value, {
    source: request.source,
    receivedAt: isoFromMs(now),
    headers: request.headers,
    bodySha256Hex: bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', canonical))),
    reject: (at, reason) => rejected.push({ at, reason }),
  });
  if (!normalized.ok) return normalized;
  const screened = screen(normalized.value, rejected, `${auth.value}, generic_get`);
  if (!screened.ok) return screened;
  return routeAndRecord(request.source, screened.value, deps);
}

export interface ReadDelivery {
  readonly source: string;
  readonly config: SourceConfig;
  readonly headers: Headers;
  readonly body: Uint8Array<ArrayBuffer>;
  readonly pathToken: string | null;
}

/** Steps 4–6, the CPU path on a body already read: authenticate, parse, normalize. */
export async function verifyAndNormalize(
  read: ReadDelivery,
  deps: Pick<IngestDeps, 'env' | 'now' | 'credentials'>,
): Promise<Result<{ readonly events: CanonicalEvent[]; readonly auth: string; readonly rejected: readonly RejectedEvent[] }, IngestError>> {
  let digest: Promise<Uint8Array> | null = null;
  const delivery: Delivery = {
    source: read.source,
    headers: read.headers,
    body: read.body,
    now: deps.now(),
    bodySha256: () => (digest ??= crypto.subtle.digest('SHA-256', read.body).then((b) => new Uint8Array(b))),
  };

  const auth = await authenticate(delivery, read, deps);
  if (!auth.ok) return auth;

  let parsed: unknown;
  try {
    if (jsonDepth(delivery.body, MAX_JSON_DEPTH) > MAX_JSON_DEPTH)
      return err({ reason: 'json_too_deep', limit: MAX_JSON_DEPTH, detail: `nested more than ${MAX_JSON_DEPTH} levels` });
    parsed = JSON.parse(UTF8_STRICT.decode(delivery.body));
  } catch (e) {
    return err({ reason: 'malformed_json', detail: jsonErrorDetail(e) });
  }

  const handler = handlerFor(read.config);
  const rejected: RejectedEvent[] = [];
  const normalized = handler.normalize(parsed, {
    source: read.source,
    receivedAt: isoFromMs(delivery.now),
    headers: read.headers,
    bodySha256Hex: handler.needsBodyDigest(parsed) ? bytesToHex(await delivery.bodySha256()) : null,
    reject: (at, reason) => rejected.push({ at, reason }),
  });
  if (!normalized.ok) return normalized;
  return screen(normalized.value, rejected, auth.value);
}

/** Step 6's checks on the normalized events: their number, then each one's id and type. */
function screen(
  all: readonly CanonicalEvent[],
  rejected: RejectedEvent[],
  auth: string,
): Result<{ readonly events: CanonicalEvent[]; readonly auth: string; readonly rejected: readonly RejectedEvent[] }, IngestError> {
  const unreadable = rejected.length;
  const count = all.length + unreadable;
  if (count > MAX_EVENTS_PER_DELIVERY) return err({ reason: 'too_many_events', limit: MAX_EVENTS_PER_DELIVERY, detail: `${count} events in one delivery` });
  const events: CanonicalEvent[] = [];
  for (const event of all) {
    const problem = eventProblem(event);
    if (problem) rejected.push({ at: `event "${preview(event.id)}" (${preview(event.type)})`, reason: problem });
    else events.push(event);
  }
  if (events.length === 0 && rejected.length > 0) {
    // Nothing to accept: the first problem is the answer (an unreadable element is the envelope's fault).
    const first = rejected[0]!;
    const detail = count === 1 ? first.reason : `none of the ${count} events is acceptable; ${first.at}: ${first.reason}`;
    return unreadable > 0 ? err({ reason: 'invalid_envelope', detail: first.reason }) : err({ reason: 'invalid_event', detail });
  }
  return ok({ events, auth, rejected });
}

/**
 * V8's JSON.parse messages quote a snippet of the body, which may hold personal data: keep only the kind of
 * error and its position.
 */
function jsonErrorDetail(e: unknown): string {
  if (e instanceof TypeError) return 'body is not valid UTF-8';
  const message = e instanceof Error ? e.message : 'invalid JSON';
  // "Unexpected token 'o', "{"to": "+3"... is not valid JSON": drop the quoted snippet.
  const quote = message.indexOf('"');
  return (quote >= 0 ? message.slice(0, quote).replace(/[,\s]+$/, '') : message).slice(0, 160);
}

const UTF8_STRICT = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

function checkContentType(value: string | null): Result<void, IngestError> {
  const mediaType = value?.split(';', 1)[0]!.trim().toLowerCase() ?? '';
  if (mediaType === 'application/json' || (mediaType.startsWith('application/') && mediaType.endsWith('+json'))) return ok(undefined);
  return err({ reason: 'unsupported_content_type', detail: `content-type ${value === null ? 'missing' : JSON.stringify(value.slice(0, 100))}` });
}

/**
 * Reads the body without ever holding more than `limit` bytes. With a Content-Length within the limit the
 * runtime reads it in one call (workerd holds a request body to its declared length); without one, the
 * stream is read chunk by chunk and abandoned as soon as it passes the limit.
 */
async function readCapped(request: IngestRequest, limit: number): Promise<Result<Uint8Array<ArrayBuffer>, IngestError>> {
  const tooLarge = (n: string): Result<never, IngestError> => err({ reason: 'body_too_large', limit, detail: `${n} bytes over a limit of ${limit}` });
  const declared = request.headers.get('content-length');
  const declaredLength = declared !== null && /^\d+$/.test(declared) ? Number(declared) : null;
  if (declaredLength !== null && declaredLength > limit) return tooLarge(declared!);
  if (!request.body) return ok(new Uint8Array(0));
  if (declaredLength !== null) {
    const whole = new Uint8Array(await request.arrayBuffer());
    return whole.length > limit ? tooLarge(String(whole.length)) : ok(whole);
  }
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > limit) {
      await reader.cancel().catch(() => undefined);
      return tooLarge(`more than ${total}`);
    }
    chunks.push(value);
  }
  return ok(concatBytes(...chunks));
}

async function authenticate(delivery: Delivery, read: ReadDelivery, deps: Pick<IngestDeps, 'env' | 'credentials'>): Promise<Result<string, IngestError>> {
  const { config } = read;
  if (config.auth.type === 'token') return checkToken(read, config.auth.token, deps.env);
  const handler = handlerFor(config);
  const missing = handler.signatureHeaders.filter((h) => !delivery.headers.has(h));
  if (missing.length > 0) return err({ reason: 'missing_headers', headers: missing, detail: `missing ${missing.join(', ')}` });
  const keys = await deps.credentials.keysFor(read.source, config, deps.env);
  if (!keys.ok) return keys;
  const verified = await handler.verify(delivery, config, keys.value);
  return verified.ok ? ok(`signature (${verified.value.note ?? 'ok'})`) : verified;
}

/** Token sources accept `Authorization: Bearer <token>` or the token as the last path segment. */
async function checkToken(request: Pick<ReadDelivery, 'headers' | 'pathToken'>, template: string, env: EnvLookup): Promise<Result<string, IngestError>> {
  const expected = resolveAll([template], env);
  if (!expected.ok) return expected;
  const bearer = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1];
  const presented = bearer ?? request.pathToken;
  if (!presented) return err({ reason: 'bad_token', detail: 'no token in Authorization header or path' });
  return (await tokensMatch(presented, expected.value[0]!)) ? ok('token') : err({ reason: 'bad_token', detail: 'token differs' });
}

async function recordAll(
  events: readonly CanonicalEvent[],
  routing: readonly RoutingDecision[],
  auth: string,
  ledger: EventLedger,
): Promise<Result<AcceptResult[], IngestError>> {
  const outcomes: AcceptResult[] = new Array(events.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < events.length) {
      const i = next++;
      outcomes[i] = await ledger.accept(events[i]!, routing[i]!, auth);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(LEDGER_CONCURRENCY, events.length) }, worker));
  } catch (e) {
    return err({ reason: 'ledger_unavailable', detail: e instanceof Error ? e.message.slice(0, 200) : 'ledger call failed' });
  }
  return ok(outcomes);
}
