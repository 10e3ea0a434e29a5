/**
 * Time windows of a run for the regression verdict (docs/statistics.md "The unit is the window"):
 * the per-second buckets of the selected entries grouped into WINDOW_S-second windows aligned on
 * the epoch (so workers' and shards' windows line up and merge), each with its count, failures
 * and a small digest. Seconds a long run has already folded into minutes (time-series.ts: older
 * than its last five minutes) stay one minute-wide window each: their seconds are gone.
 */
import { Digest } from './digest.js';
import { minuteOf, SECOND_COMPRESSION, type TimeSeries } from './time-series.js';

export const WINDOW_S = 5;

export interface RunWindow {
  /** Epoch second the window starts. */
  t: number;
  /** Seconds it covers (WINDOW_S, 60 for a folded minute, fewer at the fold's edge). */
  span: number;
  count: number;
  failures: number;
  digest: Digest;
}

/** The windows of the union of `series`, oldest first; `foldedUntil` as Recorder.history() reads it. */
export function windowsOf(series: readonly TimeSeries[], foldedUntil: number): RunWindow[] {
  const byStart = new Map<number, RunWindow>();
  for (const s of series) {
    for (const b of s.all()) {
      let start: number, span: number;
      if (b.t < foldedUntil) {
        start = minuteOf(b.t);
        span = Math.min(start + 60, foldedUntil) - start;
      } else {
        const aligned = Math.floor(b.t / WINDOW_S) * WINDOW_S;
        start = Math.max(aligned, foldedUntil);
        span = aligned + WINDOW_S - start;
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
