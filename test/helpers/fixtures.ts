/**
 * Seed fixtures as raw text, loaded through Vite's glob import so the same code works in Node and in workerd.
 */
const prequelFiles = import.meta.glob<string>('../fixtures/prequel/*.json', { query: '?raw', import: 'default', eager: true });
const preludeFiles = import.meta.glob<string>('../fixtures/prelude/*.json', { query: '?raw', import: 'default', eager: true });
const swFiles = import.meta.glob<string>('../fixtures/standard-webhooks/*.json', { query: '?raw', import: 'default', eager: true });

export interface Fixture {
  readonly name: string;
  readonly body: string;
  /** How many events the body holds (Prelude batches hold several). */
  readonly events: number;
  readonly types: readonly string[];
}

function load(files: Record<string, string>): Fixture[] {
  return Object.entries(files)
    .map(([path, body]) => {
      const parsed = JSON.parse(body) as { type?: string; events?: { type: string }[] };
      const types = parsed.events ? parsed.events.map((e) => e.type) : [parsed.type!];
      return {
        name: path
          .split('/')
          .pop()!
          .replace(/\.json$/, ''),
        body,
        events: types.length,
        types,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const PREQUEL_FIXTURES = load(prequelFiles);
export const PRELUDE_FIXTURES = load(preludeFiles);
export const STANDARD_WEBHOOKS_FIXTURES = load(swFiles);
