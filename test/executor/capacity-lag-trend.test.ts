/**
 * The visibility-lag rule of a capacity step (src/executor/capacity/lag-trend.ts) on cases with a
 * known answer: a flat lag with noise does not grow, a backlog that drains at a fixed deficit
 * grows by (deficit ÷ rate) × window, small or short growth does not count, and the step's
 * verdict names it "visibility lag grew".
 */
import { describe, expect, it } from 'vitest';
import { LAG_GROWTH_MIN_MS, lagTrend, type LagWindow } from '../../src/executor/capacity/lag-trend.js';
import { judgeStep, type StepMeasure } from '../../src/executor/capacity/step-verdict.js';
import { Recorder } from '../../src/metrics/recorder.js';
import { VISIBLE_ENTRY } from '../../src/core/entry-names.js';
import { visibilityLagIn } from '../../src/run/capacity/step-window.js';

/** Deterministic pseudo-noise in [−1, 1]. */
const wiggle = (i: number): number => Math.sin(i * 12.9898) * 0.999;

function series(n: number, lag: (t: number) => number, noiseMs: number): LagWindow[] {
  return Array.from({ length: n }, (_, i) => ({ t: i + 0.5, lagMs: lag(i + 0.5) + noiseMs * wiggle(i + 1) }));
}

describe('lagTrend', () => {
  it('a flat lag of 1.2 s with ±300 ms noise over 15 s does not grow', () => {
    const t = lagTrend(series(15, () => 1200, 300), 15);
    expect(t.grew).toBe(false);
    expect(t.levelMs).toBeGreaterThan(900);
    expect(t.levelMs).toBeLessThan(1500);
  });

  it('a pipeline 20 % short of the load: the lag climbs 200 ms a second, 3 s over 15 s, found with its slope', () => {
    const t = lagTrend(series(15, (s) => 800 + 200 * s, 100), 15);
    expect(t.grew).toBe(true);
    expect(t.slopeMsPerS).toBeGreaterThan(180);
    expect(t.slopeMsPerS).toBeLessThan(220);
    // the lower bound (slope − 2 errors) × 15 s, below the true 3000 ms but well above the floor
    expect(t.growthMs).toBeGreaterThan(2000);
    expect(t.growthMs).toBeLessThanOrEqual(3000);
  });

  it('growth under LAG_GROWTH_MIN_MS, or under a quarter of a high level, does not count', () => {
    expect(lagTrend(series(10, (s) => 100 + 15 * s, 0), 10).grew).toBe(false); // 150 ms over 10 s
    expect(lagTrend(series(10, (s) => 100 + 15 * s, 0), 10).growthMs).toBeLessThan(LAG_GROWTH_MIN_MS);
    expect(lagTrend(series(10, (s) => 4000 + 80 * s, 0), 10).grew).toBe(false); // 800 ms on a 4.4 s level
    expect(lagTrend(series(10, (s) => 1000 + 80 * s, 0), 10).grew).toBe(true); // 800 ms on a 1.4 s level
  });

  it('fewer than four seconds with samples: nothing is judged', () => {
    expect(lagTrend(series(3, (s) => 100 + 1000 * s, 0), 3)).toMatchObject({ grew: false, growthMs: 0, windows: 3 });
  });

  it('a noisy flat lag is a false alarm in fewer than 1 of 200 seeds (the 2-standard-error bound)', () => {
    let alarms = 0;
    for (let seed = 0; seed < 200; seed++) {
      const w = Array.from({ length: 12 }, (_, i) => ({ t: i + 0.5, lagMs: 1000 + 400 * Math.sin((seed + 1) * 7.31 + i * 3.77) }));
      if (lagTrend(w, 12).grew) alarms++;
    }
    expect(alarms).toBeLessThanOrEqual(1);
  });
});

describe('visibilityLagIn (per-second digests of E2E log→visible)', () => {
  it('reads only the seconds inside the window and finds a growing lag', () => {
    let nowMs = 1_000_000;
    const r = new Recorder({ now: () => nowMs, startMs: nowMs });
    for (let s = 0; s < 20; s++) {
      nowMs = 1_000_000 + s * 1000 + 100;
      // flat before second 10 (outside the window), then climbing 300 ms a second
      const lag = s < 10 ? 5000 : 500 + 300 * (s - 10);
      for (let k = 0; k < 5; k++) r.record(VISIBLE_ENTRY.method, VISIBLE_ENTRY.route, lag + k, true);
    }
    const t = visibilityLagIn(r, { fromSec: 1010, toSec: 1020 });
    expect(t?.windows).toBe(10);
    expect(t?.grew).toBe(true);
    expect(t?.slopeMsPerS).toBeCloseTo(300, 0);
    expect(visibilityLagIn(r, { fromSec: 1000, toSec: 1010 })?.grew).toBe(false);
    expect(visibilityLagIn(r, { fromSec: 2000, toSec: 2010 })).toBeUndefined();
  });
});

describe('judgeStep with the visibility lag', () => {
  const base: StepMeasure = {
    offered: 100, achieved: 100, keepUp: 1, requestsPerS: 100, ingestRequestsPerS: 100, lengthS: 10, windowS: 5, samples: 500, samplesNeeded: 200,
    p50Ms: 5, p95Ms: 10, p99Ms: 20, p999Ms: 30, maxMs: 40, errorRate: 0, generatorSaturated: false, slos: [],
  };
  it('fails the step as "visibility lag grew" only when the growth counts', () => {
    const grew = judgeStep({ ...base, visibilityLag: { levelMs: 900, growthMs: 2500, slopeMsPerS: 200, grew: true } }, 'throughput');
    expect(grew).toMatchObject({ verdict: 'fail', causes: ['visibility'] });
    expect(grew.reasons[0]).toMatch(/^visibility lag grew by 2500 ms/);
    expect(judgeStep({ ...base, visibilityLag: { levelMs: 900, growthMs: 100, slopeMsPerS: 20, grew: false } }, 'throughput').verdict).toBe('pass');
  });
});
