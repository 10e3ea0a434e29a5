/**
 * mlop-sim as a library: run a load simulation from code (e.g. inside another project's vitest
 * suite), define scenarios, and start the reference server.
 *
 *   const server = await startReferenceServer({ port: 0 });
 *   const result = await runSimulation({ host: server.url, key: DEFAULT_API_KEY, users: 5, runTime: '3s' });
 *   expect(result.pass).toBe(true);
 */
export { runSimulation, EXIT_CODES, type RunSimulationOptions } from './sim/runner.js';
export type { SimulationOptions, EmbeddedServerOptions, LiveConsoleOptions, Env } from './sim/options.js';
export { defineScenario } from './sim/scenario.js';
export type { ScenarioDefinition, ScenarioContext, TaskDefinition, SdkRunOptions } from './sim/scenario.js';
export type { ScenarioHttpClient, HttpCallOptions, HttpCallResult } from './sim/http-client.js';
export type { SdkRun, SdkDelivery } from './sim/sdk-session.js';
export type { RandomSource } from './sim/random.js';
export { SimUsageError, SimTargetError } from './sim/errors.js';
export { parseDuration } from './sim/duration.js';
export { saveBaseline, DEFAULT_BASELINE_FILE, type SaveBaselineOptions } from './sim/baseline-store.js';
export { BUILTIN_SCENARIOS } from './sim/scenarios/index.js';
export { formatFinalTable } from './report/index.js';
export {
  startReferenceServer,
  startReferenceServerInWorker,
  DEFAULT_API_KEY,
  parseLatencySpec,
  validateFaults,
  type FaultOptions,
  type LatencySpec,
  type ReferenceServer,
  type ReferenceServerOptions,
} from './server/index.js';
export type * from './metrics/result.js';
