/**
 * The verdict of a duet run (docs/cli.md "Duet runs"): the result is the candidate side B's — its
 * thresholds, its audits —, with both sides' figures beside it in `duet`. Each side's delivery and
 * storage audit is its own gate: rows lost on A fail the run as rows lost on B do, named by side.
 */
import { EXIT_CODES } from '../../core/exit-codes.js';
import type { DuetSideReport, SimulationResult } from '../../metrics/result.js';

export function judgeDuet(b: SimulationResult, a: SimulationResult): void {
  b.duet = { a: sideReport(a), b: sideReport(b) };
  // A has no thresholds: its reasons are its audits' failures.
  const failedA = a.reasons.map((r) => `side A (baseline): ${r}`);
  if (failedA.length > 0) {
    b.reasons.push(...failedA);
    b.pass = false;
    if (!b.interrupted) b.exitCode = EXIT_CODES.failed;
  }
}

function sideReport(r: SimulationResult): DuetSideReport {
  return {
    target: r.target, p50_ms: r.p50_ms, p95_ms: r.p95_ms, p99_ms: r.p99_ms, error_rate: r.error_rate, total_requests: r.total_requests,
    rps: r.rps, entries: r.entries, aggregated: r.aggregated, failures: r.failures, audit: r.audit, storage: r.storage,
    visibility: r.visibility, dlq: r.dlq, history: r.history, pass: r.pass, reasons: r.reasons,
  };
}
