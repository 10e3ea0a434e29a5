/**
 * One side of a comparison for one entry, as the bootstrap reads it: runs, each a list of time
 * windows, each window its sample count, failures and latency distribution as weighted points
 * (a digest's centroids: mean and weight). Prepared once into a shared sorted value table so a
 * resample is an array of additions and one cumulative scan (docs/statistics.md "Cost").
 */

export interface WindowSample {
  count: number;
  failures: number;
  /** [value ms, weight] pairs, flattened; weights add up to `count` (give none for a window without latencies). */
  points: readonly number[];
  /** Its index from the run's start (windows of one width): lines up a run's routes and two runs in time. Default: its position. */
  at?: number;
}

/** A run: its windows in time order. A side: one run or several. */
export type RunSample = readonly WindowSample[];

export interface PreparedWindow {
  count: number;
  failures: number;
  /** Indices into PreparedSide.values and the weight at each. */
  index: Int32Array;
  weight: Float64Array;
}

export interface PreparedSide {
  /** Distinct point values of every window, ascending. */
  values: Float64Array;
  /** runs[r][w]: the windows of run r, in time order; windows with no sample are left out. */
  runs: PreparedWindow[][];
  count: number;
  failures: number;
}

export function prepareSide(runs: readonly RunSample[]): PreparedSide {
  const all: number[] = [];
  for (const run of runs) for (const w of run) for (let i = 0; i < w.points.length; i += 2) all.push(w.points[i]);
  all.sort((a, b) => a - b);
  const values: number[] = [];
  for (const v of all) if (values.length === 0 || values[values.length - 1] !== v) values.push(v);
  const table = Float64Array.from(values);
  let count = 0, failures = 0;
  const prepared = runs.map((run) => run.filter((w) => w.count > 0).map((w): PreparedWindow => {
    count += w.count;
    failures += w.failures;
    const n = w.points.length / 2;
    const index = new Int32Array(n);
    const weight = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      index[i] = lowerBound(table, w.points[2 * i]);
      weight[i] = w.points[2 * i + 1];
    }
    return { count: w.count, failures: w.failures, index, weight };
  })).filter((run) => run.length > 0);
  return { values: table, runs: prepared, count, failures };
}

function lowerBound(a: Float64Array, v: number): number {
  let lo = 0, hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Nearest-rank quantiles (the digest's definition: the smallest value with at least q·N of the
 * weight at or below it) of the windows picked, `qs` ascending. `acc` is scratch of values.length.
 */
export function pickedQuantiles(side: PreparedSide, picked: readonly PreparedWindow[], qs: readonly number[], acc: Float64Array): number[] {
  acc.fill(0);
  let total = 0;
  for (const w of picked) {
    const { index, weight } = w;
    for (let i = 0; i < index.length; i++) {
      acc[index[i]] += weight[i];
      total += weight[i];
    }
  }
  const out = new Array<number>(qs.length).fill(NaN);
  if (total <= 0) return out;
  let cum = 0, k = 0;
  for (let i = 0; i < acc.length && k < qs.length; i++) {
    cum += acc[i];
    while (k < qs.length && cum >= qs[k] * total - 1e-9 * total) out[k++] = side.values[i];
  }
  for (; k < qs.length; k++) out[k] = side.values[side.values.length - 1];
  return out;
}
