/**
 * Executors by name. A load plan names its executor; the runner asks here for it. Adding an
 * executor: one file in this folder, its load type in `LoadPlan`, one line in EXECUTORS.
 */
import { constantArrivalRate, type ConstantArrivalRateLoad } from './constant-arrival-rate.js';
import { constantUsers, type ConstantUsersLoad } from './constant-users.js';
import type { ExecutionContext, Executor } from './executor.js';
import { loadShape, type LoadShapeLoad } from './load-shape.js';
import { rampingArrivalRate, type RampingArrivalRateLoad } from './ramping-arrival-rate.js';
import { rampingUsers, type RampingUsersLoad } from './ramping-users.js';

/** Every executor's load, told apart by `executor`. */
export type LoadPlan = ConstantUsersLoad | RampingUsersLoad | ConstantArrivalRateLoad | RampingArrivalRateLoad | LoadShapeLoad;

type Factory<L extends LoadPlan> = (load: L, ctx: ExecutionContext) => Executor;

const EXECUTORS: { [K in LoadPlan['executor']]: Factory<Extract<LoadPlan, { executor: K }>> } = {
  'constant-users': constantUsers,
  'ramping-users': rampingUsers,
  'constant-arrival-rate': constantArrivalRate,
  'ramping-arrival-rate': rampingArrivalRate,
  'load-shape': loadShape,
};

export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as LoadPlan['executor'][];

export function createExecutor(load: LoadPlan, ctx: ExecutionContext): Executor {
  const factory = EXECUTORS[load.executor] as Factory<LoadPlan>;
  return factory(load, ctx);
}
