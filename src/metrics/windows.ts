/**
 * Time windows of a run for the regression verdict (docs/statistics.md "The unit is the window"):
 * the per-second buckets of the selected entries grouped into windows of `width` seconds aligned
 * on the epoch (so workers' and shards' windows line up and merge), each with its count, failures
 * and a small digest. The width is WINDOW_S (5 s) once a run is long enough for MIN_WINDOWS of
 * them, and narrower for shorter runs (a 30 s run: 1 s windows), so that an interval always has
 * about 30 units to estimate its spread from (windowWidth). Seconds a long run has already folded into minutes (time-series.ts: older
 * than its last five minutes) stay one minute-wide window each: their seconds are gone.
 */
import { Digest } from './digest.js';
import { minuteOf, SECOND_COMPRESSION, type TimeSeries } from './time-series.js';

export const WINDOW_S = 5;
/** Windows a run should have at least, where its length allows (1 s windows at the least). */
export const MIN_WINDOWS = 30;

/** The window width for a run of `durationS` seconds: 1 … WINDOW_S, ⌊duration / MIN_WINDOWS⌋. */
export function windowWidth(durationS: number): number {
  return Math.max(1, Math.min(WINDOW_S, Math.floor(durationS / MIN_WINDOWS)));
}

export interface RunWindow {
  /** Epoch second the window starts. */
  t: number;
  /** Seconds it covers (the width, 60 for a folded minute, fewer at the fold's edge). */
  span: number;
  count: number;
  failures: number;
  digest: Digest;
}

/** The windows of the union of `series`, oldest first; `foldedUntil` as Recorder.history() reads it. */
export function windowsOf(series: readonly TimeSeries[], foldedUntil: number, width = WINDOW_S): RunWindow[] {
  const byStart = new Map<number, RunWindow>();
  for (const s of series) {
    for (const b of s.all()) {
      let start: number, span: number;
      if (b.t < foldedUntil) {
        start = minuteOf(b.t);
        span = Math.min(start + 60, foldedUntil) - start;
      } else {
        const aligned = Math.floor(b.t / width) * width;
        start = Math.max(aligned, foldedUntil);
        span = aligned + width - start;
      }
      let w = byStart.get(start);
      if (w === undefined) {
        w = { t: start, span, count: 0, failures: 0, digest: new Digest(SECOND_COMPRESSION) };
        byStart.set(start, w);
      }
      w.count += b.count;
      w.failures += b.failures;
      w.digest.merge(b.digest);
    }
  }
  return [...byStart.values()].sort((a, b) => a.t - b.t);
}
