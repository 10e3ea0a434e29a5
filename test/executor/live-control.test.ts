/**
 * Live changes of a running load (the live page, --web) under a manual clock: constant-users
 * runs a new number of users from the moment of the change, constant-arrival-rate a new rate with
 * the iterations already due kept, a held iteration moved within 100 ms; without liveControl both
 * refuse; the stages-following executors have no setter; the RunControl answers and records.
 */
import { describe, expect, it } from 'vitest';
import { constantArrivalRate, type ConstantArrivalRateLoad } from '../../src/executor/constant-arrival-rate.js';
import { constantUsers } from '../../src/executor/constant-users.js';
import { LiveRateSchedule } from '../../src/executor/live-rate.js';
import { rampingUsers } from '../../src/executor/ramping-users.js';
import { createRunControl } from '../../src/run/run-control.js';
import { fakeContext } from './fake-users.js';
import { ManualClock } from './manual-clock.js';

const pool = { preAllocatedUsers: 50, maxUsers: 50, onSaturation: 'drop' as const, iteration: 'task' as const, runLengthS: 0 };
const constant = (rate: number, runTimeS: number): ConstantArrivalRateLoad => ({ executor: 'constant-arrival-rate', rate, runTimeS, arrivals: { kind: 'uniform' }, ...pool });

describe('LiveRateSchedule', () => {
  it('counts on from the change at the new rate: no catch-up, no gap', () => {
    const s = new LiveRateSchedule(10, 10);
    expect(s.count(2)).toBeCloseTo(20);
    s.setRate(50, 2);
    expect(s.count(2)).toBeCloseTo(20);
    expect(s.count(3)).toBeCloseTo(70);
    expect(s.timeOf(70)).toBeCloseTo(3);
    expect(s.timeOf(10)).toBeCloseTo(1); // before the change: as it was
    expect(s.total).toBeCloseTo(20 + 50 * 8);
    expect(s.timeOf(s.total)).toBe(Infinity);
  });
});

describe('constant-users, live', () => {
  it('lowers to 2 users at once and raises to 5 at the spawn rate from the change', async () => {
    const clock = new ManualClock();
    const { ctx } = fakeContext(clock, 50);
    const active: number[] = [];
    ctx.onActiveUsers = (n) => void active.push(n);
    ctx.liveControl = true;
    const ex = constantUsers({ executor: 'constant-users', users: 6, spawnRate: 10, runTimeS: 4 }, ctx);
    const run = ex.run();
    await clock.advanceTo(1000);
    expect(ex.activeUsers).toBe(6);
    expect(ex.setUsers!(2)).toBeUndefined();
    await clock.advanceTo(1300); // the stopped users end their current task (50 ms) and their think (cut short)
    expect(ex.activeUsers).toBe(2);
    expect(ex.setUsers!(5)).toBeUndefined();
    await clock.advanceTo(1150 + 1300); // 3 more at 10/s: due at +0, +100, +200 ms
    expect(ex.activeUsers).toBe(5);
    expect(ex.progress!().target).toBe(5);
    expect(ex.setUsers!(7)).toMatch(/at most 6 users/);
    expect(ex.setUsers!(-1)).toMatch(/whole number/);
    await clock.advanceTo(10_000);
    const outcome = await run;
    expect(outcome.users.length).toBe(9); // 6 + 3 new ones (stopped users are not reused)
  });

  it('refuses without liveControl', () => {
    const { ctx } = fakeContext(new ManualClock(), 50);
    const ex = constantUsers({ executor: 'constant-users', users: 6, spawnRate: 10, runTimeS: 4 }, ctx);
    expect(ex.setUsers!(2)).toMatch(/--web/);
  });
});

describe('constant-arrival-rate, live', () => {
  it('runs the new rate from the change, and a due held under the old rate moves within 100 ms', async () => {
    const clock = new ManualClock();
    const { ctx, rec } = fakeContext(clock, 5);
    ctx.liveControl = true;
    const ex = constantArrivalRate(constant(1, 6), ctx); // one iteration a second: the next waits up to 1 s
    const run = ex.run();
    await clock.advanceTo(1500);
    expect(rec.started.length).toBe(2); // at 0 and 1000
    expect(ex.setRate!(20)).toBeUndefined();
    expect(ex.progress!().target).toBe(20);
    await clock.advanceTo(2500);
    // From 1.5 s on 20/s: due at 1.5 + (2 − 1.5)/20 … the first one no later than 100 ms after the change.
    const after = rec.started.filter((t) => t > 1000);
    expect(after[0]).toBeLessThanOrEqual(1600);
    expect(after.length).toBeGreaterThanOrEqual(19);
    expect(after.length).toBeLessThanOrEqual(21);
    expect(ex.setRate!(0)).toMatch(/above 0/);
    await clock.advanceTo(20_000);
    await run;
  });

  it('refuses without liveControl', () => {
    const { ctx } = fakeContext(new ManualClock(), 5);
    expect(constantArrivalRate(constant(1, 6), ctx).setRate!(3)).toMatch(/--web/);
  });
});

describe('RunControl', () => {
  it('answers and records every request; a stages-following executor says why not; stop aborts once', () => {
    const { ctx } = fakeContext(new ManualClock(), 5);
    const executor = rampingUsers({ executor: 'ramping-users', startUsers: 0, stages: [{ durationS: 10, target: 5 }] }, ctx);
    const abort = new AbortController();
    let resets = 0;
    const control = createRunControl({ executor, recorder: { reset: () => void resets++, setTarget: () => undefined }, abort, t0: () => performance.now(), log: () => undefined });
    expect(control.capabilities).toEqual({ users: false, rate: false, reason: 'the users follow the stages of ramping-users' });
    expect(control.setUsers(3, 'web')).toEqual({ applied: false, reason: 'the users follow the stages of ramping-users' });
    expect(control.resetStats('web').applied).toBe(true);
    expect(resets).toBe(1);
    expect(control.stop('web').applied).toBe(true);
    expect(abort.signal.aborted).toBe(true);
    expect(control.stop('web')).toEqual({ applied: false, reason: 'the run is already stopping' });
    expect(control.actions().map((a) => [a.action, a.applied, a.by])).toEqual([
      ['set-users', false, 'web'], ['reset-stats', true, 'web'], ['stop', true, 'web'], ['stop', false, 'web'],
    ]);
    for (const a of control.actions()) expect(Date.parse(a.at)).not.toBeNaN();
  });

  it('under --workers only stop applies', () => {
    const abort = new AbortController();
    const control = createRunControl({ executor: { name: '2 workers' }, abort, t0: () => undefined, log: () => undefined, refusal: 'not here' });
    expect(control.resetStats('web')).toEqual({ applied: false, reason: 'not here' });
    expect(control.setRate(3, 'web')).toEqual({ applied: false, reason: 'not here' });
    expect(control.stop('web').applied).toBe(true);
  });
});
