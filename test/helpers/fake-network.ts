/**
 * The network as the workerd tests see it: Miniflare hands every outbound request of the Worker (the real
 * Slack and PagerDuty SDKs included) to this Node-side function. It records each request and answers it from
 * a per-host script, or with the vendor's usual success. Tests drive it through http://fake.control/.
 * Nothing ever reaches the internet.
 */
export interface RecordedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
  /** When it arrived (ms). */
  readonly at: number;
}

interface Scripted {
  readonly status?: number;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Fail at the network level instead of answering. */
  readonly networkError?: boolean;
  /**
   * Answer only requests whose body (or URL) contains this text. Tests that run beside deliveries of other
   * tests (the queue consumer runs in the background) match on their own event id.
   */
  readonly match?: string;
}

let nextTs = 100;

function usualAnswer(url: URL, body: string): Response {
  if (url.pathname.endsWith('/chat.postMessage') || url.pathname.endsWith('/chat.update')) {
    const form = new URLSearchParams(body);
    const channel = form.get('channel') ?? (JSON.parse(body || '{}') as { channel?: string }).channel ?? 'C0FAKE';
    // Each new message gets its own ts (as Slack's do); an update answers with the ts it updated.
    const ts = url.pathname.endsWith('/chat.update') ? (form.get('ts') ?? '') : `1763900000.${String(nextTs++).padStart(6, '0')}`;
    return Response.json({ ok: true, channel: channel.startsWith('#') ? 'C0FAKE0001' : channel, ts, message: {} });
  }
  if (url.hostname.startsWith('hooks.slack')) return new Response('ok', { status: 200 });
  if (url.pathname === '/v2/enqueue') {
    const parsed = JSON.parse(body || '{}') as { dedup_key?: string };
    return Response.json({ status: 'success', message: 'Event processed', dedup_key: parsed.dedup_key ?? 'generated-key' }, { status: 202 });
  }
  return new Response('', { status: 200 });
}

/** Hosts the fake answers as their vendor would: test hosts, and the real vendors' (rules.example.yaml uses them). */
const ANSWERED_HOSTS = ['fake', 'example.com', 'slack.com', 'events.pagerduty.com', 'events.eu.pagerduty.com'];

export function createFakeNetwork(): (request: Request) => Promise<Response> {
  const scripts = new Map<string, Scripted[]>();
  let log: RecordedRequest[] = [];
  return async (request) => {
    const url = new URL(request.url);
    if (url.hostname === 'fake.control') {
      if (url.pathname === '/reset') {
        scripts.clear();
        log = [];
        return new Response('reset');
      }
      if (url.pathname === '/script') {
        const { host, responses } = (await request.json()) as { host: string; responses: Scripted[] };
        scripts.set(host, [...(scripts.get(host) ?? []), ...responses]);
        return new Response('scripted');
      }
      if (url.pathname === '/requests') {
        const host = url.searchParams.get('host');
        const contains = url.searchParams.get('contains');
        return Response.json(
          log.filter((r) => (!host || new URL(r.url).hostname === host) && (!contains || r.body.includes(contains) || r.url.includes(contains))),
        );
      }
      return new Response('unknown control', { status: 404 });
    }
    const body = await request.text();
    log.push({ method: request.method, url: request.url, headers: Object.fromEntries(request.headers), body, at: Date.now() });
    const queue = scripts.get(url.hostname) ?? [];
    const index = queue.findIndex((s) => !s.match || body.includes(s.match) || request.url.includes(s.match));
    const next = index >= 0 ? queue.splice(index, 1)[0] : undefined;
    if (next?.networkError) throw new Error('connection reset by the fake network');
    if (next) {
      const status = next.status ?? 200;
      const nullBody = status === 204 || status === 205 || status === 304;
      return new Response(nullBody ? null : (next.body ?? ''), { status, headers: next.headers });
    }
    if (ANSWERED_HOSTS.some((h) => url.hostname === h || url.hostname.endsWith(`.${h}`))) return usualAnswer(url, body);
    return new Response(`the test network does not reach ${url.hostname}`, { status: 599 });
  };
}
