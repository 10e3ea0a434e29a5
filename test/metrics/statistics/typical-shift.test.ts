import { describe, expect, it } from 'vitest';
import { createRandom, type RandomSource } from '../../../src/core/random.js';
import { Digest } from '../../../src/metrics/digest.js';
import { studentQuantile } from '../../../src/metrics/statistics/student-t.js';
import { typicalShift, type StratumSides } from '../../../src/metrics/statistics/typical-shift.js';
import type { RunSample } from '../../../src/metrics/statistics/window-sample.js';

const gauss = (rng: RandomSource): number => Math.sqrt(-2 * Math.log(1 - rng.next())) * Math.cos(2 * Math.PI * rng.next());

/** A run of `windows` 1 s windows, `perWindow` lognormal(σ 0.5) latencies of median `median` each, as digest points. */
function run(rng: RandomSource, windows: number, perWindow: number, median: number): RunSample {
  return Array.from({ length: windows }, (_, at) => {
    const d = new Digest(25);
    for (let i = 0; i < perWindow; i++) d.push(median * Math.exp(0.5 * gauss(rng)));
    const s = d.toFoldedJSON();
    const points: number[] = [];
    for (let i = 0; i < s.centroids.length; i += 4) points.push(s.centroids[i], s.centroids[i + 1]);
    for (const v of s.samples) points.push(v, 1);
    return { count: perWindow, failures: 0, points, at };
  });
}

/** Two routes like the SDK's: an ingest route of ~20 ms and an API route of ~0.7 ms. */
function sides(seed: number, ingestScale: number, apiScale: number, apiPerWindowCand = 10): StratumSides[] {
  const rng = createRandom(seed);
  return [
    { name: 'POST /ingest/metrics', base: [run(rng, 30, 40, 20)], cand: [run(rng, 30, 40, 20 * ingestScale)] },
    { name: 'POST /api/runs/trigger', base: [run(rng, 30, 10, 0.7)], cand: [run(rng, 30, apiPerWindowCand, 0.7 * apiScale)] },
  ];
}

describe('typicalShift: the typical request over all routes', () => {
  it('finds a +10 % scale shift of the ingest route as ln 1.10, within its standard error', () => {
    const t = typicalShift(sides(1, 1.1, 1), 300, 7, 10);
    expect(t).toBeDefined();
    // ~1,200 requests a side at σ 0.5: the iid standard error of the difference is 0.5·√(2/1200) ≈ 2 %.
    expect(t!.se).toBeGreaterThan(0.012);
    expect(t!.se).toBeLessThan(0.04);
    expect(Math.abs(t!.lnShift - Math.log(1.1))).toBeLessThan(3 * t!.se);
    // Weighted by time: the 0.7 ms route is ~1 % of it.
    expect(t!.strata.find((s) => s.name === 'POST /api/runs/trigger')!.weight).toBeLessThan(0.02);
  });

  it('holds the route mix equal: three times more fast API calls on one side move it by nothing', () => {
    const t = typicalShift(sides(2, 1, 1, 30), 300, 7, 10)!;
    expect(Math.abs(t.lnShift)).toBeLessThan(3 * t.se);
    // A geometric mean over all requests pooled would have dropped by about a third.
    expect(Math.abs(Math.log(t.cand / t.base))).toBeLessThan(0.05);
  });

  it("covers the true shift in about 95 % of 200 seeds (the interval the verdict builds: estimate ± t(n−1)·se)", () => {
    let covered = 0;
    const crit = studentQuantile(0.975, 29);
    for (let s = 0; s < 200; s++) {
      const t = typicalShift(sides(100 + s, 1.05, 1), 200, s, 10)!;
      if (Math.abs(t.lnShift - Math.log(1.05)) <= crit * t.se) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(182);
    expect(covered).toBeLessThanOrEqual(199);
  });

  it('several runs a side: the runs are the units; a route below the sample minimum is left out', () => {
    const rng = createRandom(5);
    const strata: StratumSides[] = [
      { name: 'POST /ingest/logs', base: [0, 1, 2].map(() => run(rng, 5, 40, 20)), cand: [0, 1, 2].map(() => run(rng, 5, 40, 24)) },
      { name: 'POST /api/slug', base: [0, 1, 2].map(() => run(rng, 1, 2, 0.6)), cand: [0, 1, 2].map(() => run(rng, 1, 2, 0.6)) },
    ];
    const t = typicalShift(strata, 300, 1, 10)!;
    expect(t.units).toBe(3);
    expect(t.strata.map((s) => s.name)).toEqual(['POST /ingest/logs']);
    expect(Math.abs(t.lnShift - Math.log(1.2))).toBeLessThan(0.05);
    expect(typicalShift([strata[1]], 300, 1, 10)).toBeUndefined();
  });
});
