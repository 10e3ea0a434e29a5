/**
 * The verdict on merged segments (workers or shard files): every incomplete segment — a worker
 * that died, a shard file missing — is a reason of its own and fails the run (its results so far
 * are kept).
 */
import { EXIT_CODES } from '../../core/exit-codes.js';
import type { ScaleOutReport, SimulationResult } from '../../metrics/result.js';

export function applySegmentStatuses(result: SimulationResult, scaleOut: ScaleOutReport): void {
  const what = scaleOut.mode === 'workers' ? 'worker' : 'shard';
  for (const p of scaleOut.parts) {
    if (!p.complete) result.reasons.push(`${what} ${p.index} of ${scaleOut.segments} is incomplete: ${p.reason ?? 'no result'}.`);
    if (!p.complete && p.sdkRuns !== undefined) {
      const how = p.signal ? `killed by ${p.signal}` : `exit code ${p.exitCode ?? 'unknown'}`;
      result.reasons.push(`${what} ${p.index} of ${scaleOut.segments} (${how}): ${p.unaccountedRecords ?? 0} records of its ${p.sdkRuns} SDK run${p.sdkRuns === 1 ? '' : 's'} are unaccounted for (logged but neither acked nor failed at its last report).`);
    }
  }
  result.scaleOut = scaleOut;
  if (result.reasons.length > 0) {
    result.pass = false;
    result.exitCode = result.interrupted ? EXIT_CODES.interrupted : EXIT_CODES.failed;
  }
}
