/**
 * What a page that connects late costs the generator (bench/RESULTS.md "A page opened late"): the
 * http scenario's statistics at 10,000 requests/s on a simulated clock (simulated-http-run.ts),
 * and every --every simulated seconds the update a connecting page gets
 * (output/web updateEvent, full) and the once-a-second one, timed 3 times each. Both hold the
 * event loop while they are built, so their wall time is what the load waits.
 *
 * Usage: taskset -c 1 node --import tsx bench/lib/greeting-probe.ts [--seconds 400] [--every 100]
 */
import { updateEvent } from '../../src/output/web/index.js';
import { numberArg } from './args.js';
import { simulatedHttpRun } from './simulated-http-run.js';

const SECONDS = numberArg('--seconds', 400);
const EVERY = numberArg('--every', 100);
const sim = await simulatedHttpRun(SECONDS);
const timed = (full: boolean): { ms: number; kb: number } => {
  const a = performance.now();
  const text = updateEvent(sim.run, 'running', full, sim.now);
  return { ms: performance.now() - a, kb: Buffer.byteLength(text) / 1024 };
};
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
for (let s = 0; s < SECONDS; s++) {
  sim.record(s, 0, 10_000);
  if ((s + 1) % EVERY !== 0) continue;
  sim.now = sim.t0 + (s + 1) * 1000 + 30;
  const full = [timed(true), timed(true), timed(true)], recent = [timed(false), timed(false), timed(false)];
  console.log(JSON.stringify({
    atS: s + 1, connectMs: median(full.map((x) => x.ms)), connectKB: Math.round(full[0]!.kb), updateMs: median(recent.map((x) => x.ms)), updateKB: Math.round(recent[0]!.kb),
  }));
}
