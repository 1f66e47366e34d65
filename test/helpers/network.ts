/**
 * The workerd side of the fake network (test/helpers/fake-network.ts): script answers, read what was sent.
 */
import type { RecordedRequest } from './fake-network.ts';

const control = (path: string, init?: RequestInit) => fetch(`http://fake.control${path}`, init);

export const network = {
  async reset(): Promise<void> {
    await control('/reset', { method: 'POST' });
  },
  async script(host: string, ...responses: { status?: number; headers?: Record<string, string>; body?: string; networkError?: boolean }[]): Promise<void> {
    await control('/script', { method: 'POST', body: JSON.stringify({ host, responses }) });
  },
  async requests(host?: string): Promise<RecordedRequest[]> {
    return (await (await control(`/requests${host ? `?host=${host}` : ''}`)).json()) as RecordedRequest[];
  },
};
