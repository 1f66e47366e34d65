// Where the ingest path spends its CPU inside workerd: runs the benchmark Worker under the V8 inspector's
// sampling profiler and prints the hottest source lines of the bundle.
//   node bench/profile-ingest.mjs [case=prequel-2k] [mode=ingest]     (cases and modes as in ingest-bench.mjs)
import WebSocket from 'ws';
import { startIngestWorker } from './ingest-bench.mjs';

const [caseName = 'prequel-2k', mode = 'ingest'] = process.argv.slice(2);
const INSPECTOR_PORT = 9339;

const { mf, script: source } = await startIngestWorker({ inspectorPort: INSPECTOR_PORT });
await mf.dispatchFetch(`http://bench/?case=${caseName}&mode=${mode}&n=200`); // warm up

const [target] = await (await fetch(`http://127.0.0.1:${INSPECTOR_PORT}/json`)).json();
const ws = new WebSocket(target.webSocketDebuggerUrl);
await new Promise((resolve) => ws.on('open', resolve));
let nextId = 0;
const pending = new Map();
ws.on('message', (raw) => {
  const msg = JSON.parse(raw);
  pending.get(msg.id)?.(msg);
  pending.delete(msg.id);
});
const send = (method, params = {}) => new Promise((resolve) => (pending.set(++nextId, resolve), ws.send(JSON.stringify({ id: nextId, method, params }))));

await send('Profiler.enable');
await send('Profiler.setSamplingInterval', { interval: 50 });
await send('Profiler.start');
await mf.dispatchFetch(`http://bench/?case=${caseName}&mode=${mode}&n=20000`);
const { result } = await send('Profiler.stop');
ws.close();
await mf.dispose();

const lines = source.split('\n');
const ticks = new Map();
for (const node of result.profile.nodes) {
  for (const t of node.positionTicks ?? []) {
    const key = `${node.callFrame.functionName || '(anonymous)'}:${t.line}`;
    ticks.set(key, (ticks.get(key) ?? 0) + t.ticks);
  }
}
const total = [...ticks.values()].reduce((a, b) => a + b, 0);
console.log(`hottest lines, ${caseName} / ${mode} (share of sampled JS time):`);
for (const [key, n] of [...ticks].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
  const line = Number(key.split(':').pop());
  console.log(`${((n / total) * 100).toFixed(1).padStart(5)}%  ${key.padEnd(28)} ${lines[line - 1].trim().slice(0, 100)}`);
}
