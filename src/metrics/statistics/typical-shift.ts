/**
 * The change of the typical request's latency over all routes (docs/statistics.md "The typical
 * request"): the mean change of ln(latency), route by route, weighted by each route's share of
 * the time the requests took — a stratified estimate (Cochran 1977, *Sampling Techniques*, 3rd
 * ed., §5.1–5.3: ȳ_st = Σ W_h ȳ_h, with the strata's weights W_h fixed). Back on the ratio scale
 * it is the ratio of the two sides' geometric means with the route mix held equal.
 * Weights by time, not by count: the SDK's sub-millisecond API calls are a quarter of its
 * requests but 1 % of its waiting; by count they would dilute a slower ingest by a quarter and
 * add their loopback jitter (±30 % run to run) to the estimate.
 *
 * Why this statistic: a slower ingest scales its latencies, which moves ln(latency) of every
 * request by the same amount; the mean of ln(latency) is then the efficient estimate (for a
 * lognormal it is the maximum-likelihood one), with a standard error 1/1.25 of a median's, and
 * pooling the routes uses every request. Holding the mix fixed matters: the SDK's sub-millisecond
 * API calls and its 20 ms ingest calls differ by ~3.7 in ln, so a 1-point change of their mix
 * would move a pooled geometric mean by ~4 % with no route any slower.
 *
 * Its spread, as the quantiles' (paired-spread.ts, side-spread.ts): one run a side — windows
 * paired in time (the same offsets from each run's start, on both sides and every route) drawn by
 * the circular block bootstrap; several runs a side — the runs drawn with replacement, each side
 * on its own (the top stage of Davison & Hinkley 1997 §3.8, where the run-to-run variance lives).
 * The standard error is never below the one independent requests would give (Cochran §5.3:
 * Σ W_h² s_h²/n_h per side).
 * Pure and deterministic for the same input and seed.
 */
import { createRandom, type RandomSource } from '../../core/random.js';
import { blockLength } from './block-bootstrap.js';
import type { RunSample } from './window-sample.js';

/** One route (a stratum): its runs on each side, each window placed by `at` (its index from the run's start). */
export interface StratumSides {
  name: string;
  base: readonly RunSample[];
  cand: readonly RunSample[];
}

export interface TypicalShift {
  /** The strata used and their weights (share of both sides' time: requests × typical latency). */
  strata: Array<{ name: string; weight: number }>;
  /** exp(Σ W_h · mean ln latency) per side: the typical latency in ms with the mix held equal. */
  base: number;
  cand: number;
  /** Σ W_h (mean ln cand − mean ln base). */
  lnShift: number;
  se: number;
  /** Units resampled (paired windows, or the fewer runs of the two sides). */
  units: number;
}

/** Sums of one window of one stratum: weight, Σ w·ln x, Σ w·(ln x)². */
type Moments = [number, number, number];

function moments(points: readonly number[]): Moments {
  let w = 0, s = 0, s2 = 0;
  for (let i = 0; i < points.length; i += 2) {
    const l = Math.log(Math.max(points[i], 1e-6));
    const k = points[i + 1];
    w += k;
    s += k * l;
    s2 += k * l * l;
  }
  return [w, s, s2];
}

/** A run of a stratum as moments by window offset (index `at`, or the window's position). */
function runMoments(run: RunSample): Map<number, Moments> {
  const out = new Map<number, Moments>();
  run.forEach((w, i) => {
    if (w.points.length === 0) return;
    const at = w.at ?? i;
    const m = moments(w.points);
    const prev = out.get(at);
    out.set(at, prev ? [prev[0] + m[0], prev[1] + m[1], prev[2] + m[2]] : m);
  });
  return out;
}

const add = (acc: Moments, m: Moments | undefined): void => {
  if (!m) return;
  acc[0] += m[0]; acc[1] += m[1]; acc[2] += m[2];
};

/**
 * The stratified shift over `strata` (each with at least one sample a side); undefined when none
 * qualifies. `minSamples`: the fewest samples a route needs on each side to be a stratum.
 */
export function typicalShift(strata: readonly StratumSides[], resamples: number, seed: number, minSamples: number): TypicalShift | undefined {
  const prepared = strata.map((s) => {
    const base = s.base.map(runMoments), cand = s.cand.map(runMoments);
    return { name: s.name, base, cand, nb: total(base), nc: total(cand) };
  }).filter((s) => s.nb[0] >= minSamples && s.nc[0] >= minSamples);
  if (prepared.length === 0) return undefined;
  const nb = prepared.map((s) => s.nb), nc = prepared.map((s) => s.nc);
  const mean = (m: Moments): number => m[1] / m[0];
  // A route's weight: its share of the time the requests took (requests × typical latency, both sides pooled).
  const time = prepared.map((_, h) => (nb[h][0] + nc[h][0]) * Math.exp((nb[h][1] + nc[h][1]) / (nb[h][0] + nc[h][0])));
  const all = time.reduce((a, b) => a + b, 0);
  const weights = time.map((x) => x / all);
  const variance = (m: Moments): number => Math.max(0, m[2] / m[0] - mean(m) ** 2) * (m[0] / Math.max(1, m[0] - 1));
  const lb = weights.reduce((x, w, h) => x + w * mean(nb[h]), 0);
  const lc = weights.reduce((x, w, h) => x + w * mean(nc[h]), 0);
  const floorSe = Math.sqrt(weights.reduce((x, w, h) => x + w * w * (variance(nb[h]) / nb[h][0] + variance(nc[h]) / nc[h][0]), 0));
  const paired = prepared.every((s) => s.base.length === 1 && s.cand.length === 1);
  const rng = createRandom(seed);
  const spread = paired ? pairedResamples(prepared, weights, resamples, rng) : runResamples(prepared, weights, resamples, rng);
  return {
    strata: prepared.map((s, h) => ({ name: s.name, weight: weights[h] })),
    base: Math.exp(lb), cand: Math.exp(lc), lnShift: lc - lb,
    se: Math.max(spread.se, floorSe), units: spread.units,
  };
}

type Prepared = { base: Map<number, Moments>[]; cand: Map<number, Moments>[] };

function total(runs: readonly Map<number, Moments>[]): Moments {
  const acc: Moments = [0, 0, 0];
  for (const r of runs) for (const m of r.values()) add(acc, m);
  return acc;
}

/** Σ W_h (mean ln cand_h − mean ln base_h) of one resample's sums; strata a resample missed on a side are left out and the weights renormalised. */
function shiftOf(b: Moments[], c: Moments[], weights: readonly number[]): number {
  let s = 0, w = 0;
  for (let h = 0; h < weights.length; h++) {
    if (b[h][0] <= 0 || c[h][0] <= 0) continue;
    s += weights[h] * (c[h][1] / c[h][0] - b[h][1] / b[h][0]);
    w += weights[h];
  }
  return w > 0 ? s / w : NaN;
}

interface Spread { se: number; units: number }

/** The standard deviation of the resampled shifts, scaled by n/(n−1) (side-spread.ts). */
function spreadOf(shifts: readonly number[], units: number): Spread {
  const ok = shifts.filter(Number.isFinite);
  if (units < 2 || ok.length < 2) return { se: NaN, units };
  const m = ok.reduce((a, b) => a + b, 0) / ok.length;
  const v = ok.reduce((a, b) => a + (b - m) ** 2, 0) / (ok.length - 1);
  return { se: Math.sqrt((v * units) / (units - 1)), units };
}

function pairedResamples(strata: readonly Prepared[], weights: readonly number[], resamples: number, rng: RandomSource): Spread {
  let n = 0;
  for (const s of strata) for (const m of [s.base[0], s.cand[0]]) for (const at of m.keys()) n = Math.max(n, at + 1);
  const b = Math.min(blockLength(n), n);
  const shifts: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const sb = strata.map((): Moments => [0, 0, 0]), sc = strata.map((): Moments => [0, 0, 0]);
    for (let taken = 0; taken < n;) {
      const start = rng.int(0, n - 1);
      for (let j = 0; j < b && taken < n; j++, taken++) {
        const at = (start + j) % n;
        strata.forEach((s, h) => { add(sb[h], s.base[0].get(at)); add(sc[h], s.cand[0].get(at)); });
      }
    }
    shifts.push(shiftOf(sb, sc, weights));
  }
  return spreadOf(shifts, n);
}

function runResamples(strata: readonly Prepared[], weights: readonly number[], resamples: number, rng: RandomSource): Spread {
  const runsB = Math.max(...strata.map((s) => s.base.length)), runsC = Math.max(...strata.map((s) => s.cand.length));
  const totals = (runs: readonly Map<number, Moments>[]): Moments[] => runs.map((r) => total([r]));
  const perB = strata.map((s) => totals(s.base)), perC = strata.map((s) => totals(s.cand));
  const draw = (per: Moments[][], runs: number): Moments[] => {
    const picks = Array.from({ length: runs }, () => rng.int(0, runs - 1));
    return per.map((rs) => {
      const acc: Moments = [0, 0, 0];
      for (const i of picks) add(acc, rs[i]);
      return acc;
    });
  };
  const shifts: number[] = [];
  for (let r = 0; r < resamples; r++) shifts.push(shiftOf(draw(perB, runsB), draw(perC, runsC), weights));
  return spreadOf(shifts, Math.min(runsB, runsC));
}
