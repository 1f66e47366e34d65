// `npm run demo`: every seed event (Prequel, Prelude single and batch, Standard Webhooks) signed with the local
// dev keys and sent to the running local relay (`npm run dev`), then a table of what became of each: event →
// routes → deliveries → outcome, read back from the admin API. It also shows a tampered delivery refused and a
// repeated one recognised as a duplicate. Each run marks its events, so it can be run again and again.
//   npm run demo -- [--url <relay URL>]   (default: SWITCHYARD_URL, else the running `npm run dev`, else :8787)
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { loadDevContext } from './dev-signing.mjs';
import { relayUrl } from './relay-url.mjs';

const USAGE = `usage: npm run demo [-- --url <relay URL>]

Sends every seed event, signed with the dev keys, to the local relay, then shows what became of each
(routes, deliveries, outcome) from the admin API; also a tampered delivery refused and a duplicate recognised.
  --url   the relay (default: SWITCHYARD_URL, else the running \`npm run dev\`, else http://localhost:8787)`;

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let parsed;
try {
  parsed = parseArgs({ options: { url: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
} catch (e) {
  console.error(`demo: ${e instanceof Error ? e.message.split('\n')[0] : e}\n${USAGE}`);
  process.exit(2);
}
if (parsed.values.help) {
  console.log(USAGE);
  process.exit(0);
}
const base = relayUrl(root, parsed.values.url);
const tty = process.stdout.isTTY;
const bold = (s) => (tty ? `\x1b[1m${s}\x1b[0m` : s);
const dim = (s) => (tty ? `\x1b[2m${s}\x1b[0m` : s);
const color = (code, s) => (tty ? `\x1b[${code}m${s}\x1b[0m` : s);

let dev;
try {
  dev = loadDevContext(root);
} catch (e) {
  console.error(`demo: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
const token = dev.devVars.ADMIN_TOKEN;
const run = randomBytes(3).toString('hex');

async function main() {
  const health = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) }).catch(() => null);
  if (!health?.ok) {
    console.error(`demo: no relay answers at ${base}. Start it in another terminal with: npm run dev (or pass --url / set SWITCHYARD_URL)`);
    process.exit(1);
  }
  if (!token) {
    console.error('demo: ADMIN_TOKEN is not in .dev.vars: run npm run dev once first');
    process.exit(1);
  }

  const fixtures = ['prequel', 'prelude', 'standard-webhooks'].flatMap((dir) =>
    readdirSync(join(root, 'test/fixtures', dir))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((f) => ({ name: `${dir}/${f.replace(/\.json$/, '')}`, text: readFileSync(join(root, 'test/fixtures', dir, f), 'utf8') })),
  );
  console.log(bold(`Switchyard demo: ${fixtures.length} seed deliveries, signed with the dev keys, to ${base}\n`));

  const sent = [];
  for (const [i, fixture] of fixtures.entries()) {
    const body = mark(JSON.parse(fixture.text));
    const source = dev.sourceFor(JSON.parse(body));
    const res = await post(source, body);
    const answer = await res.json();
    sent.push({ fixture: fixture.name, source, body, status: res.status, answer });
    const what = res.ok ? `${answer.accepted} accepted${answer.duplicates ? `, ${answer.duplicates} duplicate` : ''}` : answer.error?.reason;
    console.log(
      `${dim(`[${String(i + 1).padStart(2)}/${fixtures.length}]`)} ${fixture.name.padEnd(52)} ${res.ok ? color(32, res.status) : color(31, res.status)} ${what}`,
    );
  }

  // A tampered delivery: signed, then one byte of the body changed, as an attacker would.
  const original = sent.find((s) => s.source === 'prequel');
  const tamperedBody = original.body.replace('"data"', '"dat\\u0061"');
  const tampered = await fetch(`${base}/hooks/prequel`, { method: 'POST', headers: dev.headersFor('prequel', original.body), body: tamperedBody });
  console.log(`\n${bold('Tampered')} (signed, then the body changed): ${tampered.status} ${(await tampered.json()).error?.reason}`);
  // A repeat of a delivery already accepted: the vendor retrying.
  const again = await post(original.source, original.body);
  const againBody = await again.json();
  console.log(`${bold('Duplicate')} (the same delivery again): ${again.status} duplicates=${againBody.duplicates} — not delivered twice`);

  process.stdout.write(`\n${dim('waiting for the deliveries…')}`);
  const events = sent.flatMap((s) => (s.answer.events ?? []).map((e) => ({ ...e, source: s.source, fixture: s.fixture })));
  const traces = await settleTraces(events);
  process.stdout.write(tty ? '\r\x1b[K' : '\n');

  const rows = events.map((e) => {
    const t = traces.get(`${e.source}/${e.id}`);
    const routes = t ? t.routing.matched.map((r) => r.name) : [];
    const deliveries = t ? t.jobs.map((j) => `${j.target}: ${j.status}${j.status === 'suppressed' || j.status === 'dead' ? ` (${short(j.why)})` : ''}`) : [];
    return {
      event: `${e.type} ${dim(`(${e.source})`)}`,
      'event id': e.id,
      routes: routes.length ? routes.map(short).join('; ') : dim('no route matched'),
      deliveries: deliveries.length ? deliveries.join(', ') : dim('—'),
      outcome: outcome(t),
    };
  });
  table(rows);

  // An incident from start to finish: a failure blamed on our side pages and posts; its success resolves both.
  const incident = await incidentStory();

  console.log(`\nSee them as their receivers would: ${bold(`${base}/inbox`)} (sign in with ADMIN_TOKEN from .dev.vars)`);
  console.log(`Each event's whole trace (the admin token is ADMIN_TOKEN in .dev.vars):`);
  console.log(dim(`  ADMIN_TOKEN=$(sed -n 's/^ADMIN_TOKEN="\\(.*\\)"$/\\1/p' .dev.vars)`));
  console.log(dim(`  curl -H "authorization: Bearer $ADMIN_TOKEN" ${base}/admin/events/prequel/${incident ?? '<event id>'}`));
}

/**
 * A first-party transfer failure, then its destination's success. The example groups transfer failures: the
 * failure joins its group, which pages and posts once group_wait (10 s) has passed; the success resolves the
 * member, and with it the group (its page resolves, its Slack message turns green) when no other member fails.
 */
async function incidentStory() {
  const seed = (name) => JSON.parse(readFileSync(join(root, 'test/fixtures/prequel', `${name}.json`), 'utf8'));
  const destination = `dst_demo_${run}`;
  const failure = seed('transfer.error');
  failure.data = {
    ...failure.data,
    destination_id: destination,
    destination_name: `Demo warehouse ${run}`,
    transfer_blamed_party: 'first_party',
    demo_run: run,
  };
  const success = seed('transfer.success');
  success.data = { ...success.data, destination_id: destination, destination_name: `Demo warehouse ${run}`, demo_run: run };
  console.log(bold(`\nAn incident, start to finish (destination ${destination})`));
  const opened = await (await post('prequel', JSON.stringify(failure))).json();
  const failureId = opened.events?.[0]?.id;
  const first = failureId ? (await settleTraces([{ source: 'prequel', id: failureId }])).get(`prequel/${failureId}`) : null;
  const groupId = first?.jobs.map((j) => /GET \/admin\/groups\/([0-9a-f]{32})/.exec(j.why ?? '')?.[1]).find(Boolean);
  if (!groupId) {
    // Rules of one's own that do not group: the page and the Slack post go out at once.
    console.log(`  transfer.error  ${dim(failureId ?? '?')}  → ${first ? first.jobs.map((j) => `${j.target}: ${j.status}`).join(', ') : 'no trace'}`);
  } else {
    const before = await group(groupId);
    console.log(`  transfer.error  ${dim(failureId ?? '?')}  → grouped into ${before?.key ?? groupId} ${dim(`(GET /admin/groups/${groupId})`)}`);
    if (before?.status === 'firing') {
      console.log(dim(`  the group is already firing (${before.counts.firing} failing): it tells of the new member within group_interval`));
    } else {
      const t0 = Date.now();
      const notified = await groupNotified(groupId, before?.notifications ?? 0, (before?.timing.group_wait_ms ?? 10_000) + 15_000);
      console.log(
        `  ${dim(`after ${((Date.now() - t0) / 1000).toFixed(0)} s`)}  group notification ${notified ? `#${notified.n} (${notified.reason})` : 'not yet'} → ${notified?.deliveries ?? dim('still collecting')}  ${dim('(one page, one Slack message for the whole group)')}`,
      );
    }
  }
  const closed = await (await post('prequel', JSON.stringify(success))).json();
  const successId = closed.events?.[0]?.id;
  const second = successId ? (await settleTraces([{ source: 'prequel', id: successId }])).get(`prequel/${successId}`) : null;
  const effects = second ? second.jobs.filter((j) => j.target !== 'oncall' || j.status !== 'suppressed') : [];
  if (!groupId) {
    console.log(
      `  transfer.success ${dim(successId ?? '?')} → ${effects.map((j) => `${j.target}: ${j.status}`).join(', ') || 'no trace'}  ${dim('(the page resolves, the Slack message turns green)')}`,
    );
    return failureId ?? null;
  }
  const now = await group(groupId);
  if (now?.status === 'resolved') {
    const notified = await groupNotified(groupId, now.notifications - 1, 15_000);
    console.log(
      `  transfer.success ${dim(successId ?? '?')} → group notification #${notified?.n ?? '?'} (${notified?.reason ?? '?'}) → ${notified?.deliveries ?? dim('under way')}  ${dim('(the page resolves, the Slack message turns green)')}`,
    );
  } else {
    console.log(
      `  transfer.success ${dim(successId ?? '?')} → member resolved; ${now?.counts.firing ?? '?'} other member(s) still failing, so the group stays open`,
    );
  }
  return failureId ?? null;
}

async function group(id) {
  const res = await fetch(`${base}/admin/groups/${id}`, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? (await res.json()).group : null;
}

/** The group's next notification after `seen` ones, once its jobs have settled (null if none comes in time). */
async function groupNotified(id, seen, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const g = await group(id);
    if (g && g.notifications > seen) {
      const n = g.notifications;
      const t = (await settleTraces([{ source: 'switchyard', id: `group:${id}:${n}` }])).get(`switchyard/group:${id}:${n}`);
      return { n, reason: t?.event.meta?.notification_reason ?? '?', deliveries: t ? t.jobs.map((j) => `${j.target}: ${j.status}`).join(', ') : '?' };
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return null;
}

/** This run's copy of a seed: ids suffixed (Prelude), a marker field (Prequel, whose ids hash the body). */
function mark(payload) {
  if (Array.isArray(payload.events)) payload.events = payload.events.map((e) => (e.id ? { ...e, id: `${e.id}_demo${run}` } : e));
  else if (typeof payload.id === 'string' && payload.id.startsWith('evt_')) payload.id = `${payload.id}_demo${run}`;
  else if (payload.data && typeof payload.data === 'object') payload.data = { ...payload.data, demo_run: run };
  return JSON.stringify(payload);
}

function post(source, body) {
  return fetch(`${base}/hooks/${source}`, { method: 'POST', headers: dev.headersFor(source, body), body });
}

async function trace(source, id) {
  const res = await fetch(`${base}/admin/events/${source}/${encodeURIComponent(id)}`, { headers: { authorization: `Bearer ${token}` } });
  return res.ok ? res.json() : null;
}

/** Traces once every job has settled (or after 20 s, showing what is still under way). */
async function settleTraces(events) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const traces = new Map(await Promise.all(events.map(async (e) => [`${e.source}/${e.id}`, await trace(e.source, e.id)])));
    const pending = [...traces.values()].filter((t) => t?.jobs.some((j) => ['queued', 'sending'].includes(j.status))).length;
    if (pending === 0 || Date.now() > deadline) return traces;
    await new Promise((r) => setTimeout(r, 500));
  }
}

function outcome(t) {
  if (!t) return color(33, 'not found');
  if (t.jobs.length === 0) return dim('nothing to send');
  const statuses = t.jobs.map((j) => j.status);
  if (statuses.every((s) => s === 'delivered')) return color(32, 'delivered');
  if (statuses.some((s) => s === 'dead')) return color(31, 'dead letter');
  if (statuses.some((s) => ['queued', 'sending', 'retrying'].includes(s))) return color(33, 'under way');
  return statuses.some((s) => s === 'delivered') ? color(32, 'delivered, some suppressed') : dim('suppressed');
}

const short = (s) => (s && s.length > 48 ? `${s.slice(0, 47)}…` : s);
// eslint-disable-next-line no-control-regex
const visible = (s) => s.replace(/\x1b\[[0-9;]*m/g, '').length;

function table(rows) {
  const cols = ['event', 'event id', 'routes', 'deliveries', 'outcome'];
  // Event ids are shown whole, so that the admin API examples can be copied.
  const width = Object.fromEntries(cols.map((c) => [c, Math.min(c === 'event id' ? 80 : 60, Math.max(c.length, ...rows.map((r) => visible(r[c]))))]));
  const cut = (s, w) => (visible(s) <= w ? s : `${s.replace(/\x1b\[[0-9;]*m/g, '').slice(0, w - 1)}…`); // eslint-disable-line no-control-regex
  const pad = (s, w) => cut(s, w) + ' '.repeat(Math.max(0, w - visible(cut(s, w))));
  console.log(bold(cols.map((c) => pad(c, width[c])).join('  ')));
  for (const r of rows) console.log(cols.map((c) => pad(r[c], width[c])).join('  '));
}

await main();
