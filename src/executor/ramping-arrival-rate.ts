/**
 * `ramping-arrival-rate` (k6's): the rate moves linearly from `startRate` through each stage's
 * target; iteration i is due when the rate's integral reaches i (src/executor/stages.ts), so the
 * iterations started follow the stage integral. An open model (src/executor/open-model.ts).
 */
import { scheduleSource, type ArrivalProcess } from './arrivals.js';
import { perSecond } from './constant-arrival-rate.js';
import type { ExecutionContext, Executor } from './executor.js';
import { OpenModel, type ArrivalPool } from './open-model.js';
import { RateSchedule, stageLabel, type Stage } from './stages.js';

export interface RampingArrivalRateLoad extends ArrivalPool {
  executor: 'ramping-arrival-rate';
  /** Iterations per second at the start (default 0, k6's startRate). */
  startRate: number;
  stages: Stage[];
  arrivals: ArrivalProcess;
}

export function rampingArrivalRate(load: RampingArrivalRateLoad, ctx: ExecutionContext): Executor {
  const model = new OpenModel(load, ctx);
  const schedule = new RateSchedule(load.startRate, load.stages);
  let t0 = ctx.clock.now();
  return {
    name: 'ramping-arrival-rate',
    get activeUsers() {
      return model.activeUsers;
    },
    describe: () =>
      `${load.iteration === 'run' ? 'runs' : 'iterations'}/s ramping ${perSecond(load.startRate / ctx.segment.count)} → ` +
      `${load.stages.map((s) => `${perSecond(s.target / ctx.segment.count)} in ${s.durationS} s`).join(' → ')} (${load.arrivals.kind}, up to ${load.maxUsers} users, ${load.onSaturation} when saturated)`,
    progress: () => {
      const tS = (ctx.clock.now() - t0) / 1000;
      return { target: schedule.rateAt(tS) / ctx.segment.count, unit: 'iterations/s', stage: stageLabel(load.stages, tS), dropped: model.state.dropped };
    },
    run: (signal) => {
      t0 = ctx.clock.now();
      return model.run(scheduleSource(schedule, ctx.segment, load.arrivals), signal ?? new AbortController().signal, schedule.durationS * 1000);
    },
  };
}
