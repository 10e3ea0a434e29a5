/**
 * Correction for testing many (entry, quantile) pairs at once: Bonferroni (Dunn 1961). Each of
 * m two-sided intervals is built at level 1 − α/m, so the chance that any of them misses its
 * true value is at most α, whatever the dependence between them (the aggregate and its own
 * routes are strongly dependent). Holm's step-down (Holm 1979) rejects at least as often for
 * tests, but it does not give intervals; the verdict decides by intervals, so it uses the
 * Bonferroni level (docs/statistics.md "Many tests").
 */
import { normalQuantile } from './normal.js';

/** The z of a two-sided interval at family-wise level 1 − α over m intervals. */
export function bonferroniZ(alpha: number, m: number): number {
  return normalQuantile(1 - alpha / (2 * Math.max(1, m)));
}

/** Holm's adjusted p-values (for reports that want them): max over i ≤ k of (m − i + 1)·p(i), capped at 1, in input order. */
export function holmAdjust(ps: readonly number[]): number[] {
  const m = ps.length;
  const order = ps.map((p, i) => [p, i] as const).sort((a, b) => a[0] - b[0]);
  const out = new Array<number>(m);
  let running = 0;
  order.forEach(([p, i], rank) => {
    running = Math.max(running, Math.min(1, (m - rank) * p));
    out[i] = running;
  });
  return out;
}
