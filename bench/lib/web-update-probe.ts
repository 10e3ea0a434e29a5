/**
 * The live page's update, measured alone (used for issue 24's cuts, bench/RESULTS.md web-cost):
 * a recorder holding 60 s of the http scenario at 10,000 requests/s (three routes and the
 * iteration entries, as bench/lib/web-probe.ts records), then CPU per update of (a) what update()
 * builds — the live result with its last 3 s of history, the page body, the chart data — and
 * (b) one broadcast of that frame to 50 real event streams read by a process on core 0, and (c)
 * the update of (a) while samples keep arriving (a second of traffic recorded before each of 60
 * updates, the median of the last 50; `liveUpdateUs`). Prints one JSON line. `--dir` points at another checkout (its src/) to compare before and after.
 *
 * Usage: taskset -c 1 node --import tsx bench/lib/web-update-probe.ts [--dir PATH] [--n 200]
 */
// CPU per live update of a variant: (a) the live result + page body (update()'s work), (b) one broadcast to 50 real event streams.
import { spawn } from 'node:child_process';
import path from 'node:path';
const argAt = (f: string): string | undefined => { const i = process.argv.indexOf(f); return i > 0 ? process.argv[i + 1] : undefined; };
const dir = path.resolve(argAt('--dir') ?? path.join(import.meta.dirname, '../..'));
const N = Number(argAt('--n') ?? 200);
const CLIENTS_SCRIPT = path.join(import.meta.dirname, 'web-update-clients.mjs');
const { Recorder } = await import(`${dir}/src/metrics/recorder.ts`);
const { ITERATION_ACTUAL_ENTRY, ITERATION_CORRECTED_ENTRY } = await import(`${dir}/src/core/entry-names.ts`);
const { defineRun } = await import(`${dir}/src/run/definition.ts`);
const { thresholdSpecs } = await import(`${dir}/src/run/judging/gates.ts`);
const { attachLive } = await import(`${dir}/src/run/live-result.ts`);
const { reportMain, embeddedJson } = await import(`${dir}/src/output/html/page.ts`);
const { WebServer } = await import(`${dir}/src/output/web/server.ts`);
let now = Date.now() - 60_000;
const recorder = new Recorder({ now: () => now });
const routes = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
for (let s = 0, i = 0; s < 60; s++) for (let k = 0; k < 10_000; k++, i++) {
  now = Date.now() - 60_000 + s * 1000 + k / 10; const ms = 0.3 + ((i * 7919) % 97) / 50;
  recorder.record('POST', routes[i % 3], ms, i % 500 !== 0, 200);
  recorder.record(ITERATION_ACTUAL_ENTRY.method, ITERATION_ACTUAL_ENTRY.route, ms, true);
  recorder.record(ITERATION_CORRECTED_ENTRY.method, ITERATION_CORRECTED_ENTRY.route, ms, true);
}
const def = await defineRun({ scenario: 'http', arrivalRate: '10000', runTime: '60s', reportDir: false });
let live: any;
attachLive([{ name: 'x', attach: (l: any) => (live = l) } as any], { stats: () => recorder, activeUsers: () => 50, startedAt: new Date(), t0: performance.now() - 60_000, loadDescription: 'x', resettable: recorder },
  { scenario: def.scenario, judged: def.judged, plan: def.plan, dlq: {}, specs: thresholdSpecs({ expressions: def.plan.thresholds, env: {}, overrides: {} }, def.judged), target: { ingestUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:1', embedded: false } }, new AbortController(), () => undefined);
let from = Math.floor(now / 1000) - 3;
let frame = '';
// The update's result and chart points: live.recent() since the update carries chart points only; before that, result(from).
const recentOf = (): { result: any; history: any } => { if (live.recent) return live.recent(from); const r = live.result(from); return { result: r, history: r.history }; };
const once = () => { const { result: r, history } = recentOf(); frame = JSON.stringify({ main: reportMain(r, true), data: embeddedJson({ judged: r.judged, load: r.load, history: Object.fromEntries(Object.entries(history).map(([k, ps]: any) => [k, ps.map((p: any) => { const q: any = {}; for (const f of ['t', 'spanS', 'users', 'target', 'requests', 'failures', 'p50Ms', 'p95Ms', 'p99Ms']) if (p[f] !== undefined) q[f] = Number(p[f].toPrecision(6)); return q; })])) }) }); };
for (let i = 0; i < 30; i++) once();
let c0 = process.cpuUsage();
for (let i = 0; i < N; i++) once();
let c1 = process.cpuUsage(c0);
const updUs = (c1.user + c1.system) / N;
const part = (f: () => void) => { const c = process.cpuUsage(); for (let i = 0; i < N; i++) f(); const d = process.cpuUsage(c); return Math.round((d.user + d.system) / N); };
const rr = recentOf().result;
const parts = { result: part(() => recentOf()), main: part(() => reportMain(rr, true)), json: part(() => JSON.stringify({ main: reportMain(rr, true) })) };
// (c) the update while samples keep arriving: a second of the same traffic (varied latencies) before each update, only the update timed.
let seq = 600_000;
const liveUs: number[] = [];
for (let s = 0; s < 60; s++) {
  const base = now;
  for (let k = 0; k < 10_000; k++, seq++) {
    now = base + 0.1 * (k + 1);
    const ms = 0.3 * Math.exp(1.2 * (((seq * 2654435761) >>> 0) / 4294967296));
    recorder.record('POST', routes[seq % 3], ms, seq % 500 !== 0, 200);
    recorder.record(ITERATION_ACTUAL_ENTRY.method, ITERATION_ACTUAL_ENTRY.route, ms, true);
    recorder.record(ITERATION_CORRECTED_ENTRY.method, ITERATION_CORRECTED_ENTRY.route, ms, true);
  }
  from = Math.floor(now / 1000) - 3;
  const c = process.cpuUsage();
  once();
  const d = process.cpuUsage(c);
  if (s >= 10) liveUs.push(d.user + d.system);
}
liveUs.sort((a, b) => a - b);
const liveUpdateUs = liveUs[liveUs.length >> 1];
// (b) broadcast to 50 streams read by a child on core 0
const server = new WebServer({ host: '127.0.0.1', port: 0 }, { page: () => 'live-bar', download: () => undefined, control: () => undefined, greeting: () => '' });
await server.listen();
const child = spawn('taskset', ['-c', '0', process.execPath, CLIENTS_SCRIPT, server.url, '50'], { stdio: 'inherit' });
while (server.clientCount < 50) await new Promise((r) => setTimeout(r, 50));
const payload = process.env.SMALL ? frame.slice(0, 1000) : frame;
for (let i = 0; i < 20; i++) { server.broadcast('update', payload); await new Promise((r) => setTimeout(r, 5)); }
c0 = process.cpuUsage();
const t0 = performance.now();
for (let i = 0; i < N; i++) { server.broadcast('update', payload); await new Promise((r) => setTimeout(r, 5)); }
c1 = process.cpuUsage(c0);
const idle = process.cpuUsage(); const ti = performance.now();
for (let i = 0; i < N; i++) await new Promise((r) => setTimeout(r, 5));
const ci = process.cpuUsage(idle);
const bcUs = (c1.user + c1.system - (ci.user + ci.system)) / N;
console.log(JSON.stringify({ dir, updateUs: Math.round(updUs), liveUpdateUs, broadcastUs: Math.round(bcUs), frameBytes: Buffer.byteLength(payload), parts }));
await server.close(); child.kill(); process.exit(0);
