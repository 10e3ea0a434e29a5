/**
 * The flush rhythm the time-to-visible probe learns: bursts on a 1 s ticker grid, 5 or 6 ticks
 * apart (docs/protocol/clickhouse.md §3). Pure: brackets in, predicted windows out.
 */
import { describe, expect, it } from 'vitest';
import { FlushRhythm } from '../../src/run/storage/flush-rhythm.js';

/** True bursts at phase 300 ms of a 1 s grid. */
const burst = (tick: number): number => tick * 1000 + 300;

describe('FlushRhythm', () => {
  it('predicts nothing before the first burst, then windows 5 and 6 ticks after it', () => {
    const r = new FlushRhythm(1000, 5000);
    expect(r.predict(0)).toEqual([]);
    r.observe(burst(5) - 600, burst(5) + 600); // a coarse bracket: no phase yet
    expect(r.locked).toBe(false);
    const w = r.predict(burst(5) + 1);
    expect(w.map((x) => Math.round(x.at))).toEqual([burst(10), burst(11)]);
    expect(w[0].halfWidth).toBe(600);
  });

  it('each bracket narrows the phase, so the next windows are narrower and still hold the true burst', () => {
    const r = new FlushRhythm(1000, 5000, 15, 0); // no drift allowance: pure intersection
    r.observe(burst(5) - 100, burst(5) + 300); // phase in [200, 600]
    r.observe(burst(10) - 250, burst(10) + 50); // ∩ [50, 350] → [200, 350]
    expect(r.locked).toBe(true);
    const [next] = r.predict(burst(10) + 1);
    expect(next.halfWidth).toBeCloseTo(75, 5);
    expect(Math.abs(next.at - burst(15))).toBeLessThanOrEqual(next.halfWidth);
    r.observe(burst(15) - 10, burst(15) + 40);
    const [after] = r.predict(burst(15) + 1);
    expect(after.halfWidth).toBeLessThanOrEqual(25);
    expect(Math.abs(after.at - burst(20))).toBeLessThanOrEqual(after.halfWidth);
  });

  it('learns gaps between narrow bursts and reports the period', () => {
    const r = new FlushRhythm(1000, 5000);
    r.observe(burst(5) - 20, burst(5) + 20);
    r.observe(burst(11) - 20, burst(11) + 20);
    r.observe(burst(16) - 20, burst(16) + 20);
    expect(r.periodMs()).toBe(5500);
    expect(r.bursts).toBe(3);
  });

  it('widens the phase a little per tick for a drifting timer, and trusts the latest bracket when they disagree', () => {
    const r = new FlushRhythm(1000, 5000, 15, 6);
    r.observe(burst(5) - 10, burst(5) + 10);
    expect(r.predict(burst(5) + 1)[0].halfWidth).toBe(15 + 6 * 5);
    r.observe(burst(10) + 200, burst(10) + 220); // inconsistent with phase 300 ± 45
    const [w] = r.predict(burst(10) + 300);
    expect(Math.round(w.at)).toBe(burst(15) + 210);
  });

  it('a missed window makes the phase less certain', () => {
    const r = new FlushRhythm(1000, 5000, 15, 0);
    r.observe(burst(5) - 10, burst(5) + 10);
    r.missed();
    expect(r.predict(burst(5) + 1)[0].halfWidth).toBe(45);
  });
});
