/**
 * Change points of a series by E-divisive means (Matteson & James, "A Nonparametric Approach for
 * Multiple Change Point Analysis of Multivariate Data", JASA 109(505), 2014), the procedure
 * MongoDB's signal-processing-algorithms and Apache Otava (formerly Hunter) run over performance
 * test history. Pure maths: no I/O, deterministic for the same series and options (the
 * permutations are drawn from a mulberry32, src/core/random.ts, seeded with the seed and the
 * series' values).
 *
 * The divergence of two samples X (n points) and Y (m points) is the energy statistic
 *
 *   Ê(X, Y; α) = 2/(nm) ΣΣ|Xi − Yj|^α − C(n,2)⁻¹ Σ_{i<k}|Xi − Xk|^α − C(m,2)⁻¹ Σ_{j<k}|Yj − Yk|^α
 *
 * (a within-sample term is 0 for a sample of one point), scaled to Q̂ = nm/(n+m) · Ê. Within a
 * segment [s, e) the candidate is the τ that, with some κ in (τ, e], maximises
 * Q̂(Z[s, τ), Z[τ, κ)). The best candidate over all current segments is kept when a permutation
 * test says it is significant: the points are shuffled within each segment R times, the best Q̂
 * over all segments is recomputed each time, and p = (1 + #{permuted ≥ observed}) / (R + 1);
 * the candidate splits its segment when p ≤ maxPValue, and the search goes on until a candidate
 * is not significant (or no segment can be split).
 */
import { createRandom } from '../../core/random.js';

export interface ChangePointOptions {
  /** Permutations of the significance test (default 199, as in the ecp package's e.divisive). */
  permutations?: number;
  /** A candidate is a change point when its permutation p-value is at most this (default 0.01). */
  maxPValue?: number;
  /** Seed of the permutations' generator (default 1). */
  seed?: number;
  /** Exponent α of the distance |x − y|^α, in (0, 2) (default 1). */
  alpha?: number;
}

export interface ChangePoint {
  /** Index of the first point of the new regime (0 < index < series length). */
  index: number;
  /** The scaled energy divergence Q̂ that chose it. */
  qhat: number;
  /** Its permutation p-value when it was accepted. */
  pValue: number;
  /** Means of the segments either side: from the previous change point (or the start) to this one, and from this one to the next (or the end). */
  meanBefore: number;
  meanAfter: number;
}

export const CHANGE_POINT_DEFAULTS: Required<ChangePointOptions> = { permutations: 199, maxPValue: 0.01, seed: 1, alpha: 1 };

interface Candidate {
  index: number;
  qhat: number;
}

/**
 * Per column c, the running sums of distances down the rows: prefix[c·(n+1) + b] = Σ_{i<b} d(i, c).
 * A sum of distances from the rows [a, b) to column c is then two lookups.
 */
function columnPrefix(values: ArrayLike<number>, alpha: number): Float64Array {
  const n = values.length;
  const prefix = new Float64Array(n * (n + 1));
  for (let c = 0; c < n; c++) {
    const base = c * (n + 1);
    let sum = 0;
    for (let i = 0; i < n; i++) {
      prefix[base + i] = sum;
      const d = Math.abs(values[i] - values[c]);
      sum += alpha === 1 ? d : d ** alpha;
    }
    prefix[base + n] = sum;
  }
  return prefix;
}

/** The best split τ of the segment [s, e) (with its best κ), or undefined when the segment has fewer than two points. */
function bestSplit(prefix: Float64Array, n: number, s: number, e: number): Candidate | undefined {
  if (e - s < 2) return undefined;
  const rows = (c: number, a: number, b: number): number => prefix[c * (n + 1) + b] - prefix[c * (n + 1) + a];
  let best: Candidate | undefined;
  let withinX = 0; // Σ_{s≤i<k<τ} d(i, k)
  for (let tau = s + 1; tau < e; tau++) {
    withinX += rows(tau - 1, s, tau - 1);
    const nx = tau - s;
    const xTerm = nx >= 2 ? withinX / ((nx * (nx - 1)) / 2) : 0;
    let cross = 0; // Σ_{i∈[s,τ), j∈[τ,κ)} d(i, j)
    let withinY = 0; // Σ_{τ≤j<k<κ} d(j, k)
    for (let kappa = tau + 1; kappa <= e; kappa++) {
      const last = kappa - 1;
      cross += rows(last, s, tau);
      withinY += rows(last, tau, last);
      const ny = kappa - tau;
      const yTerm = ny >= 2 ? withinY / ((ny * (ny - 1)) / 2) : 0;
      const q = ((nx * ny) / (nx + ny)) * ((2 * cross) / (nx * ny) - xTerm - yTerm);
      if (best === undefined || q > best.qhat) best = { index: tau, qhat: q };
    }
  }
  return best;
}

/** The best candidate over the segments bounded by `bounds` (sorted, from 0 to n). */
function bestOver(prefix: Float64Array, n: number, bounds: readonly number[], memo?: Map<number, Candidate | undefined>): Candidate | undefined {
  let best: Candidate | undefined;
  for (let k = 0; k + 1 < bounds.length; k++) {
    const s = bounds[k];
    let c: Candidate | undefined;
    if (memo && memo.has(s)) c = memo.get(s);
    else {
      c = bestSplit(prefix, n, s, bounds[k + 1]);
      memo?.set(s, c);
    }
    if (c && (best === undefined || c.qhat > best.qhat)) best = c;
  }
  return best;
}

/**
 * The permutations' seed for this series: `seed` mixed with a hash (FNV-1a) of the values. The
 * same series and seed give the same permutations, and different series get different ones:
 * with one fixed set of permutations for every series, the test's level across series would be
 * that set's, not the nominal one (it is exact only on average over random permutations).
 */
function seedFor(series: readonly number[], seed: number): number {
  const bytes = new Uint8Array(new Float64Array(series).buffer);
  let h = 0x811c9dc5;
  for (const b of bytes) h = Math.imul(h ^ b, 0x01000193);
  return (h ^ seed) >>> 0;
}

const mean = (xs: readonly number[], a: number, b: number): number => {
  let sum = 0;
  for (let i = a; i < b; i++) sum += xs[i];
  return sum / (b - a);
};

/** The change points of `series`, in index order (none for fewer than 3 points or a constant series). */
export function eDivisive(series: readonly number[], options: ChangePointOptions = {}): ChangePoint[] {
  const o = { ...CHANGE_POINT_DEFAULTS, ...options };
  if (!(o.alpha > 0 && o.alpha < 2)) throw new RangeError(`alpha must be in (0, 2), got ${o.alpha}`);
  if (!Number.isInteger(o.permutations) || o.permutations < 1) throw new RangeError(`permutations must be a positive integer, got ${o.permutations}`);
  if (!(o.maxPValue > 0 && o.maxPValue < 1)) throw new RangeError(`maxPValue must be in (0, 1), got ${o.maxPValue}`);
  if (series.some((x) => !Number.isFinite(x))) throw new RangeError('the series must hold finite numbers only');
  const n = series.length;
  const found: Array<{ index: number; qhat: number; pValue: number }> = [];
  if (n < 3) return [];
  const prefix = columnPrefix(series, o.alpha);
  const random = createRandom(seedFor(series, o.seed));
  const shuffled = new Float64Array(n);
  // Segment starts → their best split; a segment's entry is dropped when it is split.
  const memo = new Map<number, Candidate | undefined>();
  let bounds = [0, n];
  for (;;) {
    const candidate = bestOver(prefix, n, bounds, memo);
    if (!candidate || !(candidate.qhat > 0)) break;
    let atLeast = 0;
    for (let r = 0; r < o.permutations; r++) {
      shuffled.set(series);
      for (let k = 0; k + 1 < bounds.length; k++) {
        for (let i = bounds[k + 1] - 1; i > bounds[k]; i--) {
          const j = random.int(bounds[k], i);
          const t = shuffled[i];
          shuffled[i] = shuffled[j];
          shuffled[j] = t;
        }
      }
      const permuted = bestOver(columnPrefix(shuffled, o.alpha), n, bounds);
      if (permuted && permuted.qhat >= candidate.qhat) atLeast++;
    }
    const pValue = (1 + atLeast) / (o.permutations + 1);
    if (pValue > o.maxPValue) break;
    found.push({ ...candidate, pValue });
    const segmentStart = bounds.filter((b) => b < candidate.index).pop() as number;
    memo.delete(segmentStart);
    bounds = [...bounds, candidate.index].sort((a, b) => a - b);
  }
  found.sort((a, b) => a.index - b.index);
  return found.map((cp, k) => {
    const from = k === 0 ? 0 : found[k - 1].index;
    const to = k + 1 < found.length ? found[k + 1].index : n;
    return { ...cp, meanBefore: mean(series, from, cp.index), meanAfter: mean(series, cp.index, to) };
  });
}
