/**
 * The bootstrap spread of one side: the standard error of log(quantile) for each quantile asked,
 * and of the error rate, from B resamples (block bootstrap over windows, or runs then windows;
 * block-bootstrap.ts). Deterministic: the resamples come from a seeded generator.
 *
 * The bootstrap variance of a mean of n units is (n−1)/n of the usual unbiased estimate (Efron &
 * Tibshirani 1993, §5.2); with the few units of a short run (a 30 s run has six 5 s windows) that
 * matters, so the variance is multiplied by n/(n−1), n the units at the top level.
 */
import { createRandom } from '../../core/random.js';
import { resampleSide, topUnits } from './block-bootstrap.js';
import { pickedQuantiles, type PreparedSide } from './window-sample.js';

export interface SideSpread {
  /** Quantiles of all the side's windows together (same order as asked). */
  quantiles: number[];
  /** Standard error of ln(quantile), per quantile (NaN when a resample had no value). */
  logSe: number[];
  /**
   * The least standard error of ln(quantile) that independent samples would have: half the log
   * distance between the order statistics at ranks N·q ± √(N·q(1−q)) (the distribution-free
   * interval of a quantile, e.g. Conover 1999 §3.2, at one standard error). A floor: the
   * windows' bootstrap can only add to it (dependence), never claim less.
   */
  floorLogSe: number[];
  errorRate: number;
  errorRateSe: number;
  /** Top-level units resampled (runs, or windows of the one run). */
  units: number;
}

export function sideSpread(side: PreparedSide, qs: readonly number[], resamples: number, seed: number): SideSpread {
  const acc = new Float64Array(side.values.length);
  const all = side.runs.flat();
  const quantiles = pickedQuantiles(side, all, qs, acc);
  const n = Math.max(1, side.count);
  const floorLogSe = qs.map((q) => {
    const d = Math.sqrt((q * (1 - q)) / n);
    const [lo, hi] = pickedQuantiles(side, all, [Math.max(0, q - d), Math.min(1, q + d)], acc);
    return (Math.log(Math.max(hi, 1e-9)) - Math.log(Math.max(lo, 1e-9))) / 2;
  });
  const units = topUnits(side);
  const errorRate = side.count > 0 ? side.failures / side.count : 0;
  if (units < 2 || resamples < 2) return { quantiles, logSe: qs.map(() => NaN), floorLogSe, errorRate, errorRateSe: NaN, units };
  const rng = createRandom(seed);
  const sum = new Float64Array(qs.length), sumSq = new Float64Array(qs.length);
  let rSum = 0, rSumSq = 0;
  for (let b = 0; b < resamples; b++) {
    const picked = resampleSide(side, rng);
    const q = pickedQuantiles(side, picked, qs, acc);
    for (let k = 0; k < qs.length; k++) {
      const l = Math.log(Math.max(q[k], 1e-9));
      sum[k] += l;
      sumSq[k] += l * l;
    }
    let c = 0, f = 0;
    for (const w of picked) { c += w.count; f += w.failures; }
    const r = c > 0 ? f / c : 0;
    rSum += r;
    rSumSq += r * r;
  }
  const inflate = units / (units - 1);
  const sd = (s: number, s2: number): number => Math.sqrt(Math.max(0, (s2 - (s * s) / resamples) / (resamples - 1)) * inflate);
  return {
    quantiles,
    logSe: qs.map((_, k) => sd(sum[k], sumSq[k])),
    floorLogSe,
    errorRate,
    errorRateSe: sd(rSum, rSumSq),
    units,
  };
}
