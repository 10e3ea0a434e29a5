/**
 * `ramping-arrival-rate` (k6's): the rate moves linearly from `startRate` through each stage's
 * target; iteration i is due when the rate's integral reaches i (src/executor/stages.ts), so the
 * iterations started follow the stage integral. An open model (src/executor/open-model.ts).
 */
import { SimUsageError } from '../core/errors.js';
import { arrivalPool, arrivalProcess, refuseClosedModelFlags } from './arrival-pool.js';
import { scheduleSource, type ArrivalProcess } from './arrivals.js';
import { iterationWord, perSecond, poolWords } from './constant-arrival-rate.js';
import type { ExecutionContext, Executor, ExecutorKind } from './executor.js';
import { parseRate, parseStages } from './load-options.js';
import { OpenModel, type ArrivalPool } from './open-model.js';
import type { Segment } from './segment.js';
import { peakTarget, RateSchedule, stageLabel, stagesDurationS, type Stage } from './stages.js';

export interface RampingArrivalRateLoad extends ArrivalPool {
  executor: 'ramping-arrival-rate';
  /** Iterations per second at the start (default 0, k6's startRate). */
  startRate: number;
  stages: Stage[];
  arrivals: ArrivalProcess;
}

/** Stages of rates (`--stage 1m:50/s`, optionally from `--arrival-rate`), or the scenario's rate stages. */
export const rampingArrivalRateKind: ExecutorKind<RampingArrivalRateLoad> = {
  name: 'ramping-arrival-rate',
  claims: (input) => input.rateMode && input.stageSpecs.length > 0,
  resolve(input) {
    refuseClosedModelFlags(input.flags);
    const arrivals = arrivalProcess(input);
    const startRate = input.flags.arrivalRate !== undefined ? parseRate(input.flags.arrivalRate, '--arrival-rate') : 0;
    const stages = parseStages(input.stageSpecs, true, input.stageFlag);
    if (!(stagesDurationS(stages) > 0)) throw new SimUsageError(`${input.stageFlag} must last longer than 0 s in total.`);
    return { executor: 'ramping-arrival-rate', startRate, stages, arrivals, ...arrivalPool(input, peakTarget(startRate, stages)) };
  },
  create: (load, ctx) => rampingArrivalRate(load, ctx),
  describe: (load, segment: Segment) =>
    `${iterationWord(load)}/s ramping ${perSecond(load.startRate / segment.count)} → ` +
    `${load.stages.map((s) => `${perSecond(s.target / segment.count)} in ${s.durationS} s`).join(' → ')} (${poolWords(load)})`,
  peakUsers: (load) => load.maxUsers,
  firstSecondUsers: (load) => load.preAllocatedUsers,
  spawnRate: () => 0,
};

export function rampingArrivalRate(load: RampingArrivalRateLoad, ctx: ExecutionContext): Executor {
  const model = new OpenModel(load, ctx);
  const schedule = new RateSchedule(load.startRate, load.stages);
  let t0 = ctx.clock.now();
  return {
    name: 'ramping-arrival-rate',
    get activeUsers() {
      return model.activeUsers;
    },
    describe: () => rampingArrivalRateKind.describe(load, ctx.segment),
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
