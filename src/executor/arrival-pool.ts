/**
 * The options every arrival-rate executor shares: the user pool (`--pre-allocated-users`,
 * `--max-users`, `--on-saturation`), the arrival process (`--arrivals`) and, for SDK scenarios,
 * what one iteration is (a whole training run of `--run-length`). Parsed once here for the
 * executors of the open model (constant-arrival-rate, ramping-arrival-rate, load-shape).
 */
import { parseDuration } from '../core/duration.js';
import { SimUsageError } from '../core/errors.js';
import type { ArrivalProcess } from './arrivals.js';
import { DEFAULT_RUN_LENGTH_S, RUN_OVERHEAD_S, type LoadInput, type LoadOptions } from './load-options.js';
import type { ArrivalPool } from './open-model.js';

/** Users and spawn rates are the closed model's: an arrival rate refuses them. */
export function refuseClosedModelFlags(o: LoadOptions): void {
  if (o.users !== undefined || o.spawnRate !== undefined) {
    throw new SimUsageError('--users and --spawn-rate set closed-model users; under an arrival rate size the pool with --max-users and --pre-allocated-users.');
  }
}

/** `--arrivals`: evenly spaced (default) or a Poisson process seeded by the run's seed. */
export function arrivalProcess(input: LoadInput): ArrivalProcess {
  const a = input.flags.arrivals;
  if (a !== undefined && a !== 'uniform' && a !== 'poisson') throw new SimUsageError(`--arrivals must be uniform or poisson, got "${String(a)}".`);
  return a === 'poisson' ? { kind: 'poisson', seed: input.seed } : { kind: 'uniform' };
}

/**
 * The pool of an arrival rate. Defaults: enough users for the peak rate at an iteration time of
 * 1 s (tasks) or of the run length + 5 s (SDK runs); --max-users defaults to the pre-allocated count (k6).
 */
export function arrivalPool(input: LoadInput, peakRate: number): ArrivalPool {
  const o = input.flags;
  if (o.onSaturation !== undefined && o.onSaturation !== 'drop' && o.onSaturation !== 'queue') {
    throw new SimUsageError(`--on-saturation must be drop or queue, got "${String(o.onSaturation)}".`);
  }
  const runLengthS = parseDuration(o.runLength ?? DEFAULT_RUN_LENGTH_S, '--run-length');
  if (input.sdkRuns && !(runLengthS > 0)) throw new SimUsageError('--run-length must be longer than 0 s.');
  // A run also logs in, inits and finishes: allow 5 s on top of its length.
  const perIterationS = input.sdkRuns ? runLengthS + RUN_OVERHEAD_S : 1;
  const guess = Math.max(1, Math.ceil(peakRate * perIterationS));
  const preAllocatedUsers = o.preAllocatedUsers ?? Math.min(guess, o.maxUsers ?? guess);
  const maxUsers = o.maxUsers ?? Math.max(preAllocatedUsers, guess);
  for (const [v, flag] of [[preAllocatedUsers, '--pre-allocated-users'], [maxUsers, '--max-users']] as const) {
    if (!Number.isInteger(v) || v < 1) throw new SimUsageError(`${flag} must be a whole number of at least 1, got ${v}.`);
  }
  if (maxUsers < preAllocatedUsers) throw new SimUsageError(`--max-users (${maxUsers}) must be at least --pre-allocated-users (${preAllocatedUsers}).`);
  return { preAllocatedUsers, maxUsers, onSaturation: o.onSaturation ?? 'drop', iteration: input.sdkRuns ? 'run' : 'task', runLengthS };
}
