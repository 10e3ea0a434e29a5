/**
 * The load flags (`--users`, `--spawn-rate`, `--run-time`, `--stage`, `--arrival-rate`,
 * `--max-users`, `--pre-allocated-users`, `--arrivals`, `--on-saturation`, `--run-length`) and
 * what a scenario brings (its own `stages` or `shape`, whether an iteration is a whole SDK run),
 * as every executor reads them (docs/cli.md "Load models"). Flags win over the scenario's load.
 * Which executor takes them and how it parses them is the executor's own (registry.ts).
 */
import { parseDuration } from '../core/duration.js';
import { SimUsageError } from '../core/errors.js';
import type { LoadShape, StageSpec } from '../load/scenario.js';
import type { Saturation } from './open-model.js';
import type { Stage } from './stages.js';

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

/** The flags and the scenario as an executor sees them when it claims and resolves a load. */
export interface LoadInput {
  flags: LoadOptions;
  seed: number;
  /** Absent while only the flags are known (a scenario file not loaded yet). */
  scenario?: ScenarioLoad;
  /** The scenario's stages or shape apply (no `--stage`, no `--arrival-rate`). */
  fromScenario: boolean;
  /** The stages in force: the flags' or, from the scenario, its own. */
  stageSpecs: Array<string | StageSpec>;
  /** Where the stages came from, for messages: `--stage` or `the scenario's stages`. */
  stageFlag: string;
  /** Iterations per second rather than users: `--arrival-rate`, or stages with a `/s` unit. */
  rateMode: boolean;
  sdkRuns: boolean;
}

export const DEFAULT_USERS = 50;
export const DEFAULT_RUN_TIME_S = 30;
export const DEFAULT_RUN_LENGTH_S = 60;
/** Headroom per SDK run in the default pool size: login, init and finish besides the run length. */
export const RUN_OVERHEAD_S = 5;

/** Reads the flags and the scenario once into what every executor's claim and resolution need. */
export function loadInput(flags: LoadOptions, seed: number, scenario?: ScenarioLoad): LoadInput {
  const specs = flags.stages ?? [];
  const flagsRate = flags.arrivalRate !== undefined || specs.some((s) => hasRateUnit(typeof s === 'string' ? s.slice(s.indexOf(':') + 1) : s.target));
  const fromScenario = specs.length === 0 && flags.arrivalRate === undefined && scenario !== undefined &&
    (scenario.shape !== undefined || (scenario.stages?.length ?? 0) > 0);
  const scenarioStages = fromScenario ? scenario?.stages ?? [] : [];
  return {
    flags, seed, scenario, fromScenario,
    stageSpecs: specs.length > 0 ? specs : scenarioStages,
    stageFlag: specs.length > 0 ? '--stage' : "the scenario's stages",
    rateMode: flagsRate || (fromScenario && scenarioStages.some((s) => hasRateUnit(s.target))),
    sdkRuns: scenario?.sdkRuns === true,
  };
}

/** The refusals that hold whichever executor takes the load. */
export function checkLoadFlags(input: LoadInput): void {
  const o = input.flags;
  if ((o.stages?.length ?? 0) > 0 && o.runTime !== undefined) throw new SimUsageError('set the length with --stage or with --run-time, not both.');
  if (o.runLength !== undefined && input.scenario !== undefined && !input.sdkRuns) {
    throw new SimUsageError('--run-length applies to SDK scenarios under an arrival rate; this scenario has no SDK run.');
  }
}

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

/** Stage specs → stages of rates (`rates`) or of whole users; one sentence naming `flag` when wrong. */
export function parseStages(specs: Array<string | StageSpec>, rates: boolean, flag: string): Stage[] {
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

/** A run of zero seconds measures nothing and would fail for a misleading reason: refuse it, like -u 0. */
export function parseRunTime(runTime: string | number | undefined): number {
  const seconds = parseDuration(runTime ?? DEFAULT_RUN_TIME_S, '--run-time');
  if (!(seconds > 0)) throw new SimUsageError(`--run-time must be above 0, got ${JSON.stringify(String(runTime))}; give a duration such as 30s, 5m or 1h.`);
  return seconds;
}
