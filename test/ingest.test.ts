/**
 * The real Worker in workerd: every seed event accepted when signed, every bad case answered with its status,
 * duplicates recognised (also when they arrive at the same moment), records kept in the Durable Object.
 */
import { env } from 'cloudflare:workers';
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PREQUEL_FIXTURES, PRELUDE_FIXTURES, STANDARD_WEBHOOKS_FIXTURES } from './helpers/fixtures.ts';
import { json, keys, post, postBilling, postPrelude, postPrequel } from './helpers/worker.ts';
import { prequelHeaders, rfc3339 } from './helpers/signers.ts';
import { recordOf, shardOf } from './helpers/store.ts';

describe('every seed event is accepted when signed', () => {
  for (const f of PREQUEL_FIXTURES) {
    it(`prequel ${f.name}`, async () => {
      const res = await postPrequel(f.body, { key: 1 });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ ok: true, accepted: 1, duplicates: 0, events: [{ type: f.types[0], status: 'accepted' }] });
    });
  }
  for (const f of PRELUDE_FIXTURES) {
    it(`prelude ${f.name}`, async () => {
      const res = await postPrelude(f.body, { key: 1, encoding: 'base64url' });
      expect(res.status).toBe(200);
      const body = await json(res);
      expect(body).toMatchObject({ ok: true, accepted: f.events, duplicates: 0 });
      expect(body.events!.map((e) => e.type)).toEqual(f.types);
    });
  }
  for (const f of STANDARD_WEBHOOKS_FIXTURES) {
    it(`billing (standard webhooks) ${f.name}`, async () => {
      const res = await postBilling(f.body, `msg_${f.name}`, { key: 1 });
      expect(res.status).toBe(200);
      expect(await json(res)).toMatchObject({ ok: true, accepted: 1, events: [{ id: `msg_${f.name}`, type: f.types[0] }] });
    });
  }
});

describe('bad deliveries get a specific status and reason', () => {
  const body = PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body;

  const cases: [string, () => Promise<Response>, number, string][] = [
    ['unknown source', () => post('/hooks/stripe', body, { 'content-type': 'application/json' }), 404, 'unknown_source'],
    [
      'wrong content type',
      async () =>
        post('/hooks/prequel', body, { ...(await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(Date.now()))), 'content-type': 'text/plain' }),
      415,
      'unsupported_content_type',
    ],
    ['missing headers', () => post('/hooks/prequel', body, { 'content-type': 'application/json' }), 400, 'missing_headers'],
    [
      'body changed after signing',
      async () => post('/hooks/prequel', body.replace('Foo Bar', 'Foo Baz'), await prequelHeaders(keys.prequel[0].privatePem, body, rfc3339(Date.now()))),
      401,
      'bad_signature',
    ],
    [
      'signed by a stranger',
      async () => post('/hooks/prequel', body, await prequelHeaders(keys.stranger.privatePem, body, rfc3339(Date.now()))),
      401,
      'bad_signature',
    ],
    ['stale timestamp', () => postPrequel(body, { sentAt: Date.now() - 6 * 60_000 }), 401, 'timestamp_too_old'],
    ['future timestamp', () => postPrequel(body, { sentAt: Date.now() + 2 * 60_000 }), 401, 'timestamp_in_future'],
    ['body over 256 KB', () => postPrequel(`{"type":"x","data":{"pad":"${'x'.repeat(256 * 1024)}"}}`), 413, 'body_too_large'],
    ['malformed JSON (signed)', () => postPrequel('{"type": "transfer.error",'), 400, 'malformed_json'],
    ['wrong envelope (signed)', () => postPrequel('{"type": 42, "data": {}}'), 400, 'invalid_envelope'],
    ['prelude batch of non-objects (signed)', () => postPrelude('{"app_id":"a","events":[1,2]}'), 400, 'invalid_envelope'],
    [
      'standard webhooks with a stale timestamp',
      () => postBilling(STANDARD_WEBHOOKS_FIXTURES[0]!.body, 'msg_old', { sentAt: Date.now() - 10 * 60_000 }),
      401,
      'timestamp_too_old',
    ],
  ];
  for (const [name, call, status, reason] of cases) {
    it(`${name} → ${status} ${reason}`, async () => {
      const res = await call();
      expect(res.status).toBe(status);
      const out = await json(res);
      expect(out).toMatchObject({ ok: false, error: { reason } });
      expect(out.error!.message.length).toBeLessThan(120);
    });
  }

  it('names the missing headers in the message', async () => {
    const res = await post('/hooks/billing', '{}', { 'content-type': 'application/json', 'webhook-id': 'msg_1' });
    expect((await json(res)).error!.message).toBe('missing headers: webhook-timestamp, webhook-signature');
  });

  it('answers wrong methods with 405 and Allow', async () => {
    const { exports } = await import('cloudflare:workers');
    const res = await exports.default.fetch(new Request('https://relay.test/hooks/prequel', { method: 'PUT', body: '{}' }));
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('POST, GET');
    const get = await exports.default.fetch(new Request('https://relay.test/hooks/billing'));
    expect([get.status, get.headers.get('allow')]).toEqual([405, 'POST']);
  });

  it('rejects a body streamed without Content-Length once it passes the limit', async () => {
    const chunk = new TextEncoder().encode('x'.repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 10) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const headers = await prequelHeaders(keys.prequel[0].privatePem, 'x', rfc3339(Date.now()));
    const { exports } = await import('cloudflare:workers');
    const res = await exports.default.fetch(
      new Request('https://relay.test/hooks/prequel', { method: 'POST', body: stream, headers, duplex: 'half' } as RequestInit),
    );
    expect(res.status).toBe(413);
  });
});

describe('idempotency (Durable Object)', () => {
  it('answers a redelivery 200 as a duplicate and keeps one record', async () => {
    const body = PRELUDE_FIXTURES.find((f) => f.name === 'transactional.message.failed')!.body.replace('evt_01jq9h5m3n4p5q6r7s8t9v0x04', 'evt_dup_once');
    const first = await json(await postPrelude(body));
    const second = await json(await postPrelude(body, { key: 1 }));
    expect([first.accepted, first.duplicates, second.accepted, second.duplicates]).toEqual([1, 0, 0, 1]);
    const record = await recordOf('prelude:evt_dup_once');
    expect(record).toMatchObject({ deliveries: 2, event: { id: 'evt_dup_once', type: 'transactional.message.failed', correlationId: 'order-A-1042' } });
  });

  it('accepts two identical deliveries arriving at the same moment exactly once', async () => {
    const body = PREQUEL_FIXTURES.find((f) => f.name === 'transfer.cancelled')!.body.replace('Pending transfer cancelled by user.', 'concurrent');
    const results = await Promise.all(
      Array.from({ length: 6 }, (_, i) => postPrequel(body, { key: (i % 2) as 0 | 1, sentAt: Date.now() - i * 1000 }).then(json)),
    );
    expect(results.reduce((n, r) => n + (r.accepted ?? 0), 0)).toBe(1);
    expect(results.reduce((n, r) => n + (r.duplicates ?? 0), 0)).toBe(5);
  });

  it('counts a Prelude batch event by event: a re-sent batch with one new event accepts only that one', async () => {
    const batch = JSON.parse(PRELUDE_FIXTURES.find((f) => f.name === 'user.deleted.batch')!.body) as { events: { id: string }[] };
    for (const e of batch.events) e.id = `${e.id}_b`;
    const first = await json(await postPrelude(JSON.stringify(batch)));
    batch.events.push({ ...batch.events[0]!, id: 'evt_batch_new' });
    const second = await json(await postPrelude(JSON.stringify(batch)));
    expect([first.accepted, second.accepted, second.duplicates]).toEqual([5, 1, 5]);
  });

  it('forgets an event after the retention period (alarm)', async () => {
    const body = STANDARD_WEBHOOKS_FIXTURES[0]!.body;
    await postBilling(body, 'msg_expiring');
    const key = 'billing:msg_expiring';
    const record = await recordOf(key);
    expect(record!.expiresAt! - Date.now()).toBeGreaterThan(14 * 86_400_000);
    // Until then the shard's alarm is the stuck-job sweep; past the retention it deletes the event (and only it).
    const shard = shardOf(key);
    await runInDurableObject(shard, (_, state) => {
      state.storage.sql.exec('UPDATE events SET expires_at = ?1, sweep_at = ?1 WHERE key = ?2', Date.now() - 1, key);
    });
    const neighbours = await runInDurableObject(shard, (_, state) => Number(state.storage.sql.exec('SELECT COUNT(*) AS n FROM events').one().n));
    expect(await runDurableObjectAlarm(shard)).toBe(true);
    expect(await recordOf(key)).toBeNull();
    expect(await runInDurableObject(shard, (_, state) => Number(state.storage.sql.exec('SELECT COUNT(*) AS n FROM events').one().n))).toBe(neighbours - 1);
  });
});

describe('prelude activation and health', () => {
  it('answers the activation challenge', async () => {
    const { exports } = await import('cloudflare:workers');
    const url = `https://relay.test/hooks/prelude?event=activate&verification_token=${keys.verificationToken}&challenge=987654321&app_id=app_1`;
    const res = await exports.default.fetch(new Request(url));
    expect([res.status, await res.text()]).toEqual([200, '{"challenge":987654321}']);
    const bad = await exports.default.fetch(new Request(url.replace(keys.verificationToken, 'wrong')));
    expect(bad.status).toBe(403);
  });

  it('reports health with the configured sources', async () => {
    const { exports } = await import('cloudflare:workers');
    const res = await exports.default.fetch(new Request('https://relay.test/healthz'));
    expect(await res.json()).toEqual({
      ok: true,
      service: 'switchyard',
      // The example's three, and the source the workerd tests add (test/rules.workerd.yaml).
      sources: ['prequel', 'prelude', 'billing', 'prequel-paging', 'prequel-token'],
      rules: { file: 'rules.example.yaml', status: 'ok' },
    });
  });
});

describe('routing at ingest (rules.example.yaml, compiled once per isolate)', () => {
  it('records which routes matched and whom they notify beside the event', async () => {
    const body = PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body.replace('third_party', 'first_party');
    const res = await json(await postPrequel(body));
    const record = await recordOf(`prequel:${res.events![0]!.id}`);
    expect(record!.routing).toMatchObject({
      routes: [{ index: 2, name: 'Every other transfer failure pages on-call and tells data engineering', notify: ['oncall', 'data-eng'] }],
      rules: { hash: expect.stringMatching(/^[0-9a-f]{12}$/) },
    });
    expect(record!.routing.routes).toHaveLength(1);
  });

  it('records routing per event of a Prelude batch', async () => {
    const batch = JSON.parse(PRELUDE_FIXTURES.find((f) => f.name === 'session.batch')!.body) as { events: { id: string }[] };
    for (const e of batch.events) e.id = `${e.id}_routing`;
    const res = await json(await postPrelude(JSON.stringify(batch)));
    const records = await Promise.all(res.events!.map((e) => recordOf(`prelude:${e.id}`)));
    expect(records.map((r) => r!.routing.routes.flatMap((x) => x.notify))).toEqual([[], [], ['oncall']]);
  });
});

describe("Prequel's generic_get: the payload as URL parameters", () => {
  const fixture = JSON.parse(PREQUEL_FIXTURES.find((f) => f.name === 'transfer.error')!.body) as {
    type: string;
    api_version: string;
    created_at: string;
    data: Record<string, unknown>;
  };
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const { exports } = await import('cloudflare:workers');
    return exports.default.fetch(new Request(`https://relay.test${path}`, { headers }));
  };
  /** The fixture flattened as data.<field> / data[<field>][<i>] parameters, a marker making it this test's own. */
  const flattened = (marker: string) => {
    const params = new URLSearchParams({ type: fixture.type, api_version: fixture.api_version, created_at: fixture.created_at });
    for (const [k, v] of Object.entries({ ...fixture.data, destination_id: marker })) {
      if (Array.isArray(v)) v.forEach((x, i) => params.append(`data[${k}][${i}]`, String(x)));
      else params.append(`data.${k}`, String(v));
    }
    return params;
  };
  const signed = async (query: string) => {
    const { 'content-type': _, ...headers } = await prequelHeaders(keys.prequel[0].privatePem, query, rfc3339(Date.now()));
    return headers;
  };
  const prequelRecord = (id: string) => recordOf(`prequel:${id}`);

  it('a signed GET is accepted, normalized and routed exactly like its POST twin', async () => {
    const marker = `get-${crypto.randomUUID()}`;
    const query = flattened(marker).toString();
    const res = await get(`/hooks/prequel?${query}`, await signed(query));
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ ok: true, accepted: 1, events: [{ type: 'transfer.error', status: 'accepted' }] });
    const viaGet = (await prequelRecord(body.events![0]!.id))!;

    const twin = JSON.stringify({ ...fixture, data: { ...fixture.data, destination_id: marker } });
    const viaPost = (await prequelRecord((await json(await postPrequel(twin))).events![0]!.id))!;
    // The same event (numbers, booleans and lists typed back), the same routes; only the id differs.
    expect(viaGet.event.data).toEqual(viaPost.event.data);
    expect({ ...viaGet.event, id: null, receivedAt: null }).toEqual({ ...viaPost.event, id: null, receivedAt: null });
    expect(viaGet.routing).toEqual(viaPost.routing);
    expect(viaGet.routing.routes.map((r) => r.name)).toEqual(["Transfer failures caused by the customer's side go to customer success, no page"]);
    expect(viaGet.auth).toBe('signature (key #1), generic_get');
  });

  it('a re-send with the parameters in another order, signed over the canonical query, is a duplicate', async () => {
    const marker = `get-${crypto.randomUUID()}`;
    const params = flattened(marker);
    const first = params.toString();
    const a = await json(await get(`/hooks/prequel?${first}`, await signed(first)));
    expect(a.accepted).toBe(1);
    const reordered = new URLSearchParams([...params].reverse());
    const canonical = [...reordered]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, v]) => [k, v].map((s) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)).join('='))
      .join('&'); // RFC 3986: !'()* escaped too
    const b = await json(await get(`/hooks/prequel?${reordered.toString()}`, await signed(canonical)));
    expect(b).toMatchObject({ accepted: 0, duplicates: 1, events: [{ id: a.events![0]!.id, status: 'duplicate' }] });
  });

  it('takes the data as one JSON parameter too', async () => {
    const marker = `get-${crypto.randomUUID()}`;
    const query = new URLSearchParams({
      type: 'transfer.error',
      created_at: fixture.created_at,
      data: JSON.stringify({ ...fixture.data, destination_id: marker }),
    }).toString();
    const body = await json(await get(`/hooks/prequel?${query}`, await signed(query)));
    expect(body.accepted).toBe(1);
    expect((await prequelRecord(body.events![0]!.id))!.event.data).toEqual({ ...fixture.data, destination_id: marker });
  });

  it('authenticates a token source as its POST does: path token or bearer', async () => {
    const query = `type=transfer.success&data.destination_id=tok-${crypto.randomUUID()}`;
    const token = env.PREQUEL_GET_TOKEN as string;
    expect((await json(await get(`/hooks/prequel-token/${token}?${query}`))).accepted).toBe(1);
    expect((await json(await get(`/hooks/prequel-token?${query}`, { authorization: `Bearer ${token}` }))).duplicates).toBe(1);
    const wrong = await get(`/hooks/prequel-token/not-the-token?${query}`);
    expect([wrong.status, (await json(wrong)).error!.reason]).toEqual([401, 'bad_token']);
  });

  it('answers a junk, unsigned or forged query with a specific 4xx, never a 5xx', async () => {
    const query = flattened(`get-${crypto.randomUUID()}`).toString();
    const cases: [string, Record<string, string>, number, string, string?][] = [
      ['', {}, 400, 'malformed_query', 'unreadable query string: no "type" parameter (e.g. type=transfer.error)'],
      ['type=transfer.error', {}, 400, 'malformed_query', 'unreadable query string: no data: give data={…} or data.<field>=… parameters'],
      ['type=transfer.error&data=%7Bnope', {}, 400, 'malformed_query'],
      ['type=transfer.error&type=transfer.success&data.a=1', {}, 400, 'malformed_query', 'unreadable query string: parameter "type" is given twice'],
      [query, {}, 400, 'missing_headers'],
      [query, await signed(`${query}&data.extra=1`), 401, 'bad_signature'],
    ];
    for (const [q, headers, status, reason, message] of cases) {
      const res = await get(`/hooks/prequel?${q}`, headers);
      const body = await json(res);
      expect([q.slice(0, 40), res.status, body.error!.reason]).toEqual([q.slice(0, 40), status, reason]);
      if (message) expect(body.error!.message).toBe(message);
    }
    // Still no GET for a sender that only POSTs.
    const billing = await get('/hooks/billing?type=x&data.a=1');
    expect([billing.status, billing.headers.get('allow')]).toEqual([405, 'POST']);
  });
});
