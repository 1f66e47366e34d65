/**
 * Prequel's generic_get: the parameters of a GET read back into the envelope a POST would carry — data as
 * JSON or flattened — and every unreadable query refused with a specific reason.
 */
import { describe, expect, it } from 'vitest';
import { canonicalQuery, envelopeFromQuery, signedQueryForms } from './generic-get.ts';

const q = (s: string) => new URLSearchParams(s);

describe('generic_get: the query as an envelope', () => {
  it('reads data given as JSON in one parameter', () => {
    const data = { destination_id: 'd1', transfer_blamed_party: 'first_party', models: ['users'], rows_transferred: 10 };
    const r = envelopeFromQuery(
      q(`type=transfer.error&api_version=2023-10-15&created_at=2023-10-15T19:19:08Z&data=${encodeURIComponent(JSON.stringify(data))}`),
    );
    expect(r).toEqual({ ok: true, value: { type: 'transfer.error', api_version: '2023-10-15', created_at: '2023-10-15T19:19:08Z', data } });
  });

  it('reads flattened data, dotted or bracketed, with booleans, numbers and null typed and arrays by index', () => {
    const r = envelopeFromQuery(
      q(
        'type=export_destination.updated&data.current_resource.is_enabled=false&data[current_resource][name]=Acme%20Inc&data.current_resource.port=443' +
          '&data[models][0]=users&data[models][1]=orders&data.previous_resource=null&data.destination_id=00042',
      ),
    );
    expect(r.ok && r.value.data).toEqual({
      current_resource: { is_enabled: false, name: 'Acme Inc', port: 443 },
      models: ['users', 'orders'],
      previous_resource: null,
      destination_id: '00042', // a leading zero is not a JSON number: it stays text
    });
  });

  it('keeps parameters it does not know on the envelope, so a new one loses nothing', () => {
    const r = envelopeFromQuery(q('type=transfer.success&data.destination_id=d&webhook_id=wh_1'));
    expect(r.ok && r.value).toEqual({ type: 'transfer.success', webhook_id: 'wh_1', data: { destination_id: 'd' } });
  });

  it.each([
    ['', 'no "type" parameter (e.g. type=transfer.error)'],
    ['data.x=1', 'no "type" parameter (e.g. type=transfer.error)'],
    ['type=transfer.error', 'no data: give data={…} or data.<field>=… parameters'],
    ['type=transfer.error&type=transfer.success&data.x=1', 'parameter "type" is given twice'],
    ['type=transfer.error&data={not json', '"data" is not JSON (give the data as JSON in one parameter, or flattened: data.<field>=…)'],
    ['type=transfer.error&data=[1,2]', '"data" is not a JSON object'],
    ['type=transfer.error&data={}&data.x=1', '"data" is given both as JSON and flattened'],
    ['type=transfer.error&data.a=1&data.a.b=2', '"data.a" is both a value and a container'],
    ['type=transfer.error&data.a.b=2&data.a=1', '"data.a" is both a value and a container'],
    ['type=transfer.error&data..a=1', 'parameter "data..a" is not data.<field> or data[<field>]…'],
    ['type=transfer.error&data[a=1', 'parameter "data[a" is not data.<field> or data[<field>]…'],
    ['type=transfer.error&data.__proto__.polluted=1', '"__proto__.polluted": field "__proto__" is not allowed'],
    ['type=transfer.error&data.list.0=a&data.list.x=b', '"list.x": "x" is not an array index'],
    [`type=transfer.error&${'data' + '.a'.repeat(70)}=1`, `parameter "${('data' + '.a'.repeat(70)).slice(0, 64)}" nests deeper than 64 levels`],
  ])('refuses %j: %s', (query, detail) => {
    expect(envelopeFromQuery(q(query))).toEqual({ ok: false, error: { reason: 'malformed_query', detail } });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('generic_get: what a signature may cover', () => {
  it('is the query as received, or its canonical form: sorted, RFC 3986 encoded, independent of order', () => {
    const a = q('type=transfer.error&data.b=x%20y&data.a=1');
    const b = q('data.a=1&type=transfer.error&data.b=x+y');
    expect(canonicalQuery(a)).toBe('data.a=1&data.b=x%20y&type=transfer.error');
    expect(canonicalQuery(b)).toBe(canonicalQuery(a));
    expect(signedQueryForms('type=transfer.error&data.b=x%20y&data.a=1', a)).toEqual([
      'type=transfer.error&data.b=x%20y&data.a=1',
      'data.a=1&data.b=x%20y&type=transfer.error',
    ]);
    expect(signedQueryForms('data.a=1&data.b=x%20y&type=transfer.error', a)).toHaveLength(1);
  });
});
