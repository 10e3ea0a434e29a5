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
import { updateEvent } from '../../src/output/web/index.js';
import { numberArg } from './args.js';
import { simulatedHttpRun } from './simulated-http-run.js';

const N = numberArg('--n', 60);
/** `--no-update`: the recording alone, to see how much of the update's digest work the recording saves. */
const UPDATE = !process.argv.includes('--no-update');
/** Where in each second the update runs, ms after the second starts (the page's timer: just after a second ends). */
const PHASE_MS = numberArg('--phase', 30);
const SECONDS = N + 10;
const sim = await simulatedHttpRun(SECONDS);
const cpuUs = (f: () => void): number => {
  const a = process.cpuUsage();
  f();
  const b = process.cpuUsage(a);
  return b.user + b.system;
};
const recording: number[] = [], updates: number[] = [];
let bytes = 0;
const split = Math.round(PHASE_MS * 10);
for (let s = 0; s < SECONDS; s++) {
  let us = cpuUs(() => sim.record(s, 0, split));
  if (UPDATE) {
    sim.now = sim.t0 + s * 1000 + PHASE_MS;
    updates.push(cpuUs(() => { bytes = updateEvent(sim.run, 'running', false, sim.now).length; }));
  }
  us += cpuUs(() => sim.record(s, split, 10_000));
  recording.push(us);
}
const median = (xs: number[]): number => {
  const v = xs.slice(-N).sort((a, b) => a - b);
  return v[Math.floor(v.length / 2)]!;
};
console.log(JSON.stringify({ seconds: N, recordingUsPerS: median(recording), ...(UPDATE ? { updateUs: median(updates), updateKB: Math.round(bytes / 1024) } : {}) }));
