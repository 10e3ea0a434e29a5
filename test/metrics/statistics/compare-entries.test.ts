import { describe, expect, it } from 'vitest';
import { createRandom, type RandomSource } from '../../../src/core/random.js';
import { Digest } from '../../../src/metrics/digest.js';
import { compareEntries, DEFAULT_SETTINGS, type EntrySides } from '../../../src/metrics/statistics/compare-entries.js';
import { holmAdjust, bonferroniZ } from '../../../src/metrics/statistics/multiple-comparisons.js';
import { normalCdf, normalQuantile } from '../../../src/metrics/statistics/normal.js';
import { studentQuantile } from '../../../src/metrics/statistics/student-t.js';
import type { RunSample, WindowSample } from '../../../src/metrics/statistics/window-sample.js';

/** A standard normal deviate (Box–Muller). */
function gauss(rng: RandomSource): number {
  return Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());
}

/** A window of `n` lognormal latencies (median `median` ms, σ 0.5) × `scale`, as a 15-compression digest's points. */
function window(rng: RandomSource, n: number, median: number, scale: number, failRate = 0): WindowSample {
  const d = new Digest(15);
  let failures = 0;
  for (let i = 0; i < n; i++) {
    d.push(median * scale * Math.exp(0.5 * gauss(rng)));
    if (rng.next() < failRate) failures++;
  }
  const s = d.toFoldedJSON();
  const points: number[] = [];
  for (let i = 0; i < s.centroids.length; i += 4) points.push(s.centroids[i], s.centroids[i + 1]);
  for (const v of s.samples) points.push(v, 1);
  return { count: n, failures, points };
}

function run(seed: number, windows: number, perWindow: number, scale: number, failRate = 0): RunSample {
  const rng = createRandom(seed);
  return Array.from({ length: windows }, () => window(rng, perWindow, 20, scale, failRate));
}

const fast = { ...DEFAULT_SETTINGS, resamples: 300 };

describe('normal distribution', () => {
  it('matches known values', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 5);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.575829, 5);
    expect(normalCdf(1.959964)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
  });

  it("Student's t quantiles match published values (scipy.stats.t.ppf)", () => {
    expect(studentQuantile(0.975, 2)).toBeCloseTo(4.302653, 5);
    expect(studentQuantile(0.975, 5)).toBeCloseTo(2.570582, 5);
    expect(studentQuantile(1 - 0.0015, 5)).toBeCloseTo(5.376025, 4);
    expect(studentQuantile(1 - 0.0005, 60)).toBeCloseTo(3.460200, 4);
    expect(studentQuantile(0.975, 1e6)).toBeCloseTo(1.959966, 4);
  });

  it('Bonferroni widens with the number of intervals; Holm adjusts p-values step-down', () => {
    expect(bonferroniZ(0.05, 1)).toBeCloseTo(1.96, 2);
    expect(bonferroniZ(0.05, 10)).toBeCloseTo(2.807, 2);
    // Holm (1979) worked example: p = 0.01, 0.04, 0.03, 0.005 → 0.03, 0.06, 0.06, 0.02.
    expect(holmAdjust([0.01, 0.04, 0.03, 0.005]).map((p) => +p.toFixed(4))).toEqual([0.03, 0.06, 0.06, 0.02]);
  });
});

describe('compareEntries', () => {
  it('identical inputs: ratio 1 and a pass that states its bound', () => {
    const a = run(1, 12, 400, 1);
    const v = compareEntries([{ name: 'Aggregated', judged: true, base: [a], cand: [a] }], fast);
    expect(v.tested).toBe(4);
    for (const t of v.tests) {
      expect(t.change).toBe(0);
      expect(t.outcome).toBe('no-change');
      expect(t.bound).toBeGreaterThan(0);
      expect(t.bound).toBeLessThan(0.2);
    }
  });

  it('is deterministic for the same input', () => {
    const e: EntrySides = { name: 'x', judged: true, base: [run(2, 10, 300, 1)], cand: [run(3, 10, 300, 1.1)] };
    expect(compareEntries([e], fast)).toEqual(compareEntries([e], fast));
  });

  it('zero samples: inconclusive with the reason; a route is skipped and not counted', () => {
    const empty: RunSample = [];
    const v = compareEntries([
      { name: 'judged', judged: true, base: [run(4, 8, 300, 1)], cand: [empty] },
      { name: 'POST /route', judged: false, base: [run(5, 2, 30, 1)], cand: [run(6, 2, 30, 1)] },
    ], fast);
    expect(v.tested).toBe(0);
    const judged = v.tests.filter((t) => t.entry === 'judged');
    expect(judged.map((t) => t.outcome)).toEqual(['inconclusive', 'inconclusive', 'inconclusive', 'inconclusive']);
    expect(judged[0].reason).toBe('the candidate has no sample of it');
    const route = v.tests.filter((t) => t.entry === 'POST /route');
    expect(route.every((t) => t.outcome === 'skipped')).toBe(true);
    expect(route[0].reason).toMatch(/at least 3 windows/);
  });

  it('a quantile without enough tail samples is not tested (p99 needs 1,000)', () => {
    const v = compareEntries([{ name: 'x', judged: true, base: [run(7, 6, 50, 1)], cand: [run(8, 6, 50, 1)] }], fast);
    const p99 = v.tests.find((t) => t.metric === 'p99');
    expect(p99?.outcome).toBe('inconclusive');
    expect(p99?.reason).toMatch(/p99 needs at least 1000 samples on each side \(base 300, candidate 300\)/);
  });

  it('covers the true ratio of shifted lognormals (1.10) in at least 95 % of 120 seeds, and calls it a regression', () => {
    let covered = 0, total = 0, regressions = 0;
    for (let s = 0; s < 120; s++) {
      const v = compareEntries([{ name: 'x', judged: true, base: [run(1000 + s, 20, 500, 1)], cand: [run(5000 + s, 20, 500, 1.1)] }], fast);
      for (const t of v.tests.filter((x) => x.metric !== 'error_rate')) {
        total++;
        if (t.lo <= 0.1 && 0.1 <= t.hi) covered++;
        if (t.metric === 'p50' && t.outcome === 'regression') regressions++;
      }
    }
    expect(covered / total).toBeGreaterThanOrEqual(0.95);
    expect(regressions / 120).toBeGreaterThanOrEqual(0.8);
  });

  it('A/A: no regression and no improvement over 120 seeds', () => {
    let alarms = 0;
    for (let s = 0; s < 120; s++) {
      const v = compareEntries([{ name: 'x', judged: true, base: [run(9000 + s, 6, 1000, 1)], cand: [run(9500 + s, 6, 1000, 1)] }], fast);
      if (v.tests.some((t) => t.outcome === 'regression' || t.outcome === 'improvement')) alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(1);
  });

  it('a sub-millisecond route moving by less than 1 ms is not a regression, however large the ratio (the seed rule\'s floor)', () => {
    const base = [(() => { const rng = createRandom(41); return Array.from({ length: 30 }, () => window(rng, 500, 0.6, 1)); })()];
    const cand = [(() => { const rng = createRandom(42); return Array.from({ length: 30 }, () => window(rng, 500, 0.6, 1.3)); })()];
    const v = compareEntries([{ name: 'POST /api/runs/trigger', judged: false, base, cand }], fast);
    const p50 = v.tests.find((t) => t.metric === 'p50')!;
    expect(p50.lo).toBeGreaterThan(0.1);
    expect(p50.outcome).not.toBe('regression');
    const strict = compareEntries([{ name: 'POST /api/runs/trigger', judged: false, base, cand }], { ...fast, minEffectMs: 0 });
    expect(strict.tests.find((t) => t.metric === 'p50')!.outcome).toBe('regression');
  });

  it('error rate: a rise beyond one point is a regression, none on either side is a pass bounded by 3/n', () => {
    const v = compareEntries([{ name: 'x', judged: true, base: [run(11, 10, 500, 1, 0.01)], cand: [run(12, 10, 500, 1, 0.06)] }], fast);
    const er = v.tests.find((t) => t.metric === 'error_rate');
    expect(er?.outcome).toBe('regression');
    expect(er?.change).toBeGreaterThan(0.03);
    const none = compareEntries([{ name: 'x', judged: true, base: [run(13, 10, 500, 1)], cand: [run(14, 10, 500, 1)] }], fast);
    const e0 = none.tests.find((t) => t.metric === 'error_rate');
    expect(e0?.outcome).toBe('no-change');
    expect(e0?.hi).toBeCloseTo(3 / 5000, 9);
  });

  it('several runs per side: the run is the unit, so run-to-run spread widens the interval', () => {
    // Each run's level drifts by ±5 % (a real stack's run-to-run variance): runs as units see it.
    const runs = (seed: number): RunSample[] => Array.from({ length: 5 }, (_, i) => run(seed + i, 6, 500, 1 + 0.05 * Math.sin(seed + i * 2.1)));
    const one = compareEntries([{ name: 'x', judged: true, base: [runs(100)[0]], cand: [runs(200)[0]] }], fast);
    const many = compareEntries([{ name: 'x', judged: true, base: runs(100), cand: runs(200) }], fast);
    const width = (v: typeof one): number => { const t = v.tests[0]; return t.hi - t.lo; };
    expect(width(many)).toBeGreaterThan(width(one));
    expect(many.tests[0].outcome).not.toBe('regression');
  });
});

describe('one run a side: windows paired in time', () => {
  /** A run whose first window is a burst of fast start-up calls (as an sdk run's run creation), then steady traffic. */
  function scheduled(seed: number, scale: number): RunSample {
    const rng = createRandom(seed);
    const startUp = window(rng, 300, 0.8, 1);
    const rest = Array.from({ length: 5 }, () => window(rng, 300, 20, scale));
    return [{ ...startUp, points: [...startUp.points, ...window(rng, 100, 20, scale).points], count: 400 }, ...rest];
  }

  it('the shared start-up window does not blow up the interval, and +10 % is still seen', () => {
    let alarms = 0, seen = 0;
    for (let s = 0; s < 40; s++) {
      const aa = compareEntries([{ name: 'x', judged: true, base: [scheduled(300 + s, 1)], cand: [scheduled(700 + s, 1)] }], fast);
      if (aa.tests.some((t) => t.outcome === 'regression' || t.outcome === 'improvement')) alarms++;
      const p50 = aa.tests.find((t) => t.metric === 'p50');
      expect(p50!.hi - p50!.lo).toBeLessThan(0.4);
      const ab = compareEntries([{ name: 'x', judged: true, base: [scheduled(300 + s, 1)], cand: [scheduled(900 + s, 1.25)] }], fast);
      if (ab.tests.find((t) => t.metric === 'p95')?.outcome === 'regression') seen++;
    }
    expect(alarms).toBe(0);
    expect(seen).toBeGreaterThanOrEqual(30);
  });

  it('identical files: no change, but the pass never claims less than independent samples could see', () => {
    const a = run(1, 12, 400, 1);
    const v = compareEntries([{ name: 'x', judged: true, base: [a], cand: [a] }], fast);
    const p99 = v.tests.find((t) => t.metric === 'p99');
    expect(p99?.bound).toBeGreaterThan(0.02);
  });
});
