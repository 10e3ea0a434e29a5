import { describe, expect, it } from 'vitest';
import { lookK, obfSpent, twoLooks } from '../../bench/lib/group-sequential.js';
import { normal } from '../../bench/lib/samples.js';
import { mulberry32 } from '../../src/core/random.js';

describe('two-look boundaries (Lan–DeMets, O\'Brien–Fleming type)', () => {
  it('gives the tabulated boundaries for two equally spaced looks at one-sided α = 0.025', () => {
    const b = twoLooks(0.5);
    expect(b.z1).toBeCloseTo(2.963, 2);
    expect(b.z2).toBeCloseTo(1.969, 2);
  });

  it('agrees with scipy\'s bivariate normal at other first-look fractions', () => {
    // scipy.stats.multivariate_normal, bisected the same way (the session's check).
    for (const [t1, z1, z2] of [[0.6, 2.669, 1.981], [28 / 52, 2.840, 1.973]]) {
      const b = twoLooks(t1);
      expect(Math.abs(b.z1 - z1)).toBeLessThan(0.002);
      expect(Math.abs(b.z2 - z2)).toBeLessThan(0.002);
    }
  });

  it('spends little early and all of α at the end', () => {
    expect(obfSpent(1, 0.025)).toBe(0.025);
    expect(obfSpent(0.25, 0.025)).toBeLessThan(obfSpent(0.5, 0.025));
    expect(obfSpent(0.5, 0.025)).toBeLessThan(0.002);
    expect(() => twoLooks(1)).toThrow(/between 0 and 1/);
  });

  it('keeps the whole take\'s chance of crossing at α when there is no effect (simulated)', () => {
    // Two looks over the sums of 52 independent standard normal runs, the first after 28.
    const rng = mulberry32(7);
    const b = twoLooks(28 / 52);
    const takes = 40_000;
    let crossed = 0;
    for (let i = 0; i < takes; i++) {
      let s = 0;
      for (let r = 0; r < 28; r++) s += normal(rng);
      const z1 = s / Math.sqrt(28);
      for (let r = 28; r < 52; r++) s += normal(rng);
      if (z1 > b.z1 || s / Math.sqrt(52) > b.z2) crossed++;
    }
    // 0.025 ± 3 standard errors of a share over 40,000 takes.
    expect(Math.abs(crossed / takes - 0.025)).toBeLessThan(3 * Math.sqrt(0.025 * 0.975 / takes));
  });

  it('turns a look\'s tail into the t multiplier of its runs', () => {
    const b = twoLooks(28 / 52);
    expect(lookK(b.spent1, 28)).toBeCloseTo(3.098, 2);
    expect(lookK(b.tail2, 52)).toBeCloseTo(2.021, 2);
  });
});
