/**
 * runSimulation(): one run in this process through the session's lifecycle (session.ts) with the
 * local driver — resolve the plan, prepare the outputs, open the target, let the executor run the
 * users, judge, write the outputs, return the result (the data of latest.json). Never exits the
 * process; installs signal handlers only when asked.
 */
import type { SimulationResult } from '../metrics/result.js';
import { localDriver } from './local-driver.js';
import type { Plan, SimulationOptions } from './plan.js';
import { runSession } from './session.js';

/** Same as SimulationOptions (kept as a name for callers). */
export type RunSimulationOptions = SimulationOptions;

export function runSimulation(options: RunSimulationOptions): Promise<SimulationResult> {
  return runSession(options, localDriver(options));
}

export type { Plan };
