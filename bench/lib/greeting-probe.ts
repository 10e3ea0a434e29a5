/**
 * What a page that connects late costs the generator (bench/RESULTS.md "A page opened late"): a
 * recorder on a simulated clock fed the http scenario's samples at 10,000 requests/s (three routes
 * and the two iteration entries, seeded lognormal latencies around 0.8 ms, as
 * live-update-probe.ts), and every --every simulated seconds the update a connecting page gets
 * (output/web updateEvent, full) and the once-a-second one, timed 3 times each. Both hold the
 * event loop while they are built, so their wall time is what the load waits.
 *
 * Usage: taskset -c 1 node --import tsx bench/lib/greeting-probe.ts [--seconds 400] [--every 100]
 */
import { ITERATION_ACTUAL_ENTRY, ITERATION_CORRECTED_ENTRY } from '../../src/core/entry-names.js';
import { mulberry32 } from '../../src/core/random.js';
import { Recorder } from '../../src/metrics/recorder.js';
import type { LiveRun } from '../../src/output/index.js';
import { updateEvent } from '../../src/output/web/index.js';
import { defineRun } from '../../src/run/definition.js';
import { thresholdSpecs } from '../../src/run/judging/gates.js';
import { attachLive } from '../../src/run/live-result.js';
import { numberArg } from './args.js';

const SECONDS = numberArg('--seconds', 400);
const EVERY = numberArg('--every', 100);
const t0 = Math.floor(Date.now() / 1000) * 1000 - SECONDS * 1000;
let now = t0;
const recorder = new Recorder({ now: () => now, startMs: t0 });
const routes = ['/ingest/metrics', '/ingest/logs', '/ingest/data'];
const def = await defineRun({ scenario: 'http', arrivalRate: '10000', runTime: `${SECONDS}s`, reportDir: false });
let run: LiveRun | undefined;
attachLive([{ name: 'probe', attach: (live) => { run = live; }, stop: async () => [] }], {
  stats: () => recorder, activeUsers: () => 50, startedAt: new Date(t0), t0: performance.now(), loadDescription: '10000 iterations/s', resettable: recorder,
}, {
  scenario: def.scenario, judged: def.judged, plan: def.plan, dlq: {},
  specs: thresholdSpecs({ expressions: def.plan.thresholds, env: {}, overrides: {} }, def.judged),
  target: { ingestUrl: 'http://127.0.0.1:1', apiUrl: 'http://127.0.0.1:1', embedded: false },
}, new AbortController(), () => undefined);

const rnd = mulberry32(7);
const latency = (): number => 0.8 * Math.exp(0.5 * Math.sqrt(-2 * Math.log(rnd() || 1e-12)) * Math.cos(2 * Math.PI * rnd()));
const timed = (full: boolean): { ms: number; kb: number } => {
  const a = performance.now();
  const text = updateEvent(run!, 'running', full, now);
  return { ms: performance.now() - a, kb: Buffer.byteLength(text) / 1024 };
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
let i = 0;
for (let s = 0; s < SECONDS; s++) {
  for (let k = 0; k < 10_000; k++, i++) {
    now = t0 + s * 1000 + k / 10;
    const ms = latency();
    recorder.record('POST', routes[i % 3]!, ms, i % 500 !== 0, 200);
    recorder.record(ITERATION_ACTUAL_ENTRY.method, ITERATION_ACTUAL_ENTRY.route, ms, true);
    recorder.record(ITERATION_CORRECTED_ENTRY.method, ITERATION_CORRECTED_ENTRY.route, ms + 0.01, true);
  }
  if ((s + 1) % EVERY !== 0) continue;
  now = t0 + (s + 1) * 1000 + 30;
  const full = [timed(true), timed(true), timed(true)], recent = [timed(false), timed(false), timed(false)];
  console.log(JSON.stringify({
    atS: s + 1, connectMs: median(full.map((x) => x.ms)), connectKB: Math.round(full[0]!.kb), updateMs: median(recent.map((x) => x.ms)), updateKB: Math.round(recent[0]!.kb),
  }));
}
