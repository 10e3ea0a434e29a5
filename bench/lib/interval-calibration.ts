/**
 * Are the verdict's intervals as wide as the noise they claim? Over A/A comparisons (no true
 * change), each latency test's change in ln, divided by the standard error its interval claims
 * (half its width in ln over the interval's critical value), should spread with sd ≈ 1; below 1
 * the intervals are wider than needed (conservative), above 1 narrower (false alarms beyond α).
 * With that spread, the chance that an A/A interval lies wholly beyond the minimum effect follows
 * from the normal tail — a model-based false-alarm estimate beside the counted one, for rates too
 * small to count in a bench (≤ 1 % needs ~300 comparisons to show by counting).
 */
import type { RegressionVerdict } from '../../src/metrics/verdict.js';

/** The primary test's critical value: t(1 − 0.04/2, 30 df) — 80 % of α = 0.05, docs/statistics.md. */
const PRIMARY_CRITICAL = 2.147;

export interface Calibration {
  /** Per test kind (typical, p50, p95, p99): how many tests, and the sd of z. */
  kinds: Record<string, { n: number; sdZ: number }>;
  /** Intervals that excluded 0 (of all latency tests). */
  excluding: number;
  tests: number;
  comparisons: number;
}

export function calibration(verdicts: readonly RegressionVerdict[]): Calibration {
  const zs: Record<string, number[]> = {};
  let excluding = 0, tests = 0;
  for (const v of verdicts) {
    for (const t of v.tests) {
      if (t.metric === 'error_rate' || t.outcome === 'skipped' || typeof t.lo !== 'number' || typeof t.hi !== 'number') continue;
      const critical = t.metric === 'typical' ? PRIMARY_CRITICAL : v.z;
      const l = Math.log1p(t.lo), h = Math.log1p(t.hi);
      (zs[t.metric] ??= []).push(Math.log1p(t.change) / ((h - l) / (2 * critical)));
      tests++;
      if (l > 0 || h < 0) excluding++;
    }
  }
  const kinds: Calibration['kinds'] = {};
  for (const [kind, z] of Object.entries(zs)) {
    const mean = z.reduce((s, x) => s + x, 0) / z.length;
    kinds[kind] = { n: z.length, sdZ: z.length > 1 ? Math.sqrt(z.reduce((s, x) => s + (x - mean) ** 2, 0) / (z.length - 1)) : NaN };
  }
  return { kinds, excluding, tests, comparisons: verdicts.length };
}

export function describeCalibration(label: string, c: Calibration): string {
  const kinds = Object.entries(c.kinds).map(([k, { n, sdZ }]) => `${k} ${sdZ.toFixed(2)} (${n})`).join(', ');
  // All of a comparison's intervals hold together at 95 %: at sd 1, at most ~5 % of comparisons have one excluding 0.
  return `${label}: sd of (change ÷ claimed standard error), per test kind (tests) — ${kinds}; ${c.excluding} of ${c.tests} intervals excluded 0 (at sd 1: at most about ${(0.05 * c.comparisons).toFixed(1)}).`;
}
