/** Locust's LoadTestShape against a manual clock: a rate shape drives the open model second by second, a users shape ramps users, null stops. */
import { describe, expect, it } from 'vitest';
import { loadShape, type LoadShapeLoad } from '../../src/executor/load-shape.js';
import type { LoadShape } from '../../src/load/scenario.js';
import { fakeContext } from './fake-users.js';
import { ManualClock } from './manual-clock.js';

const pool = { preAllocatedUsers: 20, maxUsers: 20, onSaturation: 'drop' as const, iteration: 'task' as const, runLengthS: 0 };

describe('load shape', () => {
  it('{rate}: starts rate(k) iterations in second k and stops at null', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, 5);
    const calls: number[] = [];
    const shape: LoadShape = ({ elapsedS }) => {
      calls.push(elapsedS);
      return elapsedS < 3 ? { rate: 10 * (elapsedS + 1) } : null;
    };
    const load: LoadShapeLoad = { executor: 'load-shape', shape, runTimeS: Infinity, ...pool };
    const run = loadShape(load, ctx).run();
    await clock.advanceTo(10_000);
    await run;
    const perSecond = [0, 1, 2].map((k) => rec.started.filter((t) => t >= k * 1000 && t < (k + 1) * 1000).length);
    expect(perSecond).toEqual([10, 20, 30]);
    expect(calls).toEqual([0, 1, 2, 3]);
  });

  it('{users, spawnRate}: ramps up at the spawn rate and down at once', async () => {
    const clock = new ManualClock();
    const { ctx } = fakeContext(clock, 50);
    let active = 0;
    ctx.onActiveUsers = (n) => void (active = n);
    const shape: LoadShape = ({ elapsedS }) => (elapsedS < 2 ? { users: 4, spawnRate: 2 } : elapsedS < 3 ? { users: 1 } : null);
    const run = loadShape({ executor: 'load-shape', shape, runTimeS: Infinity, ...pool }, ctx).run();
    await clock.advanceTo(250);
    expect(active).toBe(1);
    await clock.advanceTo(750);
    expect(active).toBe(2);
    await clock.advanceTo(1750);
    expect(active).toBe(4);
    await clock.advanceTo(2500);
    expect(active).toBe(1);
    await clock.advanceTo(10_000);
    await run;
    expect(active).toBe(0);
  });

  it('a shape that throws mid-run stops every started user (their runs finish), then reports the error in one sentence', async () => {
    const clock = new ManualClock();
    const { ctx } = fakeContext(clock, 50);
    let active = 0;
    ctx.onActiveUsers = (n) => void (active = n);
    const shape: LoadShape = ({ elapsedS }) => {
      if (elapsedS >= 2) throw new Error('no more');
      return { users: 3 };
    };
    const run = loadShape({ executor: 'load-shape', shape, runTimeS: Infinity, ...pool }, ctx).run();
    const settled = run.then(() => 'resolved', (err: Error & { exitCode?: number }) => `${err.exitCode}: ${err.message}`);
    await clock.advanceTo(1500);
    expect(active).toBe(3);
    await clock.advanceTo(10_000);
    expect(await settled).toBe("2: the scenario's load shape threw at 2 s: no more");
    expect(active).toBe(0);
  });
});

