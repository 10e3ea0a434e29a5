/**
 * The verdict's statistics over every (entry, metric) pair of two sides: for p50/p95/p99 the
 * ratio candidate/base with a bootstrap interval in log space (the "standard" bootstrap interval,
 * Efron & Tibshirani 1993 §13.2: estimate ± z·se, se from the resamples of each side, which are
 * independent), for the error rate the difference with an interval the same way; all intervals
 * at the Bonferroni level over the pairs tested; each decided by decision.ts.
 * Pure: no I/O, deterministic for the same input and seed.
 */
import { decide, type Outcome } from './decision.js';
import { bonferroniZ } from './multiple-comparisons.js';
import { pairedSpread } from './paired-spread.js';
import { studentQuantile } from './student-t.js';
import { sideSpread, type SideSpread } from './side-spread.js';
import { typicalShift, type StratumSides } from './typical-shift.js';
import { prepareSide, type RunSample } from './window-sample.js';

export const VERDICT_QUANTILES = [0.5, 0.95, 0.99] as const;
export const QUANTILE_METRICS = ['p50', 'p95', 'p99'] as const;
/** `typical`: the typical request's latency over all routes (typical-shift.ts), the verdict's primary test. */
export type VerdictMetric = 'typical' | (typeof QUANTILE_METRICS)[number] | 'error_rate';

/** The entry name of the primary test: every route, the mix held equal. */
export const TYPICAL_ENTRY = 'All routes';
/**
 * The share of the family-wise α the primary test gets when it is made; the other tests share the
 * rest equally — a weighted Bonferroni split (Holm 1979 §5; Benjamini & Hochberg 1997, "Multiple
 * hypotheses testing with weights", Scand. J. Statist. 24): Σ αᵢ = α, so the family-wise error
 * stays at most α whatever the dependence (docs/statistics.md "Many tests").
 */
export const PRIMARY_SHARE = 0.8;

export interface VerdictSettings {
  /** Smallest latency change that counts (fraction; 0.05 = 5 %). */
  minEffect: number;
  /**
   * Smallest latency change that counts in milliseconds, besides the relative one: a route of
   * 0.6 ms moving by 0.1 ms (+17 %) is loopback noise, not a regression. The relative minimum
   * becomes max(minEffect, minEffectMs / base) (docs/statistics.md "Deciding").
   */
  minEffectMs: number;
  /** Smallest error-rate difference that counts (absolute; 0.01 = one point). */
  minErrorEffect: number;
  /** Family-wise error rate of all intervals together. */
  alpha: number;
  /** A latency interval wider than ±this is inconclusive, not a pass. */
  resolution: number;
  errorResolution: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_SETTINGS: VerdictSettings = {
  minEffect: 0.03, minEffectMs: 0.5, minErrorEffect: 0.01, alpha: 0.05, resolution: 0.2, errorResolution: 0.05, resamples: 1000, seed: 20,
};

/** The smallest change of `t` that counts: max(minEffect, minEffectMs / base) for a latency, minErrorEffect for the error rate. */
export function minimumEffect(t: Pick<VerdictTest, 'metric' | 'base'>, s: VerdictSettings): number {
  return t.metric === 'error_rate' ? s.minErrorEffect : Math.max(s.minEffect, s.minEffectMs / t.base);
}

/** Fewest top-level units (windows of one run, or runs) per side for an interval. */
export const MIN_UNITS = 3;
/**
 * Fewest samples beyond a quantile, per side, for that quantile to be tested: p50 needs 20, p95
 * 200, p99 1,000. With 5 beyond (p99 of 500 samples) the windows' bootstrap of such an extreme
 * order statistic is unreliable (Bickel & Freedman 1981, Ann. Statist. 9, on the bootstrap of
 * extremes) and made the only A/A false alarms of the power bench (bench/RESULTS.md).
 */
export const MIN_TAIL_SAMPLES = 10;

export interface EntrySides {
  name: string;
  /** A judged entry must be tested; another entry (a route) is skipped when its data are too few. */
  judged: boolean;
  base: readonly RunSample[];
  cand: readonly RunSample[];
  /** Point estimates from whole-run digests (more exact than the windows' points), p50/p95/p99 order. */
  baseQuantiles?: readonly number[];
  candQuantiles?: readonly number[];
}

export interface VerdictTest {
  entry: string;
  metric: VerdictMetric;
  judged: boolean;
  base: number;
  cand: number;
  /** Latencies: cand/base − 1; error rate: cand − base. NaN when not tested. */
  change: number;
  lo: number;
  hi: number;
  /** 'skipped': a route with too few data (not counted in the correction). */
  outcome: Outcome | 'skipped';
  bound: number;
  /** Degrees of freedom of its interval (units resampled − 1): the interval uses t(df) at the Bonferroni level. */
  df?: number;
  /** Why a test is inconclusive or skipped. */
  reason?: string;
}

export interface EntriesVerdict {
  tests: VerdictTest[];
  /** Intervals built (the m of the correction) and the normal z of that level (each interval uses t with its own df). */
  tested: number;
  z: number;
}

/** A stable 32-bit hash of a name: each entry's resamples have their own stream. */
function hashName(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface Pending { test: VerdictTest; lnRatio?: number; se: number; /** Degrees of freedom of se: resampled units − 1. */ df: number; /** The interval is already set (rule of three). */ fixed?: boolean; /** Its share of α (the primary test's); the others share what is left. */ alpha?: number }

/**
 * `routes`: each HTTP route of both sides, windows placed in time (`at`), for the primary test —
 * the typical request over all routes (typical-shift.ts). Without routes it is not made.
 */
export function compareEntries(entries: readonly EntrySides[], settings: VerdictSettings = DEFAULT_SETTINGS, routes: readonly StratumSides[] = []): EntriesVerdict {
  const pending: Pending[] = [];
  const finished: VerdictTest[] = [];
  const typical = typicalShift(routes, settings.resamples, settings.seed, Math.ceil(MIN_TAIL_SAMPLES / 0.5));
  if (typical && typical.units >= MIN_UNITS && Number.isFinite(typical.se)) {
    const t: VerdictTest = { entry: TYPICAL_ENTRY, metric: 'typical', judged: true, base: typical.base, cand: typical.cand, change: NaN, lo: NaN, hi: NaN, outcome: 'inconclusive', bound: NaN };
    pending.push({ test: t, lnRatio: typical.lnShift, se: typical.se, df: typical.units - 1, alpha: settings.alpha * PRIMARY_SHARE });
  }
  for (const e of entries) {
    const base = prepareSide(e.base), cand = prepareSide(e.cand);
    const seed = (settings.seed ^ hashName(e.name)) >>> 0;
    const tooFew = unitsProblem(base.runs.map((r) => r.length), cand.runs.map((r) => r.length), base.count, cand.count);
    const skip = (metric: VerdictMetric, reason: string): void => {
      finished.push({ entry: e.name, metric, judged: e.judged, base: NaN, cand: NaN, change: NaN, lo: NaN, hi: NaN, outcome: e.judged ? 'inconclusive' : 'skipped', bound: NaN, reason });
    };
    if (tooFew) {
      for (const m of [...QUANTILE_METRICS, 'error_rate'] as const) skip(m, tooFew);
      continue;
    }
    // One run a side: pairs of windows in time (paired-spread.ts); several: each side on its own, runs as units.
    const paired = base.runs.length === 1 && cand.runs.length === 1;
    const bs = sideSpread(base, VERDICT_QUANTILES, paired ? 0 : settings.resamples, seed);
    const cs = sideSpread(cand, VERDICT_QUANTILES, paired ? 0 : settings.resamples, (seed ^ 0x5bd1e995) >>> 0);
    const ps = paired ? pairedSpread(base, cand, VERDICT_QUANTILES, settings.resamples, seed) : undefined;
    const df = Math.max(1, (ps ? ps.units : Math.min(bs.units, cs.units)) - 1);
    VERDICT_QUANTILES.forEach((q, k) => {
      const metric = QUANTILE_METRICS[k];
      const need = Math.ceil(MIN_TAIL_SAMPLES / (1 - q));
      if (base.count < need || cand.count < need) {
        skip(metric, `${metric} needs at least ${need} samples on each side (base ${base.count}, candidate ${cand.count})`);
        return;
      }
      const b = e.baseQuantiles?.[k] ?? bs.quantiles[k];
      const c = e.candQuantiles?.[k] ?? cs.quantiles[k];
      if (!(b > 0 && c > 0)) {
        skip(metric, `${metric} is 0 ms on ${b > 0 ? 'the candidate' : 'the base'}, so a ratio says nothing`);
        return;
      }
      pending.push({ test: test(e, metric, b, c), lnRatio: Math.log(c / b), se: Math.max(ps ? ps.logRatioSe[k] : Math.hypot(bs.logSe[k], cs.logSe[k]), Math.hypot(bs.floorLogSe[k], cs.floorLogSe[k])), df });
    });
    const er = errorRatePending(e, bs, cs, base.count, cand.count, df);
    if (ps && !er.fixed) er.se = ps.errorDiffSe;
    pending.push(er);
  }
  const primary = pending.filter((p) => p.alpha !== undefined);
  const others = pending.length - primary.length;
  const rest = (settings.alpha - primary.reduce((a, p) => a + (p.alpha ?? 0), 0)) / Math.max(1, others);
  const z = bonferroniZ(settings.alpha, pending.length);
  for (const p of pending) {
    const t = p.test;
    // The standard error comes from few units: t with their degrees of freedom, not z (student-t.ts).
    const crit = studentQuantile(1 - (p.alpha ?? rest) / 2, p.df);
    t.df = p.df;
    if (p.lnRatio !== undefined) {
      t.change = Math.exp(p.lnRatio) - 1;
      t.lo = Math.exp(p.lnRatio - crit * p.se) - 1;
      t.hi = Math.exp(p.lnRatio + crit * p.se) - 1;
      Object.assign(t, decide(t.lo, t.hi, minimumEffect(t, settings), settings.resolution));
    } else {
      if (!p.fixed) {
        t.lo = t.change - crit * p.se;
        t.hi = t.change + crit * p.se;
      }
      Object.assign(t, decide(t.lo, t.hi, minimumEffect(t, settings), settings.errorResolution));
    }
    finished.push(t);
  }
  return { tests: order(finished, entries), tested: pending.length, z };
}

function test(e: EntrySides, metric: VerdictMetric, base: number, cand: number): VerdictTest {
  return { entry: e.name, metric, judged: e.judged, base, cand, change: NaN, lo: NaN, hi: NaN, outcome: 'inconclusive', bound: NaN };
}

function errorRatePending(e: EntrySides, bs: SideSpread, cs: SideSpread, nb: number, nc: number, df: number): Pending {
  const t = test(e, 'error_rate', bs.errorRate, cs.errorRate);
  t.change = cs.errorRate - bs.errorRate;
  if (bs.errorRate === 0 && cs.errorRate === 0) {
    // No failure on either side: the bootstrap sees no spread; Hanley & Lippman-Hand's (1983)
    // rule of three bounds each side's rate by 3/n (95 %).
    return { test: { ...t, lo: -3 / nb, hi: 3 / nc, change: 0 }, se: 0, df, fixed: true };
  }
  return { test: t, se: Math.hypot(bs.errorRateSe, cs.errorRateSe), df };
}

function unitsProblem(baseRuns: number[], candRuns: number[], nb: number, nc: number): string | undefined {
  if (nb === 0) return 'the base has no sample of it';
  if (nc === 0) return 'the candidate has no sample of it';
  const units = (runs: number[]): number => (runs.length > 1 ? runs.length : runs[0] ?? 0);
  const ub = units(baseRuns), uc = units(candRuns);
  if (ub < MIN_UNITS || uc < MIN_UNITS) {
    const what = (runs: number[], u: number): string => (runs.length > 1 ? `${u} runs` : `${u} window${u === 1 ? '' : 's'} with samples`);
    return `an interval needs at least ${MIN_UNITS} windows (or runs) per side: base has ${what(baseRuns, ub)}, candidate ${what(candRuns, uc)}`;
  }
  return undefined;
}

function order(tests: VerdictTest[], entries: readonly EntrySides[]): VerdictTest[] {
  const rank = new Map(entries.map((e, i) => [e.name, i]));
  const metricRank: Record<VerdictMetric, number> = { typical: -1, p50: 0, p95: 1, p99: 2, error_rate: 3 };
  return tests.sort((a, b) => (rank.get(a.entry) ?? -1) - (rank.get(b.entry) ?? -1) || metricRank[a.metric] - metricRank[b.metric]);
}
