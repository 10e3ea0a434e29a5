/**
 * mlop-sim as a library: run a load simulation from code (e.g. inside another project's vitest
 * suite), define scenarios, and start the reference server. Re-exports only.
 *
 *   const server = await startReferenceServer({ port: 0 });
 *   const result = await runSimulation({ host: server.url, key: DEFAULT_API_KEY, users: 5, runTime: '3s' });
 *   expect(result.pass).toBe(true);
 */
export { EXIT_CODES, type ExitCode } from './core/exit-codes.js';
export { SimUsageError, SimTargetError } from './core/errors.js';
export { parseDuration } from './core/duration.js';
export { parseLatencySpec, type LatencySpec } from './core/latency-spec.js';
export type { RandomSource } from './core/random.js';
export { runSimulation, type RunSimulationOptions } from './run/runner.js';
export type { SimulationOptions, EmbeddedServerOptions, LiveConsoleOptions, Env, Plan, ClickHouseOptions, ScaleOutOptions } from './run/plan.js';
export { runScaled, mergeShardFiles, parseStartAt, type ScaledRun, type MergeOptions } from './run/distributed/index.js';
export { runCapacity, type CapacityOptions, type CapacityOutcome } from './run/capacity/capacity-run.js';
export { formatCapacityTable } from './output/capacity/index.js';
export type * from './metrics/capacity-report.js';
export { saveBaseline, DEFAULT_BASELINE_FILE, type SaveBaselineOptions } from './run/judging/baseline-file.js';
export { defineScenario } from './load/scenario.js';
export type { ScenarioDefinition, ScenarioContext, TaskDefinition, SdkRunOptions, StageSpec, LoadShape, ShapeTick } from './load/scenario.js';
export type { SdkRun, SdkDelivery } from './load/sdk-session.js';
export { BUILTIN_SCENARIOS } from './load/scenarios/index.js';
export type { Segment } from './executor/segment.js';
export type { ScenarioHttpClient } from './transport/http-client.js';
export type { HttpCallOptions, HttpCallResult } from './transport/exchange.js';
export { formatFinalTable, locustStatsJson, STREAM_OUTPUTS, METRICS } from './output/index.js';
export { formatShardSummary, type ShardDone } from './output/index.js';
export {
  startReferenceServer,
  startReferenceServerInWorker,
  DEFAULT_API_KEY,
  validateFaults,
  parsePort,
  ServerStartError,
  type FaultOptions,
  type ReferenceServer,
  type ReferenceServerOptions,
} from './server/index.js';
export type * from './metrics/result.js';
export { eDivisive, type ChangePoint, type ChangePointOptions } from './metrics/statistics/change-points.js';
export * from './history/index.js';
export {
  startRecording, tuneRecorderProcess, readTrace, profileOfTrace, runFigures, readProfile, validateProfile,
  type RecordOptions, type RecordSummary, type RecordingProxy, type Trace, type WorkloadProfile,
} from './capture/index.js';
export { presetRef, withReplaySpeed, replayScenario, PRESETS } from './load/replay/index.js';
export { compareResults, parseMinEffect, parseMinEffectMs, type CompareOptions, type MinimumEffectOptions } from './run/judging/compare.js';
export { formatVerdict } from './output/console/verdict-text.js';
export type { RegressionVerdict, VerdictTest, VerdictSettings } from './metrics/verdict.js';
