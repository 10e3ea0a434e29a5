/**
 * Which executor runs and with what: the load flags (`--users`, `--spawn-rate`, `--run-time`,
 * `--stage`, `--arrival-rate`, `--max-users`, `--pre-allocated-users`, `--arrivals`,
 * `--on-saturation`, `--run-length`) and a scenario's own `stages` or `shape`, resolved into one
 * LoadPlan (docs/cli.md "Load models"). Flags win over the scenario's load.
 */
import { parseDuration } from '../core/duration.js';
import { SimUsageError } from '../core/errors.js';
import type { ArrivalProcess } from '../executor/arrivals.js';
import type { ArrivalPool, Saturation } from '../executor/open-model.js';
import { realClock } from '../core/clock.js';
import { createExecutor, type LoadPlan } from '../executor/registry.js';
import { WHOLE } from '../executor/segment.js';
import { peakTarget, stagesDurationS, type Stage } from '../executor/stages.js';
import type { LoadShape, StageSpec } from '../load/scenario.js';

export type { StageSpec };

export interface LoadOptions {
  users?: number;
  spawnRate?: number;
  runTime?: string | number;
  /** `DURATION:TARGET` strings (`--stage 30s:100`, `--stage 1m:50/s`) or stage objects. */
  stages?: Array<string | StageSpec>;
  /** Iterations per second: `50`, `50/s`, `300/m`, or a number (per second). */
  arrivalRate?: string | number;
  maxUsers?: number;
  preAllocatedUsers?: number;
  arrivals?: 'uniform' | 'poisson';
  onSaturation?: Saturation;
  /** Length of one SDK training run under an arrival rate (default 60 s). */
  runLength?: string | number;
}

/** What the scenario brings: whether an iteration is a whole SDK run, and its own stages or shape. */
export interface ScenarioLoad {
  sdkRuns: boolean;
  stages?: StageSpec[];
  shape?: LoadShape;
}

export const DEFAULT_USERS = 50;
export const DEFAULT_RUN_TIME_S = 30;
export const DEFAULT_RUN_LENGTH_S = 60;
/** Headroom per SDK run in the default pool size: login, init and finish besides the run length. */
export const RUN_OVERHEAD_S = 5;

/** `50`, `50/s`, `300/m`, `3600/h` → iterations per second; throws SimUsageError naming the flag. */
export function parseRate(text: string | number, flag: string): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text >= 0) return text;
    throw new SimUsageError(`${flag} must be a rate of at least 0 like 50, 50/s or 300/m, got ${text}.`);
  }
  const m = /^\s*(\d+(?:\.\d+)?)\s*(?:\/\s*(s|m|h))?\s*$/i.exec(text);
  if (m === null) throw new SimUsageError(`${flag} must be a rate like 50, 50/s or 300/m, got "${text}".`);
  const per = { s: 1, m: 60, h: 3600 }[(m[2] ?? 's').toLowerCase() as 's' | 'm' | 'h'];
  return Number(m[1]) / per;
}

function hasRateUnit(target: number | string): boolean {
  return typeof target === 'string' && target.includes('/');
}

function parseStages(specs: Array<string | StageSpec>, rates: boolean, flag: string): Stage[] {
  return specs.map((spec) => {
    let duration: string | number, target: string | number;
    if (typeof spec === 'string') {
      const colon = spec.indexOf(':');
      if (colon <= 0) throw new SimUsageError(`${flag} must look like 30s:100 (DURATION:TARGET), got "${spec}".`);
      duration = spec.slice(0, colon);
      target = spec.slice(colon + 1);
    } else {
      ({ duration, target } = spec);
    }
    const durationS = parseDuration(duration, flag);
    if (rates) return { durationS, target: parseRate(target, flag) };
    const users = Number(target);
    if (!Number.isInteger(users) || users < 0) throw new SimUsageError(`${flag} targets must be whole numbers of users, got "${target}".`);
    return { durationS, target: users };
  });
}

/** Resolves the load; `scenario` is absent while only the flags are checked (before the scenario loads). */
export function resolveLoad(o: LoadOptions, seed: number, scenario?: ScenarioLoad): LoadPlan {
  const specs = o.stages ?? [];
  const flagsRate = o.arrivalRate !== undefined || specs.some((s) => hasRateUnit(typeof s === 'string' ? s.slice(s.indexOf(':') + 1) : s.target));
  const fromScenario = specs.length === 0 && o.arrivalRate === undefined && scenario !== undefined && (scenario.shape !== undefined || (scenario.stages?.length ?? 0) > 0);
  if (specs.length > 0 && o.runTime !== undefined) throw new SimUsageError('set the length with --stage or with --run-time, not both.');
  const sdkRuns = scenario?.sdkRuns === true;
  if (o.runLength !== undefined && scenario !== undefined && !sdkRuns) {
    throw new SimUsageError('--run-length applies to SDK scenarios under an arrival rate; this scenario has no SDK run.');
  }

  if (fromScenario && scenario?.shape) {
    return {
      executor: 'load-shape', shape: scenario.shape,
      runTimeS: o.runTime !== undefined ? parseRunTime(o.runTime) : Infinity,
      ...pool(o, Math.max(1, o.users ?? DEFAULT_USERS), sdkRuns),
    };
  }
  const scenarioStages = fromScenario ? scenario?.stages ?? [] : [];
  const stageSpecs = specs.length > 0 ? specs : scenarioStages;
  const rateMode = flagsRate || (fromScenario && scenarioStages.some((s) => hasRateUnit(s.target)));
  const flag = specs.length > 0 ? '--stage' : "the scenario's stages";

  if (rateMode) {
    if (o.users !== undefined || o.spawnRate !== undefined) {
      throw new SimUsageError('--users and --spawn-rate set closed-model users; under an arrival rate size the pool with --max-users and --pre-allocated-users.');
    }
    const startRate = o.arrivalRate !== undefined ? parseRate(o.arrivalRate, '--arrival-rate') : 0;
    const arrivals: ArrivalProcess = o.arrivals === 'poisson' ? { kind: 'poisson', seed } : { kind: 'uniform' };
    if (o.arrivals !== undefined && o.arrivals !== 'uniform' && o.arrivals !== 'poisson') throw new SimUsageError(`--arrivals must be uniform or poisson, got "${String(o.arrivals)}".`);
    if (stageSpecs.length === 0) {
      if (!(startRate > 0)) throw new SimUsageError('--arrival-rate must be above 0 without stages.');
      const runTimeS = parseRunTime(o.runTime);
      return { executor: 'constant-arrival-rate', rate: startRate, runTimeS, arrivals, ...pool(o, startRate, sdkRuns) };
    }
    const stages = parseStages(stageSpecs, true, flag);
    if (!(stagesDurationS(stages) > 0)) throw new SimUsageError(`${flag} must last longer than 0 s in total.`);
    return { executor: 'ramping-arrival-rate', startRate, stages, arrivals, ...pool(o, peakTarget(startRate, stages), sdkRuns) };
  }
  if (o.maxUsers !== undefined || o.preAllocatedUsers !== undefined || o.onSaturation !== undefined || o.arrivals !== undefined) {
    throw new SimUsageError('--max-users, --pre-allocated-users, --arrivals and --on-saturation need --arrival-rate (or rate stages such as 1m:50/s).');
  }
  if (stageSpecs.length > 0) {
    if (o.spawnRate !== undefined) throw new SimUsageError('--spawn-rate does not apply to stages: each stage ramps the users linearly over its duration.');
    const stages = parseStages(stageSpecs, false, flag);
    if (!(stagesDurationS(stages) > 0)) throw new SimUsageError(`${flag} must last longer than 0 s in total.`);
    const startUsers = o.users ?? 0;
    if (!Number.isInteger(startUsers) || startUsers < 0) throw new SimUsageError(`--users must be a whole number of at least 0, got ${startUsers}.`);
    return { executor: 'ramping-users', startUsers, stages };
  }
  const users = o.users ?? DEFAULT_USERS;
  if (!Number.isInteger(users) || users < 1) throw new SimUsageError(`--users must be a whole number of at least 1, got ${users}.`);
  const spawnRate = o.spawnRate ?? users;
  if (!(spawnRate > 0) || !Number.isFinite(spawnRate)) throw new SimUsageError(`--spawn-rate must be above 0, got ${spawnRate}.`);
  return { executor: 'constant-users', users, spawnRate, runTimeS: parseRunTime(o.runTime) };
}

/**
 * The pool of an arrival rate. Defaults: enough users for the peak rate at an iteration time of
 * 1 s (tasks) or of the run length + 5 s (SDK runs); --max-users defaults to the pre-allocated count (k6).
 */
function pool(o: LoadOptions, peakRate: number, sdkRuns: boolean): ArrivalPool {
  if (o.onSaturation !== undefined && o.onSaturation !== 'drop' && o.onSaturation !== 'queue') {
    throw new SimUsageError(`--on-saturation must be drop or queue, got "${String(o.onSaturation)}".`);
  }
  const runLengthS = parseDuration(o.runLength ?? DEFAULT_RUN_LENGTH_S, '--run-length');
  if (sdkRuns && !(runLengthS > 0)) throw new SimUsageError('--run-length must be longer than 0 s.');
  // A run also logs in, inits and finishes: allow 5 s on top of its length.
  const perIterationS = sdkRuns ? runLengthS + RUN_OVERHEAD_S : 1;
  const guess = Math.max(1, Math.ceil(peakRate * perIterationS));
  const preAllocatedUsers = o.preAllocatedUsers ?? Math.min(guess, o.maxUsers ?? guess);
  const maxUsers = o.maxUsers ?? Math.max(preAllocatedUsers, guess);
  for (const [v, flag] of [[preAllocatedUsers, '--pre-allocated-users'], [maxUsers, '--max-users']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new SimUsageError(`${flag} must be a whole number of at least 1, got ${v}.`);
  }
  if (maxUsers < preAllocatedUsers) throw new SimUsageError(`--max-users (${maxUsers}) must be at least --pre-allocated-users (${preAllocatedUsers}).`);
  return { preAllocatedUsers, maxUsers, onSaturation: o.onSaturation ?? 'drop', iteration: sdkRuns ? 'run' : 'task', runLengthS };
}

/**
 * The plan's load once its scenario is known (an SDK scenario's arrival is a whole run; a file
 * may bring stages or a shape). Whoever runs a plan — the runner, a worker — calls this before
 * createExecutor(); the Plan's `load` is only the flags' view until then.
 */
export function loadForScenario(
  plan: { loadOptions: LoadOptions; seed: number },
  scenario: { sdk?: unknown; stages?: StageSpec[]; shape?: LoadShape },
): LoadPlan {
  return resolveLoad(plan.loadOptions, plan.seed, { sdkRuns: Boolean(scenario.sdk), stages: scenario.stages, shape: scenario.shape });
}

/** The whole plan's load in a few words, as its executor says it (for results merged from segments). */
export function describeLoad(load: LoadPlan): string {
  const describeOnly = {
    newUser: (): never => {
      throw new Error('an executor made only to describe its load starts no user');
    },
    onActiveUsers: () => undefined,
    clock: realClock,
    segment: WHOLE,
    shutdownTimeoutS: 0,
  };
  return createExecutor(load, describeOnly).describe();
}

/** Users to size shared resources for (HTTP pools) and to print: the most the load may run at once. */
export function peakUsers(load: LoadPlan): number {
  switch (load.executor) {
    case 'constant-users': return load.users;
    case 'ramping-users': return Math.floor(peakTarget(load.startUsers, load.stages));
    default: return load.maxUsers;
  }
}

/** The configured spawn rate (users/s) for the result; 0 where users are not spawned at a rate. */
export function spawnRateOf(load: LoadPlan): number {
  return load.executor === 'constant-users' ? load.spawnRate : 0;
}

/** A run of zero seconds measures nothing and would fail for a misleading reason: refuse it, like -u 0. */
function parseRunTime(runTime: string | number | undefined): number {
  const seconds = parseDuration(runTime ?? DEFAULT_RUN_TIME_S, '--run-time');
  if (!(seconds > 0)) throw new SimUsageError(`--run-time must be above 0, got ${JSON.stringify(String(runTime))}; give a duration such as 30s, 5m or 1h.`);
  return seconds;
}
