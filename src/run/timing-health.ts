/**
 * How much of a reported latency can be the generator's own: a response that arrives while the
 * generator's event loop is busy, or stopped by a garbage collection, is timed late by that much.
 * While the load runs, the event loop's lateness is sampled (perf_hooks.monitorEventLoopDelay)
 * and GC pauses are counted (PerformanceObserver 'gc'). When the loop's p99 lateness is above
 * max(2 ms, 2 % of the reported p99), the reported tail is not the target's alone and one process
 * is too few for this load: the run says so and points to `--workers` (bench/RESULTS.md,
 * timing-fidelity, shows how the error grows with users on one process).
 */
import { monitorEventLoopDelay, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';

/** Loop lateness at p99 the run tolerates before it warns (issue 15's 200-user bound)… */
export const TIMING_LATENESS_P99_LIMIT_MS = 2;
/** …or this share of the reported p99, whichever is larger. */
export const TIMING_LATENESS_SHARE = 0.02;
const RESOLUTION_MS = 10;

/** What the monitor saw (the result's `generatorTiming`, metrics/result.ts, adds the warning). */
export interface TimingFigures {
  /** The generator's event-loop lateness over the load, ms (beyond the sampling period). */
  latenessMs: { p50: number; p99: number; max: number };
  /** Garbage-collection pauses during the load: how many, their sum and the longest, ms. */
  gc: { pauses: number; totalMs: number; maxMs: number };
}

export interface TimingHealth extends TimingFigures {
  /** One sentence when the generator's own lateness may be part of the reported tail; else ''. */
  warning: string;
}

export class TimingMonitor {
  private readonly histogram: IntervalHistogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  private observer: PerformanceObserver | undefined;
  private pauses = 0;
  private totalMs = 0;
  private maxMs = 0;

  start(): void {
    this.histogram.enable();
    this.observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) this.addPause(e.duration);
    });
    this.observer.observe({ entryTypes: ['gc'] });
  }

  /** Stops watching and returns what it saw (judge it with judgeTiming once the p99 is known). */
  stop(): TimingFigures {
    this.histogram.disable();
    if (this.observer) {
      for (const e of this.observer.takeRecords()) this.addPause(e.duration);
      this.observer.disconnect();
    }
    const h = this.histogram;
    const late = (ns: number): number => round(Math.max(0, ns / 1e6 - RESOLUTION_MS));
    const latenessMs = h.count > 0 ? { p50: late(h.percentile(50)), p99: late(h.percentile(99)), max: late(h.max) } : { p50: 0, p99: 0, max: 0 };
    const gc = { pauses: this.pauses, totalMs: round(this.totalMs), maxMs: round(this.maxMs) };
    return { latenessMs, gc };
  }

  private addPause(ms: number): void {
    this.pauses++;
    this.totalMs += ms;
    this.maxMs = Math.max(this.maxMs, ms);
  }
}

/** The figures with their warning against the run's reported (aggregated) p99. */
export function judgeTiming(f: TimingFigures, reportedP99Ms: number): TimingHealth {
  return { ...f, warning: timingWarning(f.latenessMs.p99, reportedP99Ms, f.gc) };
}

/** The warning for a lateness p99 against the reported p99 ('' when within the limit). */
export function timingWarning(latenessP99Ms: number, reportedP99Ms: number, gc: TimingFigures['gc']): string {
  const limit = Math.max(TIMING_LATENESS_P99_LIMIT_MS, TIMING_LATENESS_SHARE * reportedP99Ms);
  if (latenessP99Ms <= limit) return '';
  const pauses = gc.pauses > 0 ? ` (${gc.pauses} GC pauses, the longest ${gc.maxMs} ms)` : '';
  return `mlop-sim's own event loop ran up to ${latenessP99Ms} ms late at p99${pauses}, above the ${round(limit)} ms it tolerates: ` +
    `the reported tail latencies may include that much of the generator's own delay; spread the users over more processes (--workers).`;
}

function round(x: number): number {
  return Math.round(x * 10) / 10;
}
