/**
 * `mlop-sim run --shard I/N`: runs segment I of the plan (in this process, or over `--workers`)
 * and writes the shard file to the report folder; `mlop-sim merge` judges the shards together.
 * A shard refuses what only the merge can do (report files, the baseline) and needs `--seed`,
 * since every shard must run the same plan.
 */
import { SimUsageError } from '../../core/errors.js';
import type { Segment } from '../../executor/segment.js';
import type { Recorder } from '../../metrics/recorder.js';
import type { SimulationResult } from '../../metrics/result.js';
import { thresholdsFromEnv } from '../../metrics/thresholds.js';
import { judgedEntries } from '../judging/result-builder.js';
import { defineRun } from '../definition.js';
import { DEFAULT_REPORT_DIR, type SimulationOptions } from '../plan.js';
import { runSimulation } from '../runner.js';
import { runWorkers } from './fleet-driver.js';
import { fingerprintOf, planIdentity } from './fingerprint.js';
import type { SegmentResult } from './segment-result.js';
import { segmentResultOf } from './segment-result-of.js';
import { SHARD_FORMAT, SHARD_VERSION, writeShardFile } from './shard-file.js';

export interface ShardRun {
  result: SimulationResult;
  /** The shard file written. */
  file: string;
  fingerprint: string;
}

export async function runShard(options: SimulationOptions, segment: Segment, workers: number): Promise<ShardRun> {
  if (options.seed === undefined) throw new SimUsageError('--shard needs --seed: every shard must run the same plan, and each would pick a different fresh seed.');
  for (const [flag, value] of [['--csv', options.csv], ['--html', options.html], ['--junit', options.junit], ['--baseline', options.baseline]] as const) {
    if (value !== undefined) throw new SimUsageError(`${flag} goes to mlop-sim merge: a shard writes only its shard file.`);
  }
  if (options.reportDir === false) throw new SimUsageError('a shard writes its shard file to the report folder: give --report-dir a folder.');
  if (options.scenario !== undefined && typeof options.scenario !== 'string') {
    throw new SimUsageError('--shard needs the scenario as a name or a file path: a scenario object has no fingerprint.');
  }
  const { plan, scenario } = await defineRun({ ...options, segment });
  if (plan.duet) throw new SimUsageError('a duet run drives both targets from one process: --shard does not apply to it.');
  const identity = await planIdentity(plan);
  const fingerprint = fingerprintOf(identity);
  const limits = thresholdsFromEnvChecked(plan.env);
  // The load as resolved here: the run does not resolve it again.
  const runOptions: SimulationOptions = { ...options, segment, reportDir: false, plannedLoad: plan.load };
  let stats: SegmentResult, result: SimulationResult;
  if (workers > 1) {
    ({ result, merged: stats } = await runWorkers(runOptions, workers));
  } else {
    let recorder: Recorder | undefined;
    result = await runSimulation({ ...runOptions, onRecorder: (r) => (recorder = r) });
    stats = segmentResultOf(segment, recorder, result);
  }
  const file = await writeShardFile(options.reportDir ?? DEFAULT_REPORT_DIR, {
    format: SHARD_FORMAT,
    version: SHARD_VERSION,
    fingerprint,
    identity,
    scenario: { name: scenario.name, judged: judgedEntries(scenario), failsBuild: scenario.failsBuild !== false, capacityAssessment: scenario.capacityAssessment === true },
    gates: {
      thresholds: plan.thresholds,
      p95Ms: plan.overrides.p95Ms ?? limits.p95Ms,
      p99Ms: plan.overrides.p99Ms ?? limits.p99Ms,
      maxErrorRate: plan.overrides.maxErrorRate ?? limits.maxErrorRate,
    },
    target: result.target,
    dlq: result.dlq,
    result: stats,
  });
  options.log?.(`wrote ${file} (shard ${segment.index} of ${segment.count}, plan ${fingerprint})`);
  return { result, file, fingerprint };
}

function thresholdsFromEnvChecked(env: Record<string, string | undefined>): ReturnType<typeof thresholdsFromEnv> {
  try {
    return thresholdsFromEnv(env);
  } catch (err) {
    throw new SimUsageError((err as Error).message.replace(/\.$/, '') + '.');
  }
}
