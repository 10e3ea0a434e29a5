import { describe, expect, it } from 'vitest';
import { WaitWheel } from '../../src/load/wait-wheel.js';

describe('WaitWheel (the shared think-time timer)', () => {
  it('wakes every waiter once, never before its due time, earliest first', async () => {
    const wheel = new WaitWheel();
    const woke: Array<[number, number]> = [];
    const t0 = performance.now();
    const delays = [40, 5, 25, 5, 60, 15, 1, 33];
    await new Promise<void>((done) => {
      delays.forEach((ms, i) => {
        wheel.add({ wake: () => { woke.push([i, performance.now() - t0]); if (woke.length === delays.length) done(); } }, ms);
      });
      setTimeout(done, 2_000).unref();
    });
    expect(woke.map(([i]) => i).sort((a, b) => a - b)).toEqual(delays.map((_, i) => i));
    for (const [i, at] of woke) expect(at).toBeGreaterThanOrEqual(delays[i] - 0.01);
    const order = woke.map(([i]) => delays[i]);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    expect(wheel.size).toBe(0);
  });

  it('an earlier waiter added later re-arms the timer for it', async () => {
    const wheel = new WaitWheel();
    const t0 = performance.now();
    const late = new Promise<number>((r) => wheel.add({ wake: () => r(performance.now() - t0) }, 300));
    const early = await new Promise<number>((r) => wheel.add({ wake: () => r(performance.now() - t0) }, 10));
    expect(early).toBeLessThan(250);
    expect(await late).toBeGreaterThanOrEqual(299.99);
  });
});
