/**
 * The workerd side of the fake network (test/helpers/fake-network.ts): script answers, read what was sent.
 */
import type { RecordedRequest } from './fake-network.ts';

const control = (path: string, init?: RequestInit) => fetch(`http://fake.control${path}`, init);

export const network = {
  async reset(): Promise<void> {
    await control('/reset', { method: 'POST' });
  },
  async script(
    host: string,
    ...responses: { status?: number; headers?: Record<string, string>; body?: string; networkError?: boolean; match?: string }[]
  ): Promise<void> {
    await control('/script', { method: 'POST', body: JSON.stringify({ host, responses }) });
  },
  async requests(host?: string, contains?: string): Promise<RecordedRequest[]> {
    const query = new URLSearchParams();
    if (host) query.set('host', host);
    if (contains) query.set('contains', contains);
    return (await (await control(`/requests?${query}`)).json()) as RecordedRequest[];
  },
  /** Waits until `count` requests to `host` contain `contains` (the background consumer delivers them). */
  async waitFor(host: string, contains: string, count: number, timeoutMs = 20_000): Promise<RecordedRequest[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await network.requests(host, contains);
      if (found.length >= count) return found;
      if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${count} request(s) to ${host} containing ${contains}; saw ${found.length}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  },
};
