/**
 * Does the ClickHouse visibility lag grow over a step's judged window? The `E2E log→visible`
 * entry's median per 1 s window (seconds without a probe sample are left out), fitted with the
 * same ordinary least-squares line as the SDK queues (queue-trend.ts: slope less two standard
 * errors, the errors widened for samples that are not independent). The growth counted is that
 * lower bound times the window's length: how much later a record logged at the window's end
 * became visible than one logged at its start, beyond noise. A pipeline that keeps up has a flat
 * lag (its level is the `visible:` SLO's business); one that falls behind builds a backlog, and
 * the lag climbs by the backlog's drain time.
 */
import { queueTrend } from './queue-trend.js';

/** The lag must grow by at least this much over the window to count (ms): below, probe noise. */
export const LAG_GROWTH_MIN_MS = 250;
/** …and by at least this share of its median level in the window. */
export const LAG_GROWTH_SHARE = 0.25;
/** Fewer windows with samples than this: no trend is judged. */
export const LAG_MIN_WINDOWS = 4;

export interface LagWindow {
  /** Seconds since the judged window began. */
  t: number;
  /** The window's median time to visible (ms). */
  lagMs: number;
}

export interface LagTrend {
  /** ms of lag per second of the window (least squares). */
  slopeMsPerS: number;
  slopeError: number;
  /** Growth over the window beyond noise: max(0, slope − 2·error) × window length (ms). */
  growthMs: number;
  /** The median of the windows' lag (ms). */
  levelMs: number;
  /** Whether the growth counts: over LAG_GROWTH_MIN_MS and LAG_GROWTH_SHARE of the level. */
  grew: boolean;
  windows: number;
}

export function lagTrend(windows: readonly LagWindow[], windowS: number): LagTrend {
  const sorted = windows.map((w) => w.lagMs).sort((a, b) => a - b);
  const levelMs = sorted.length === 0 ? 0 : sorted[Math.floor((sorted.length - 1) / 2)];
  if (windows.length < LAG_MIN_WINDOWS) return { slopeMsPerS: 0, slopeError: 0, growthMs: 0, levelMs, grew: false, windows: windows.length };
  const { slope, slopeError } = queueTrend(windows.map((w) => ({ t: w.t, pending: w.lagMs })));
  const growthMs = Math.max(0, slope - 2 * slopeError) * windowS;
  const grew = growthMs > Math.max(LAG_GROWTH_MIN_MS, LAG_GROWTH_SHARE * levelMs);
  return { slopeMsPerS: slope, slopeError, growthMs, levelMs, grew, windows: windows.length };
}
