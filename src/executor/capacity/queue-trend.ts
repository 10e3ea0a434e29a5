/**
 * Does a queue grow? The SDK runs' pending records sampled through a step's window, fitted with
 * an ordinary least-squares line; the growth counted is the slope less two of its standard errors
 * (so the sawtooth of the 1 s sync cycles is not mistaken for growth), as a share of the records
 * logged per second: the share of the load the target did not keep up with. Samples within one
 * sync cycle are not independent (4 a cycle at 250 ms), so the standard error is computed with a
 * quarter of the samples as the effective count — twice the plain OLS error.
 */

/** Samples per effectively independent one: QUEUE_SAMPLE_MS = 250 ms in a 1 s sync cycle. */
export const CORRELATED_SAMPLES = 4;
export interface QueueSample {
  /** Seconds since the window began. */
  t: number;
  pending: number;
}

export interface QueueTrend {
  /** Records a second (least squares). */
  slope: number;
  /** Its standard error (0 with fewer than 3 samples). */
  slopeError: number;
}

export function queueTrend(samples: readonly QueueSample[]): QueueTrend {
  const n = samples.length;
  if (n < 2) return { slope: 0, slopeError: 0 };
  const mt = samples.reduce((a, s) => a + s.t, 0) / n;
  const mp = samples.reduce((a, s) => a + s.pending, 0) / n;
  let sxx = 0, sxy = 0;
  for (const s of samples) {
    sxx += (s.t - mt) ** 2;
    sxy += (s.t - mt) * (s.pending - mp);
  }
  if (sxx === 0) return { slope: 0, slopeError: 0 };
  const slope = sxy / sxx;
  if (n < 3) return { slope, slopeError: 0 };
  let sse = 0;
  for (const s of samples) sse += (s.pending - (mp + slope * (s.t - mt))) ** 2;
  return { slope, slopeError: Math.sqrt(sse / (n - 2) / sxx) * Math.sqrt(Math.min(CORRELATED_SAMPLES, n / 3)) };
}

/** 1 − (significant growth ÷ records logged a second), within 0…1. */
export function keptUpShare(trend: QueueTrend, loggedPerS: number): number {
  if (!(loggedPerS > 0)) return 0;
  const growth = Math.max(0, trend.slope - 2 * trend.slopeError);
  return Math.min(1, Math.max(0, 1 - growth / loggedPerS));
}
