/**
 * How much of a reported latency can be the generator's own: a response that arrives while the
 * generator's event loop is busy, or stopped by a garbage collection, is timed late by that much.
 * The generator-health monitor (src/run/health/generator-health.ts) samples the loop's lateness and
 * counts GC pauses while the load runs; when the lateness p99 is above max(2 ms, 2 % of the
 * reported p99), the reported tail is not the target's alone and one process is too few for this
 * load: the run says so and points to `--workers` (bench/RESULTS.md, timing-fidelity, shows how
 * the error grows with users on one process).
 */

/** Loop lateness at p99 the run tolerates before it warns (issue 15's 200-user bound)… */
export const TIMING_LATENESS_P99_LIMIT_MS = 2;
/** …or this share of the reported p99, whichever is larger. */
export const TIMING_LATENESS_SHARE = 0.02;

/** Node's flag that turns V8's memory reducer off; it works only on the command line (bench/RESULTS.md, timing-fidelity). */
export const NO_MEMORY_REDUCER = '--no-memory-reducer';

/**
 * The warning for a lateness p99 against the reported p99 ('' when within the limit).
 * `memoryReducerOff`: whether this process was started with --no-memory-reducer. When a GC pause
 * was longer than the tolerated lateness and it was not, the warning names the flag: at low load
 * V8's memory reducer runs mark-compacts ~8 s after start-up whose 10–40 ms pauses are the
 * longest a lightly loaded generator has (bench/RESULTS.md, timing-fidelity).
 */
export function timingWarning(latenessP99Ms: number, reportedP99Ms: number, gc: { pauses: number; maxMs: number }, memoryReducerOff = true): string {
  const limit = Math.max(TIMING_LATENESS_P99_LIMIT_MS, TIMING_LATENESS_SHARE * reportedP99Ms);
  if (latenessP99Ms <= limit) return '';
  const pauses = gc.pauses > 0 ? ` (${gc.pauses} GC pauses, the longest ${gc.maxMs} ms)` : '';
  const reducer = !memoryReducerOff && gc.maxMs > limit
    ? ` A single process can also be started as \`node ${NO_MEMORY_REDUCER} $(npm root)/.bin/mlop-sim …\` (V8's memory reducer pauses it for 10–40 ms at low load; --workers processes start with it).`
    : '';
  return `mlop-sim's own event loop ran up to ${latenessP99Ms} ms late at p99${pauses}, above the ${round(limit)} ms it tolerates: ` +
    `the reported tail latencies may include that much of the generator's own delay; spread the users over more processes (--workers).${reducer}`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
