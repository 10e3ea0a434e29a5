/**
 * Executors by name. Each executor's file holds its config (ExecutorKind: when it takes the load,
 * its options' parsing and checks, its description, peak and first-second users); this file
 * only lists them. Adding an executor: one file in this folder, its load type in `LoadPlan`,
 * one line in KINDS.
 */
import { constantArrivalRateKind, type ConstantArrivalRateLoad } from './constant-arrival-rate.js';
import { constantUsersKind, type ConstantUsersLoad } from './constant-users.js';
import type { ExecutionContext, Executor, ExecutorKind } from './executor.js';
import { checkLoadFlags, loadInput, type LoadOptions, type ScenarioLoad } from './load-options.js';
import { loadShapeKind, type LoadShapeLoad } from './load-shape.js';
import { rampingArrivalRateKind, type RampingArrivalRateLoad } from './ramping-arrival-rate.js';
import { rampingUsersKind, type RampingUsersLoad } from './ramping-users.js';
import { share, WHOLE, type Segment } from './segment.js';

/** Every executor's load, told apart by `executor`. */
export type LoadPlan = ConstantUsersLoad | RampingUsersLoad | ConstantArrivalRateLoad | RampingArrivalRateLoad | LoadShapeLoad;

type Kinds = { [K in LoadPlan['executor']]: ExecutorKind<Extract<LoadPlan, { executor: K }>> };

/** In the order they are asked to claim a load: the first that claims it takes it. */
const KINDS: Kinds = {
  'load-shape': loadShapeKind,
  'ramping-arrival-rate': rampingArrivalRateKind,
  'constant-arrival-rate': constantArrivalRateKind,
  'ramping-users': rampingUsersKind,
  'constant-users': constantUsersKind,
};

export const EXECUTOR_NAMES = Object.keys(KINDS) as LoadPlan['executor'][];

function kindOf(load: LoadPlan): ExecutorKind<LoadPlan> {
  return KINDS[load.executor] as ExecutorKind<LoadPlan>;
}

/**
 * The load flags and the scenario's own load → the executor's checked load (once per process).
 * Without `scenario` only the flags are checked, as for a scenario file not loaded yet.
 */
export function resolveLoad(flags: LoadOptions, seed: number, scenario?: ScenarioLoad): LoadPlan {
  const input = loadInput(flags, seed, scenario);
  checkLoadFlags(input);
  const kind = (Object.values(KINDS) as ExecutorKind<LoadPlan>[]).find((k) => k.claims(input)) ?? constantUsersKind;
  return (kind as ExecutorKind<LoadPlan>).resolve(input);
}

export function createExecutor(load: LoadPlan, ctx: ExecutionContext): Executor {
  return kindOf(load).create(load, ctx);
}

/** The load in a few words, for `segment`'s share (default the whole plan). */
export function describeLoad(load: LoadPlan, segment: Segment = WHOLE): string {
  return kindOf(load).describe(load, segment);
}

/** Users to size shared resources for (HTTP pools) and to print: the most the whole plan may run at once. */
export function peakUsers(load: LoadPlan): number {
  return kindOf(load).peakUsers(load);
}

/** Users `segment` starts within its first second: the connections opened ahead. */
export function firstSecondUsers(load: LoadPlan, segment: Segment): number {
  return share(segment, kindOf(load).firstSecondUsers(load));
}

/** The configured spawn rate (users/s) for the result; 0 where users are not spawned at a rate. */
export function spawnRateOf(load: LoadPlan): number {
  return kindOf(load).spawnRate(load);
}
