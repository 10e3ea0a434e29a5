/**
 * A take read at two looks without raising the chance of a false "met": the group-sequential
 * boundaries of bench/web-toggle.ts's `--looks` (Jennison & Turnbull, Group Sequential Methods
 * with Applications to Clinical Trials, 2000). The error is spent by Lan & DeMets' O'Brien–
 * Fleming-type function (Lan & DeMets 1983, Biometrika 70:659–663; O'Brien & Fleming 1979,
 * Biometrics 35:549–556): α(t) = 2 − 2Φ(z₁₋α/₂ ÷ √t) of the one-sided α by information fraction t,
 * which spends almost nothing early and leaves the last look's boundary near the one-look one.
 *
 * Two looks only, at fractions t₁ < 1 and 1. With Z₁ and Z₂ the standardised statistics at the
 * looks (correlation √t₁ for sums of independent runs), look 1 crosses at z₁ with P(Z₁ > z₁) =
 * α(t₁), and z₂ solves P(Z₁ ≤ z₁, Z₂ > z₂) = α − α(t₁), the bivariate normal probability taken
 * as one integral over Z₁ (Simpson's rule). The spending function is the one R's gsDesign calls
 * sfLDOF. Known answer (test/bench/group-sequential.test.ts): t₁ = 0.5, one-sided α = 0.025 gives
 * z = 2.963 and 1.969, the boundaries tabulated for two equally spaced looks; scipy's bivariate
 * normal CDF gives the same to three decimals at t₁ = 0.5, 0.6 and 28/52.
 *
 * The looks' z boundaries are used as one-sided tail probabilities and turned into Student t
 * quantiles with n − 1 degrees of freedom (the take's statistic is a t over the runs' means).
 */
import { normalCdf, normalQuantile } from '../../src/metrics/statistics/normal.js';
import { studentQuantile } from '../../src/metrics/statistics/student-t.js';

/** The one-sided α spent by information fraction t (Lan–DeMets, O'Brien–Fleming type). */
export function obfSpent(t: number, alpha: number): number {
  if (t >= 1) return alpha;
  return 2 - 2 * normalCdf(normalQuantile(1 - alpha / 2) / Math.sqrt(t));
}

/** P(Z₁ ≤ a, Z₂ > b) for standard normals of correlation rho (|rho| < 1). */
function belowThenAbove(a: number, b: number, rho: number): number {
  const s = Math.sqrt(1 - rho * rho);
  const lo = -9, n = 4000, h = (a - lo) / n;
  const f = (x: number): number => Math.exp(-x * x / 2) / Math.sqrt(2 * Math.PI) * (1 - normalCdf((b - rho * x) / s));
  let sum = f(lo) + f(a);
  for (let i = 1; i < n; i++) sum += f(lo + i * h) * (i % 2 === 1 ? 4 : 2);
  return (sum * h) / 3;
}

export interface TwoLooks {
  /** The one-sided α spent at look 1, and the whole take's. */
  spent1: number;
  alpha: number;
  /** The looks' z boundaries. */
  z1: number;
  z2: number;
  /** Look 2's one-sided tail, P(Z₂ > z₂). */
  tail2: number;
}

/** The boundaries of a two-look take whose first look comes at information fraction t1 (0 < t1 < 1). */
export function twoLooks(t1: number, alpha = 0.025): TwoLooks {
  if (!(t1 > 0 && t1 < 1)) throw new RangeError(`the first look's information fraction must be between 0 and 1, got ${t1}`);
  const spent1 = obfSpent(t1, alpha);
  const z1 = normalQuantile(1 - spent1);
  const rho = Math.sqrt(t1);
  // P(Z₁ ≤ z₁, Z₂ > z₂) falls as z₂ rises: bisect for the α left to spend.
  let lo = 0, hi = 8;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (belowThenAbove(z1, mid, rho) > alpha - spent1) lo = mid;
    else hi = mid;
  }
  const z2 = (lo + hi) / 2;
  return { spent1, alpha, z1, z2, tail2: 1 - normalCdf(z2) };
}

/** A look's multiplier of the standard error: the t quantile with n − 1 degrees of freedom at the look's one-sided tail. */
export function lookK(tail: number, runs: number): number {
  return studentQuantile(1 - tail, runs - 1);
}
