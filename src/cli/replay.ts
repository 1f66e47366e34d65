/**
 * `switchyard events export` and `switchyard diff`: recorded traffic out of a relay, and a candidate rules file
 * replayed over it against the current one (src/rules/diff.ts decides what changed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { diffRules, diffText, type DiffEvent } from '../rules/diff.ts';
import { adminToken, fetchRecorded, parseRecorded, type RecordedEvent, type RelayQuery } from './recorded.ts';
import { payloadToEvents } from './events.ts';
import { defaultRulesFile, loadRulesFile, type Io } from './main.ts';

export interface ReplayOptions {
  readonly rules?: string | undefined;
  readonly current?: string | undefined;
  readonly from?: string | undefined;
  readonly since?: string | undefined;
  readonly until?: string | undefined;
  readonly source?: string | undefined;
  readonly type?: string | undefined;
  readonly events?: string | undefined;
  readonly json?: boolean | undefined;
  readonly 'at-recorded-times'?: boolean | undefined;
  readonly 'token-env'?: string | undefined;
}

const relayQuery = (o: ReplayOptions): RelayQuery => ({
  ...(o.since !== undefined ? { since: o.since } : {}),
  ...(o.until !== undefined ? { until: o.until } : {}),
  ...(o.source !== undefined ? { source: o.source } : {}),
  ...(o.type !== undefined ? { type: o.type } : {}),
});

/** A relay URL as given, or why not. */
function relayUrl(text: string): string | null {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.origin : null;
  } catch {
    return null;
  }
}

async function fromRelay(o: ReplayOptions, io: Io): Promise<RecordedEvent[] | string> {
  const from = relayUrl(o.from!);
  if (!from) return `--from takes the relay's URL, e.g. https://switchyard.example.workers.dev (got ${JSON.stringify(o.from)})`;
  const token = adminToken(io.env ?? process.env, o['token-env']);
  if (typeof token !== 'string') return token.error;
  try {
    return await fetchRecorded(from, relayQuery(o), token, io.fetch ? { fetch: io.fetch } : {});
  } catch (e) {
    return e instanceof Error ? e.message : String(e);
  }
}

export async function exportEvents(o: ReplayOptions, io: Io): Promise<number> {
  if (!o.from) {
    io.err('switchyard: events export needs --from <relay URL>');
    return 2;
  }
  const events = await fromRelay(o, io);
  if (typeof events === 'string') {
    io.err(`switchyard: ${events}`);
    return 2;
  }
  for (const e of events) io.out(JSON.stringify(e));
  io.err(`switchyard: ${events.length} event${events.length === 1 ? '' : 's'} exported`);
  return 0;
}

/** The events to replay, from exactly one of --from, --events and payload files. */
async function replayed(o: ReplayOptions, files: readonly string[], io: Io, rules: Parameters<typeof payloadToEvents>[1]): Promise<RecordedEvent[] | string> {
  const given = [o.from !== undefined, o.events !== undefined, files.length > 0].filter(Boolean).length;
  if (given !== 1) return 'say where the events come from: --from <relay URL>, --events <export.jsonl>, or payload files (exactly one)';
  if (o.from !== undefined) return fromRelay(o, io);
  if (o.events !== undefined) {
    const path = resolve(io.cwd, o.events);
    if (!existsSync(path)) return `${o.events} not found`;
    const parsed = parseRecorded(readFileSync(path, 'utf8'), o.events);
    return parsed.ok ? parsed.events : parsed.error;
  }
  const now = new Date(io.now?.() ?? Date.now()).toISOString();
  const out: RecordedEvent[] = [];
  for (const file of files) {
    const path = resolve(io.cwd, file);
    if (!existsSync(path)) return `${file} not found`;
    const converted = payloadToEvents(readFileSync(path, 'utf8'), rules, o.source ?? null, now);
    if (!converted.ok) return `${file}: ${converted.error}`;
    for (const event of converted.events) out.push({ key: `${event.source}:${event.id}`, accepted_at: now, event, routing: { routes: [] } });
  }
  return out;
}

export async function replayDiff(o: ReplayOptions, files: readonly string[], io: Io): Promise<number> {
  if (!o.rules) {
    io.err('switchyard: diff needs --rules <candidate.yaml> (the file to compare with the current rules)');
    return 2;
  }
  const currentFile = o.current ?? defaultRulesFile(io.cwd);
  const current = loadRulesFile(currentFile, io);
  if (!current.ok) return 2;
  const candidate = loadRulesFile(o.rules, io);
  if (!candidate.ok) return 2;
  const recorded = await replayed(o, files, io, current.value.config);
  if (typeof recorded === 'string') {
    io.err(`switchyard: ${recorded}`);
    return 2;
  }
  const now = io.now?.() ?? Date.now();
  const atRecorded = o['at-recorded-times'] === true;
  const events: DiffEvent[] = recorded.map((r) => {
    const at = Date.parse(r.accepted_at);
    return { key: r.key, event: r.event, at: atRecorded && Number.isFinite(at) ? at : now };
  });
  const report = diffRules(current.value.config, candidate.value.config, events);
  const changed = report.changed.count > 0 || report.notes.length > 0;
  if (o.json) io.out(JSON.stringify({ current: currentFile, candidate: o.rules, at_recorded_times: atRecorded, has_changes: changed, ...report }, null, 2));
  else {
    io.out(`switchyard diff: ${currentFile} → ${o.rules}; time windows read ${atRecorded ? "at each event's recorded time" : 'now'}`);
    for (const line of diffText(report)) io.out(line);
    io.out(changed ? 'changes: exit 1' : 'no change: exit 0');
  }
  return changed ? 1 : 0;
}
