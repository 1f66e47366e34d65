/**
 * Property tests against the real Worker in workerd: over 10,000 random, mutated and hostile deliveries. None
 * may produce a 5xx or a crash; every rejection carries one of the known reasons with its documented status;
 * nothing altered after signing is ever accepted; and afterwards the relay still delivers.
 */
import { exports } from 'cloudflare:workers';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PREQUEL_FIXTURES, PRELUDE_FIXTURES } from './helpers/fixtures.ts';
import { network } from './helpers/network.ts';
import { keys } from './helpers/worker.ts';
import { prequelHeaders, preludeHeaders, rfc3339, standardWebhooksHeaders } from './helpers/signers.ts';

const STATUS_BY_REASON: Record<string, number> = {
  unknown_source: 404,
  method_not_allowed: 405,
  unsupported_content_type: 415,
  body_too_large: 413,
  missing_headers: 400,
  malformed_header: 400,
  timestamp_too_old: 401,
  timestamp_in_future: 401,
  digest_mismatch: 401,
  bad_signature: 401,
  bad_token: 401,
  malformed_json: 400,
  json_too_deep: 400,
  too_many_events: 413,
  invalid_event: 400,
  invalid_envelope: 400,
  missing_parameters: 400,
  malformed_query: 400,
  activation_rejected: 403,
  not_found: 404,
};

interface Answer {
  status: number;
  reason: string | null;
}

async function call(method: string, path: string, headers: Record<string, string>, body: Uint8Array | string | null): Promise<Answer> {
  let request: Request;
  try {
    request = new Request(`https://relay.test${path}`, { method, headers, body: method === 'GET' || method === 'HEAD' ? null : body });
  } catch {
    return { status: 0, reason: null }; // the runtime itself refuses to build such a request: nothing reaches us
  }
  const res = await exports.default.fetch(request);
  const text = await res.text();
  let reason: string | null = null;
  if (res.status !== 200) reason = (JSON.parse(text) as { error: { reason: string } }).error.reason;
  return { status: res.status, reason };
}

function expectWellFormed(answer: Answer): void {
  if (answer.status === 0) return;
  expect(answer.status).toBeLessThan(500);
  if (answer.status !== 200) expect(STATUS_BY_REASON[answer.reason!], `reason ${answer.reason}`).toBe(answer.status);
}

const headerName = fc.constantFrom(
  'content-type',
  'content-length',
  'x-prequel-webhook-timestamp',
  'x-prequel-webhook-signature',
  'x-prequel-webhook-digest',
  'x-webhook-signature',
  'webhook-id',
  'webhook-timestamp',
  'webhook-signature',
  'authorization',
);
const headerValue = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.constantFrom(
    'application/json',
    'application/json; charset=utf-8',
    'text/plain',
    'rsassa-pss-sha256=',
    'v1,',
    '2026-11-23T12:00:00Z',
    '1700000000',
    '0',
    '-1',
    '99999999999',
  ),
  fc.stringMatching(/^[0-9a-f]{0,600}$/),
  fc.stringMatching(/^rsassa-pss-sha256=[A-Za-z0-9+/_=-]{0,400}$/),
  fc.stringMatching(/^v1,[A-Za-z0-9+/=]{0,60}( v1,[A-Za-z0-9+/=]{0,60})?$/),
);
const bodyArb = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.uint8Array({ maxLength: 400 }),
  fc.json({ maxDepth: 4 }),
  fc.constantFrom(...PREQUEL_FIXTURES.map((f) => f.body), ...PRELUDE_FIXTURES.map((f) => f.body)),
);

describe('fuzzing the Worker', () => {
  it('random requests: never a 5xx, always a known reason', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('POST', 'POST', 'POST', 'GET', 'PUT', 'DELETE', 'PATCH'),
        fc.constantFrom(
          '/hooks/prequel',
          '/hooks/prelude',
          '/hooks/billing',
          '/hooks/unknown',
          '/hooks/prelude?event=activate&challenge=1',
          '/',
          '/hooks/',
          '/hooks/prequel/tok',
          '/hooks/prequel?type=transfer.error&data.destination_id=d1',
          '/hooks/prequel?type=transfer.error&data=%7B%22a%22%3A1%7D&data.b=2',
          '/hooks/prequel?data[a=1&type=x',
        ),
        fc.dictionary(headerName, headerValue, { maxKeys: 6 }),
        bodyArb,
        async (method, path, headers, body) => expectWellFormed(await call(method, path, headers, body)),
      ),
      { numRuns: 2500 },
    );
  });

  it('mutated valid deliveries: never accepted, never a 5xx', async () => {
    const now = Date.now();
    const signed = await Promise.all([
      ...PREQUEL_FIXTURES.slice(0, 4).map(async (f) => ({
        path: '/hooks/prequel',
        body: f.body,
        headers: await prequelHeaders(keys.prequel[0].privatePem, f.body, rfc3339(now)),
      })),
      ...PRELUDE_FIXTURES.slice(0, 4).map(async (f) => ({
        path: '/hooks/prelude',
        body: f.body,
        headers: await preludeHeaders(keys.prelude[1].privatePem, f.body),
      })),
      (async () => {
        const body = '{"type":"invoice.payment_failed","data":{"n":1}}';
        return { path: '/hooks/billing', body, headers: await standardWebhooksHeaders(keys.billing[0], 'msg_fuzz', Math.floor(now / 1000), body) };
      })(),
    ]);
    const mutation = fc.oneof(
      fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
      fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
      fc.record({ kind: fc.constant('append' as const), text: fc.string({ minLength: 1, maxLength: 8 }) }),
      fc.record({ kind: fc.constant('header' as const), which: fc.nat(), at: fc.nat(), char: fc.constantFrom('0', 'A', 'f', '=', ' ', '-') }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...signed), mutation, async (delivery, m) => {
        const bytes = new TextEncoder().encode(delivery.body);
        let body: Uint8Array = bytes;
        const headers = { ...delivery.headers };
        if (m.kind === 'flip') {
          body = bytes.slice();
          body[m.at % body.length]! ^= 1 << m.bit;
        } else if (m.kind === 'truncate') body = bytes.slice(0, m.at % bytes.length);
        else if (m.kind === 'append') body = new TextEncoder().encode(delivery.body + m.text);
        else {
          const names = Object.keys(headers).filter((h) => h !== 'content-type');
          const name = names[m.which % names.length]!;
          const value = headers[name]!;
          const at = m.at % value.length;
          const mutated = value.slice(0, at) + m.char + value.slice(at + 1);
          // A no-op proves nothing: same text, only white space / base64 padding changed at the end, the other
          // base64 alphabet, or hex case.
          const essence = (v: string): string => {
            const trimmed = v.trim().replace(/=+$/, '');
            // In base64 signatures, '+' and '-', '/' and '_' spell the same bytes (both alphabets are accepted).
            const t = name.endsWith('signature') && !name.startsWith('x-prequel') ? trimmed.replace(/-/g, '+').replace(/_/g, '/') : trimmed;
            return /^[0-9a-fA-F]+$/.test(t) ? t.toLowerCase() : t;
          };
          if (essence(mutated) === essence(value)) return;
          headers[name] = mutated;
        }
        const answer = await call('POST', delivery.path, headers, body);
        expectWellFormed(answer);
        expect(answer.status, `accepted after mutation ${JSON.stringify(m)}`).not.toBe(200);
      }),
      { numRuns: 1500 },
    );
  });

  it('correctly signed arbitrary JSON: accepted or a 400 about its shape, never a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.jsonValue({ maxDepth: 3 }),
          fc.record({ type: fc.string({ maxLength: 20 }), data: fc.jsonValue({ maxDepth: 2 }) }),
          fc.record({
            app_id: fc.string(),
            events: fc.array(fc.record({ id: fc.string(), type: fc.string(), payload: fc.jsonValue({ maxDepth: 2 }) }), { maxLength: 3 }),
          }),
        ),
        fc.constantFrom('prequel', 'prelude'),
        async (value, source) => {
          const body = JSON.stringify(value) ?? 'null';
          const headers =
            source === 'prequel'
              ? await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(Date.now()))
              : await preludeHeaders(keys.prelude[0].privatePem, body);
          const answer = await call('POST', `/hooks/${source}`, headers, body);
          expectWellFormed(answer);
          if (answer.status !== 200) expect(['invalid_envelope', 'malformed_json']).toContain(answer.reason);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('hostile signed deliveries to all three source kinds: deep nesting, huge ids, control characters, __proto__, oversized batches', async () => {
    const depth = fc.integer({ min: 1, max: 6000 });
    const nested = fc
      .tuple(depth, fc.constantFrom('[', '{"a":'))
      .map(([d, open]) => `${open.repeat(d)}${open === '[' ? '1' : '1'}${(open === '[' ? ']' : '}').repeat(d)}`);
    const id = fc.oneof(
      fc.string({ maxLength: 40 }),
      fc.integer({ min: 200, max: 140_000 }).map((n) => `evt_${'x'.repeat(n)}`),
      fc.constantFrom('', 'evt_a\r\nX-Evil: 1', 'evt_\u0000', 'evt_\u2028', 'evt_é'),
    );
    const type = fc.oneof(fc.constantFrom('transfer.error', 'user.created', 'x.y', '', 'a\nb', 'a\tb', 'é.ü'), fc.string({ maxLength: 300 }));
    // JSON text, never parsed here: a 6,000-level document overflows the parser's stack (which is the point).
    const data = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
      nested,
      fc.constant('{"__proto__":{"polluted":true},"x":1}'),
    );
    const q = (v: string): string => JSON.stringify(v);
    const element = fc.record({ id, type, payload: data }).map((e) => `{"id":${q(e.id)},"type":${q(e.type)},"__proto__":{"p":1},"payload":${e.payload}}`);
    const body = fc.oneof(
      fc.record({ type, data }).map((b) => `{"type":${q(b.type)},"data":${b.data}}`),
      element,
      fc.tuple(fc.array(element, { maxLength: 8 }), fc.string({ maxLength: 10 })).map(([els, app]) => `{"app_id":${q(app)},"events":[${els.join(',')}]}`),
      fc
        .integer({ min: 990, max: 1100 })
        .map((n) => JSON.stringify({ app_id: 'a', events: Array.from({ length: n }, (_, i) => ({ id: `evt_big_${i}`, type: 'user.created' })) })),
      nested.map((n) => `{"type":"deep","data":${n}}`),
    );
    const kind = fc.constantFrom('prequel', 'prelude', 'billing', 'billing');
    await fc.assert(
      // Header ids stay ASCII: the runtime warns on (and browsers refuse) other header bytes; the body ids above
      // carry the rest.
      fc.asyncProperty(
        kind,
        body,
        id.map((v) => v.replace(/[^\x20-\x7e]/g, '?')),
        async (source, text, swId) => {
          const now = Date.now();
          const headers =
            source === 'prequel'
              ? await prequelHeaders(keys.prequel[0].privatePem, text, rfc3339(now))
              : source === 'prelude'
                ? await preludeHeaders(keys.prelude[0].privatePem, text)
                : await standardWebhooksHeaders(keys.billing[0], swId, Math.floor(now / 1000), text);
          expectWellFormed(await call('POST', `/hooks/${source}`, headers, text));
        },
      ),
      { numRuns: 6000 },
    );

    // The relay still delivers afterwards: a signed audit event reaches its HTTP target.
    const m = `m${crypto.randomUUID().replaceAll('-', '')}`;
    const audited = JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'export_destination.updated')!.body) as { data: object };
    const after = JSON.stringify({ ...audited, data: { ...audited.data, fuzz_marker: m } });
    const accepted = await call('POST', '/hooks/prequel', await prequelHeaders(keys.prequel[0].privatePem, after, rfc3339(Date.now())), after);
    expect(accepted.status).toBe(200);
    // Behind it in the queue: the jobs of every event the fuzzing accepted (paced Slack posts among them).
    const started = Date.now();
    expect((await network.waitFor('audit.example.com', m, 1, 300_000)).length).toBe(1);
    console.log(`fuzz: delivered ${Date.now() - started} ms after the hostile run`);
  }, 900_000);
});
