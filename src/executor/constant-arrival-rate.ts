/**
 * `constant-arrival-rate` (k6's executor of that name): `rate` iterations per second for
 * `runTimeS`, whatever the target does — an open model (src/executor/open-model.ts). Segment I
 * of N runs iterations I, I+N, … of the plan's schedule.
 */
import { scheduleSource, type ArrivalProcess } from './arrivals.js';
import type { ExecutionContext, Executor } from './executor.js';
import { OpenModel, type ArrivalPool } from './open-model.js';
import { RateSchedule } from './stages.js';

export interface ConstantArrivalRateLoad extends ArrivalPool {
  executor: 'constant-arrival-rate';
  /** Iterations per second over the whole plan. */
  rate: number;
  runTimeS: number;
  arrivals: ArrivalProcess;
}

export function constantArrivalRate(load: ConstantArrivalRateLoad, ctx: ExecutionContext): Executor {
  const model = new OpenModel(load, ctx);
  const schedule = new RateSchedule(load.rate, [{ durationS: load.runTimeS, target: load.rate }]);
  return {
    name: 'constant-arrival-rate',
    get activeUsers() {
      return model.activeUsers;
    },
    describe: () => `${perSecond(load.rate / ctx.segment.count)} ${load.iteration === 'run' ? 'runs' : 'iterations'}/s for ${load.runTimeS} s (${load.arrivals.kind}, up to ${load.maxUsers} users, ${load.onSaturation} when saturated)`,
    progress: () => ({ target: load.rate / ctx.segment.count, unit: 'iterations/s', dropped: model.state.dropped }),
    run: (signal) => model.run(scheduleSource(schedule, ctx.segment, load.arrivals), signal ?? new AbortController().signal, load.runTimeS * 1000),
  };
}

export function perSecond(rate: number): string {
  return String(+rate.toFixed(3));
}
