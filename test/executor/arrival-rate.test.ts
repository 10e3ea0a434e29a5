/**
 * The open model against a manual clock: rate accuracy (k6's own bar), exact drop counting,
 * queueing with latency from the intended start, stage integrals, and segments adding up.
 */
import { describe, expect, it } from 'vitest';
import { constantArrivalRate, type ConstantArrivalRateLoad } from '../../src/executor/constant-arrival-rate.js';
import { rampingArrivalRate, type RampingArrivalRateLoad } from '../../src/executor/ramping-arrival-rate.js';
import { RateSchedule } from '../../src/executor/stages.js';
import { fakeContext } from './fake-users.js';
import { ManualClock } from './manual-clock.js';

const pool = { preAllocatedUsers: 50, maxUsers: 50, onSaturation: 'drop' as const, iteration: 'task' as const, runLengthS: 0 };

function constant(rate: number, runTimeS: number, over: Partial<ConstantArrivalRateLoad> = {}): ConstantArrivalRateLoad {
  return { executor: 'constant-arrival-rate', rate, runTimeS, arrivals: { kind: 'uniform' }, ...pool, ...over };
}

async function runFor(clock: ManualClock, run: Promise<unknown>, untilMs: number): Promise<void> {
  await clock.advanceTo(untilMs);
  await run;
}

describe('constant arrival rate', () => {
  it('starts 50 ± 5 iterations in every 1 s window and 250 ± 2 over 5 s at 50/s', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, 10);
    const ex = constantArrivalRate(constant(50, 5), ctx);
    await runFor(clock, ex.run(), 10_000);
    expect(rec.started.length).toBeGreaterThanOrEqual(248);
    expect(rec.started.length).toBeLessThanOrEqual(252);
    // Sliding 1 s windows, every 100 ms.
    for (let from = 0; from <= 4000; from += 100) {
      const n = rec.started.filter((t) => t >= from && t < from + 1000).length;
      expect(n, `window from ${from} ms`).toBeGreaterThanOrEqual(45);
      expect(n).toBeLessThanOrEqual(55);
    }
    expect(rec.dropped).toHaveLength(0);
    // On time: every iteration started at its due time, so both latencies agree.
    for (const c of rec.completed) expect(c.startedAt).toBe(c.dueAt);
  });

  it('drops exactly what it cannot start: 10/s for 950 ms with 5 blocked users gives 5 started and 5 dropped', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, Infinity);
    const ex = constantArrivalRate(constant(10, 0.95, { preAllocatedUsers: 5, maxUsers: 5 }), ctx);
    await runFor(clock, ex.run(), 10_000);
    expect(rec.started).toEqual([0, 100, 200, 300, 400]);
    expect(rec.dropped).toEqual([500, 600, 700, 800, 900]);
    expect(ex.progress?.().dropped).toBe(5);
  });

  it('queues when saturated (--on-saturation queue) and measures latency from the due time', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, 250);
    // 10/s for 1 s on 2 users of 250 ms each: capacity 8/s, so iterations wait and start late.
    const ex = constantArrivalRate(constant(10, 1, { preAllocatedUsers: 2, maxUsers: 2, onSaturation: 'queue' }), ctx);
    await runFor(clock, ex.run(), 10_000);
    // Nothing is dropped while the load runs; the one still queued at its end (due 900 ms) is.
    expect(rec.dropped).toEqual([900]);
    expect(rec.completed).toHaveLength(9);
    const late = rec.completed.filter((c) => c.startedAt > c.dueAt);
    expect(late).toHaveLength(7);
    // Due at 800 ms, started only when a user freed at 1,000 ms: 450 ms from the intended start, 250 ms from the actual one.
    const last = rec.completed.find((c) => c.dueAt === 800)!;
    expect(last.startedAt).toBe(1000);
    expect(last.endedAt - last.dueAt).toBe(450);
    expect(last.endedAt - last.startedAt).toBe(250);
  });

  it('counts iterations still queued at the end as dropped (never run late silently)', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, Infinity);
    const ex = constantArrivalRate(constant(10, 0.95, { preAllocatedUsers: 2, maxUsers: 2, onSaturation: 'queue' }), ctx);
    await runFor(clock, ex.run(), 10_000);
    expect(rec.started).toHaveLength(2);
    expect(rec.dropped).toHaveLength(8);
  });

  it('grows the pool in the background up to --max-users (the iteration that found none free is dropped, as in k6)', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, Infinity);
    const ex = constantArrivalRate(constant(10, 0.95, { preAllocatedUsers: 1, maxUsers: 3 }), ctx);
    await runFor(clock, ex.run(), 10_000);
    expect(rec.users).toEqual([1, 2, 3]);
    expect(rec.started).toEqual([0, 200, 400]);
    expect(rec.dropped).toEqual([100, 300, 500, 600, 700, 800, 900]);
  });

  it('splits over segments exactly: segment I runs iterations I, I+N, … and the parts add up to the whole', async () => {
    const starts: number[][] = [];
    for (let i = 0; i < 3; i++) {
      const clock = new ManualClock();
      const { ctx, rec } = fakeContext(clock, 10, { index: i, count: 3 });
      await runFor(clock, constantArrivalRate(constant(50, 2), ctx).run(), 5_000);
      starts.push(rec.started);
    }
    const all = starts.flat().sort((a, b) => a - b);
    expect(all).toHaveLength(100);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i * 20));
    expect(starts[1][0]).toBe(20);
  });

  it('poisson arrivals keep the mean rate and repeat for the same seed', async () => {
    const run = async (): Promise<number[]> => {
      const clock = new ManualClock();
      const { ctx, rec } = fakeContext(clock, 1);
      await runFor(clock, constantArrivalRate(constant(100, 20, { arrivals: { kind: 'poisson', seed: 7 } }), ctx).run(), 30_000);
      return rec.started;
    };
    const a = await run();
    expect(a.length).toBeGreaterThan(1900);
    expect(a.length).toBeLessThan(2100);
    expect(await run()).toEqual(a);
  });
});

describe('SDK runs as iterations', () => {
  it('each arrival is a fresh user (plan-wide index = iteration + 1) running for the run length; a run due with every slot busy is dropped', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, 10);
    // 2 runs/s for 2 s, each 1 s long (10 ms tasks, 100 ms waits, so a run ends just past 1 s); at most 3 at once.
    const ex = constantArrivalRate(constant(2, 2, { iteration: 'run', runLengthS: 1, preAllocatedUsers: 3, maxUsers: 3 }), ctx);
    await runFor(clock, ex.run(), 20_000);
    expect(rec.users).toEqual([1, 2, 3, 4]);
    expect(rec.completed.map((c) => c.startedAt)).toEqual([0, 500, 1000, 1500].slice(0, rec.completed.length));
    for (const c of rec.completed) {
      expect(c.endedAt - c.startedAt).toBeGreaterThanOrEqual(1000);
      expect(c.endedAt - c.startedAt).toBeLessThan(1120);
    }
    // Runs keep going after the arrivals stop (2 s) until their length is up.
    expect(rec.completed).toHaveLength(4);

    const tight = new ManualClock();
    const one = fakeContext(tight, 10);
    await runFor(tight, constantArrivalRate(constant(2, 2, { iteration: 'run', runLengthS: 1, preAllocatedUsers: 1, maxUsers: 1 }), one.ctx).run(), 20_000);
    // One slot: the run due at 0 lasts past 1 s, so those due at 500 and 1,000 ms find it busy.
    expect(one.rec.users).toEqual([1, 4]);
    expect(one.rec.dropped).toEqual([500, 1000]);
  });
});

describe('ramping arrival rate', () => {
  it('follows the stage integral within 1 % (0 → 100/s over 10 s, then 100/s for 5 s)', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, 5);
    const load: RampingArrivalRateLoad = {
      executor: 'ramping-arrival-rate', startRate: 0, stages: [{ durationS: 10, target: 100 }, { durationS: 5, target: 100 }],
      arrivals: { kind: 'uniform' }, ...pool,
    };
    await runFor(clock, rampingArrivalRate(load, ctx).run(), 20_000);
    const schedule = new RateSchedule(0, load.stages);
    for (let t = 2; t <= 15; t++) {
      const expected = schedule.count(t); // 5·t² during the ramp, then 500 + 100·(t−10)
      const got = rec.started.filter((s) => s < t * 1000).length;
      expect(Math.abs(got - expected), `by ${t} s: ${got} vs ${expected}`).toBeLessThanOrEqual(Math.max(1, expected * 0.01));
    }
    expect(rec.started).toHaveLength(1000);
  });
});

describe('RateSchedule', () => {
  it('inverts its integral: timeOf(count(t)) = t on ramps up, down and flat', () => {
    const s = new RateSchedule(20, [{ durationS: 5, target: 80 }, { durationS: 3, target: 80 }, { durationS: 4, target: 0 }]);
    for (let t = 0.01; t < 12; t += 0.37) expect(s.timeOf(s.count(t))).toBeCloseTo(t, 6);
    expect(s.total).toBeCloseTo(250 + 240 + 160, 9);
    expect(s.timeOf(s.total)).toBe(Infinity);
  });
});
