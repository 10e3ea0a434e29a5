/**
 * `constant-arrival-rate` (k6's executor of that name): `rate` iterations per second for
 * `runTimeS`, whatever the target does — an open model (src/executor/open-model.ts). Segment I
 * of N runs iterations I, I+N, … of the plan's schedule.
 */
import { SimUsageError } from '../core/errors.js';
import { arrivalPool, arrivalProcess, refuseClosedModelFlags } from './arrival-pool.js';
import { scheduleSource, type ArrivalProcess } from './arrivals.js';
import type { ExecutionContext, Executor, ExecutorKind } from './executor.js';
import { parseRate, parseRunTime } from './load-options.js';
import { OpenModel, type ArrivalPool } from './open-model.js';
import type { Segment } from './segment.js';
import { LiveRateSchedule, liveDueSource } from './live-rate.js';
import { RateSchedule } from './stages.js';

export interface ConstantArrivalRateLoad extends ArrivalPool {
  executor: 'constant-arrival-rate';
  /** Iterations per second over the whole plan. */
  rate: number;
  runTimeS: number;
  arrivals: ArrivalProcess;
}

/** `--arrival-rate R` without stages. */
export const constantArrivalRateKind: ExecutorKind<ConstantArrivalRateLoad> = {
  name: 'constant-arrival-rate',
  claims: (input) => input.rateMode && input.stageSpecs.length === 0,
  resolve(input) {
    refuseClosedModelFlags(input.flags);
    const arrivals = arrivalProcess(input);
    const rate = input.flags.arrivalRate !== undefined ? parseRate(input.flags.arrivalRate, '--arrival-rate') : 0;
    if (!(rate > 0)) throw new SimUsageError('--arrival-rate must be above 0 without stages.');
    const runTimeS = parseRunTime(input.flags.runTime);
    return { executor: 'constant-arrival-rate', rate, runTimeS, arrivals, ...arrivalPool(input, rate) };
  },
  create: (load, ctx) => constantArrivalRate(load, ctx),
  describe: (load, segment: Segment) =>
    `${perSecond(load.rate / segment.count)} ${iterationWord(load)}/s for ${load.runTimeS} s (${poolWords(load)})`,
  peakUsers: (load) => load.maxUsers,
  firstSecondUsers: (load) => load.preAllocatedUsers,
  spawnRate: () => 0,
};

export function constantArrivalRate(load: ConstantArrivalRateLoad, ctx: ExecutionContext): Executor {
  const model = new OpenModel(load, ctx);
  const schedule = new RateSchedule(load.rate, [{ durationS: load.runTimeS, target: load.rate }]);
  // With live control the rate is a LiveRateSchedule the page can move (src/executor/live-rate.ts).
  const live = ctx.liveControl ? new LiveRateSchedule(load.rate, load.runTimeS) : undefined;
  let startedAt = 0;
  let first = true;
  return {
    name: 'constant-arrival-rate',
    get activeUsers() {
      return model.activeUsers;
    },
    describe: () => constantArrivalRateKind.describe(load, ctx.segment),
    progress: () => ({ target: (live?.rate ?? load.rate) / ctx.segment.count, unit: 'iterations/s', dropped: model.state.dropped }),
    setRate(rate) {
      if (!live) return 'live changes are off for this run (they come with --web)';
      if (!(rate > 0) || !Number.isFinite(rate)) return `the rate must be a number of iterations per second above 0, got ${rate}`;
      live.setRate(rate, first ? 0 : (ctx.clock.now() - startedAt) / 1000);
      return undefined;
    },
    run: (signal) => {
      const stop = signal ?? new AbortController().signal;
      if (!live) return model.run(scheduleSource(schedule, ctx.segment, load.arrivals), stop, load.runTimeS * 1000);
      const started = (): number => {
        if (first) { startedAt = ctx.clock.now(); first = false; }
        return startedAt;
      };
      return model.run(liveDueSource(scheduleSource(live, ctx.segment, load.arrivals), live, ctx.clock, stop, started), stop, load.runTimeS * 1000);
    },
  };
}

export function perSecond(rate: number): string {
  return String(+rate.toFixed(3));
}

/** What one iteration of an arrival rate is: a task, or a whole SDK run. */
export function iterationWord(load: ArrivalPool): string {
  return load.iteration === 'run' ? 'runs' : 'iterations';
}

/** The arrival process and the pool in a few words. */
export function poolWords(load: ArrivalPool & { arrivals: ArrivalProcess }): string {
  return `${load.arrivals.kind}, up to ${load.maxUsers} users, ${load.onSaturation} when saturated`;
}
