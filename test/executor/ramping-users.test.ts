/** Ramping users (k6's ramping-vus) against a manual clock: users = floor(target) at every instant, split exactly over segments. */
import { describe, expect, it } from 'vitest';
import { rampEvents, rampingUsers, type RampingUsersLoad } from '../../src/executor/ramping-users.js';
import { targetAt, userIntervals } from '../../src/executor/stages.js';
import { fakeContext } from './fake-users.js';
import { ManualClock } from './manual-clock.js';

const load: RampingUsersLoad = {
  executor: 'ramping-users', startUsers: 0,
  stages: [{ durationS: 10, target: 10 }, { durationS: 5, target: 10 }, { durationS: 5, target: 0 }],
};

describe('ramping users', () => {
  it('runs floor(target) users at every instant of the stages', async () => {
    const clock = new ManualClock();
    const { ctx } = fakeContext(clock, 50);
    let active = 0;
    ctx.onActiveUsers = (n) => void (active = n);
    const run = rampingUsers(load, ctx).run();
    for (let t = 250; t < 20_000; t += 500) {
      await clock.advanceTo(t);
      // A user asked to stop finishes its 50 ms task first (graceful ramp-down), so probe mid-way.
      expect(active, `at ${t} ms`).toBe(Math.floor(targetAt(0, load.stages, t / 1000)));
    }
    await clock.advanceTo(30_000);
    await run;
    expect(active).toBe(0);
  });

  it('starts user k when the target reaches k and stops it when it falls below k', () => {
    expect(userIntervals(0, load.stages, 4)).toEqual([{ from: 4, to: 18 }]);
    expect(userIntervals(0, load.stages, 10)).toEqual([{ from: 10, to: 15 }]);
    const updown = [{ durationS: 2, target: 4 }, { durationS: 2, target: 0 }, { durationS: 2, target: 4 }];
    expect(userIntervals(0, updown, 2)).toEqual([{ from: 1, to: 3 }, { from: 5, to: Infinity }]);
  });

  it('splits over segments by spawn order: the segments hold every user once', () => {
    const whole = rampEvents(load, { segment: { index: 0, count: 1 } });
    const parts = [0, 1, 2].map((index) => rampEvents(load, { segment: { index, count: 3 } }));
    expect(parts.flat().sort((a, b) => a.atS - b.atS || a.user - b.user)).toEqual([...whole].sort((a, b) => a.atS - b.atS || a.user - b.user));
    expect(parts[1].filter((e) => e.start).map((e) => e.user)).toEqual([2, 5, 8]);
  });
});
