/**
 * The bootstrap spread of the change between two single runs, resampled in pairs: window i of
 * the base goes with window i of the candidate (their offsets from each run's start), and one
 * sequence of circular blocks picks the same offsets on both sides. Two runs of the same plan
 * share their schedule — start-up requests in the first window, the SDK's sync rhythm —, so the
 * windows' mix of requests changes over a run in the same way on both sides; resampling the
 * sides apart would count that shared mix as noise (with five windows, one of them the start-up,
 * a p50 interval of ±100 %). Pairing in time is what Duet benchmarking does for the same reason
 * (Bulej et al. 2020); the block bootstrap of a bivariate series is Künsch's (1989) applied to pairs.
 * The variance is scaled by n/(n−1) as in side-spread.ts.
 */
import { createRandom } from '../../core/random.js';
import { blockLength } from './block-bootstrap.js';
import { pickedQuantiles, type PreparedSide, type PreparedWindow } from './window-sample.js';

export interface PairedSpread {
  /** Standard error of ln(cand quantile / base quantile), per quantile. */
  logRatioSe: number[];
  /** Standard error of cand error rate − base error rate. */
  errorDiffSe: number;
  /** Pairs (offsets) resampled. */
  units: number;
}

export function pairedSpread(base: PreparedSide, cand: PreparedSide, qs: readonly number[], resamples: number, seed: number): PairedSpread {
  const bw = base.runs[0] ?? [], cw = cand.runs[0] ?? [];
  const n = Math.max(bw.length, cw.length);
  if (Math.min(bw.length, cw.length) < 2) return { logRatioSe: qs.map(() => NaN), errorDiffSe: NaN, units: Math.min(bw.length, cw.length) };
  const at = (w: readonly PreparedWindow[], i: number): PreparedWindow => w[Math.floor((i * w.length) / n)];
  const accB = new Float64Array(base.values.length), accC = new Float64Array(cand.values.length);
  const rng = createRandom(seed);
  const b = Math.min(blockLength(n), n);
  const sum = new Float64Array(qs.length), sumSq = new Float64Array(qs.length);
  let dSum = 0, dSumSq = 0;
  const pb: PreparedWindow[] = [], pc: PreparedWindow[] = [];
  for (let r = 0; r < resamples; r++) {
    pb.length = 0;
    pc.length = 0;
    while (pb.length < n) {
      const start = rng.int(0, n - 1);
      for (let j = 0; j < b && pb.length < n; j++) {
        const i = (start + j) % n;
        pb.push(at(bw, i));
        pc.push(at(cw, i));
      }
    }
    const qb = pickedQuantiles(base, pb, qs, accB), qc = pickedQuantiles(cand, pc, qs, accC);
    for (let k = 0; k < qs.length; k++) {
      const l = Math.log(Math.max(qc[k], 1e-9) / Math.max(qb[k], 1e-9));
      sum[k] += l;
      sumSq[k] += l * l;
    }
    const d = rate(pc) - rate(pb);
    dSum += d;
    dSumSq += d * d;
  }
  const inflate = n / (n - 1);
  const sd = (s: number, s2: number): number => Math.sqrt(Math.max(0, (s2 - (s * s) / resamples) / (resamples - 1)) * inflate);
  return { logRatioSe: qs.map((_, k) => sd(sum[k], sumSq[k])), errorDiffSe: sd(dSum, dSumSq), units: n };
}

function rate(ws: readonly PreparedWindow[]): number {
  let c = 0, f = 0;
  for (const w of ws) { c += w.count; f += w.failures; }
  return c > 0 ? f / c : 0;
}
