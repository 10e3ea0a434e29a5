/**
 * The one result of merged segments (workers or shard files): built by the single run's
 * buildResult() from the merged recorder, then every incomplete segment — a worker that died, a
 * shard file missing — is a reason of its own and fails the run (its results so far are kept).
 */
import { EXIT_CODES } from '../../core/exit-codes.js';
import type { ScaleOutReport, SimulationResult } from '../../metrics/result.js';
import { describeLoad } from '../load-plan.js';
import { buildResult, type ResultInputs } from '../result-builder.js';
import type { MergedSegments } from './merge.js';

/** The single run's result inputs that merged segments share, plus the merge and its parts. */
export type MergedResultInputs = Pick<
  ResultInputs,
  'scenario' | 'judged' | 'specs' | 'baseline' | 'baselineFile' | 'audit' | 'storage' | 'visibility' | 'plan' | 'startedAt' | 'target' | 'dlq' | 'interrupted'
> & { merged: MergedSegments; scaleOut: ScaleOutReport };

export function mergedResult(i: MergedResultInputs): SimulationResult {
  const { merged } = i;
  const endedAt = new Date(Math.max(merged.endedAtMs, i.startedAt.getTime()));
  const load = i.plan.load;
  const result = buildResult({
    load, loadDescription: describeLoad(load),
    recorder: merged.recorder, scenario: i.scenario, judged: i.judged, specs: i.specs, baseline: i.baseline,
    baselineFile: i.baselineFile, audit: i.audit, storage: i.storage, visibility: i.visibility, plan: i.plan, startedAt: i.startedAt, endedAt,
    durationS: (endedAt.getTime() - i.startedAt.getTime()) / 1000, target: i.target, dlq: i.dlq, interrupted: i.interrupted,
  });
  const what = i.scaleOut.mode === 'workers' ? 'worker' : 'shard';
  for (const p of i.scaleOut.parts) {
    if (!p.complete) result.reasons.push(`${what} ${p.index} of ${i.scaleOut.segments} is incomplete: ${p.reason ?? 'no result'}.`);
    if (!p.complete && p.sdkRuns !== undefined) {
      const how = p.signal ? `killed by ${p.signal}` : `exit code ${p.exitCode ?? 'unknown'}`;
      result.reasons.push(`${what} ${p.index} of ${i.scaleOut.segments} (${how}): ${p.unaccountedRecords ?? 0} records of its ${p.sdkRuns} SDK run${p.sdkRuns === 1 ? '' : 's'} are unaccounted for (logged but neither acked nor failed at its last report).`);
    }
  }
  result.scaleOut = i.scaleOut;
  if (result.reasons.length > 0) {
    result.pass = false;
    result.exitCode = result.interrupted ? EXIT_CODES.interrupted : EXIT_CODES.failed;
  }
  return result;
}
