/**
 * The live page's once-a-second update timed in one process (bench/RESULTS.md "The update's reads made cheaper"):
 * a recorder on a simulated clock fed the http scenario's samples at 10,000 requests/s (three
 * routes and the two iteration entries: 30,000 samples a second, seeded lognormal latencies
 * around 0.8 ms), and --phase ms into each simulated second the update event the page sends
 * (output/web updateEvent on the live result of run/live-result.ts). Prints the median CPU µs of
 * the recording per second and of the update, over the last --n of --n + 10 seconds.
 *
 * Usage: taskset -c 1 node --import tsx bench/lib/live-update-probe.ts [--n 60] [--phase 30] [--no-update]
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

const N = numberArg('--n', 60);
/** `--no-update`: the recording alone, to see how much of the update's digest work the recording saves. */
const UPDATE = !process.argv.includes('--no-update');
/** Where in each second the update runs, ms after the second starts (the page's timer: just after a second ends). */
const PHASE_MS = numberArg('--phase', 30);
const SECONDS = N + 10;
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
const cpuUs = (f: () => void): number => {
  const a = process.cpuUsage();
  f();
  const b = process.cpuUsage(a);
  return b.user + b.system;
};
const recording: number[] = [], updates: number[] = [];
let bytes = 0;
let i = 0;
const record = (s: number, fromK: number, toK: number): void => {
  for (let k = fromK; k < toK; k++, i++) {
    now = t0 + s * 1000 + k / 10;
    const ms = latency();
    recorder.record('POST', routes[i % 3]!, ms, i % 500 !== 0, 200);
    recorder.record(ITERATION_ACTUAL_ENTRY.method, ITERATION_ACTUAL_ENTRY.route, ms, true);
    recorder.record(ITERATION_CORRECTED_ENTRY.method, ITERATION_CORRECTED_ENTRY.route, ms + 0.01, true);
  }
};
const split = Math.round(PHASE_MS * 10);
for (let s = 0; s < SECONDS; s++) {
  let us = cpuUs(() => record(s, 0, split));
  if (UPDATE) {
    now = t0 + s * 1000 + PHASE_MS;
    updates.push(cpuUs(() => { bytes = updateEvent(run!, 'running', false, now).length; }));
  }
  us += cpuUs(() => record(s, split, 10_000));
  recording.push(us);
}
const median = (xs: number[]): number => {
  const v = xs.slice(-N).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
};
console.log(JSON.stringify({ seconds: N, recordingUsPerS: median(recording), ...(UPDATE ? { updateUs: median(updates), updateKB: Math.round(bytes / 1024) } : {}) }));
