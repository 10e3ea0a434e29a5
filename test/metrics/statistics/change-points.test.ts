/**
 * E-divisive means (src/metrics/statistics/change-points.ts) on series whose answer is known:
 * a step in noisy data is found where it is, constant noise has none, two steps give both, and
 * the same input gives the same answer.
 */
import { describe, expect, it } from 'vitest';
import { createRandom } from '../../../src/core/random.js';
import { eDivisive } from '../../../src/metrics/statistics/change-points.js';

/** Normal noise (Box–Muller) from a seeded generator. */
function noise(seed: number, n: number, sd: number): number[] {
  const r = createRandom(seed);
  return Array.from({ length: n }, () => sd * Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next()));
}

/** Levels: [[length, level], …] plus noise. */
function series(seed: number, sd: number, parts: Array<[number, number]>): number[] {
  const levels = parts.flatMap(([len, level]) => Array(len).fill(level) as number[]);
  return noise(seed, levels.length, sd).map((e, i) => levels[i] + e);
}

/** Q̂ of one split by the definition (Matteson & James eq. 3, α = 1), for checking the fast sums. */
function qhatByDefinition(x: number[], y: number[]): number {
  const n = x.length;
  const m = y.length;
  let cross = 0;
  for (const a of x) for (const b of y) cross += Math.abs(a - b);
  const within = (z: number[]): number => {
    if (z.length < 2) return 0;
    let s = 0;
    for (let i = 0; i < z.length; i++) for (let k = i + 1; k < z.length; k++) s += Math.abs(z[i] - z[k]);
    return s / ((z.length * (z.length - 1)) / 2);
  };
  return ((n * m) / (n + m)) * ((2 * cross) / (n * m) - within(x) - within(y));
}

describe('E-divisive means', () => {
  it('finds a step at index k in noisy data at k ± 1, with the means either side', () => {
    let hits = 0;
    for (let seed = 1; seed <= 20; seed++) {
      const k = 10 + (seed % 15);
      const xs = series(seed, 1, [[k, 100], [40 - k, 103]]);
      const cps = eDivisive(xs);
      expect(cps.length).toBeGreaterThanOrEqual(1);
      const near = cps.filter((c) => Math.abs(c.index - k) <= 1);
      if (near.length === 1) hits++;
      expect(near[0]?.meanAfter - near[0]?.meanBefore).toBeGreaterThan(2);
    }
    expect(hits).toBe(20);
  });

  it('finds no change point in constant noise but at its level: 1 % of series (0.4–1.8 % of 1,000, each with its own permutations)', () => {
    let withAny = 0;
    for (let seed = 100; seed < 1100; seed++) if (eDivisive(series(seed, 1, [[30, 100]])).length > 0) withAny++;
    expect(withAny).toBeGreaterThanOrEqual(4);
    expect(withAny).toBeLessThanOrEqual(18);
  });

  it('finds none in a constant series, and none in fewer than 3 points', () => {
    expect(eDivisive(Array(30).fill(5))).toEqual([]);
    expect(eDivisive([1, 100])).toEqual([]);
  });

  it('finds both steps of a series with two', () => {
    for (let seed = 200; seed < 210; seed++) {
      const xs = series(seed, 1, [[15, 100], [15, 104], [15, 99]]);
      const idx = eDivisive(xs).map((c) => c.index);
      expect(idx.some((i) => Math.abs(i - 15) <= 1), `seed ${seed}: ${idx}`).toBe(true);
      expect(idx.some((i) => Math.abs(i - 30) <= 1), `seed ${seed}: ${idx}`).toBe(true);
    }
  });

  it('cannot confirm a change of the last point alone (an outlier is as likely anywhere), but can with three after it', () => {
    expect(eDivisive([...series(7, 1, [[29, 100]]), 130])).toEqual([]);
    expect(eDivisive([...series(7, 1, [[27, 100]]), 130, 131, 129]).map((c) => c.index)).toEqual([27]);
  });

  it('is deterministic: the same series and seed give the same points and p-values; the p-value is (1 + k)/(R + 1)', () => {
    const xs = series(3, 1, [[20, 100], [10, 103]]);
    const a = eDivisive(xs);
    expect(eDivisive(xs)).toEqual(a);
    expect(a.length).toBeGreaterThan(0);
    for (const c of a) {
      expect(c.pValue).toBeGreaterThanOrEqual(1 / 200);
      expect(c.pValue * 200).toBeCloseTo(Math.round(c.pValue * 200), 9);
    }
  });

  it('keeps the candidate that maximises Q̂ over τ and κ, as the definition computes it', () => {
    const xs = series(11, 1, [[12, 10], [9, 14]]);
    let best = { index: 0, q: -Infinity };
    for (let tau = 1; tau < xs.length; tau++) {
      for (let kappa = tau + 1; kappa <= xs.length; kappa++) {
        const q = qhatByDefinition(xs.slice(0, tau), xs.slice(tau, kappa));
        if (q > best.q) best = { index: tau, q };
      }
    }
    const [first] = eDivisive(xs, { maxPValue: 0.5 }).sort((a, b) => b.qhat - a.qhat);
    expect(first.index).toBe(best.index);
    expect(first.qhat).toBeCloseTo(best.q, 9);
  });

  it('refuses options outside their ranges and non-finite values', () => {
    expect(() => eDivisive([1, 2, 3], { alpha: 2 })).toThrow(/alpha/);
    expect(() => eDivisive([1, 2, 3], { permutations: 0 })).toThrow(/permutations/);
    expect(() => eDivisive([1, 2, 3], { maxPValue: 1 })).toThrow(/maxPValue/);
    expect(() => eDivisive([1, NaN, 3])).toThrow(/finite/);
  });
});
